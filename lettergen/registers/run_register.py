"""The outgoing register (ทะเบียนหนังสือส่ง, form 14 of the Regulation on Correspondence) of a
run, as CSV and XLSX: a row per letter, never a password. This module writes it, reads it
back (``read_rows``: either form, by column name) and appends to it (``append_register``).

A run writes the pair register.csv and register.xlsx side by side, and a clerk may hand
either one back (``lettergen remind --register``): which form a file is, its content decides
(an XLSX is a zip), not its name. Any other file is refused with a Thai message naming it.

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

from ..errors import SpecError
from ..limits import CSV_LINE_CHARS, SHEET_BYTES, thousands

COLUMNS = (
    "เลขทะเบียนส่ง", "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ", "หมายเหตุ",
    "รหัสผู้รับ", "ไฟล์ PDF", "sha256 PDF", "ไฟล์ DOCX", "sha256 DOCX",
)
# A signed set's register (render --sign) has three more columns: the certificate that signed
# each PDF (its subject and serial) and the signing time written in it (ISO, with its zone).
SIGNED_COLUMNS = ("ผู้ลงนาม (ใบรับรอง)", "เลขประจำใบรับรอง", "เวลาลงนาม")
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
    signer: str = ""  # the signing certificate's subject, when the PDF is signed
    certificate_serial: str = ""
    signed_at: str = ""
    series: str = ""  # the register's series of the number (ว, ภายใน; "" ordinary): not a column

    @property
    def register_label(self) -> str:
        """เลขทะเบียนส่ง as the register shows it: "12", or "ว 5" for a circular's number and
        "ภายใน 3" for a memo's, so that ว 1 and 1 are told apart as two series."""
        return f"{self.series} {self.register_number}" if self.series else str(self.register_number)

    def cells(self, signed: bool = False) -> list[str]:
        """The row's cells, in the order of COLUMNS (and SIGNED_COLUMNS when ``signed``)."""
        names = [field.name for field in fields(self)][:len(COLUMNS) + (len(SIGNED_COLUMNS) if signed else 0)]
        return [self.register_label] + [str(getattr(self, name)) for name in names[1:]]


def _columns(rows) -> tuple[tuple[str, ...], bool]:
    """The register's columns for ``rows``: with SIGNED_COLUMNS when any of them is signed."""
    signed = any(row.signed_at for row in rows)
    return (COLUMNS + SIGNED_COLUMNS if signed else COLUMNS), signed


