"""An XLSX workbook read as a stream, within the limits of limits.py.

A workbook is a zip of XML parts. Before anything is parsed, the parts this reader needs
(the workbook, its styles and shared strings, the sheets it reads) must declare at most
SHEET_BYTES unpacked, and each sheet's declared used range (its <dimension>) at most
SHEET_ROWS rows and SHEET_COLUMNS columns; while parsing, the bytes really unpacked are
counted too (a zip can lie about its sizes), and so are the rows, columns and filled cells
really met. A cell with nothing in it costs nothing: one far cell (XFD1048576) is refused
by the used range it declares, not by filling a million rows.

Values are what Excel saved, as openpyxl's reading gives them (this reader replaced it, to
stream): shared and inline strings (the phonetic runs left out), numbers with their
cell's number format (``sheets.cells.NumberCell``), dates where the format is a date's,
booleans, Excel errors (``ErrorValue``), a formula whose result was never saved
(``FormulaWithoutValue``), text past CELL_CHARS (``TooLong``). Merged ranges give their
value to every cell they cover; hidden rows are listed.
"""

from __future__ import annotations

import posixpath
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..errors import RecipientsError, did_you_mean
from ..limits import (CELL_CHARS, SHEET_BYTES, SHEET_CELLS, SHEET_COLUMNS, SHEET_ROWS, XLSX_PARTS,
                     thousands)
from .cells import FORMAT_CHARS, ErrorValue, FormulaWithoutValue, bounded_text, number_cell
from ..thai import nfc

SAVE_AS_XLSX = ("เปิดไฟล์ใน Excel แล้วเลือก ไฟล์ > บันทึกเป็น (File > Save As) "
                "ชนิด \"Excel Workbook (*.xlsx)\" แล้วใช้ไฟล์ .xlsx นั้น")
_ERROR_TEXTS = ("#N/A", "#REF", "#VALUE", "#DIV", "#NAME", "#NUM", "#NULL")


class Broken(Exception):
    """The workbook is not what an XLSX must be."""


@dataclass(frozen=True)
class Sheet:
    name: str
    part: str | None  # its XML part, None for a chart sheet
    visible: bool


def check_zip(path: Path) -> None:
    """Refuse a zip of more than XLSX_PARTS parts before its directory is read (each part
    listed costs memory), from the count its end record gives."""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 65_557))
        tail = handle.read()
    end = tail.rfind(b"PK\x05\x06")
    if end >= 0 and len(tail) >= end + 12:
        count = int.from_bytes(tail[end + 10:end + 12], "little")
        if count > XLSX_PARTS:
            raise RecipientsError(
                f"ไฟล์ zip นี้มี {thousands(count)} ส่วน ซึ่งไม่ใช่ไฟล์ Excel ของรายชื่อ; {SAVE_AS_XLSX}", file=path)


