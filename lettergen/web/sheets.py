"""Uploaded sheets: the type check, and the cells as the recipients page shows them.

The table shown is the table the engine reads, by the engine's own readers: the file's type
by its content, the CSV's encoding and delimiter, the workbook's sheet the engine picks (the
visible sheet with a header), merged cells spread, formulas as their saved results, and each
cell as the text Excel shows (``sheets.cells``): the screen shows what the letter prints.
Rows carry the sheet's own numbers, so an error from ``recipients.load_recipients`` (which
names the row and the column) is marked on the very cell. Reading the recipients, and every
check, stays with the engine: a file the engine refuses shows no table, only its error.
The page shows at most 400 rows, 100 columns, 1,000 characters of a cell and 400,000 in
all: what the server renders and the browser lays out stays small.
"""

from __future__ import annotations

from pathlib import Path

SHEET_TYPES = {".csv": "CSV", ".xlsx": "XLSX"}
SHOWN_ROWS = 400
SHOWN_COLUMNS = 100  # the page shows at most these (a sheet's letters use far fewer)
SHOWN_TEXT = 1000  # characters of a cell shown; a longer one ends in "…" on the page
SHOWN_TOTAL = 400_000  # characters of the whole table shown (the rows after are left out)


def check_sheet(name: str, data: bytes) -> str:
    """The file's suffix when it is a CSV or XLSX file as its name says; else a Thai error
    is raised as ValueError."""
    suffix = Path(name).suffix.lower()
    if suffix not in SHEET_TYPES:
        raise ValueError(f"ไฟล์ \"{Path(name).name}\" ไม่ใช่ชนิดที่รับ: ใช้ไฟล์ .xlsx หรือ .csv")
    if not data:
        raise ValueError(f"ไฟล์ \"{Path(name).name}\" ว่างเปล่า")
    if suffix == ".xlsx" and not data.startswith(b"PK\x03\x04"):
        raise ValueError(f"ไฟล์ \"{Path(name).name}\" ไม่ใช่ไฟล์ Excel (.xlsx) ที่ถูกต้อง")
    if suffix == ".csv" and (b"\x00" in data[:65536] or data.startswith(b"PK\x03\x04")):
        raise ValueError(f"ไฟล์ \"{Path(name).name}\" ไม่ใช่ไฟล์ข้อความ CSV")
    return suffix


NOT_A_LETTER = ("ไฟล์ \"{name}\" ไม่ใช่ไฟล์หนังสือ: ใช้ไฟล์หนังสือ (.toml) ที่ดาวน์โหลดจากหน้านี้ "
                "หรือที่ผู้ดูแลเตรียมไว้")


def check_toml(name: str, data: bytes) -> str:
    """A letter's file as text; a ValueError with the clerk's message when it is not one
    (its name does not end in .toml, or it is not text)."""
    name = Path(name).name
    if Path(name).suffix.lower() != ".toml":
        raise ValueError(NOT_A_LETTER.format(name=name))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"ไฟล์ \"{name}\" ไม่ใช่ไฟล์หนังสือ: อ่านเป็นข้อความไม่ได้ "
                         "(ไฟล์หนังสือต้องบันทึกเป็นข้อความแบบ UTF-8)") from None


def cells(path: Path, *, spec=None) -> list[tuple[int, list[str]]]:
    """(sheet row number, cell texts) of the first rows of the table the engine reads from
    ``path``, each cell as Excel shows it. ``spec``: the working spec, or a function that
    loads it, for its [recipients] sheet and columns (which decide the sheet of a workbook
    as they do for the engine); without one, or when it does not load, the sheet is picked
    as for a spec that names none. Never raises: a file the engine cannot read shows no
    table (the engine's own error is shown beside it)."""
    return shown_table(path, spec=spec)[0]


def shown_table(path: Path, *, spec=None) -> tuple[list[tuple[int, list[str]]], bool, int]:
    """``cells``, whether the table has more rows than those (400 rows at most, and no
    more than SHOWN_TOTAL characters in all), and the sheet row of its header as the engine
    finds it (0 when it finds none)."""
    try:
        return _shown_rows(path, _working_spec(spec))
    except Exception:  # reading for display only: the engine's error is shown separately
        return [], False, 0


def _working_spec(spec):
    if callable(spec):
        try:
            return spec()
        except Exception:  # a broken spec is reported by the spec's own page
            return None
    return spec


