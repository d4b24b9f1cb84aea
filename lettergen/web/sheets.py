"""Uploaded sheets: the type check, and the cells as the recipients page shows them.

The table shown is the file's cells as they stand, with the sheet's own row numbers, so an
error from ``recipients.load_recipients`` (which names the row and the column header) is
marked on the very cell. Reading the recipients, and every check, stays with the engine.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

SHEET_TYPES = {".csv": "CSV", ".xlsx": "XLSX"}
SHOWN_ROWS = 400


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


def check_toml(name: str, data: bytes) -> str:
    if Path(name).suffix.lower() != ".toml":
        raise ValueError(f"ไฟล์ \"{Path(name).name}\" ไม่ใช่ไฟล์หนังสือ (.toml)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"ไฟล์ \"{Path(name).name}\" ต้องเป็นข้อความ UTF-8") from None


def cells(path: Path) -> list[tuple[int, list[str]]]:
    """(sheet row number, cell texts) of the first rows of the file, for display."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            rows = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > SHOWN_ROWS:
                    break
                rows.append((number, ["" if v is None else str(v) for v in row]))
            return rows
        finally:
            book.close()
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp874"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = data.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    return [(number, row) for number, row in enumerate(reader, start=1) if number <= SHOWN_ROWS]


def error_cell(rows: list[tuple[int, list[str]]], error) -> tuple[int | None, int | None]:
    """(row number, column index) of the cell an InputError names, as far as it names one."""
    column = None
    if error is not None and error.column:
        wanted = error.column.strip()
        for _, row in rows[:10]:
            for index, value in enumerate(row):
                if value.strip() == wanted:
                    column = index
                    break
            if column is not None:
                break
    return (error.row if error is not None else None), column


PASSWORD_HEADERS = ("password", "รหัสผ่าน", "pdf_password")


def masked_columns(rows: list[tuple[int, list[str]]]) -> set[int]:
    """The columns holding passwords: shown as dots, never sent to the browser."""
    hidden = set()
    for _, row in rows[:10]:
        for index, value in enumerate(row):
            if any(h in value.strip().lower() for h in PASSWORD_HEADERS):
                hidden.add(index)
    return hidden