def read_workbook(path: Path, sheet: str | None = None, *, first: bool = False):
    """The visible sheets of the workbook at ``path`` (or only ``sheet``, or with ``first``
    only its first worksheet, shown or not), each as (name, rows, hidden rows): see
    sheets.tables.read_xlsx."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _broken(path) from None
    with archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's date helpers warn in English
        try:
            book = _Workbook(path, archive)
            sheets = book.chosen(sheet) if not first else [s for s in book.sheets if s.part][:1]
            book.check_sizes(sheets)
            book.read_styles()
            book.read_strings()
            return [(s.name, *book.read_sheet(s)) for s in sheets]
        except RecipientsError:
            raise
        except Exception:  # a broken part: XML, zip, numbers, references
            raise _broken(path, whole=False) from None


def _broken(path: Path, whole: bool = True) -> RecipientsError:
    what = "เปิดไฟล์ Excel ไม่ได้" if whole else "อ่านไฟล์ Excel ไม่ได้ทั้งหมด"
    return RecipientsError(f"{what} (ไฟล์เสีย หรือบันทึกไม่ครบ); {SAVE_AS_XLSX}", file=path)


# --- XML -------------------------------------------------------------------------------------


def _local(tag: Any) -> str:
    """A tag without its namespace (transitional and strict OOXML alike)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _attribute(element, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (r:id)."""
    for key, value in element.attrib.items():
        if key == name or key.endswith("}" + name):
            return value
    return None


class _Counted:
    """A part of the zip read through the workbook's count of the bytes unpacked: past
    SHEET_BYTES in all, the reading stops, whatever the zip declared."""

    def __init__(self, stream, book: "_Workbook"):
        self.stream, self.book = stream, book

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size if size is not None and size >= 0 else 1 << 16)
        self.book.unpacked += len(data)
        if self.book.unpacked > SHEET_BYTES:
            raise self.book.too_big()
        return data


def _elements(book: "_Workbook", part: str, tags: tuple[str, ...], events=("end",)) -> Iterator:
    """(event, element, local tag) for the elements of ``part`` named in ``tags``, parsed as a
    stream. Each is cleared once its end has been handled, and so is every other element
    outside them (a million hyperlinks after the cells cost nothing either)."""
    from lxml import etree

    with book.archive.open(part) as stream:
        parser = etree.iterparse(_Counted(stream, book), events=("start", "end"), resolve_entities=False,
                                 no_network=True, huge_tree=False, remove_comments=True)
        inside = 0  # elements of ``tags`` open around the current one
        for event, element in parser:
            tag = _local(element.tag)
            if tag in tags:
                if event == "start":
                    inside += 1
                    if "start" not in events:
                        continue
                else:
                    inside -= 1
                yield event, element, tag
                if event == "start":
                    continue
            elif event == "start" or inside:
                continue
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]


# --- the workbook ------------------------------------------------------------------------------


class _Workbook:
    def __init__(self, path: Path, archive: zipfile.ZipFile):
        self.path, self.archive = path, archive
        self.unpacked = 0
        self.names = set(archive.namelist())
        self.part = self._main_part()
        self.sheets, self.epoch = self._sheets()
        self.formats: list[str] = []  # number format of each cell style
        self.dates: set[int] = set()  # styles whose format is a date's
        self.durations: set[int] = set()
        self.strings: list[Any] = []  # shared strings, as _string gives them

    def too_big(self) -> RecipientsError:
        return RecipientsError(
            f"ไฟล์ Excel นี้ขยายออกแล้วใหญ่เกิน {thousands(SHEET_BYTES // 1_000_000)} MB ซึ่งไม่ใช่ตารางรายชื่อ "
            "(หรือเป็นไฟล์ที่สร้างมาให้ขยายจนเต็มหน่วยความจำ); คัดลอกเฉพาะตารางรายชื่อไปไว้ในไฟล์ใหม่",
            file=self.path)

    def _main_part(self) -> str:
        for _, element, _ in _elements(self, "_rels/.rels", ("Relationship",)):
            if element.get("Type", "").endswith("/officeDocument"):
                return element.get("Target", "").lstrip("/")
        return "xl/workbook.xml"

    def _relations(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, part) of ``part``."""
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        found = {}
        if rels in self.names:
            for _, element, _ in _elements(self, rels, ("Relationship",)):
                target = element.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(folder, target))
                found[element.get("Id")] = (element.get("Type", ""), target)
        return found

    def _sheets(self):
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        if self.part not in self.names:
            raise Broken(self.part)
        relations = self._relations(self.part)
        sheets, epoch = [], CALENDAR_WINDOWS_1900
        for _, element, tag in _elements(self, self.part, ("sheet", "workbookPr")):
            if tag == "workbookPr":
                if element.get("date1904", "").lower() in ("1", "true"):
                    epoch = CALENDAR_MAC_1904
                continue
            kind, part = relations.get(_attribute(element, "id"), ("", None))
            worksheet = kind.endswith("/worksheet") and part in self.names
            sheets.append(Sheet(element.get("name", ""), part if worksheet else None,
                                element.get("state", "visible") == "visible"))
        self.styles_part = next((p for k, p in relations.values() if k.endswith("/styles")), None)
        self.strings_part = next((p for k, p in relations.values() if k.endswith("/sharedStrings")), None)
        return sheets, epoch

    def chosen(self, name: str | None) -> list[Sheet]:
        names = [s.name for s in self.sheets]
        if name is not None:
            sheet = next((s for s in self.sheets if s.name == name), None)
            if sheet is None:
                raise RecipientsError(f"ไม่มีแผ่นงาน \"{name}\"" + did_you_mean(name, names)
                                      + f" (แผ่นงานในไฟล์: {', '.join(names)})", file=self.path)
            if sheet.part is None:
                raise RecipientsError(f"แผ่นงาน \"{name}\" เป็นแผนภูมิ ไม่ใช่ตาราง", file=self.path)
            return [sheet]
        visible = [s for s in self.sheets if s.visible and s.part is not None]
        if not visible:
            raise RecipientsError("ไฟล์ Excel ไม่มีแผ่นงานที่มองเห็นได้ (ทุกแผ่นงานถูกซ่อน)", file=self.path)
        return visible

    def check_sizes(self, sheets: list[Sheet]) -> None:
        """The parts to read, by the sizes the zip declares, before any is parsed."""
        parts = {self.styles_part, self.strings_part, *(s.part for s in sheets)} - {None}
        declared = sum(self.archive.getinfo(p).file_size for p in parts if p in self.names)
        if self.unpacked + declared > SHEET_BYTES:
            raise self.too_big()

    def read_styles(self) -> None:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

        if self.styles_part not in self.names:
            return
        custom: dict[int, str] = {}
        in_cell_styles = False
        for event, element, tag in _elements(self, self.styles_part, ("numFmt", "cellXfs", "xf"),
                                             events=("start", "end")):
            if tag == "cellXfs":
                in_cell_styles = event == "start"
            elif tag == "numFmt" and event == "end":
                custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
            elif tag == "xf" and event == "end" and in_cell_styles:
                number = int(element.get("numFmtId", "0"))
                fmt = custom.get(number) or BUILTIN_FORMATS.get(number) or "General"
                if len(fmt) <= FORMAT_CHARS:  # (a longer one is refused as unreadable)
                    if is_date_format(fmt):
                        self.dates.add(len(self.formats))
                    if is_timedelta_format(fmt):
                        self.durations.add(len(self.formats))
                self.formats.append(fmt)

    def read_strings(self) -> None:
        if self.strings_part not in self.names:
            return
        for _, element, _ in _elements(self, self.strings_part, ("si",)):  # each read once, here
            self.strings.append(_string(_text(element).replace("x005F_", "")))

    def read_sheet(self, sheet: Sheet) -> tuple[list[list[Any]], tuple[int, ...]]:
        return _XlsxSheetReader(self, sheet).read()