def _shown_rows(path: Path, spec) -> tuple[list[tuple[int, list[str]]], bool, int]:
    from ..errors import RecipientsError
    from ..sheets.recipients import pick_table
    from ..sheets.columns import Lookup
    from ..sheets.tables import read_tables

    source = getattr(spec, "recipients", None)
    sheet = getattr(source, "sheet", None)
    try:
        tables = read_tables(path, sheet)
    except RecipientsError:
        if sheet is None:
            raise
        tables = read_tables(path)  # the spec names a sheet the file lacks: its error is shown
    lookup = Lookup.build(dict(getattr(source, "columns", None) or {}))
    try:
        table, header = pick_table(tables, lookup, path)
        header_row = header.row_index + 1
    except RecipientsError:
        # No sheet with a header, or several: the engine's error names them; the first
        # visible sheet with cells is the one its message (and its row number) is about.
        table, header_row = next((t for t in tables if t.rows), tables[0]), 0
    rows, budget = [], SHOWN_TOTAL
    for number, row in enumerate(table.rows[:SHOWN_ROWS], start=1):
        texts = [_cut(shown(value)) for value in row[:SHOWN_COLUMNS]]
        budget -= sum(map(len, texts))
        if budget < 0 and rows:
            return rows, True, header_row
        rows.append((number, texts))
    return rows, len(table.rows) > len(rows), header_row


def _cut(text: str) -> str:
    """A cell's text as the page shows it: whole, or its first SHOWN_TEXT characters and
    "…" (the page's table stays a size a browser and the server render at once)."""
    return text if len(text) <= SHOWN_TEXT else text[:SHOWN_TEXT] + "…"


def shown(value) -> str:
    """One cell as the engine reads it for a letter: text as ``recipients`` reads text, a
    number as Excel shows it with the cell's format (570105 with "0000000" is "0570105").
    A cell the engine refuses shows what the refusal is about, never a guessed value."""
    import datetime as dt

    from ..sheets.cells import ErrorValue, FormulaWithoutValue, NumberCell, plain_number
    from ..sheets.columns import cell_text

    if value is None:
        return ""
    if isinstance(value, NumberCell):
        if value.text is not None:
            return value.text
        if abs(value.number) >= 10 ** 15:
            return "(ตัวเลขยาวเกิน 15 หลัก)"
        return f"(รูปแบบตัวเลข \"{value.number_format}\" แสดงให้ตรงกับ Excel ไม่ได้)"
    if isinstance(value, ErrorValue):
        return value.code  # as Excel shows it: #N/A, #REF! ...
    if isinstance(value, FormulaWithoutValue):
        return "(สูตรที่ไม่มีผลลัพธ์บันทึกไว้)"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(plain_number(value))
    return cell_text(value)


def error_cell(rows: list[tuple[int, list[str]]], error) -> tuple[int | None, int | None]:
    """(row number, column index) of the cell an InputError names, as far as it names one:
    by the column's letter when the error knows it (``sheets.columns.ColumnLabel``), else by
    its header among the first rows."""
    column = None
    if error is not None and error.column:
        column = _letter_index(getattr(error.column, "letter", ""))
    if column is None and error is not None and error.column:
        wanted = error.column.strip()
        for _, row in rows[:10]:
            for index, value in enumerate(row):
                if value.strip() == wanted:
                    column = index
                    break
            if column is not None:
                break
    return (error.row if error is not None else None), column


def _letter_index(letter: str) -> int | None:
    """"A" -> 0, "AA" -> 26: the inverse of ``sheets.columns.column_letter``."""
    if not letter or not letter.isascii() or not letter.isalpha() or not letter.isupper():
        return None
    index = 0
    for ch in letter:
        index = index * 26 + ord(ch) - ord("A") + 1
    return index - 1


PASSWORD_HEADERS = ("password", "รหัสผ่าน", "pdf_password")
SECRET_COLUMNS = ("password", "pdf_password")


def masked_columns(rows: list[tuple[int, list[str]]], columns=None) -> tuple[set[int], int]:
    """(the columns holding passwords, the row of their header): the cells below that row
    are shown as dots, never sent to the browser. A password column is one the engine reads
    as a password (sheets.columns' synonyms, or ``columns``, the spec's [recipients.columns]),
    or one whose header says so."""
    from ..sheets.columns import Lookup

    lookup = Lookup.build(dict(columns or {}))
    hidden, header_row = set(), 0
    for number, row in rows[:10]:
        for index, value in enumerate(row):
            secret = lookup.canonical(value) in SECRET_COLUMNS if value.strip() else False
            if secret or any(h in value.strip().lower() for h in PASSWORD_HEADERS):
                hidden.add(index)
                header_row = header_row or number
    return hidden, header_row
