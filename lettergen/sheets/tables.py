"""Reading a recipients file into tables of cell values, whatever a clerk saved.

The content decides, not the name: an XLSX (a zip holding ``xl/workbook.xml``), an old
binary .xls (or a password-protected workbook: both are OLE2 files), an OpenDocument .ods,
a web page saved with an .xls name, or text (CSV). Anything that is not CSV text or XLSX is
refused with a Thai message that says how to save the file as .xlsx; a file whose content
does not match its name gets a message saying what it really is. No library's own message
reaches the clerk.

CSV: UTF-8 (with or without BOM) or cp874, the delimiter detected (comma, semicolon, tab).
XLSX: the visible sheets only; merged cells give their value to every cell they cover;
numbers carry their number format (``sheets.cells.NumberCell``); formulas are read as their
saved result, and a formula whose result was never saved is marked.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..errors import RecipientsError, did_you_mean
from ..limits import (CELL_CHARS, CSV_LINE_CHARS, CSV_LINES, SHEET_BYTES, SHEET_CELLS, SHEET_COLUMNS,
                     SHEET_ROWS, thousands)
from .cells import bounded_text
from .xlsx import SAVE_AS_XLSX, check_zip
from ..thai import nfc

SAVE_AS_XLSX_CALC = ("เปิดไฟล์ใน LibreOffice Calc แล้วเลือก ไฟล์ > บันทึกเป็น "
                     "ชนิด \"Excel 2007-365 (.xlsx)\" แล้วใช้ไฟล์ .xlsx นั้น")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class SheetTable:
    """One sheet's cells, top to bottom (row 1 of the sheet is index 0)."""

    rows: list[list[Any]]
    sheet: str | None  # the sheet's name; None for CSV
    encoding: str  # "xlsx", "utf-8", "utf-8-sig" or "cp874"
    delimiter: str = ","
    hidden_rows: tuple[int, ...] = ()  # sheet rows hidden (by a filter or by hand): still read


# --- what the file really is -------------------------------------------------------------