def _text(element) -> str:
    """The text of a shared or inline string: its own <t>, then each run's <t>; the
    phonetic guide (<rPh>) left out."""
    parts = []
    for child in element:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _reference(text: str) -> tuple[int, int]:
    """"XFD1048576" -> (1048576, 16384): row and column, counted from 1."""
    column, i = 0, 0
    while i < len(text) and text[i].isalpha() and i < 3:
        column = column * 26 + ord(text[i].upper()) - 64
        i += 1
    digits = text[i:].lstrip("$")
    if not column or not digits.isdigit() or len(digits) > 7:
        raise Broken(text)
    return int(digits), column


class _XlsxSheetReader:
    """One worksheet, row by row."""

    def __init__(self, book: _Workbook, sheet: Sheet):
        self.book, self.sheet = book, sheet
        self.rows: dict[int, list[Any]] = {}
        self.hidden: list[int] = []
        self.merged: list[tuple[int, int, int, int]] = []
        self.cells = 0

    def error(self, message: str, row: int | None = None) -> RecipientsError:
        return RecipientsError(f"แผ่นงาน \"{self.sheet.name}\": {message}", file=self.book.path, row=row)

    def read(self) -> tuple[list[list[Any]], tuple[int, ...]]:
        row_number = 0
        for _, element, tag in _elements(self.book, self.sheet.part, ("dimension", "row", "mergeCell")):
            if tag == "dimension":
                self.check_dimension(element.get("ref", ""))
            elif tag == "row":
                row_number = int(float(element.get("r") or row_number + 1))
                if element.get("hidden", "").lower() in ("1", "true"):
                    self.hidden.append(row_number)
                self.read_row(element, row_number)
            else:
                self.merged.append(self.merge_range(element.get("ref", "")))
        rows = [self.rows.get(r, []) for r in range(1, max(self.rows, default=0) + 1)]
        self.spread_merged(rows)
        width = max(map(len, rows), default=0)
        if width * len(rows) <= SHEET_CELLS:  # a table as Excel shows it, unless that costs much
            for row in rows:
                row.extend([None] * (width - len(row)))
        return rows, tuple(sorted(self.hidden))

    def check_dimension(self, ref: str) -> None:
        """The used range the sheet declares (what Ctrl+End shows in Excel)."""
        if not ref:
            return
        last = ref.split(":")[-1]
        row, column = _reference(last)
        if row > SHEET_ROWS or column > SHEET_COLUMNS:
            raise self.error(
                f"ขอบเขตของแผ่นงานไปถึงเซลล์ {last} ({thousands(row)} แถว {thousands(column)} คอลัมน์) "
                f"เกินขีดจำกัด {thousands(SHEET_ROWS)} แถว {SHEET_COLUMNS} คอลัมน์; ใน Excel กด Ctrl+End "
                "เพื่อดูเซลล์สุดท้าย แล้วลบแถวและคอลัมน์ที่เกินตาราง (แม้จะดูว่าง) แล้วบันทึกใหม่")

    def read_row(self, element, number: int) -> None:
        values: dict[int, Any] = {}
        column = 0
        for cell in element:
            if _local(cell.tag) != "c":
                continue
            reference = cell.get("r")
            column = _reference(reference)[1] if reference else column + 1
            value = self.value(cell)
            if value is None:
                continue  # an empty (formatted) cell: nothing kept
            if number > SHEET_ROWS or column > SHEET_COLUMNS:
                from .columns import column_letter

                raise self.error(
                    f"มีข้อมูลที่เซลล์ {column_letter(column - 1)}{number} เกินขีดจำกัด "
                    f"{thousands(SHEET_ROWS)} แถว {SHEET_COLUMNS} คอลัมน์; ลบข้อมูลที่อยู่นอกตารางรายชื่อ",
                    row=number)
            values[column] = value
        if values:
            self.count(len(values), number)
            row = [None] * max(values)
            for column, value in values.items():
                row[column - 1] = value
            self.rows[number] = row

    def count(self, cells: int, row: int | None = None) -> None:
        self.cells += cells
        if self.cells > SHEET_CELLS:
            raise self.error(f"มีช่องที่มีข้อมูลเกิน {thousands(SHEET_CELLS)} ช่อง ซึ่งไม่ใช่ตารางรายชื่อ; "
                             "คัดลอกเฉพาะตารางรายชื่อไปไว้ในไฟล์ใหม่", row=row)

    def value(self, cell) -> Any:
        """What Excel saved in a cell; None for an empty one."""
        kind = cell.get("t", "n")
        style = int(cell.get("s") or 0)
        value_element = formula = inline = None
        for child in cell:
            tag = _local(child.tag)
            if tag == "v":
                value_element = child
            elif tag == "f":
                formula = child
            elif tag == "is":
                inline = child
        text = (value_element.text if value_element is not None else None) or None
        if kind == "inlineStr":
            return _string(_text(inline)) if inline is not None else None
        if text is None:
            return FormulaWithoutValue("=" + (formula.text or "")) if formula is not None else None
        if kind == "s":
            return self.book.strings[int(text)]
        if kind == "str":
            return _string(text)
        if kind == "b":
            return bool(int(text))
        if kind == "e":
            return ErrorValue(text)
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return from_ISO8601(text)
        number = float(text) if any(c in text for c in ".Ee") else int(text)
        fmt = self.book.formats[style] if style < len(self.book.formats) else "General"
        if style in self.book.dates:
            from openpyxl.utils.datetime import from_excel

            try:
                return from_excel(number, self.book.epoch, timedelta=style in self.book.durations)
            except (OverflowError, ValueError):
                return ErrorValue("#VALUE!")  # a date out of Excel's range
        return number_cell(number, fmt)

    def merge_range(self, ref: str) -> tuple[int, int, int, int]:
        first, _, last = ref.partition(":")
        top, left = _reference(first)
        bottom, right = _reference(last or first)
        return top, left, bottom, right

    def spread_merged(self, rows: list[list[Any]]) -> None:
        """A merged range shows its value across every cell it covers: a district merged
        down the rows of its LAOs belongs to each of them. Only the rows that exist and
        the columns within the limit are filled, and every filled cell is counted."""
        for top, left, bottom, right in self.merged:
            if top > len(rows) or left > SHEET_COLUMNS:
                continue
            source = rows[top - 1]
            value = source[left - 1] if left - 1 < len(source) else None
            right = min(right, SHEET_COLUMNS)
            for r in range(top - 1, min(bottom, len(rows))):
                row = rows[r]
                self.count(right - left + 1)
                if len(row) < right:
                    row.extend([None] * (right - len(row)))
                row[left - 1:right] = [value] * (right - left + 1)


def _string(text: str) -> Any:
    """A text cell as the sheet readers take it: an Excel error typed as text is an error;
    any other is stripped, NFC and kept when within CELL_CHARS, else kept as its length
    only (one past four times the limit is not normalised first: NFC shortens a text to a
    third at most)."""
    if text.startswith("#") and text.rstrip("!?0/").upper() in _ERROR_TEXTS:
        return ErrorValue(text)
    text = text.strip()
    return bounded_text(text if len(text) > 4 * CELL_CHARS else nfc(text))
