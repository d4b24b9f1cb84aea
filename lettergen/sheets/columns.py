"""Which column of a recipients sheet holds what, and which row is the header.

Clerks' sheets start with a title ("บัญชีรายชื่อองค์กรปกครองส่วนท้องถิ่น จังหวัดเชียงราย"),
often merged across the table, maybe a blank row, then the header; sometimes a header of two
rows (a merged "บัญชีผู้ใช้" over "ชื่อผู้ใช้" and "รหัสผ่าน"). Headers are written in many
ways: "ชื่อผู้ใช้งาน", "User Name", "ชื่อ อปท.", with stray spaces, non-breaking or
zero-width spaces and trailing dots. ``header_key`` reduces a header to a key that ignores
all that; ``SYNONYMS`` lists the keys of each canonical column; ``find_header`` finds the
header row: the first row in which at least ``HEADER_MIN_MATCHES`` cells name known columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from ..thai import nfc

# Canonical columns: what each holds.
CANONICAL = ("id", "name", "kind", "district", "username", "password", "done", "pdf_password",
             "email")
REQUIRED = ("id", "name", "kind", "district")
NUMBERING = "seq"  # ลำดับ / ที่ / No.: counts the rows, never an id when an id column exists

SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "รหัส", "รหัสหน่วยงาน", "รหัสอปท", "รหัสองค์กร", "รหัสองค์กรปกครองส่วนท้องถิ่น",
           "รหัสท้องถิ่น", "เลขรหัส", "code", "orgcode", "รหัสหน่วยงาน(id)"),
    "name": ("name", "ชื่อ", "ชื่อหน่วยงาน", "ชื่ออปท", "ชื่อองค์กรปกครองส่วนท้องถิ่น",
             "องค์กรปกครองส่วนท้องถิ่น", "อปท", "หน่วยงาน", "ชื่อหน่วยงาน/อปท", "ชื่อส่วนราชการ",
             "organization", "organisation", "agency", "recipient", "ชื่อผู้รับ", "ผู้รับ", "ชื่อองค์กร",
             "หน่วยงาน/อปท", "ชื่อหน่วยงานอปท", "ชื่อองค์กรปกครองท้องถิ่น"),
    "kind": ("kind", "type", "ประเภท", "ประเภทหน่วยงาน", "ประเภทอปท", "รูปแบบ", "รูปแบบอปท",
             "ประเภทองค์กร", "ประเภทองค์กรปกครองส่วนท้องถิ่น"),
    "district": ("district", "amphoe", "amphur", "amphur/district", "อำเภอ", "ชื่ออำเภอ",
                 "อำเภอ/เขต", "เขต/อำเภอ", "อ", "พื้นที่อำเภอ", "อำเภอที่ตั้ง"),
    "username": ("username", "user", "username(ชื่อผู้ใช้)", "login", "userid", "user-id", "ชื่อผู้ใช้",
                 "ชื่อผู้ใช้งาน", "ชื่อผู้ใช้ระบบ", "ชื่อบัญชี", "ชื่อบัญชีผู้ใช้", "ชื่อเข้าใช้งาน",
                 "ชื่อผู้ใช้(username)", "loginid", "loginname", "ชื่อล็อกอิน", "ชื่อผู้ใช้งานระบบ"),
    "password": ("password", "pass", "pwd", "passwd", "รหัสผ่าน", "รหัสผ่าน(password)",
                 "รหัสเข้าใช้งาน", "รหัสผ่านเข้าใช้งาน", "รหัสผ่านเข้าระบบ", "รหัสผ่านระบบ", "พาสเวิร์ด"),
    "done": ("done", "status", "completed", "สถานะ", "ผลการดำเนินการ", "ดำเนินการแล้ว",
             "วันที่ดำเนินการ", "การดำเนินการ", "ผลดำเนินการ", "สถานะการดำเนินการ", "ผล",
             "ดำเนินการ", "ดำเนินการแล้ว(✓)", "วันที่ดำเนินการแล้ว", "รายงานผล", "รายงานแล้ว",
             "ผลการรายงาน", "การรายงาน", "ส่งแล้ว", "ดำเนินการแล้ว/ยังไม่ดำเนินการ"),
    "pdf_password": ("pdf_password", "pdfpassword", "รหัสเปิดไฟล์", "รหัสผ่านไฟล์",
                     "รหัสผ่านเปิดไฟล์"),
    "email": ("email", "อีเมล", "อีเมล์", "ไปรษณีย์อิเล็กทรอนิกส์", "saraban", "esaraban",
              "อีเมลสารบรรณ", "อีเมลหน่วยงาน", "emailaddress", "mail"),
    NUMBERING: ("ลำดับ", "ลำดับที่", "ที่", "no", "number", "#", "ลำดับ/ที่", "seq"),
}

HEADER_MIN_MATCHES = 3  # cells naming known columns (distinct) for a row to be the header
HEADER_SEARCH_ROWS = 30  # rows from the top searched for the header

# Invisible characters that come with text copied from web pages and PDFs.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_IGNORED_IN_KEYS = re.compile(r"[\s._\-:*\u200b\u200c\u200d\u2060\ufeff\u00ad]+")
# The part before the first "(" of the first line, and the rest to the last ")" (a header's
# bracketed part): matched in one pass, where "^(.*?)\(" tried every "(" of a line of them.
_PARENTHESISED = re.compile(r"^([^(\n]*)\((.*)\)\s*$")


def header_key(text: Any) -> str:
    """A header reduced for comparing: NFC, case folded, no spaces of any kind, no dots,
    underscores, hyphens, colons or asterisks. "ชื่อ อปท." -> "ชื่ออปท", "User Name" ->
    "username"."""
    if text is None:
        return ""
    return _IGNORED_IN_KEYS.sub("", nfc(str(text)).casefold())


def header_keys(text: Any) -> tuple[str, ...]:
    """The keys a header may be known by: the whole, then the part before a bracket, then
    the part inside: "รหัสผ่าน (Password)" -> the whole, "รหัสผ่าน", "password"."""
    whole = header_key(text)
    keys = [whole]
    match = _PARENTHESISED.match(nfc(str(text))) if text is not None else None
    if match:
        keys += [header_key(match.group(1)), header_key(match.group(2))]
    return tuple(k for k in keys if k)


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA": the column as Excel labels it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class ColumnLabel(str):
    """A header as the sheet writes it, which also knows its column letter, so that a
    message can say คอลัมน์ F "รหัสผ่าน"."""

    letter: str

    def __new__(cls, header: str, letter: str = ""):
        label = super().__new__(cls, header)
        label.letter = letter
        return label

    def __reduce__(self):  # picklable for the batch engine's workers
        return ColumnLabel, (str(self), self.letter)


def cell_text(value: Any) -> str:
    """A header cell's text: NFC, invisible characters removed, spaces trimmed."""
    if value is None:
        return ""
    return INVISIBLE.sub("", nfc(str(value))).strip()


