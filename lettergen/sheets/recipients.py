"""The recipients sheet: CSV or XLSX -> ``Recipient`` rows, read as the clerk sees them.

The file is opened by ``sheets.tables`` (what it really is, encodings, delimiters, visible
sheets, merged cells), the header found by ``sheets.columns`` (title rows above it, headers
of two rows, Thai and English synonyms; ``[recipients.columns]`` always wins), cells read as
Excel shows them (``sheets.cells``), district names reduced to the bare name (``districts``).
Columns named by a dotted spec key (``letter.urgency``, ``deadline.date``) override that
spec value for the row's letter. Other columns are kept and available to templates as
``recipient["header"]``.

A column the run needs and the sheet lacks is an error naming it and listing the headers
found: never an empty value in a letter. Rows are numbered as the spreadsheet shows them.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..districts import district_name, district_offices, likely_typo
from ..errors import RecipientsError, did_you_mean
from ..limits import CELL_CHARS, thousands
from .cells import ErrorValue, FormulaWithoutValue, NumberCell, TooLong, plain_number
from .columns import (CANONICAL, INVISIBLE, NUMBERING, REQUIRED, ColumnLabel, Header, Lookup,
                            best_guess_row, cell_text, column_letter, find_header, header_key,
                            known_words)
from .tables import SheetTable, read_tables
from ..spec import RECIPIENT_KINDS, Spec, parse_override_value
from ..thai import DateError, nfc, parse_thai_date, thai_digit_to_arabic_digit

SPEC_SECTIONS = ("letter", "sender", "deadline", "links", "body", "variants", "enclosure", "steps")
# A header that overrides a spec value: "letter.urgency", "variants.direct.number".
_OVERRIDE_HEADER = re.compile(r"^[A-Za-z_]+(?:\.[A-Za-z_0-9]+)+$")

_KIND_BY_NAME = {full: short for short, full in RECIPIENT_KINDS.items()}
_KIND_BY_NAME.update({short.rstrip("."): short for short in RECIPIENT_KINDS})
_KIND_BY_NAME.update({short.replace(".", ""): short for short in RECIPIENT_KINDS})
_KIND_BY_NAME.update({short: short for short in RECIPIENT_KINDS})

_KIND_BY_KEY = {re.sub(r"[\s.]", "", name): short for name, short in _KIND_BY_NAME.items()}


# Longest first: "เทศบาลตำบล" before "เทศบาล", "สำนักงานส่งเสริม...อำเภอ" before anything shorter.
_KIND_PREFIXES = sorted(((name, short) for name, short in _KIND_BY_NAME.items() if len(name) > 2),
                        key=lambda item: -len(item[0]))


def kind_from_name(name: str) -> str | None:
    """The kind a name starts with: "เทศบาลตำบลท่าสาย" -> "ทต.", "อบต.แม่ยาว" -> "อบต."."""
    squeezed = re.sub(r"\s", "", name)
    for prefix, short in _KIND_PREFIXES:
        if squeezed.startswith(re.sub(r"\s", "", prefix)) and (len(prefix) > 6 or prefix.endswith(".")):
            return short
    return None


def _kind_key(text: str) -> str:
    """"อ.บ.ต.", "อบต", "เทศบาล ตำบล" -> the key of _KIND_BY_KEY."""
    return re.sub(r"[\s.]", "", text)


DONE_YES = {"1", "ใช่", "✓", "✔", "☑", "true", "yes", "y", "x", "แล้ว", "ดำเนินการแล้ว", "เสร็จ",
            "เสร็จแล้ว", "เรียบร้อย", "เรียบร้อยแล้ว", "ดำเนินการเรียบร้อย", "ดำเนินการเรียบร้อยแล้ว",
            "ส่งแล้ว", "รายงานแล้ว", "สำเร็จ", "done", "ok", "/", "✅", "☑"}
DONE_NO = {"", "0", "ไม่", "ไม่ใช่", "false", "no", "n", "-", "ยัง", "ยังไม่ดำเนินการ", "✗", "✘", "☐",
           "ยังไม่ได้ดำเนินการ", "ไม่ได้ดำเนินการ", "รอดำเนินการ", "อยู่ระหว่างดำเนินการ",
           "ระหว่างดำเนินการ", "ยังไม่ส่ง", "ยังไม่รายงาน", "ค้าง", "ค้างดำเนินการ", "×", "❌", "✖", "✕"}
_SPACES = re.compile(r"\s+")
# Codes that Excel, saving a CSV, may have written as 1.23457E+12: the digits are lost.
_CODES = ("id", "username", "password", "pdf_password")
_SCIENTIFIC = re.compile(r"^-?\d(?:\.\d+)?E[+-]\d+$", re.I)

# What each use of the sheet needs besides the required columns.
USES = ("letters", "status", "reminders")


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
    email: str = ""  # where `lettergen send` sends the letter: addresses, ", " between them

    def context(self) -> dict[str, Any]:
        """What templates see as ``recipient``."""
        values = dict(self.extra)
        values.update(id=self.id, name=self.name, kind=self.kind, district=self.district,
                      username=self.username, password=self.password, done=self.done,
                      email=self.email)
        return values


@dataclass(frozen=True)
class Book:
    """The rows of one recipients file, in file order."""

    path: Path
    rows: tuple[Recipient, ...]
    encoding: str
    headers: Mapping[str, str] = field(default_factory=dict)  # canonical name -> header
    title: str = ""  # the title written above the header, if any
    header_row: int = 1  # the sheet row of the header (the lower row of a two-row header)
    sheet: str | None = None  # the XLSX sheet read
    notes: tuple[str, ...] = ()  # what reading the sheet decided, for `check`

    def header(self, canonical: str) -> str:
        """The header the sheet itself uses for a canonical column (with its letter)."""
        return self.headers.get(canonical, canonical)


def addressee_book(spec: Spec) -> Book:
    """The one row of a letter to the addressee its spec names ([addressee]): no sheet."""
    addressee = spec.addressee
    row = Recipient(row=0, id=addressee.id, name=addressee.name, kind="", district="",
                    username="", password="", done=False, done_date=None, extra={}, overrides={})
    return Book(path=spec.path, rows=(row,), encoding="utf-8")


def load_recipients(path: str | Path, spec: Spec, *, use: str = "letters") -> Book:
    """Read the sheet for ``use``: "letters" (render, check, preview), "status" (progress
    only: no credentials needed) or "reminders" (letters and progress)."""
    path = Path(path)
    if not path.is_file():
        raise RecipientsError("ไม่พบไฟล์รายชื่อผู้รับ", file=path)
    lookup = _lookup(spec)
    table, header = pick_table(read_tables(path, spec.recipients.sheet), lookup, path)
    reader = _SheetReader(path, spec, table, header, lookup)
    reader.check_needs(use)
    rows = reader.rows()
    _check_districts(rows, spec, path, reader)
    return Book(path=path, rows=tuple(rows), encoding=table.encoding, headers=reader.labels,
                title=header.title, header_row=header.row_index + 1, sheet=table.sheet,
                notes=tuple(reader.notes))


def _lookup(spec: Spec) -> Lookup:
    for canonical in spec.recipients.columns:
        if canonical not in CANONICAL:
            raise RecipientsError(
                f"ไม่รู้จักคอลัมน์มาตรฐาน \"{canonical}\"" + did_you_mean(canonical, CANONICAL)
                + f" (ใช้ได้: {', '.join(CANONICAL)})",
                file=spec.path, key=f"recipients.columns.{canonical}",
            )
    return Lookup.build(spec.recipients.columns)


def pick_table(tables: list[SheetTable], lookup: Lookup, path: Path) -> tuple[SheetTable, Header]:
    """The one table with a header: a workbook may hold other visible sheets (a summary,
    notes) beside its one data sheet. Raises RecipientsError when there is none, or more
    than one (the web's recipients page shows the table this picks, as the letters read it)."""
    if len(tables) == 1 and not tables[0].rows:
        raise RecipientsError("ไฟล์ว่าง ไม่มีหัวคอลัมน์" if tables[0].sheet is None
                              else f"แผ่นงาน \"{tables[0].sheet}\" ว่าง", file=path)
    found = [(t, h) for t in tables for h in [find_header(t.rows, lookup)] if h is not None]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        names = ", ".join(t.sheet or "" for t, _ in found)
        raise RecipientsError(
            f"ไฟล์มีตารางรายชื่อ {len(found)} แผ่นงาน ({names}); "
            "ระบุแผ่นงานที่ใช้ใน spec: [recipients] sheet = \"...\" หรือ --set recipients.sheet=... "
            "(ถ้าแยกรายชื่อไว้หลายแผ่นงาน เช่น แผ่นละอำเภอ ให้รวมไว้ในแผ่นงานเดียว หรือซ่อนแผ่นงานที่ไม่ใช้)",
            file=path)
    table = next((t for t in tables if t.rows), tables[0])
    index, texts = best_guess_row(table.rows, lookup) or (None, [])
    missing = [c for c in REQUIRED if c not in {lookup.canonical(t) for t in texts}]
    hints = "".join(did_you_mean(c, texts) for c in missing[:1])
    sheet = f"แผ่นงาน \"{table.sheet}\": " if table.sheet and len(tables) > 1 else ""
    raise RecipientsError(
        f"{sheet}หาแถวหัวคอลัมน์ไม่พบ: ไม่มีคอลัมน์ "
        + ", ".join(f"\"{c}\" ({known_words(c)})" for c in missing) + hints
        + (f"; หัวคอลัมน์ที่พบ: {', '.join(texts[:15])}" if texts else "")
        + "; ตั้งชื่อหัวคอลัมน์ให้ตรง หรือกำหนดใน spec: [recipients.columns] "
        + f"{missing[0] if missing else 'id'} = \"ชื่อหัวคอลัมน์ในไฟล์\"",
        file=path, row=index + 1 if index is not None else None)


class _SheetReader:
    """The columns of one table, and its rows as ``Recipient``s."""

    def __init__(self, path: Path, spec: Spec, table: SheetTable, header: Header, lookup: Lookup):
        self.path, self.spec, self.table, self.header = path, spec, table, header
        self.names = list(header.names)
        self.header_row = header.row_index + 1
        self.notes: list[str] = []
        self.columns = self._map_columns(lookup)
        self.labels = {c: self.label(i) for c, i in self.columns.items()}
        if header.title:
            self.notes.append(f"ชื่อตาราง: {header.title}")
        if header.row_index > 0:
            rows = "แถว " + (f"{self.header_row - 1}-{self.header_row}"
                             if header.rows_used == 2 else str(self.header_row))
            self.notes.append(f"หัวคอลัมน์อยู่{rows}" + (f" ของแผ่นงาน \"{table.sheet}\"" if table.sheet else ""))
        if table.sheet is None and table.delimiter != ",":
            self.notes.append("คอลัมน์ของไฟล์ CSV คั่นด้วย" + ("แท็บ" if table.delimiter == "\t" else " ;"))
        hidden = [r for r in table.hidden_rows if r > self.header_row]
        if hidden:
            self.notes.append(f"มีแถวที่ซ่อนไว้ {len(hidden)} แถว (เช่น แถว {hidden[0]}) ซึ่งอ่านรวมไว้ด้วย; "
                              "ถ้าไม่ต้องการส่งถึงแถวใด ให้ลบแถวนั้นออก")
        self.template_fields: dict[str, int] = {}

    def label(self, index: int) -> ColumnLabel:
        name = self.names[index] if index < len(self.names) else ""
        return ColumnLabel(name or column_letter(index), column_letter(index))

    def error(self, message: str, row: int | None = None, index: int | None = None) -> RecipientsError:
        return RecipientsError(message, file=self.path, row=row,
                               column=self.label(index) if index is not None else None)

    # --- columns ---

    def _map_columns(self, lookup: Lookup) -> dict[str, int]:
        columns: dict[str, int] = {}
        numbering: int | None = None
        for index, name in enumerate(self.names):
            if not name:
                continue
            canonical = lookup.canonical(name)
            if canonical is None:
                continue
            if canonical == NUMBERING:
                numbering = index if numbering is None else numbering
                continue
            if canonical in columns:
                first = columns[canonical]
                raise self.error(
                    f"มีสองคอลัมน์ที่อ่านได้ว่าเป็น \"{canonical}\" ({column_letter(first)} "
                    f"\"{self.names[first]}\" และ {column_letter(index)} \"{name}\"); "
                    f"เลือกคอลัมน์ที่ใช้ใน spec: [recipients.columns] {canonical} = \"{self.names[first]}\"",
                    row=self.header_row, index=index)
            columns[canonical] = index
        for canonical, chosen in self.spec.recipients.columns.items():
            if canonical not in columns:
                headers = [n for n in self.names if n]
                raise RecipientsError(
                    f"ไม่มีหัวคอลัมน์ \"{chosen}\" ในไฟล์ {self.path.name}" + did_you_mean(chosen, headers)
                    + f"; หัวคอลัมน์ที่พบ: {', '.join(headers)}",
                    file=self.spec.path, key=f"recipients.columns.{canonical}")
        if "id" not in columns and numbering is not None:
            columns["id"] = numbering
            self.notes.append(f"ไม่มีคอลัมน์รหัส จึงใช้คอลัมน์ {column_letter(numbering)} "
                              f"\"{self.names[numbering]}\" เป็นรหัสผู้รับ")
        if "kind" not in columns and "name" in columns:
            self.notes.append("ไม่มีคอลัมน์ประเภท จึงอ่านประเภทจากชื่อหน่วยงาน (เทศบาลตำบล..., อบต. ...)")
        for canonical in REQUIRED:
            if canonical not in columns and not (canonical == "kind" and "name" in columns):
                raise self.missing_column(canonical)
        for index, name in enumerate(self.names):
            if index in columns.values() or index == numbering or "." not in name:
                continue
            if _OVERRIDE_HEADER.match(name) and name.split(".")[0] not in SPEC_SECTIONS:
                section = name.split(".")[0]
                raise self.error(
                    f"คอลัมน์แก้ค่า spec ต้องขึ้นต้นด้วยหมวดของ spec ไม่ใช่ \"{section}\""
                    + did_you_mean(section, SPEC_SECTIONS),
                    row=self.header_row, index=index)
        return columns

    def missing_column(self, canonical: str, why: str = "") -> RecipientsError:
        headers = [n for n in self.names if n]
        return RecipientsError(
            f"ไม่มีคอลัมน์ \"{canonical}\" ({known_words(canonical)})" + why
            + did_you_mean(canonical, headers) + f"; หัวคอลัมน์ที่พบ: {', '.join(headers)}"
            + f"; ตั้งชื่อหัวคอลัมน์ให้ตรง หรือกำหนดใน spec: [recipients.columns] {canonical} = \"...\"",
            file=self.path, row=self.header_row)

    def check_needs(self, use: str) -> None:
        """Every column this use of the sheet reads must be there."""
        from ..templating import recipient_fields, texts_reading

        if use not in USES:
            raise ValueError(f"unknown use {use!r}")
        if use in ("letters", "reminders"):
            for canonical in ("username", "password"):
                if canonical not in self.columns:
                    raise self.missing_column(canonical, " ซึ่งต้องใช้พิมพ์บัญชีผู้ใช้ในสิ่งที่ส่งมาด้วย")
            reminder = use == "reminders"
            progress_key = texts_reading(self.spec, "progress", reminder=reminder)
            if progress_key and "done" not in self.columns:
                raise self.missing_column("done", f" ซึ่ง {progress_key} ใช้นับความคืบหน้า (progress)")
            self.template_fields = self._template_columns(recipient_fields(self.spec, reminder=reminder))
        if use in ("status", "reminders") and "done" not in self.columns:
            raise self.missing_column("done", " ซึ่งต้องใช้นับว่าหน่วยงานใดดำเนินการแล้ว")

    def _template_columns(self, fields: Mapping[str, str]) -> dict[str, int]:
        """Field a template reads -> its column, for fields that are not canonical."""
        found: dict[str, int] = {}
        context_names = set(CANONICAL) - {"pdf_password"}
        keys = {header_key(n): i for i, n in enumerate(self.names) if n}
        for name, spec_key in fields.items():
            if name in context_names:
                if name not in self.columns and not (name == "kind" and "name" in self.columns):
                    raise self.missing_column(name, f" ซึ่งข้อความ {spec_key} ใช้ (recipient.{name})")
                continue
            index = keys.get(header_key(name))
            if index is not None and index == self.columns.get("pdf_password"):
                raise RecipientsError(
                    f"ข้อความ {spec_key} ใช้รหัสเปิดไฟล์ ({name}) ซึ่งเป็นความลับ ใส่ในหนังสือไม่ได้",
                    file=self.spec.path, key=spec_key)
            if index is None:
                headers = [n for n in self.names if n]
                raise RecipientsError(
                    f"ข้อความ {spec_key} ใช้ \"{name}\" ของผู้รับ แต่ไฟล์ไม่มีคอลัมน์นี้"
                    + did_you_mean(name, headers + list(context_names))
                    + f"; หัวคอลัมน์ที่พบ: {', '.join(headers)}",
                    file=self.path, row=self.header_row, key=spec_key)
            found[name] = index
        return found

    # --- rows ---

    def rows(self) -> list[Recipient]:
        body = self.table.rows[self.header.row_index + 1:]
        first_row = self.header.row_index + 2
        # Rows after the last one with any of these filled are a footer (รวม, ลงชื่อ ผู้จัดทำ).
        key_columns = [self.columns[c] for c in ("id", "kind", "district", "username", "password")
                       if c in self.columns]
        last = max((i for i, cells in enumerate(body)
                    if any(not _blank(_at(cells, c)) for c in key_columns)), default=-1)
        footer = [cells for cells in body[last + 1:] if not all(_blank(c) for c in cells)]
        if footer:
            self.notes.append(f"ข้ามแถวท้ายตาราง {len(footer)} แถวที่ไม่มีรหัส ประเภท อำเภอ และบัญชีผู้ใช้ "
                              "(เช่น แถวรวม)")
        header_keys = [header_key(n) for n in self.names]
        rows: list[Recipient] = []
        seen_ids: dict[str, int] = {}
        errors: list[RecipientsError] = []  # every bad row, so a page can mark them all
        for offset, cells in enumerate(body[:last + 1]):
            number = first_row + offset
            if all(_blank(c) for c in cells):
                continue
            if [header_key(c) if isinstance(c, str) else "" for c in cells] == header_keys[:len(cells)]:
                continue  # the header repeated (printed on every page)
            try:
                recipient = self.recipient(cells, number)
                if recipient.id in seen_ids:
                    raise self.error(f"รหัส \"{recipient.id}\" ซ้ำกับแถว {seen_ids[recipient.id]}; "
                                     "รหัสผู้รับต้องไม่ซ้ำกัน แก้รหัสของแถวใดแถวหนึ่ง (หรือลบแถวที่ซ้ำ)",
                                     row=number, index=self.columns["id"])
            except RecipientsError as exc:
                errors.append(exc)
                continue
            seen_ids[recipient.id] = number
            rows.append(recipient)
        if errors:  # the first is the message; the others go with it (RecipientsError.others)
            errors[0].others = tuple(errors[1:])
            raise errors[0]
        if not rows:
            raise RecipientsError("มีแต่หัวคอลัมน์ ไม่มีรายชื่อผู้รับ", file=self.path)
        return rows

    def recipient(self, cells: list[Any], row: int) -> Recipient:
        columns = self.columns

        def text(canonical: str, required: bool) -> str:
            index = columns.get(canonical)
            if index is None:
                return ""
            value = self.text(_at(cells, index), row, index)
            if required and not value:
                raise self.error("ช่องนี้ว่าง ต้องมีค่า; ใส่ค่าในช่องนี้ หรือลบแถวนี้ถ้าไม่ใช่ผู้รับหนังสือ",
                                 row=row, index=index)
            if self.table.sheet is None and canonical in _CODES and _SCIENTIFIC.match(value):
                raise self.error(
                    "ค่านี้เป็นตัวเลขที่ Excel ย่อเป็นรูปทศนิยมแบบวิทยาศาสตร์ (เช่น 1.23E+12) ตอนบันทึกเป็น CSV "
                    "หลักที่แท้จริงจึงหายไป; ใช้ไฟล์ .xlsx ต้นฉบับ หรือจัดรูปแบบคอลัมน์เป็นข้อความ (Text) แล้วบันทึกใหม่",
                    row=row, index=index)
            return value

        if "kind" not in columns:
            name = text("name", True)
            kind = kind_from_name(name)
            if kind is None:
                raise self.error(
                    "ไฟล์ไม่มีคอลัมน์ประเภท และชื่อนี้ไม่ขึ้นต้นด้วยประเภทหน่วยงาน (เช่น เทศบาลตำบล, "
                    "องค์การบริหารส่วนตำบล, อบต.); เพิ่มคอลัมน์ \"ประเภท\"", row=row, index=columns["name"])
            kind_text = kind
        else:
            kind_text = text("kind", True)
            kind = _KIND_BY_NAME.get(kind_text) or _KIND_BY_KEY.get(_kind_key(kind_text))
        if kind is None:
            shown = kind_text if re.search("[\u0e00-\u0e7f]", kind_text) else "(ค่าที่ไม่ใช่ภาษาไทย)"
            raise self.error(
                f"ไม่รู้จักประเภทหน่วยงาน \"{shown}\"" + did_you_mean(kind_text, _KIND_BY_NAME)
                + f" (ใช้ได้: {', '.join(RECIPIENT_KINDS)})",
                row=row, index=columns["kind"])
        is_office = kind in (self.spec.routing.district_office, "สถ.จ.")
        needs_credentials = not is_office
        username = text("username", needs_credentials and "username" in columns)
        password = text("password", needs_credentials and "password" in columns)
        done, done_date = self.done(_at(cells, columns["done"]), row, columns["done"]) \
            if "done" in columns else (False, None)
        district = district_name(text("district", True))
        if not district:
            raise self.error("ช่องนี้มีแต่คำว่าอำเภอ ไม่มีชื่ออำเภอ", row=row, index=columns["district"])

        mapped = set(columns.values())
        extra, overrides = {}, {}
        for index, name in enumerate(self.names):
            if index in mapped or not name or index >= len(cells):
                continue
            value = cells[index]
            if "." in name and _OVERRIDE_HEADER.match(name):
                if not _blank(value):
                    overrides[self.label(index)] = self.override(value, row, index)
            else:
                extra[name] = self.extra(value, row, index, name)
        for name, index in self.template_fields.items():
            extra[name] = self.extra(_at(cells, index), row, index, name, used=True)
        return Recipient(
            row=row, id=text("id", True), name=text("name", True), kind=kind,
            district=district, username=username, password=password,
            done=done, done_date=done_date, extra=extra, overrides=overrides,
            pdf_password=text("pdf_password", False),
            email=self.email(text("email", False), row),
        )

    def email(self, value: str, row: int) -> str:
        """The e-mail column's addresses (one, or several split by , ; or spaces), checked
        (mail.addresses.check_addresses), written back with ", " between them."""
        from ..mail.addresses import AddressError, check_addresses

        try:
            return ", ".join(check_addresses(value))
        except AddressError as exc:
            raise self.error(str(exc), row=row, index=self.columns["email"]) from None

    # --- cells ---

    def problem(self, value: Any, row: int, index: int) -> None:
        if isinstance(value, FormulaWithoutValue):
            raise self.error(
                "ช่องนี้เป็นสูตรที่ไม่มีผลลัพธ์บันทึกไว้ในไฟล์ (ไฟล์ถูกสร้างหรือแก้ด้วยโปรแกรมที่ไม่คำนวณสูตร); "
                "เปิดไฟล์ใน Excel แล้วกดบันทึกอีกครั้ง หรือคัดลอกแล้ววางแบบค่า (Paste Values)",
                row=row, index=index)
        if isinstance(value, ErrorValue):
            raise self.error(f"ช่องนี้มีค่าผิดพลาดของ Excel ({value.code}); แก้สูตรหรือค่าในช่องนี้ก่อน",
                             row=row, index=index)
        if isinstance(value, TooLong):
            raise self.error(f"ข้อความในช่องนี้ยาว {thousands(value.length)} ตัวอักษร เกินขีดจำกัด "
                             f"{thousands(CELL_CHARS)} ตัวอักษรต่อช่อง; ตรวจว่าวางข้อความผิดช่อง หรือตัดให้สั้นลง",
                             row=row, index=index)

    def text(self, value: Any, row: int, index: int) -> str:
        """A cell as the text Excel shows. Its value is never echoed: it may be a password."""
        self.problem(value, row, index)
        if value is None:
            return ""
        if isinstance(value, NumberCell):
            if value.text is None:
                if abs(value.number) >= 10 ** 15:
                    raise self.error(
                        "ตัวเลขในช่องนี้ยาวเกิน 15 หลัก Excel จึงเก็บไว้ไม่ครบทุกหลัก; "
                        "จัดรูปแบบเซลล์เป็นข้อความ (Text) แล้วพิมพ์ค่าใหม่", row=row, index=index)
                raise self.error(
                    f"ตัวเลขในช่องนี้ใช้รูปแบบตัวเลข \"{value.number_format}\" ซึ่ง lettergen "
                    "แสดงให้ตรงกับที่ Excel แสดงไม่ได้; จัดรูปแบบเซลล์เป็นข้อความ (Text) แล้วพิมพ์ค่าใหม่",
                    row=row, index=index)
            return value.text
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, (dt.date, dt.time, dt.timedelta)):
            raise self.error(
                "Excel เก็บค่าในช่องนี้เป็นวันที่หรือเวลา ไม่ใช่ข้อความ; จัดรูปแบบเซลล์เป็นข้อความ (Text) "
                "แล้วพิมพ์ค่าใหม่", row=row, index=index)
        if isinstance(value, (int, float)):
            return str(plain_number(value))
        return INVISIBLE.sub("", nfc(str(value))).strip()

    def extra(self, value: Any, row: int, index: int, name: str, used: bool = False) -> Any:
        """A cell of another column, for templates: text as shown, a number in General
        format as the number, dates as dates."""
        if isinstance(value, TooLong):
            self.problem(value, row, index)
        if isinstance(value, (FormulaWithoutValue, ErrorValue)):
            if used:
                self.problem(value, row, index)
            return ""
        if value is None:
            return ""
        if isinstance(value, NumberCell):
            if value.general or value.text is None:
                if value.text is None and used:
                    self.text(value, row, index)
                return plain_number(value.number)
            return value.text
        if isinstance(value, str):
            return cell_text(value)
        return value

    def override(self, value: Any, row: int, index: int) -> Any:
        self.problem(value, row, index)
        if isinstance(value, NumberCell):
            return plain_number(value.number) if value.general else (value.text or value.number)
        if isinstance(value, str):
            return parse_override_value(value)
        if isinstance(value, dt.datetime):
            return value.date()
        return value

    def done(self, value: Any, row: int, index: int) -> tuple[bool, dt.date | None]:
        self.problem(value, row, index)
        return _done(value, self.path, row, self.label(index))