def _text_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _cell_text(cell: str) -> str:
    """What ``_text_cell`` was given: its apostrophe before a formula-like text taken off."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_START) else cell


NOT_A_REGISTER = "ไม่ใช่ทะเบียนหนังสือส่งที่ lettergen เขียนไว้"
USE_THE_RUNS_REGISTER = "ใช้ไฟล์ register.csv หรือ register.xlsx ในโฟลเดอร์ผลลัพธ์ของการส่งครั้งแรก"


def register_kind(path: Path) -> str:
    """"csv" or "xlsx": the form of a register file, by its content. Anything else (a
    folder, an empty file, a Word file, a PDF, an old .xls...) is a SpecError naming it."""
    from ..sheets.tables import KIND_NAMES, content_kind

    if path.is_dir():
        raise SpecError("เป็นโฟลเดอร์ ไม่ใช่ไฟล์ทะเบียนหนังสือส่ง; ระบุไฟล์ register.csv หรือ "
                        "register.xlsx ในโฟลเดอร์นั้น", file=path)
    try:
        with path.open("rb") as handle:
            head = handle.read(2048)
    except FileNotFoundError:
        raise SpecError("ไม่มีไฟล์ทะเบียนหนังสือส่งนี้", file=path) from None
    except OSError:
        raise SpecError("เปิดทะเบียนหนังสือส่งไม่ได้ (ไม่มีสิทธิ์อ่าน หรือไฟล์ถูกเปิดค้างไว้)",
                        file=path) from None
    if not head.strip():
        raise SpecError(f"ไฟล์ว่าง {NOT_A_REGISTER}; {USE_THE_RUNS_REGISTER}", file=path)
    kind = content_kind(path, head)
    if kind == "xlsx":
        return "xlsx"
    if kind == "text":
        return "csv"
    if kind == "zip":
        raise SpecError(f"เป็นไฟล์ zip ที่ไม่ใช่ไฟล์ Excel (หรือเป็นไฟล์ Excel ที่เสีย บันทึกไม่ครบ) "
                        f"{NOT_A_REGISTER}; {USE_THE_RUNS_REGISTER}", file=path)
    raise SpecError(f"เป็น{KIND_NAMES[kind]} {NOT_A_REGISTER}; {USE_THE_RUNS_REGISTER}", file=path)


def read_rows(path: Path) -> list[RegisterRow]:
    """The rows of a register that lettergen wrote, CSV or XLSX (``register_kind``), read by
    their column names. A file that is not such a register is a SpecError naming it."""
    if register_kind(path) == "xlsx":
        records = _xlsx_records(path)
    else:
        records = _csv_records(path)
    rows = []
    for line, record in records:
        cells = {field.name: record.get(column, "")
                 for field, column in zip(fields(RegisterRow), COLUMNS + SIGNED_COLUMNS)}
        number = cells["register_number"]
        series, _, digits = number.strip().rpartition(" ")
        try:
            cells["register_number"], cells["series"] = int(digits), series
        except ValueError:
            raise SpecError(f"อ่านทะเบียนแถว {line} ไม่ได้: เลขทะเบียนส่ง \"{number}\" ไม่ใช่ตัวเลข",
                            file=path) from None
        rows.append(RegisterRow(**cells))
    return rows


def _wrong_header(path: Path) -> SpecError:
    return SpecError(f"{NOT_A_REGISTER} (หัวคอลัมน์ไม่ตรง); {USE_THE_RUNS_REGISTER}", file=path)


def _csv_records(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line, column -> cell) of a register CSV: UTF-8 (with BOM, as lettergen writes it)."""
    try:
        if path.stat().st_size > SHEET_BYTES:
            raise SpecError(f"ไฟล์ใหญ่เกิน {SHEET_BYTES // 1_000_000} MB {NOT_A_REGISTER}; "
                            f"{USE_THE_RUNS_REGISTER}", file=path)
        data = path.read_bytes()
    except OSError:
        raise SpecError("เปิดทะเบียนหนังสือส่งไม่ได้ (ไม่มีสิทธิ์อ่าน หรือไฟล์ถูกเปิดค้างไว้)",
                        file=path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if _other_text_encoding(data):
            raise SpecError(
                f"{NOT_A_REGISTER}: ข้อความไม่ใช่ UTF-8 (ทะเบียนแบบ CSV ที่เปิดใน Excel แล้วบันทึกทับ "
                "จะเปลี่ยนรหัสอักขระ); ใช้ register.xlsx ที่อยู่คู่กัน หรือบันทึกใหม่เป็น \"CSV UTF-8\"",
                file=path) from None
        raise SpecError(f"{NOT_A_REGISTER}: เนื้อในไม่ใช่ข้อความ (อาจเป็นไฟล์ชนิดอื่น หรือไฟล์เสีย); "
                        f"{USE_THE_RUNS_REGISTER}", file=path) from None
    if "\x00" in text:
        raise SpecError(f"{NOT_A_REGISTER}: มีอักขระที่ไม่ใช่ข้อความ; {USE_THE_RUNS_REGISTER}",
                        file=path)
    from ..sheets.tables import LongLine, bounded_lines

    try:
        reader = csv.DictReader(bounded_lines(text))
        if reader.fieldnames is None or list(reader.fieldnames)[:len(COLUMNS)] != list(COLUMNS):
            raise _wrong_header(path)
        present = [c for c in COLUMNS + SIGNED_COLUMNS if c in reader.fieldnames]
        return [(line, {column: _cell_text(record[column] or "") for column in present})
                for line, record in enumerate(reader, start=2)]
    except LongLine as exc:
        raise SpecError(f"{NOT_A_REGISTER}: บรรทัดที่ {thousands(exc.args[0])} ยาวเกิน "
                        f"{thousands(CSV_LINE_CHARS)} ตัวอักษร; {USE_THE_RUNS_REGISTER}", file=path) from None
    except csv.Error:
        raise SpecError(f"{NOT_A_REGISTER}: อ่านแบบ CSV ไม่ได้ (เครื่องหมายคำพูด \" ไม่ครบคู่); "
                        f"{USE_THE_RUNS_REGISTER}", file=path) from None


def _other_text_encoding(data: bytes) -> bool:
    """True for text in an encoding other than UTF-8 that Excel saves: UTF-16 ("Unicode
    text", with its byte order mark) or the Thai code page cp874."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    try:
        text = data.decode("cp874")
    except UnicodeDecodeError:
        return False
    return not any(ch < " " and ch not in "\r\n\t" for ch in text)


def _xlsx_records(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(row, column -> cell) of a register XLSX: its first sheet, the column names in row 1.
    lettergen writes the register number as a number and every other cell as text; a
    number or date a clerk typed in is read as its text, an empty cell as "". Read as a
    stream within the limits of a sheet (sheets/xlsx.py)."""
    from ..errors import RecipientsError
    from ..sheets.xlsx import check_zip, read_workbook

    try:
        if path.stat().st_size > SHEET_BYTES:
            raise SpecError(f"ไฟล์ใหญ่เกิน {SHEET_BYTES // 1_000_000} MB {NOT_A_REGISTER}; "
                            f"{USE_THE_RUNS_REGISTER}", file=path)
        check_zip(path)
        sheets = read_workbook(path, first=True)
    except OSError:
        raise SpecError("เปิดทะเบียนหนังสือส่งไม่ได้ (ไม่มีสิทธิ์อ่าน หรือไฟล์ถูกเปิดค้างไว้)",
                        file=path) from None
    except RecipientsError as exc:  # broken, or past a limit: the sheet reader's words
        raise SpecError(f"ทะเบียนแบบ Excel: {exc.message}", file=path) from None
    if not sheets:
        raise _wrong_header(path)
    _, table, _ = sheets[0]
    header = [_xlsx_text(value) for value in (table[0] if table else ())]
    if header[:len(COLUMNS)] != list(COLUMNS):
        raise _wrong_header(path)
    records = []
    for line, values in enumerate(table[1:], start=2):
        if all(value is None or value == "" for value in values):
            continue  # a row Excel keeps for its formatting only
        cells = [_xlsx_text(value) for value in values] + [""] * len(header)
        records.append((line, {column: cell for column, cell in zip(header, cells)
                               if column in COLUMNS + SIGNED_COLUMNS}))
    return records


def _xlsx_text(value) -> str:
    from ..sheets.cells import ErrorValue, FormulaWithoutValue, NumberCell, TooLong, plain_number

    if value is None or isinstance(value, FormulaWithoutValue):
        return ""
    if isinstance(value, NumberCell):
        value = plain_number(value.number)
    if isinstance(value, ErrorValue):
        return value.code
    if isinstance(value, TooLong):
        return str(value)  # never a register's value: the row is then refused as unreadable
    return value if isinstance(value, str) else str(value).strip()


def read_register(path: Path) -> tuple[dict[str, tuple[str, dt.date]], int]:
    """From a register written by lettergen: recipient id -> (letter number, date) of the
    first letter to it, and the last register number."""
    from ..thai import DateError, parse_thai_date, thai_digit_to_arabic_digit

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
    """Add the rows of the register ``extra`` to the register ``main``, with file names made
    relative to ``main``'s folder, and keep the pair of ``main`` as a run writes it: the CSV
    and the XLSX side by side, both with every row.

    ``main`` may be either form (read by its content, ``read_rows``) and is the one read:
    its partner beside it, ``main`` with the other suffix, is written from it, whether it
    existed or not (a clerk who kept only register.xlsx gets register.csv back), and rows
    edited only in the partner are replaced. Each file is written in the form its name says:
    a name ending .xlsx gets XLSX and .csv gets CSV; ``main`` under another name keeps the
    form of its content, and its partner is the .xlsx (for a CSV) or the .csv (for an XLSX).
    Both files' bytes are made before either is written."""
    import dataclasses
    import os

    from ..files import write_atomic
    from ..thai import DateError, parse_thai_date

    prefix = os.path.relpath(extra.parent, main.parent).replace(os.sep, "/")

    def moved(row: RegisterRow) -> RegisterRow:
        if prefix == ".":
            return row
        return dataclasses.replace(row, pdf=f"{prefix}/{row.pdf}" if row.pdf else "",
                                   docx=f"{prefix}/{row.docx}" if row.docx else "")

    combined = read_rows(main) + [moved(row) for row in read_rows(extra)]
    suffix = main.suffix.lower()
    form = {".csv": "csv", ".xlsx": "xlsx"}.get(suffix) or register_kind(main)
    partner = main.with_suffix(".xlsx" if form == "csv" else ".csv")
    try:
        first = parse_thai_date(combined[0].date) if combined else dt.date(1980, 1, 1)
    except DateError as exc:
        raise SpecError(f"อ่านทะเบียนแถว 2 ไม่ได้: {exc}", file=main) from None
    data = {"csv": register_csv(combined),
            "xlsx": register_xlsx(combined, dt.datetime.combine(first, dt.time()))}
    write_atomic(main, data[form])
    write_atomic(partner, data["xlsx" if form == "csv" else "csv"])


def register_csv(rows: list[RegisterRow]) -> bytes:
    """UTF-8 with BOM, so Excel opens the Thai text correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    columns, signed = _columns(rows)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_text_cell(c) for c in row.cells(signed)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def preload() -> None:
    """Import the XLSX library (0.06 to 0.12 s) ahead of ``register_xlsx``: the batch
    engine's side process does this while the run checks its letters (or the run itself
    while its last workers finish, when it has none)."""
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
    columns, signed = _columns(rows)
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row.cells(signed), start=1):
            cell = sheet.cell(row=r, column=c)
            if c == 1:  # a number, as the register counts; with its series as text
                cell.value = row.register_number if not row.series else row.register_label
            else:
                cell.value = value
                cell.data_type = "s"  # never a formula, whatever the text starts with
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJKLMNOP", (10, 22, 18, 18, 40, 40, 12, 14, 10, 40, 20, 40, 20,
                                                  50, 30, 26)):
        sheet.column_dimensions[letter].width = width
    return save_workbook(book, when)


def save_workbook(book, when: dt.datetime) -> bytes:
    """The workbook's bytes, the same for the same content: openpyxl stamps the time of
    saving into docProps/core.xml and into every zip entry; both are set to ``when``."""
    import re
    import zipfile

    from ..files import zip_date_time

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