@dataclass(frozen=True)
class Lookup:
    """Header key -> canonical column: the spec's [recipients.columns] first (they always
    win), then the synonyms."""

    chosen: Mapping[str, str]  # key of a header named in the spec -> canonical
    synonyms: Mapping[str, str]

    @classmethod
    def build(cls, columns: Mapping[str, str]) -> "Lookup":
        synonyms = {header_key(word): canonical
                    for canonical, words in SYNONYMS.items() for word in words}
        chosen = {header_key(header): canonical for canonical, header in columns.items()}
        return cls(chosen, synonyms)

    def canonical(self, header: Any, *, chosen_only: bool = False) -> str | None:
        keys = header_keys(header)
        for key in keys:
            if key in self.chosen:
                return self.chosen[key]
        if chosen_only:
            return None
        for key in keys:
            if key in self.synonyms and self.synonyms[key] not in self.chosen.values():
                return self.synonyms[key]
        return None


@dataclass(frozen=True)
class Header:
    """Where the header is and what it says."""

    row_index: int  # 0-based index of the (last) header row in the table
    names: tuple[str, ...]  # the header of each column ("" for none)
    title: str  # the first text above the header, "" if none
    rows_used: int  # 1, or 2 for a header of two rows


def _matches(row: Sequence[Any], lookup: Lookup) -> set[str]:
    found = set()
    for value in row:
        if isinstance(value, str):
            canonical = lookup.canonical(value)
            if canonical is not None and canonical != NUMBERING:
                found.add(canonical)
    return found


