"""Every limit lettergen sets on its input, in one place; the README's "Safety" lists them.

Each is far above what a real letter or sheet needs (the whole country is 7,852 LAOs; a
long paragraph of an official letter is about 1,500 characters, a long LAO name under
100), so that only a broken or hostile input meets one. Past a limit the input is refused
(exit 2) with one Thai line naming the file, row and column or the spec key: it never
freezes the machine, fills its memory or ends as an internal error.
"""

from __future__ import annotations

# --- texts ---------------------------------------------------------------------------------

CELL_CHARS = 2_000  # characters in one cell of a recipients or tracking sheet
TEXT_CHARS = 20_000  # characters in one text of the spec (a paragraph, a title) or a --set value
SPEC_BYTES = 5_000_000  # the spec file
SPEC_NESTING = 50  # arrays and tables inside one another in the spec

# --- sheets (recipients, tracking) ---------------------------------------------------------

SHEET_ROWS = 100_000
SHEET_COLUMNS = 200
SHEET_CELLS = 2_000_000  # cells with a value (merged ranges counted in every cell they cover)
SHEET_BYTES = 50_000_000  # the file, and an XLSX's parts (sheets, strings, styles) unpacked
# A CSV line longer than this cannot hold SHEET_COLUMNS cells of CELL_CHARS each.
CSV_LINE_CHARS = SHEET_COLUMNS * (CELL_CHARS + 3)
CSV_LINES = 1_048_576  # lines of a CSV file, blank ones too: as many rows as Excel has
XLSX_PARTS = 10_000  # parts in an XLSX's zip (a workbook has a few dozen)

# --- templates (the spec's texts, read by Jinja in a sandbox) --------------------------------

TEMPLATE_OUTPUT_CHARS = 50_000  # what one text produces, and the largest text or list it makes
TEMPLATE_WORK_CHARS = 1_000_000  # characters and items all of one text's operations handle
# Steps of one text: each turn of a loop, call of a macro or test of a loop's "if" counts
# 1 and the number of expressions and statements it runs (so a loop over a district's 40
# LAOs printing three of their fields counts about 400).
TEMPLATE_STEPS = 100_000
TEMPLATE_RANGE = 10_000  # numbers range() gives
TEMPLATE_NUMBER_DIGITS = 1_000  # the largest whole number a text computes


def thousands(number: int) -> str:
    """A limit as messages print it: 100,000."""
    return f"{number:,}"
