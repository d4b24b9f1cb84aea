"""Every pattern that reads a clerk's text runs in time linear in it.

Python's regular expressions backtrack: a pattern that can start a scan to the end of the
text at every position takes time in the square of the text's length (a body paragraph
holding one 40,000-letter word took 7.7 s to check, in the e-mail part of
``thai.LITERAL_SPAN``). Each case below gives one function that reads user text (a
paragraph, a cell, a header, a number format) 100,000 characters shaped against its
patterns, in a child process held to a time and memory limit (tests/bounded.py). A linear
pattern takes milliseconds; a quadratic one, from half a minute to several.
"""

from __future__ import annotations

import pytest

from bounded import ROOT, run_bounded

N = 100_000
SECONDS = 15  # each case in a process of its own: milliseconds when linear, minutes if not

# (function to import, argument expression): the argument is Python code evaluated with N.
CASES = {
    "lettergen.thai": [
        ("thai_digits_in_prose", '"a" * N'),  # the long ASCII word of the issue
        ("thai_digits_in_prose", '"a." * (N // 2) + "!"'),
        ("thai_digits_in_prose", '"a@" * (N // 2)'),
        ("thai_digits_in_prose", '"www." + "a" * N'),
        ("thai_digits_in_prose", '"http://" + "." * N'),
        ("thai_digits_in_prose", '"1a@b." * (N // 5)'),
        ("nfc", '"\\u0e19\\u0e4d" * (N // 2)'),
        ("parse_thai_date", '"วันที่1" * (N // 7)'),
        ("parse_thai_date", '"1 " + "ก" * N + " 2561"'),
        ("parse_thai_date", '"2018-08-10T" + "1" * N'),
        ("thai_strftime", 'None', '"%" * N'),
    ],
    "lettergen.templating": [
        ("to_runs", '"a" * N'),
        ("to_runs", '"**" + "a" * N'),
        ("to_runs", '"**a" * (N // 3)'),
        ("to_runs", '"__" * (N // 2) + "a"'),
        ("to_runs", '"a@a." * (N // 4)'),
        ("undefined_message", '""', '{}', '"\'x\' has no attribute \'" * (N // 20)'),
    ],
    "lettergen.sheets.columns": [
        ("header_keys", '"(" * N'),
        ("header_keys", '"รหัส (" + ")  " * (N // 3) + "x"'),
        ("header_key", '" ." * (N // 2)'),
        ("cell_text", '"\\u200b" * N'),
    ],
    "lettergen.sheets.cells": [
        ("shown_number", '1234.5', '"\\"" + "0" * N'),
        ("shown_number", '1234.5', '"[$" * (N // 2)'),
        ("shown_number", '1234.5', '"0" * N'),
    ],
    "lettergen.sheets.tables": [
        ("is_mojibake", '"เธ" * (N // 2)'),
        ("detect_delimiter", '"a;" * (N // 2)'),
    ],
    "lettergen.sheets.recipients": [
        ("kind_from_name", '"อบต. " * (N // 5)'),
        ("_done", '"1/" * (N // 2)', 'None', '1', '"x"'),
        ("_done", '"3 " + "ส." * (N // 2) + "61"', 'None', '1', '"x"'),
    ],
    "lettergen.districts": [
        ("district_name", '" " * N + "x"'),
        ("district_name", '"อ. " * (N // 3)'),
        ("district_name", '"a district " * (N // 11)'),
    ],
    "lettergen.filenames": [
        ("file_stem", '"x"', '"/ " * (N // 2)'),
    ],
    "lettergen.links": [
        ("is_link", '"a@" + "b." * (N // 2) + " c"'),
        ("link_parts", '"https://" + "a." * (N // 2)'),
        ("link_parts", '"a" * N + "@b.co"'),
    ],
}


def _cases():
    for module, cases in CASES.items():
        for function, *args in cases:
            yield pytest.param(module, function, tuple(args), id=f"{module}.{function}({', '.join(args)})")


@pytest.mark.parametrize("module, function, args", list(_cases()))
def test_pattern_is_linear_at_100000_characters(module, function, args):
    code = (f"N = {N}\nfrom {module} import {function}\n"
            f"try:\n    {function}({', '.join(args)})\nexcept Exception as exc:\n"
            f"    print(type(exc).__name__)\nprint('done')\n")
    result = run_bounded(["-c", code], cwd=ROOT, seconds=SECONDS,
                         what=f"{module}.{function}({', '.join(args)}) with N = {N:,}")
    assert result.returncode == 0 and result.stdout.splitlines()[-1:] == ["done"], result.stderr[-2000:]