def find_header(rows: Sequence[Sequence[Any]], lookup: Lookup) -> Header | None:
    """The header of ``rows`` (a table read top to bottom), or None when no row among the
    first ``HEADER_SEARCH_ROWS`` names enough known columns. A header may take two rows:
    names under a group label ("บัญชีผู้ใช้" over "ชื่อผู้ใช้" and "รหัสผ่าน"), or column names
    split between two rows where merged cells were left blank."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        below = rows[index + 1] if index + 1 < len(rows) else ()
        names = [_header_text(v) for v in row]
        continued = _is_header_continuation(below, lookup)
        if not _enough(_matches(row, lookup)):
            # Split over two rows: the upper row must name columns the lower row leaves blank.
            upper = _matches([v if i >= len(below) or not _header_text(below[i]) else None
                              for i, v in enumerate(row)], lookup)
            if not (continued and upper and _enough(upper | _matches(below, lookup))):
                continue
        rows_used = 1
        if continued:
            for i, value in enumerate(below):
                text = _header_text(value)
                above = names[i] if i < len(names) else ""
                if text and lookup.canonical(above) != lookup.canonical(text):
                    while len(names) <= i:
                        names.append("")
                    names[i] = text  # the lower row names the column under a group label
            rows_used = 2
        title = next((cell_text(v) for above in rows[:index] for v in above
                      if isinstance(v, str) and cell_text(v)), "")
        return Header(index + rows_used - 1, tuple(names), title, rows_used)
    return None


def _enough(found: set[str]) -> bool:
    return len(found) >= HEADER_MIN_MATCHES or set(REQUIRED) <= found


def _header_text(value: Any) -> str:
    return cell_text(value) if isinstance(value, str) else _number_header(value)


def _number_header(value: Any) -> str:
    """A header cell that is not text (a year typed as a number, a date): as shown."""
    if value is None or hasattr(value, "length"):  # nothing, or a sheets.cells.TooLong
        return ""
    text = getattr(value, "text", None)  # a sheets.cells.NumberCell
    if text is not None or hasattr(value, "number"):
        return text or str(value.number)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if hasattr(value, "code") or hasattr(value, "formula") else str(value)


def _is_header_continuation(row: Sequence[Any], lookup: Lookup) -> bool:
    """True when ``row`` has filled cells and every one of them names a known column: it
    belongs to the header above it (a data row always holds values that name nothing)."""
    filled = [v for v in row if not (v is None or isinstance(v, str) and not v.strip())]
    return bool(filled) and all(isinstance(v, str) and lookup.canonical(v) is not None for v in filled)


def best_guess_row(rows: Sequence[Sequence[Any]], lookup: Lookup) -> tuple[int, list[str]] | None:
    """For a message when no header is found: the row with the most cells naming known
    columns, and its texts; None when no cell names one (a row is then never echoed: in a
    sheet without a header, the first row may hold a password)."""
    best, best_count = None, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        count = len(_matches(row, lookup))
        if count > best_count:
            texts = [cell_text(v) for v in row if isinstance(v, str) and cell_text(v)]
            best, best_count = (index, texts), count
    return best


def known_words(canonical: str) -> str:
    """A few of the headers a canonical column is known by, for messages."""
    words = SYNONYMS[canonical]
    thai = [w for w in words if re.search("[\u0e00-\u0e7f]", w) and "/" not in w][:2]
    return " / ".join([canonical, *thai])


def all_synonyms() -> Iterable[tuple[str, str]]:
    for canonical, words in SYNONYMS.items():
        for word in words:
            yield word, canonical