def content_kind(path: Path, head: bytes) -> str:
    """"xlsx", "ods", "xls" (OLE2: old Excel or a password-protected workbook), "html",
    "xml" (Excel 2003 XML), "pdf", "docx", "zip" (another zip) or "text"."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
                    return "xlsx"
                if "mimetype" in names:
                    mimetype = archive.read("mimetype")[:100]
                    if b"spreadsheet" in mimetype:
                        return "ods"
                if any(n.startswith("word/") for n in names):
                    return "docx"
        except (zipfile.BadZipFile, OSError, KeyError):
            return "zip"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if head.startswith(b"%PDF"):
        return "pdf"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        return "html"
    if start.startswith(b"<?xml"):
        return "xml"
    return "text"


# What a file is (content_kind), as the Thai messages name it: the sheet reader's and the
# run register reader's (registers/run_register.py).
KIND_NAMES = {
    "xlsx": "ไฟล์ Excel (.xlsx)", "ods": "ไฟล์ OpenDocument (.ods)",
    "xls": "ไฟล์ Excel แบบเก่า (.xls) หรือไฟล์ Excel ที่ตั้งรหัสผ่าน", "html": "หน้าเว็บ (HTML)",
    "xml": "ไฟล์ XML", "pdf": "ไฟล์ PDF", "docx": "ไฟล์ Word (.docx)", "zip": "ไฟล์ zip",
    "text": "ไฟล์ข้อความ (CSV)",
}


def read_tables(path: Path, sheet: str | None = None) -> list[SheetTable]:
    """The tables of ``path``: one for a CSV, one per visible sheet for an XLSX (or only
    ``sheet``)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(2048)
        size = path.stat().st_size
    except OSError:
        raise RecipientsError("เปิดไฟล์รายชื่อผู้รับไม่ได้ (ไม่มีสิทธิ์อ่าน หรือไฟล์ถูกเปิดค้างไว้)",
                              file=path) from None
    if size > SHEET_BYTES:
        raise RecipientsError(f"ไฟล์ใหญ่ {size / 1_000_000:,.0f} MB เกินขีดจำกัด "
                              f"{SHEET_BYTES // 1_000_000} MB ของไฟล์รายชื่อ; ตรวจว่าเลือกไฟล์ถูกต้อง", file=path)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        check_zip(path)
    kind = content_kind(path, head)
    suffix = path.suffix.lower()
    if kind == "xlsx":
        if suffix not in XLSX_SUFFIXES:
            raise RecipientsError(
                f"ไฟล์นี้ชื่อลงท้าย {suffix or '(ไม่มีนามสกุล)'} แต่เนื้อในเป็นไฟล์ Excel (.xlsx); "
                "เปลี่ยนชื่อไฟล์ให้ลงท้ายด้วย .xlsx", file=path)
        return read_xlsx(path, sheet)
    if kind == "text":
        if suffix in XLSX_SUFFIXES or suffix in (".xls", ".ods"):
            raise RecipientsError(
                f"ไฟล์นี้ชื่อลงท้าย {suffix} แต่เนื้อในเป็นข้อความแบบ CSV ไม่ใช่ไฟล์ Excel; "
                "เปลี่ยนชื่อไฟล์ให้ลงท้ายด้วย .csv หรือเปิดใน Excel แล้วบันทึกเป็น .xlsx", file=path)
        if suffix not in TEXT_SUFFIXES:
            raise RecipientsError("ชนิดไฟล์ไม่รองรับ: ใช้ .csv หรือ .xlsx", file=path)
        return [read_csv(path)]
    what = KIND_NAMES[kind]
    if kind == "xls":
        raise RecipientsError(
            f"เป็น{what} ซึ่ง lettergen อ่านไม่ได้ (อ่านรูปแบบตัวเลขอย่าง 00123 ให้ตรงกับที่ Excel "
            f"แสดงไม่ได้); ถ้าตั้งรหัสผ่านไว้ ให้เอารหัสผ่านออกก่อน แล้ว{SAVE_AS_XLSX}", file=path)
    if kind == "ods":
        raise RecipientsError(f"เป็น{what} ซึ่ง lettergen อ่านไม่ได้; {SAVE_AS_XLSX_CALC}", file=path)
    if kind in ("html", "xml"):
        raise RecipientsError(
            f"เนื้อในเป็น{what} ที่ตั้งชื่อเป็นไฟล์ {suffix or '(ไม่มีนามสกุล)'} (มักได้จากการส่งออกจากระบบออนไลน์) "
            f"ไม่ใช่ไฟล์ Excel จริง; {SAVE_AS_XLSX}", file=path)
    raise RecipientsError(
        f"เป็น{what} ไม่ใช่ตารางรายชื่อผู้รับ; ใช้ไฟล์ .xlsx หรือ .csv", file=path)


# --- CSV -----------------------------------------------------------------------------------

# UTF-8 Thai (bytes E0 B8 xx / E0 B9 xx) read as cp874 turns into "เธ"/"เน" + a character of
# the cp874 range 0x80-0xBF; read as cp1252 or Latin-1, into "à¸"/"à¹" + one more character.
_MOJIBAKE = re.compile(r"(?:เธ|เน)[\u0e01-\u0e1f\u0080-\u009f\u2013-\u2026\u20ac\u00a0]|à[¸¹].")


