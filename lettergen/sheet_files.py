"""Reading a recipients file into tables of cell values, whatever a clerk saved.

The content decides, not the name: an XLSX (a zip holding ``xl/workbook.xml``), an old
binary .xls (or a password-protected workbook: both are OLE2 files), an OpenDocument .ods,
a web page saved with an .xls name, or text (CSV). Anything that is not CSV text or XLSX is
refused with a Thai message that says how to save the file as .xlsx; a file whose content
does not match its name gets a message saying what it really is. No library's own message
reaches the clerk.

CSV: UTF-8 (with or without BOM) or cp874, the delimiter detected (comma, semicolon, tab).
XLSX: the visible sheets only; merged cells give their value to every cell they cover;
numbers carry their number format (``sheet_cells.NumberCell``); formulas are read as their
saved result, and a formula whose result was never saved is marked.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import RecipientsError, did_you_mean
from .sheet_cells import ErrorValue, FormulaWithoutValue, bounded_text, number_cell
from .thai import nfc

SAVE_AS_XLSX = ("เปิดไฟล์ใน Excel แล้วเลือก ไฟล์ > บันทึกเป็น (File > Save As) "
                "ชนิด \"Excel Workbook (*.xlsx)\" แล้วใช้ไฟล์ .xlsx นั้น")
SAVE_AS_XLSX_CALC = ("เปิดไฟล์ใน LibreOffice Calc แล้วเลือก ไฟล์ > บันทึกเป็น "
                     "ชนิด \"Excel 2007-365 (.xlsx)\" แล้วใช้ไฟล์ .xlsx นั้น")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Table:
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


_KIND_NAMES = {
    "xlsx": "ไฟล์ Excel (.xlsx)", "ods": "ไฟล์ OpenDocument (.ods)",
    "xls": "ไฟล์ Excel แบบเก่า (.xls) หรือไฟล์ Excel ที่ตั้งรหัสผ่าน", "html": "หน้าเว็บ (HTML)",
    "xml": "ไฟล์ XML", "pdf": "ไฟล์ PDF", "docx": "ไฟล์ Word (.docx)", "zip": "ไฟล์ zip",
    "text": "ไฟล์ข้อความ (CSV)",
}


def read_tables(path: Path, sheet: str | None = None) -> list[Table]:
    """The tables of ``path``: one for a CSV, one per visible sheet for an XLSX (or only
    ``sheet``)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(2048)
    except OSError:
        raise RecipientsError("เปิดไฟล์รายชื่อผู้รับไม่ได้ (ไม่มีสิทธิ์อ่าน หรือไฟล์ถูกเปิดค้างไว้)",
                              file=path) from None
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
    what = _KIND_NAMES[kind]
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
    suspects = _MOJIBAKE.findall(text)
    if len(suspects) < 3:
        return False
    for codec in ("cp874", "cp1252"):
        repaired = text.encode(codec, errors="replace").decode("utf-8", errors="replace")
        recovered = sum(1 for ch in repaired if "\u0e01" <= ch <= "\u0e5b")
        if recovered >= max(3, len(suspects) // 2):
            return True
    return False


def read_csv(path: Path) -> Table:
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
    delimiter = detect_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise RecipientsError("อ่านไฟล์ CSV ไม่ได้ (เครื่องหมายคำพูด \" ไม่ครบคู่); "
                              "เปิดใน Excel แล้วบันทึกใหม่เป็น \"CSV UTF-8\"", file=path) from None
    rows = [[bounded_text(cell.strip()) for cell in row] for row in rows]
    return Table(_trimmed(rows), None, encoding, delimiter)


DELIMITERS = (",", ";", "\t")


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently into several fields:
    Excel writes ";" where the decimal mark is a comma, and "Unicode text" uses tabs."""
    lines = [line for line in text.splitlines()[:40] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        wide = [c for c in counts if c > 1]
        if not wide:
            continue
        mode = max(set(wide), key=wide.count)
        score = (wide.count(mode), mode)
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


def read_xlsx(path: Path, sheet: str | None = None) -> list[Table]:
    """Every visible sheet (or only ``sheet``, hidden or not), as values: merged ranges
    filled, numbers with their formats, formulas as their saved results."""
    from openpyxl import load_workbook  # heavy import, used lazily

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's English warnings are not for the clerk
        try:
            values = load_workbook(path, data_only=True)
            # Formulas only, streamed: where a formula stands with no saved result.
            formulas = load_workbook(path, data_only=False, read_only=True)
        except Exception:  # openpyxl raises many kinds for a broken file
            raise RecipientsError(
                f"เปิดไฟล์ Excel ไม่ได้ (ไฟล์เสีย หรือบันทึกไม่ครบ); {SAVE_AS_XLSX}", file=path
            ) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _tables(path, values, formulas, sheet)
    except RecipientsError:
        raise
    except Exception:  # the streamed reading of a damaged sheet
        raise RecipientsError(
            f"อ่านไฟล์ Excel ไม่ได้ทั้งหมด (ไฟล์เสีย หรือบันทึกไม่ครบ); {SAVE_AS_XLSX}", file=path
        ) from None
    finally:
        formulas.close()


def _tables(path: Path, values, formulas, sheet: str | None) -> list[Table]:
    if sheet is not None:
        if sheet not in values.sheetnames:
            raise RecipientsError(
                f"ไม่มีแผ่นงาน \"{sheet}\"" + did_you_mean(sheet, values.sheetnames)
                + f" (แผ่นงานในไฟล์: {', '.join(values.sheetnames)})", file=path)
        if not hasattr(values[sheet], "iter_rows"):
            raise RecipientsError(f"แผ่นงาน \"{sheet}\" เป็นแผนภูมิ ไม่ใช่ตาราง", file=path)
        return [_table(values[sheet], formulas[sheet])]
    tables = [_table(ws, formulas[ws.title]) for ws in values.worksheets if ws.sheet_state == "visible"]
    if not tables:
        raise RecipientsError("ไฟล์ Excel ไม่มีแผ่นงานที่มองเห็นได้ (ทุกแผ่นงานถูกซ่อน)", file=path)
    return tables


def _table(ws, formula_ws) -> Table:
    hidden = tuple(sorted(r for r, dim in ws.row_dimensions.items() if dim.hidden))
    return Table(_sheet_rows(ws, formula_ws), ws.title, "xlsx", hidden_rows=hidden)


def _formula_cells(formula_ws) -> dict[tuple[int, int], str]:
    """(row, column) -> formula, for every formula cell of a sheet read as formulas."""
    found = {}
    for r, values in enumerate(formula_ws.iter_rows(min_row=1, min_col=1, values_only=True), start=1):
        for c, value in enumerate(values, start=1):
            if isinstance(value, str) and value.startswith("="):
                found[(r, c)] = value
            elif value is not None and type(value).__name__ in ("ArrayFormula", "DataTableFormula"):
                found[(r, c)] = str(getattr(value, "text", "") or "")
    return found


def _sheet_rows(ws, formula_ws) -> list[list[Any]]:
    formulas = _formula_cells(formula_ws)
    rows: list[list[Any]] = []
    for cells in ws.iter_rows(min_row=1, min_col=1):
        rows.append([_value(cell, formulas) for cell in cells])
    # A merged range shows its value across every cell it covers: a district merged down
    # the rows of its LAOs belongs to each of them.
    for merged in ws.merged_cells.ranges:
        top = merged.min_row - 1
        if top >= len(rows):
            continue
        value = rows[top][merged.min_col - 1] if merged.min_col - 1 < len(rows[top]) else None
        for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
            row = rows[r]
            while len(row) < merged.max_col:
                row.append(None)
            for c in range(merged.min_col - 1, merged.max_col):
                row[c] = value
    return _trimmed(rows)


def _value(cell, formulas: dict[tuple[int, int], str]) -> Any:
    value = cell.value
    if cell.data_type == "e":
        return ErrorValue(str(value))
    if value is None:
        formula = formulas.get((cell.row, cell.column))
        return FormulaWithoutValue(formula) if formula is not None else None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return number_cell(value, cell.number_format)
    if isinstance(value, str):
        if value.startswith("#") and value.rstrip("!?0/").upper() in ("#N/A", "#REF", "#VALUE", "#DIV", "#NAME", "#NUM", "#NULL"):
            return ErrorValue(value)
        return bounded_text(nfc(value.strip()))
    return value  # datetime, time, timedelta
