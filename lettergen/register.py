"""The outgoing register (ทะเบียนหนังสือส่ง, form 14 of the Regulation on Correspondence) of a
run, as CSV and XLSX: a row per letter, never a password. This module writes it, reads it
back (``read_rows``: by column name) and appends to it (``append_register``).

Cells a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return) are written as text: prefixed with an apostrophe in the CSV (taken off again when
the CSV is read), typed as strings in the XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import SpecError

COLUMNS = (
    "เลขทะเบียนส่ง", "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ", "หมายเหตุ",
    "รหัสผู้รับ", "ไฟล์ PDF", "sha256 PDF", "ไฟล์ DOCX", "sha256 DOCX",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class RegisterRow:
    register_number: int
    number: str
    date: str
    sender: str
    to: str
    subject: str
    action: str
    remark: str
    recipient_id: str
    pdf: str
    pdf_sha256: str
    docx: str
    docx_sha256: str

    def cells(self) -> list[str]:
        """The row's cells, in the order of COLUMNS."""
        return [str(getattr(self, field.name)) for field in fields(self)]


def _text_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _cell_text(cell: str) -> str:
    """What ``_text_cell`` was given: its apostrophe before a formula-like text taken off."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_START) else cell


def read_rows(path: Path) -> list[RegisterRow]:
    """The rows of a register CSV that lettergen wrote, read by their column names."""
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or list(reader.fieldnames)[:len(COLUMNS)] != list(COLUMNS):
            raise SpecError("ไม่ใช่ทะเบียนหนังสือส่งที่ lettergen เขียนไว้ (หัวคอลัมน์ไม่ตรง)", file=path)
        for line, record in enumerate(reader, start=2):
            cells = {field.name: _cell_text(record[column] or "")
                     for field, column in zip(fields(RegisterRow), COLUMNS)}
            try:
                cells["register_number"] = int(cells["register_number"])
            except ValueError as exc:
                raise SpecError(f"อ่านทะเบียนแถว {line} ไม่ได้: {exc}", file=path) from None
            rows.append(RegisterRow(**cells))
    return rows


def read_register(path: Path) -> tuple[dict[str, tuple[str, dt.date]], int]:
    """From a register written by lettergen: recipient id -> (letter number, date) of the
    first letter to it, and the last register number."""
    from .thai import DateError, parse_thai_date, thai_digit_to_arabic_digit

    originals: dict[str, tuple[str, dt.date]] = {}
    rows = read_rows(path)
    for line, row in enumerate(rows, start=2):
        try:
            date = parse_thai_date(row.date)
        except DateError as exc:
            raise SpecError(f"อ่านทะเบียนแถว {line} ไม่ได้: {exc}", file=path) from None
        originals.setdefault(row.recipient_id, (thai_digit_to_arabic_digit(row.number), date))
    return originals, max((row.register_number for row in rows), default=0)


def append_register(main: Path, extra: Path) -> None:
    """Add the rows of the register ``extra`` to the register ``main`` (CSV and its XLSX),
    with file names made relative to ``main``'s folder."""
    import dataclasses
    import os

    from .files import write_atomic
    from .thai import parse_thai_date

    prefix = os.path.relpath(extra.parent, main.parent).replace(os.sep, "/")

    def moved(row: RegisterRow) -> RegisterRow:
        if prefix == ".":
            return row
        return dataclasses.replace(row, pdf=f"{prefix}/{row.pdf}" if row.pdf else "",
                                   docx=f"{prefix}/{row.docx}" if row.docx else "")

    combined = read_rows(main) + [moved(row) for row in read_rows(extra)]
    first = parse_thai_date(combined[0].date)
    write_atomic(main, register_csv(combined))
    write_atomic(main.with_suffix(".xlsx"), register_xlsx(combined, dt.datetime.combine(first, dt.time())))


def register_csv(rows: list[RegisterRow]) -> bytes:
    """UTF-8 with BOM, so Excel opens the Thai text correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_text_cell(c) for c in row.cells()])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def preload() -> None:
    """Import the XLSX library (0.12 s) ahead of ``register_xlsx``: the batch engine does
    this while its last workers finish."""
    import openpyxl  # noqa: F401
    import openpyxl.styles  # noqa: F401


def register_xlsx(rows: list[RegisterRow], when: dt.datetime, title: str = "ทะเบียนหนังสือส่ง") -> bytes:
    """``when`` is stamped as the workbook's created and modified time, so the same run
    gives the same bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.properties.created = book.properties.modified = when
    book.properties.creator = "lettergen"
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row.cells(), start=1):
            cell = sheet.cell(row=r, column=c)
            if c == 1:
                cell.value = row.register_number
            else:
                cell.value = value
                cell.data_type = "s"  # never a formula, whatever the text starts with
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJKLM", (10, 22, 18, 18, 40, 40, 12, 14, 10, 40, 20, 40, 20)):
        sheet.column_dimensions[letter].width = width
    return save_workbook(book, when)


def save_workbook(book, when: dt.datetime) -> bytes:
    """The workbook's bytes, the same for the same content: openpyxl stamps the time of
    saving into docProps/core.xml and into every zip entry; both are set to ``when``."""
    import re
    import zipfile

    from .files import zip_date_time

    out = io.BytesIO()
    book.save(out)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    fixed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as source, \
            zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            # zip cannot date an entry before 1980: a letter of 1975 gets 1 January 1980
            target.writestr(zipfile.ZipInfo(info.filename, zip_date_time(when)), data,
                            compress_type=zipfile.ZIP_DEFLATED)
    return fixed.getvalue()