def _at(cells: list[Any], index: int) -> Any:
    return cells[index] if index < len(cells) else None


_SHORT_YEAR_DATE = re.compile(r"^\d{1,2}(?:[/.\-]\d{1,2}[/.\-]|[ก-๛.]+)\d{2}$")
_DONE_YES_KEYS = {_SPACES.sub("", w) for w in DONE_YES}
_DONE_NO_KEYS = {_SPACES.sub("", w) for w in DONE_NO}


def _done(value: Any, path, row: int, column: str) -> tuple[bool, dt.date | None]:
    """A tracking cell: yes/no words, 1/0, ✓, TRUE/FALSE, or a completion date."""
    if value is None:
        return False, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, (dt.date, dt.datetime)):
        try:
            return True, parse_thai_date(value)
        except DateError as exc:
            raise RecipientsError(str(exc), file=path, row=row, column=column) from None
    if isinstance(value, NumberCell):
        value = value.number
    if isinstance(value, (int, float)):
        if value in (0, 1):
            return bool(value), None
        raise RecipientsError("ตัวเลขในช่องนี้ต้องเป็น 1 หรือ 0", file=path, row=row, column=column)
    text = _SPACES.sub("", INVISIBLE.sub("", nfc(str(value)))).lower().replace("\ufe0f", "")
    if text in _DONE_YES_KEYS:
        return True, None
    if text in _DONE_NO_KEYS:
        return False, None
    try:
        return True, parse_thai_date(value)
    except DateError as exc:
        if _SHORT_YEAR_DATE.match(thai_digit_to_arabic_digit(text)):
            return True, None  # "3 ส.ค. 61", "3/8/61": a date of completion, its year short
        if "ดูเป็นปี ค.ศ." in str(exc):  # "1/8/2018": a date, but not in the Buddhist era
            raise RecipientsError(_christian_era(str(value).strip()), file=path, row=row,
                                  column=column) from None
    # The cell is not echoed: in a row whose cells slipped, it could hold a password.
    raise RecipientsError(
        "อ่านสถานะในช่องนี้ไม่ได้ (ใช้ ใช่/ไม่, 1/0, ✓, ดำเนินการแล้ว/ยังไม่ดำเนินการ หรือวันที่ดำเนินการ)",
        file=path, row=row, column=column,
    )


