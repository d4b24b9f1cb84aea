"""The kinds of letter, as data: one description per kind, read by both writers.

A kind says what its first page is made of, top to bottom:
- its band (``Band``): the Garuda's height and place, a title beside it (the memo's
  บันทึกข้อความ), where the urgency mark goes;
- its head (``HeadLine``): the labelled lines in order, each made of parts that start at a
  given distance from the left margin, with the labels' size and weight, and a dotted line
  after a part where the form has one (form 29);
- where the signature goes and what it is made of (``SignatureBlock``);
- whether the owner's footer (ส่วนราชการเจ้าของเรื่อง, โทร.) closes the letter;
- which spec keys it requires, and the register series its numbers come from.

The PDF writer (pdf/rows.py with templates/parts.html.j2) and the DOCX writer
(docx/writer.py) interpret these descriptions; neither knows a kind by its name. Every
measure is here or in geometry.py. A new kind is a new description in KINDS and its tests
(tests/test_kinds.py walks every kind through both writers and the web form).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from . import geometry as g
from .errors import did_you_mean
from .model import LABELS

# The series of numbers an office's register keeps apart (registers.record counts each through
# the year): ordinary letters, circulars (ว, printed in the number: "ชร ๐๐๒๓.๑/ว ๕") and
# internal letters (memos: their own count, printed like an ordinary number).
ORDINARY, CIRCULAR, INTERNAL = "", "ว", "ภายใน"
SERIES_NAMES = {ORDINARY: "หนังสือ", CIRCULAR: "หนังสือเวียน", INTERNAL: "บันทึกข้อความ"}


def number_prefix(series: str) -> str:
    """What the number shows of its series after the slash: "ว " for a circular."""
    return f"{CIRCULAR} " if series == CIRCULAR else ""


@dataclass(frozen=True)
class Band:
    """The top of the first page, ``height_cm`` high: the Garuda as high, at the
    ``emblem_align`` of the text width (its room left empty when the spec names no emblem,
    for pre-printed paper), and a title and the urgency mark standing on the band's foot."""

    height_cm: float
    emblem_align: str  # "center" | "left"
    title: str = ""
    title_pt: float = 0
    urgency_align: str = "left"  # "left" | "right"


@dataclass(frozen=True)
class Part:
    """A labelled value on a head line: the label, then the Letter's ``field``, starting
    ``at_cm`` from the left margin and running to the next part (or the right margin);
    ``dotted``: a dotted line fills the rest of that room, as on form 29."""

    field: str  # a Letter attribute; "" for a label alone
    label: str = ""
    at_cm: float = 0.0
    label_pt: float = g.BODY_PT
    label_bold: bool = False
    dotted: bool = False


@dataclass(frozen=True)
class HeadLine:
    """One line of the head (it may wrap). ``optional``: left out when its fields are
    empty (อ้างถึง, สิ่งที่ส่งมาด้วย). A field holding several items (the enclosures) gives one
    line per item, numbered, the label on the first only."""

    parts: tuple[Part, ...]
    before_pt: float = 0.0
    optional: bool = False

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(part.field for part in self.parts if part.field)


@dataclass(frozen=True)
class Text:
    """A line of the signature block: the Letter's ``field`` in ``template``."""

    field: str
    template: str = "{}"


@dataclass(frozen=True)
class Space:
    """Room left in the signature block: for the signature, or the stamp and initials."""

    cm: float


@dataclass(frozen=True)
class SignatureBlock:
    """The signature block: its lines centred on ``centre_cm`` from the left margin."""

    items: tuple[Union[Text, Space], ...]
    centre_cm: float = g.SIGNATURE_CENTRE_CM
    width_cm: float = g.SIGNATURE_WIDTH_CM
    before_pt: float = g.SIGNATURE_BEFORE_PT

    @property
    def left_cm(self) -> float:
        return self.centre_cm - self.width_cm / 2

    @property
    def right_cm(self) -> float:
        """From the right margin."""
        return g.TEXT_WIDTH_CM - self.centre_cm - self.width_cm / 2


@dataclass(frozen=True)
class LetterKind:
    name: str  # as the spec writes it: letter.kind = "memo"
    thai: str  # as the clerk knows it
    band: Band
    head: tuple[HeadLine, ...]
    signature: SignatureBlock
    owner_footer: bool  # ส่วนราชการเจ้าของเรื่อง, โทร., ผู้ประสานงาน at the foot
    requires: tuple[tuple[str, str], ...]  # (spec key, what it is) that must not be empty
    series: str  # the register series of its numbers (registers.record); a circular's is ว

    def shows(self, field: str) -> bool:
        """Whether this kind prints the Letter's ``field`` anywhere on its page."""
        return (any(field in line.fields for line in self.head)
                or any(isinstance(item, Text) and item.field == field for item in self.signature.items))


_BEFORE = g.PARAGRAPH_BEFORE_PT
_NAME_AND_POSITION = (Space(g.SIGN_SPACE_CM), Text("signer_name", "({})"), Text("signer_position"))
_SIGNER = (("sender.signer_name", "ชื่อผู้ลงนาม"), ("sender.signer_position", "ตำแหน่งผู้ลงนาม"))


def _memo_label(field: str, label: str, at_cm: float = 0.0) -> Part:
    return Part(field, label, at_cm, label_pt=g.MEMO_LABEL_PT, label_bold=True, dotted=True)


# หนังสือประทับตรา (แบบที่ 3): ที่, ถึง; the agency, room for its stamp, the date.
STAMPED = LetterKind(
    name="stamped", thai="หนังสือประทับตรา",
    band=Band(g.GARUDA_CM, "center"),
    head=(HeadLine((Part("number", LABELS["number"]),)),
          HeadLine((Part("addressee", LABELS["to"]),), before_pt=_BEFORE)),
    signature=SignatureBlock((Text("agency"), Space(g.STAMP_SPACE_CM), Text("date_text"))),
    owner_footer=True, requires=(), series=ORDINARY,
)

