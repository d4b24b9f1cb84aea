"""The recipients sheet: CSV (UTF-8, UTF-8 with BOM, cp874) or XLSX -> ``Recipient`` rows.

Headers may be the canonical English names, the usual Thai ones, or any mapping given in the
spec (``[recipients.columns]``). Columns named by a dotted spec key (``letter.urgency``,
``deadline.date``) override that spec value for the row's letter. Other columns are kept and
available to templates as ``recipient["header"]``.

Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import RecipientsError, did_you_mean
from .spec import RECIPIENT_KINDS, Spec, parse_override_value
from .thai import DateError, nfc, parse_thai_date

CANONICAL = ("id", "name", "kind", "district", "username", "password", "done", "pdf_password")
REQUIRED = ("id", "name", "kind", "district")
HEADER_ALIASES = {
    "id": ("id", "รหัส", "รหัสหน่วยงาน", "ลำดับ"),
    "name": ("name", "ชื่อหน่วยงาน", "ชื่อ", "ชื่อ อปท.", "หน่วยงาน"),
    "kind": ("kind", "ประเภท", "ประเภทหน่วยงาน"),
    "district": ("district", "อำเภอ"),
    "username": ("username", "ชื่อผู้ใช้", "ชื่อผู้ใช้ (username)"),
    "password": ("password", "รหัสผ่าน", "รหัสผ่าน (password)"),
    "done": ("done", "ดำเนินการแล้ว", "สถานะ", "วันที่ดำเนินการ"),
    "pdf_password": ("pdf_password", "รหัสเปิดไฟล์"),  # for --encrypt: opens the delivery PDF
}
SPEC_SECTIONS = ("letter", "sender", "deadline", "links", "body", "variants", "enclosure", "steps")

_KIND_BY_NAME = {full: short for short, full in RECIPIENT_KINDS.items()}
_KIND_BY_NAME.update({short.rstrip("."): short for short in RECIPIENT_KINDS})
_KIND_BY_NAME.update({short.replace(".", ""): short for short in RECIPIENT_KINDS})
_KIND_BY_NAME.update({short: short for short in RECIPIENT_KINDS})

DONE_YES = {"1", "ใช่", "✓", "✔", "true", "yes", "y", "x", "แล้ว", "ดำเนินการแล้ว", "เสร็จ"}
DONE_NO = {"", "0", "ไม่", "ไม่ใช่", "false", "no", "n", "-", "ยัง", "ยังไม่ดำเนินการ", "✗"}


@dataclass(frozen=True)
class Recipient:
    row: int
    id: str
    name: str
    kind: str  # short form: อบจ., ทน., ทม., ทต., อบต., สถ.อ.
    district: str
    username: str
    password: str = field(repr=False)
    done: bool
    done_date: dt.date | None
    extra: Mapping[str, Any]
    overrides: Mapping[str, Any]
    pdf_password: str = field(default="", repr=False)  # never shown to templates

    def context(self) -> dict[str, Any]:
        """What templates see as ``recipient``."""
        values = dict(self.extra)
        values.update(id=self.id, name=self.name, kind=self.kind, district=self.district,
                      username=self.username, password=self.password, done=self.done)
        return values


@dataclass(frozen=True)
class Book:
    """The rows of one recipients file, in file order."""

    path: Path
    rows: tuple[Recipient, ...]
    encoding: str
    headers: Mapping[str, str] = field(default_factory=dict)  # canonical name -> header

    def header(self, canonical: str) -> str:
        """The header the sheet itself uses for a canonical column."""
        return self.headers.get(canonical, canonical)


def load_recipients(path: str | Path, spec: Spec) -> Book:
    path = Path(path)
    if not path.is_file():
        raise RecipientsError("ไม่พบไฟล์รายชื่อผู้รับ", file=path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table, encoding = _read_xlsx(path, spec.recipients.sheet), "xlsx"
    elif path.suffix.lower() in (".csv", ".txt", ".tsv"):
        table, encoding = _read_csv(path)
    else:
        raise RecipientsError("ชนิดไฟล์ไม่รองรับ: ใช้ .csv หรือ .xlsx", file=path)
    if not table:
        raise RecipientsError("ไฟล์ว่าง ไม่มีหัวคอลัมน์", file=path)
    header, body = table[0], table[1:]
    columns = _map_header(header, path, spec)
    rows = []
    seen_ids: dict[str, int] = {}
    for index, cells in enumerate(body, start=2):
        if all(_blank(c) for c in cells):
            continue
        recipient = _recipient(cells, header, columns, index, path, spec)
        if recipient.id in seen_ids:
            raise RecipientsError(
                f"รหัส \"{recipient.id}\" ซ้ำกับแถว {seen_ids[recipient.id]}",
                file=path, row=index, column=header[columns["id"]],
            )
        seen_ids[recipient.id] = index
        rows.append(recipient)
    if not rows:
        raise RecipientsError("มีแต่หัวคอลัมน์ ไม่มีรายชื่อผู้รับ", file=path)
    headers = {canonical: str(header[index]).strip() for canonical, index in columns.items()}
    return Book(path=path, rows=tuple(rows), encoding=encoding, headers=headers)


# --- reading the file ----------------------------------------------------------------------

# UTF-8 Thai (bytes E0 B8 xx / E0 B9 xx) read as cp874 turns into "เธ"/"เน" + a character of
# the cp874 range 0x80-0xBF; read as cp1252 or Latin-1, into "à¸"/"à¹" + one more character.
_MOJIBAKE = re.compile(r"(?:เธ|เน)[\u0e01-\u0e1f\u0080-\u009f\u2013-\u2026\u20ac\u00a0]|à[¸¹].")


def _is_mojibake(text: str) -> bool:
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


def _read_csv(path: Path) -> tuple[list[list[str]], str]:
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
    if _is_mojibake(text):
        raise RecipientsError(
            "ข้อความภาษาไทยเพี้ยน (ไฟล์ UTF-8 ถูกเปิดและบันทึกผิดรหัสอักขระ); "
            "ส่งออกจาก Excel ใหม่เป็น \"CSV UTF-8\"",
            file=path,
        )
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return [[cell.strip() for cell in row] for row in rows], encoding


def _read_xlsx(path: Path, sheet: str | None) -> list[list[Any]]:
    from openpyxl import load_workbook  # heavy import, used lazily

    try:
        book = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise RecipientsError(f"เปิดไฟล์ Excel ไม่ได้: {exc}", file=path) from None
    if sheet is not None:
        if sheet not in book.sheetnames:
            raise RecipientsError(
                f"ไม่มีแผ่นงาน \"{sheet}\"" + did_you_mean(sheet, book.sheetnames), file=path
            )
        ws = book[sheet]
    elif len(book.sheetnames) > 1:
        raise RecipientsError(
            f"ไฟล์มี {len(book.sheetnames)} แผ่นงาน ({', '.join(book.sheetnames)}); "
            "ระบุแผ่นงานที่ใช้ใน spec: [recipients] sheet = \"...\"",
            file=path,
        )
    else:
        ws = book.active
    for merged in ws.merged_cells.ranges:
        if merged.min_row == 1:
            raise RecipientsError(
                f"หัวคอลัมน์มีเซลล์ผสาน ({merged.coord}); ยกเลิกการผสานเซลล์ให้หัวคอลัมน์อยู่แถวเดียว",
                file=path, row=1,
            )
    rows = []
    for values in ws.iter_rows(values_only=True):
        rows.append([nfc(v.strip()) if isinstance(v, str) else v for v in values])
    while rows and all(_blank(c) for c in rows[-1]):
        rows.pop()
    return rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- the header ----------------------------------------------------------------------------


def _map_header(header: list[Any], path: Path, spec: Spec) -> dict[str, int]:
    """Canonical column name -> index in the row."""
    names = [nfc(str(h)).strip() if h is not None else "" for h in header]
    lookup: dict[str, str] = {}
    for canonical, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            lookup[alias.lower()] = canonical
    for canonical, header_name in spec.recipients.columns.items():
        if canonical not in CANONICAL:
            raise RecipientsError(
                f"ไม่รู้จักคอลัมน์มาตรฐาน \"{canonical}\"" + did_you_mean(canonical, CANONICAL),
                file=spec.path, key=f"recipients.columns.{canonical}",
            )
        lookup[header_name.lower()] = canonical
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        if not name:
            continue
        canonical = lookup.get(name.lower())
        if canonical is None:
            continue
        if canonical in columns:
            raise RecipientsError(
                f"มีคอลัมน์ \"{canonical}\" ซ้ำ ({names[columns[canonical]]} และ {name})",
                file=path, row=1, column=name,
            )
        columns[canonical] = index
    for canonical in REQUIRED:
        if canonical not in columns:
            known = [n for n in names if n]
            raise RecipientsError(
                f"ไม่มีคอลัมน์ \"{canonical}\" ({' / '.join(HEADER_ALIASES[canonical])})"
                + did_you_mean(canonical, known) + f"; หัวคอลัมน์ที่พบ: {', '.join(known)}",
                file=path, row=1,
            )
    for index, name in enumerate(names):
        if "." in name and name.split(".")[0] in SPEC_SECTIONS:
            continue
        if "." in name and name.lower() not in lookup:
            section = name.split(".")[0]
            raise RecipientsError(
                f"คอลัมน์แก้ค่า spec ต้องขึ้นต้นด้วยหมวดของ spec ไม่ใช่ \"{section}\""
                + did_you_mean(section, SPEC_SECTIONS),
                file=path, row=1, column=name,
            )
    return columns


# --- one row -------------------------------------------------------------------------------


def _recipient(cells, header, columns, row, path, spec) -> Recipient:
    def cell(canonical: str) -> Any:
        index = columns.get(canonical)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def text(canonical: str, required: bool) -> str:
        value = cell(canonical)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = "" if value is None else nfc(str(value)).strip()
        if required and not value:
            raise RecipientsError("ช่องนี้ว่าง ต้องมีค่า", file=path, row=row,
                                  column=header[columns[canonical]])
        return value

    kind_text = text("kind", True)
    kind = _KIND_BY_NAME.get(kind_text)
    if kind is None:
        shown = kind_text if re.search("[\u0e00-\u0e7f]", kind_text) else "(ค่าที่ไม่ใช่ภาษาไทย)"
        raise RecipientsError(
            f"ไม่รู้จักประเภทหน่วยงาน \"{shown}\"" + did_you_mean(kind_text, _KIND_BY_NAME)
            + f" (ใช้ได้: {', '.join(RECIPIENT_KINDS)})",
            file=path, row=row, column=header[columns["kind"]],
        )
    is_office = kind in (spec.routing.district_office, "สถ.จ.")
    needs_credentials = not is_office
    username = text("username", needs_credentials and "username" in columns)
    password = text("password", needs_credentials and "password" in columns)
    done, done_date = _done(cell("done"), path, row, header[columns["done"]] if "done" in columns else "")

    mapped = set(columns.values())
    extra, overrides = {}, {}
    for index, name in enumerate(header):
        if index in mapped or name is None or index >= len(cells):
            continue
        name = nfc(str(name)).strip()
        value = cells[index]
        if "." in name and name.split(".")[0] in SPEC_SECTIONS:
            if not _blank(value):
                overrides[name] = parse_override_value(value) if isinstance(value, str) else value
        elif name:
            extra[name] = "" if value is None else value
    return Recipient(
        row=row, id=text("id", True), name=text("name", True), kind=kind,
        district=text("district", True), username=username, password=password,
        done=done, done_date=done_date, extra=extra, overrides=overrides,
        pdf_password=text("pdf_password", False),
    )


def _done(value: Any, path: Path, row: int, column: str) -> tuple[bool, dt.date | None]:
    """A tracking cell: yes/no words, 1/0, ✓, TRUE/FALSE, or a completion date."""
    if value is None:
        return False, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, (dt.date, dt.datetime)):
        return True, parse_thai_date(value)
    if isinstance(value, (int, float)):
        if value in (0, 1):
            return bool(value), None
        raise RecipientsError("ตัวเลขในช่องนี้ต้องเป็น 1 หรือ 0", file=path, row=row, column=column)
    text = nfc(str(value)).strip().lower()
    if text in DONE_YES:
        return True, None
    if text in DONE_NO:
        return False, None
    try:
        return True, parse_thai_date(text)
    except DateError:
        pass
    # The cell is not echoed: in a row whose cells slipped, it could hold a password.
    raise RecipientsError(
        "อ่านสถานะในช่องนี้ไม่ได้ (ใช้ ใช่/ไม่, 1/0, ✓ หรือวันที่ดำเนินการ)",
        file=path, row=row, column=column,
    )


def report_encoding(book: Book, stream=None) -> None:
    stream = stream or sys.stderr
    if book.encoding == "cp874":
        print(f"อ่าน {book.path.name} เป็นรหัสอักขระ cp874 (Windows ภาษาไทย)", file=stream)
