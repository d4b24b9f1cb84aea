"""The document model: one letter as typed, frozen blocks, ready for any writer.

All text here is final: Thai digits applied, templates rendered, NFC. The PDF writer and
the DOCX writer read the same ``Letter`` and add no words of their own beyond fixed labels
(ที่, ถึง, เรื่อง, ส่วนราชการ, โทร.), which live in ``LABELS`` so both use the same ones. What a
letter's page is made of, by its kind, is kinds.py's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Union

LABELS = {
    "number": "ที่",
    "to": "ถึง",
    "department": "ส่วนราชการ",
    "date": "วันที่",
    "subject": "เรื่อง",
    "salutation": "เรียน",
    "cites": "อ้างถึง",
    "enclosures": "สิ่งที่ส่งมาด้วย",
    "phone": "โทร.",
    "fax": "โทรสาร",
    "email": "ไปรษณีย์อิเล็กทรอนิกส์",
    "coordinator": "ผู้ประสานงาน",
}


@dataclass(frozen=True)
class Run:
    """A stretch of text with one look. ``literal`` marks data whose characters must be
    kept exactly (usernames, passwords, URLs): no digit conversion, no word breaking."""

    text: str
    bold: bool = False
    underline: bool = False
    literal: bool = False


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of runs. Styles: "body" (first-line indent, Thai-distributed),
    "plain" (left), "center", "title" (centred, bold), "item" (a numbered sub-item)."""

    runs: tuple[Run, ...]
    style: str = "body"

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class QrCode:
    url: str
    caption: str


@dataclass(frozen=True)
class QrRow:
    """QR codes set side by side in one row."""

    codes: tuple[QrCode, ...]


Block = Union[Paragraph, QrRow]


@dataclass(frozen=True)
class Table:
    """A table whose cells hold blocks. ``widths`` are fractions of the text width."""

    headers: tuple[str, ...]
    rows: tuple[tuple[tuple[Block, ...], ...], ...]
    widths: tuple[float, ...]
    name: str  # "credentials" or "steps": a class for the templates' CSS


@dataclass(frozen=True)
class Section:
    """An attachment that starts on a new page: a title and blocks."""

    title: str
    blocks: tuple[Union[Paragraph, Table], ...]
    name: str
    shared: bool = False  # the same for every letter of a run: rendered once, reused


@dataclass(frozen=True)
class Letter:
    """One letter to one addressee, with its attachments."""

    key: str  # unique in a run; used for file names
    recipient_id: str
    recipient_name: str
    kind: str  # a name of kinds.KINDS: "stamped", "external", "memo"
    urgency: str
    number: str  # "ชร ๐๐๒๓.๑/ว ๑๘๘๕๘"
    number_value: int
    circular: bool
    date: dt.date
    date_text: str
    addressee: str  # ถึง (stamped letters)
    subject: str
    salutation: str  # เรียน ... (external letters)
    cites: str  # อ้างถึง (external letters)
    enclosures: tuple[str, ...]
    body: tuple[Paragraph, ...]
    agency: str
    department: str  # ส่วนราชการ of a memo: the owner unit and its phone
    closing: str
    signer_name: str
    signer_position: str
    owner_lines: tuple[str, ...]  # ส่วนราชการเจ้าของเรื่อง, โทร., ผู้ประสานงาน
    attachments: tuple[Section, ...]
    docx_font: str
    emblem: str | None  # absolute path, or None for pre-printed Garuda paper
    secrets: tuple[str, ...] = field(default=(), repr=False)  # passwords carried
    delivery_password: str = field(default="", repr=False)  # opens the --encrypt copy
    register_remark: str = ""  # what the register's หมายเหตุ says of this letter

    @property
    def title(self) -> str:
        return f"{self.number} {self.subject}"
