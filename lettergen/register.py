"""The outgoing register (ทะเบียนหนังสือส่ง, form 14 of the Regulation on Correspondence) of a
run, as CSV and XLSX: a row per letter, never a password.

Cells a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return) are written as text: prefixed with an apostrophe in the CSV, typed as strings in the
XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

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
        return [str(self.register_number), self.number, self.date, self.sender, self.to,
                self.subject, self.action, self.remark, self.recipient_id, self.pdf,
                self.pdf_sha256, self.docx, self.docx_sha256]


def _text_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


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

    from .docx.package_zip import zip_date_time

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