def is_mojibake(text: str) -> bool:
    """True for UTF-8 Thai that was decoded with the wrong code page and saved again. The
    proof: encoded back, its bytes read as UTF-8 give Thai letters again (bytes the wrong
    code page could not show are lost, so a few replacement characters are tolerated).
    Real Thai text in cp874 bytes does not read as UTF-8 Thai letters."""
    suspects = sum(1 for _ in _MOJIBAKE.finditer(text))
    if suspects < 3:
        return False
    for codec in ("cp874", "cp1252"):
        repaired = text.encode(codec, errors="replace").decode("utf-8", errors="replace")
        recovered = sum(1 for ch in repaired if "\u0e01" <= ch <= "\u0e5b")
        if recovered >= max(3, suspects // 2):
            return True
    return False


def read_csv(path: Path) -> SheetTable:
    data = path.read_bytes()
    if not data.strip():
        raise RecipientsError("ไฟล์ว่าง", file=path)
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            text, encoding = data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise RecipientsError(
                f"ไฟล์ขึ้นต้นด้วย BOM ของ UTF-8 แต่ข้อมูลไม่ใช่ UTF-8 (ไบต์ที่ {exc.start + 3}); "
                "บันทึกใหม่เป็น \"CSV UTF-8\"",
                file=path,
            ) from None
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp874"), "cp874"
            except UnicodeDecodeError as exc:
                raise RecipientsError(
                    f"อ่านไฟล์ไม่ได้ทั้งแบบ UTF-8 และ cp874 (ไบต์ที่ {exc.start}); บันทึกเป็น CSV UTF-8",
                    file=path,
                ) from None
    text = nfc(text)
    if "\x00" in text:
        raise RecipientsError("ไฟล์มีอักขระที่ไม่ใช่ข้อความ (อาจเป็น UTF-16); บันทึกใหม่เป็น \"CSV UTF-8\"",
                              file=path)
    if is_mojibake(text):
        raise RecipientsError(
            "ข้อความภาษาไทยเพี้ยน (ไฟล์ UTF-8 ถูกเปิดและบันทึกผิดรหัสอักขระ); "
            "ส่งออกจาก Excel ใหม่เป็น \"CSV UTF-8\"",
            file=path,
        )
    lines = max(text.count("\n"), text.count("\r")) + 1
    if lines > CSV_LINES:
        raise RecipientsError(f"ไฟล์มี {thousands(lines)} บรรทัด เกินขีดจำกัด {thousands(CSV_LINES)} บรรทัด "
                              "(จำนวนแถวของ Excel) ซึ่งไม่ใช่ตารางรายชื่อ; ตรวจว่าเลือกไฟล์ถูกต้อง", file=path)
    delimiter = detect_delimiter(text)
    return SheetTable(_trimmed(_csv_rows(text, delimiter, path)), None, encoding, delimiter)


class LongLine(Exception):
    """A line past CSV_LINE_CHARS (its number)."""


def bounded_lines(text: str) -> Iterator[str]:
    """The lines of a CSV text, for csv.reader; LongLine at one past CSV_LINE_CHARS, before
    the csv module splits it into fields (a line of 2.6 million "x," is 2.6 million)."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > CSV_LINE_CHARS:
            raise LongLine(number)
        yield line


def _csv_rows(text: str, delimiter: str, path: Path) -> list[list[Any]]:
    """The records of a CSV text, read one by one within the limits: no line past
    CSV_LINE_CHARS (checked before the csv module splits it), no value past column
    SHEET_COLUMNS or row SHEET_ROWS, no more than SHEET_CELLS cells with values, a cell past
    CELL_CHARS kept as its length. Blank fields after a row's last value are dropped, and
    blank rows past SHEET_ROWS are not kept."""
    rows: list[list[Any]] = []
    number = cells = 0
    try:
        for fields in csv.reader(bounded_lines(text), delimiter=delimiter):
            number += 1
            last = len(fields)
            while last and not fields[last - 1].strip():
                last -= 1
            if not last:
                if number <= SHEET_ROWS:
                    rows.append([])
                continue
            if last > SHEET_COLUMNS or number > SHEET_ROWS:
                raise RecipientsError(
                    (f"แถวนี้มีข้อมูลถึงช่องที่ {thousands(last)} เกินขีดจำกัด {SHEET_COLUMNS} คอลัมน์; "
                     "ตรวจว่าเครื่องหมายคั่นช่องถูกต้อง หรือลบข้อมูลที่อยู่นอกตาราง") if last > SHEET_COLUMNS else
                    f"ไฟล์มีข้อมูลเกิน {thousands(SHEET_ROWS)} แถว ซึ่งไม่ใช่ตารางรายชื่อ; ตรวจว่าเลือกไฟล์ถูกต้อง",
                    file=path, row=number)
            cells += last
            if cells > SHEET_CELLS:
                raise RecipientsError(f"ไฟล์มีช่องที่มีข้อมูลเกิน {thousands(SHEET_CELLS)} ช่อง ซึ่งไม่ใช่"
                                      "ตารางรายชื่อ; ตรวจว่าเลือกไฟล์ถูกต้อง", file=path, row=number)
            rows.append([bounded_text(cell.strip()) for cell in fields[:last]])
    except LongLine as exc:
        raise RecipientsError(
            f"บรรทัดที่ {thousands(exc.args[0])} ของไฟล์ยาวเกิน {thousands(CSV_LINE_CHARS)} ตัวอักษร "
            f"(มีเกิน {SHEET_COLUMNS} คอลัมน์ หรือมีช่องที่ยาวเกินไป); ตรวจว่าเลือกไฟล์ถูกต้อง",
            file=path, row=number + 1) from None
    except csv.Error as exc:
        if "field limit" in str(exc):  # one field past the csv module's 131,072 characters
            raise RecipientsError(
                f"ช่องหนึ่งของแถวนี้ยาวเกิน {thousands(CELL_CHARS)} ตัวอักษร (หรือเครื่องหมายคำพูด \" "
                "ไม่ครบคู่ ข้อความที่เหลือจึงรวมเป็นช่องเดียว); ตรวจแถวนี้ในไฟล์", file=path, row=number + 1) from None
        raise RecipientsError("อ่านไฟล์ CSV ไม่ได้ (เครื่องหมายคำพูด \" ไม่ครบคู่); "
                              "เปิดใน Excel แล้วบันทึกใหม่เป็น \"CSV UTF-8\"", file=path) from None
    return rows


DELIMITERS = (",", ";", "\t")


DELIMITER_SAMPLE = (40, 20_000)  # rows, and characters of each, read to find the delimiter


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the most of the first rows into one number of fields:
    Excel writes ";" where the decimal mark is a comma, and "Unicode text" uses tabs. Rows
    as each delimiter reads them, so a quoted cell's line breaks stay in its row (a cell
    of ";" and a line break, read line by line, made a comma sheet look like ";")."""
    count, width = DELIMITER_SAMPLE
    sample = text[:count * width]
    best, best_score = ",", (0.0, 0, 0)
    for delimiter in DELIMITERS:
        rows = []
        try:
            for row in itertools.islice(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter),
                                        count):
                rows.append(row)
        except csv.Error:  # a field past the csv module's limit: the rows before it count
            pass
        if len(sample) < len(text) and len(rows) > 1:
            rows.pop()  # perhaps cut by the sample's end
        counts = [len(row) for row in rows if any(cell.strip() for cell in row)]
        wide = [c for c in counts if c > 1]
        if not wide:
            continue
        mode = max(set(wide), key=wide.count)
        score = (wide.count(mode) / len(counts), wide.count(mode), mode)  # the share of rows first
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    while rows and all(_blank(c) for c in rows[-1]):
        rows.pop()
    return rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- XLSX ----------------------------------------------------------------------------------


def read_xlsx(path: Path, sheet: str | None = None) -> list[SheetTable]:
    """Every visible sheet (or only ``sheet``, hidden or not), as values: merged ranges
    filled, numbers with their formats, formulas as their saved results; read as a stream
    within the limits (sheets/xlsx.py)."""
    from .xlsx import read_workbook

    return [SheetTable(_trimmed(rows), name, "xlsx", hidden_rows=hidden)
            for name, rows, hidden in read_workbook(path, sheet)]