# หนังสือภายนอก (แบบที่ 1): ที่ with the agency's address at the right, the date from near
# the centre, เรื่อง, เรียน, อ้างถึง, สิ่งที่ส่งมาด้วย; the closing, the signer's name and position.
EXTERNAL = LetterKind(
    name="external", thai="หนังสือภายนอก",
    band=Band(g.GARUDA_CM, "center"),
    head=(HeadLine((Part("number", LABELS["number"]), Part("agency", at_cm=g.ADDRESS_AT_CM))),
          HeadLine((Part("date_text", at_cm=g.DATE_AT_CM),), before_pt=_BEFORE),
          HeadLine((Part("subject", LABELS["subject"]),), before_pt=_BEFORE),
          HeadLine((Part("salutation"),), before_pt=_BEFORE),
          HeadLine((Part("cites", LABELS["cites"]),), before_pt=_BEFORE, optional=True),
          HeadLine((Part("", LABELS["enclosures"]), Part("enclosures", at_cm=g.ENCLOSURE_INDENT_CM)),
               before_pt=_BEFORE, optional=True)),
    signature=SignatureBlock((Text("closing"), *_NAME_AND_POSITION)),
    owner_footer=True, requires=_SIGNER, series=ORDINARY,
)

# บันทึกข้อความ (แบบที่ 29): the Garuda 1.5 cm at the left and the title in 29 pt bold; the
# labels ส่วนราชการ, ที่ and วันที่, เรื่อง in 20 pt bold, each with its dotted line; เรียน; the
# signer's name and position, no closing. No owner's footer: ส่วนราชการ is in the head.
MEMO = LetterKind(
    name="memo", thai="บันทึกข้อความ",
    band=Band(g.MEMO_BAND_CM, "left", title="บันทึกข้อความ", title_pt=g.MEMO_TITLE_PT,
              urgency_align="right"),
    head=(HeadLine((_memo_label("department", LABELS["department"]),)),
          HeadLine((_memo_label("number", LABELS["number"]),
                _memo_label("date_text", LABELS["date"], g.DATE_AT_CM))),
          HeadLine((_memo_label("subject", LABELS["subject"]),)),
          HeadLine((Part("salutation"),), before_pt=_BEFORE)),
    signature=SignatureBlock(_NAME_AND_POSITION),
    owner_footer=False, requires=_SIGNER, series=INTERNAL,
)

KINDS: dict[str, LetterKind] = {kind.name: kind for kind in (STAMPED, EXTERNAL, MEMO)}
DEFAULT = STAMPED.name  # a spec that names no kind


def kind_named(text: str) -> LetterKind | None:
    """The kind a spec names, by its name or its Thai name ("memo", "บันทึกข้อความ")."""
    return KINDS.get(text) or next((k for k in KINDS.values() if k.thai == text), None)


def unknown_kind_message(text: str) -> str:
    """An unknown kind named, with the closest known one and every known kind in Thai."""
    names = list(KINDS) + [k.thai for k in KINDS.values()]
    known = ", ".join(f"{k.name} ({k.thai})" for k in KINDS.values())
    return f"ไม่รู้จักชนิดหนังสือ \"{text}\"" + did_you_mean(text, names) + f" (ใช้ได้: {known})"


# --- what a letter's page shows, by its kind: read by both writers ----------------------------


@dataclass(frozen=True)
class Cell:
    """A part of a head line as written: its label and text, where it starts and how wide
    its room is (to the next part, or the right margin)."""

    part: Part
    label: str
    text: str
    start_cm: float
    width_cm: float


def kind_of(letter) -> LetterKind:
    """The description of ``letter``'s kind (a KeyError for a name not in KINDS: the spec
    reader lets none through)."""
    return KINDS[letter.kind]


def head_lines(letter) -> list[tuple[HeadLine, tuple[Cell, ...], bool]]:
    """The head lines ``letter`` shows, in order: (its HeadLine, its cells, whether it is the
    first of that HeadLine's written lines, which takes the space before it). An optional
    line whose fields are empty is left out; a field of several items (the enclosures)
    gives a line per item, numbered "๑." when there are several."""
    from .thai import thai_number

    written = []
    for line in kind_of(letter).head:
        values = [getattr(letter, part.field) if part.field else "" for part in line.parts]
        if line.optional and not any(values[i] for i, p in enumerate(line.parts) if p.field):
            continue
        items = next((v for v in values if isinstance(v, tuple)), None)
        count = len(items) if items is not None else 1
        for n in range(count):
            texts = []
            for value in values:
                if isinstance(value, tuple):
                    texts.append(f"{thai_number(n + 1)}. {value[n]}" if count > 1 else value[n])
                else:
                    texts.append(value if n == 0 else "")
            written.append((line, _cells(line, texts, labelled=n == 0), n == 0))
    return written


def _cells(line: HeadLine, texts: list[str], labelled: bool) -> tuple[Cell, ...]:
    ends = [part.at_cm for part in line.parts[1:]] + [g.TEXT_WIDTH_CM]
    return tuple(Cell(part, part.label if labelled else "", text, part.at_cm, end - part.at_cm)
                 for part, text, end in zip(line.parts, texts, ends))


def signature_lines(letter) -> list[Union[str, Space]]:
    """The signature block of ``letter``: its texts and the room left, top to bottom."""
    return [item if isinstance(item, Space) else item.template.format(getattr(letter, item.field))
            for item in kind_of(letter).signature.items]