def _christian_era(cell: str) -> str:
    """What to say of a date of completion written with a year of the Christian era."""
    typed = thai_digit_to_arabic_digit(cell)
    year = re.search(r"(?<!\d)\d{4}(?!\d)", typed)
    fixed = typed[:year.start()] + str(int(year.group()) + 543) + typed[year.end():] if year else ""
    return (f"วันที่ดำเนินการ \"{cell}\" เป็นปี ค.ศ.: ใช้ปี พ.ศ." + (f" เช่น \"{fixed}\"" if fixed else ""))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not INVISIBLE.sub("", value).strip())


def _check_districts(rows: list[Recipient], spec: Spec, path: Path, reader: _SheetReader) -> None:
    """With district-office rows, every routed district must have one; without, a district
    that looks like a typo of another is refused rather than given an office of its own."""
    routing = spec.routing
    via = set(routing.via_district)
    offices = {r.district for r in rows if r.kind == routing.district_office}
    column = reader.columns["district"]
    if not offices:
        typo = likely_typo(rows, via)
        if typo:
            row, other = typo
            raise reader.error(
                f"อำเภอ \"{row.district}\" มีเพียงแถวนี้ และคล้ายกับอำเภอ \"{other}\" ของแถวอื่น "
                f"(หรือหมายถึง \"{other}\"); แก้ชื่ออำเภอ หรือถ้าถูกแล้ว ให้เพิ่มแถวของ "
                f"{routing.district_office} ทุกอำเภอในไฟล์", row=row.row, index=column)


def report_encoding(book: Book, stream=None) -> None:
    stream = stream or sys.stderr
    if book.encoding == "cp874":
        print(f"อ่าน {book.path.name} เป็นรหัสอักขระ cp874 (Windows ภาษาไทย)", file=stream)
