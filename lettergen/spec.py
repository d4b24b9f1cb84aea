"""The letter spec: a TOML file -> frozen dataclasses, validated once here.

Every key is checked: unknown or misspelt keys are errors with a "did you mean", values have
the right type, dates are real dates, links are http(s) URLs, and every text that is a Jinja
template compiles. Downstream code trusts a ``Spec`` and never re-checks it.

Overrides (``--set letter.date=2024-02-29`` and per-recipient columns named by a dotted key)
are applied to the raw TOML data before validation, so they are checked the same way.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from .errors import SpecError, did_you_mean
from .kinds import DEFAULT as DEFAULT_KIND, KINDS, kind_named, unknown_kind_message
from .limits import SPEC_BYTES, SPEC_NESTING, TEXT_CHARS, thousands
from .thai import DateError, nfc, parse_thai_date, thai_date, thai_weekday_date

LETTER_KINDS = {name: kind.thai for name, kind in KINDS.items()}  # kinds.py describes each
URGENCIES = ("ด่วนที่สุด", "ด่วนมาก", "ด่วน", "")
RECIPIENT_KINDS = {
    "อบจ.": "องค์การบริหารส่วนจังหวัด",
    "ทน.": "เทศบาลนคร",
    "ทม.": "เทศบาลเมือง",
    "ทต.": "เทศบาลตำบล",
    "อบต.": "องค์การบริหารส่วนตำบล",
    "สถ.อ.": "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ",
    "สถ.จ.": "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด",
}
DEFAULT_DOCX_FONT = "TH SarabunIT๙"


@dataclass(frozen=True)
class Cited:
    """An earlier letter cited in the body (อ้างถึง / ตามหนังสือ ... ลงวันที่ ...)."""

    number: str
    date: dt.date


@dataclass(frozen=True)
class Variant:
    """The parts of the letter that differ by route: to a district office or direct."""

    name: str
    addressee: str  # template
    circular: bool
    number: int
    cites: Cited | None
    text: Mapping[str, str]  # extra templates, exposed to the body as text.<name>


@dataclass(frozen=True)
class QrBlock:
    link: str  # a key of Spec.links
    caption: str


@dataclass(frozen=True)
class Step:
    title: str
    items: tuple[str, ...]
    channel: tuple[str | tuple[QrBlock, ...], ...]  # paragraphs, or a row of QR codes


@dataclass(frozen=True)
class Sender:
    agency: str
    unit: str
    section: str
    phone: str
    fax: str
    email: str
    coordinator: str
    coordinator_phone: str
    signer_name: str
    signer_position: str


DEFAULT_OFFICE_NAME = "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ{{ district }}"


@dataclass(frozen=True)
class Routing:
    district_office: str
    via_district: tuple[str, ...]
    direct: tuple[str, ...]
    # The name of a district office lettergen makes for a sheet that lists only LAOs.
    district_office_name: str = DEFAULT_OFFICE_NAME


@dataclass(frozen=True)
class RecipientsSource:
    file: Path | None
    columns: Mapping[str, str]  # canonical name -> header used in the sheet
    sheet: str | None


@dataclass(frozen=True)
class UrgencyRule:
    """Within ``days_left`` days of the deadline, a reminder is marked ``urgency``."""

    days_left: int
    urgency: str


@dataclass(frozen=True)
class Reminder:
    """The reminder variant of the letter ([reminder]): its own body, date and numbers, the
    original letter to cite, and urgency that rises as the deadline nears."""

    date: dt.date | None  # None: the day the reminders are made
    subject: str | None
    paragraphs: tuple[str, ...]
    urgency_rules: tuple[UrgencyRule, ...]  # nearest deadline first
    variants: Mapping[str, Mapping[str, Any]]  # raw values replacing [variants.NAME] keys


@dataclass(frozen=True)
class Addressee:
    """[addressee]: one letter to one addressee named in the spec, with no recipients sheet
    (a memo to the governor, an external letter to one person). Its texts see it as
    ``recipient`` (``recipient.name``, ``recipient.id``)."""

    id: str  # the first part of the file name, and the register's recipient id
    name: str
    number: int  # its running number without a workspace
    cites: Cited | None


@dataclass(frozen=True)
class SigningMemo:
    """[signing_memo]: the memo that takes a set up to the spec's signer (render
    --signing-memo): who signs the memo itself, and its number without a workspace."""

    signer_name: str
    signer_position: str
    number: int | None


@dataclass(frozen=True)
class Spec:
    path: Path
    kind: str
    urgency: str
    date: dt.date
    subject: str
    agency_code: str
    salutation: str  # template; external letters only
    closing: str
    enclosures: tuple[str, ...]
    docx_font: str
    emblem: Path | None
    sender: Sender
    deadline: dt.date | None
    links: Mapping[str, str]
    body: tuple[str, ...]
    variants: Mapping[str, Variant]
    routing: Routing
    enclosure_title: str
    steps_title: str
    steps_headers: tuple[str, str, str]
    steps: tuple[Step, ...]
    recipients: RecipientsSource
    register_start: int
    register_action: str
    reminder: Reminder | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    addressee: Addressee | None = None  # one letter to the addressee named here, no sheet
    signing_memo: SigningMemo | None = None
    register_remark: str = ""  # [register] remark: the หมายเหตุ of the letters in the register
    notes: tuple[str, ...] = field(default=(), compare=False)  # warnings for the clerk
    # The folders the files a spec names (letter.emblem) are taken from; None: any path on
    # this machine (the command line). The web app gives its workspace and the upload's.
    files_from: tuple[Path, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def base_dir(self) -> Path:
        return self.path.parent


# --- loading -------------------------------------------------------------------------------


def load_spec(path: str | Path, overrides: Mapping[str, str] | None = None, *,
              files_from: Sequence[Path] | None = None) -> Spec:
    """Read, override and validate a spec file. ``files_from``: the only folders a file the
    spec names (letter.emblem) may come from, by a name relative to them; None: any file
    on this machine, relative to the spec's folder (the command line)."""
    path = Path(path)
    try:
        if path.stat().st_size > SPEC_BYTES:
            raise SpecError(f"ไฟล์ spec ใหญ่เกิน {thousands(SPEC_BYTES)} ไบต์ ซึ่งไม่ใช่ spec ของหนังสือ; "
                            "ตรวจว่าระบุไฟล์ถูกต้อง", file=path)
        text = path.read_bytes().decode("utf-8")
    except (FileNotFoundError, NotADirectoryError):
        raise SpecError("ไม่พบไฟล์ spec", file=path) from None
    except IsADirectoryError:
        raise SpecError("เป็นโฟลเดอร์ ไม่ใช่ไฟล์ spec", file=path) from None
    except UnicodeDecodeError:
        raise SpecError("ไฟล์ spec ต้องเป็น UTF-8", file=path) from None
    try:
        raw = tomllib.loads(nfc(text))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(toml_message(str(exc)), file=path) from None
    except RecursionError:
        raise SpecError(f"TOML ไม่ถูกต้อง: วงเล็บ [ ] หรือ {{ }} ซ้อนกันเกิน {SPEC_NESTING} ชั้น",
                        file=path) from None
    for key, value in (overrides or {}).items():
        set_dotted(raw, key, parse_override_value(value), file=path, origin="--set")
    try:
        return spec_from_raw(raw, path, tuple(files_from) if files_from is not None else None)
    except SpecError as exc:
        # A bad value that came from the command line: say so, not the file.
        if exc.key and any(exc.key == k or exc.key.startswith(k + ".") for k in overrides or {}):
            exc.file, exc.key = None, f"--set {exc.key}"
        raise


_TOML_PROBLEMS = (
    ("Expected '=' after a key", "หลังชื่อคีย์ต้องมีเครื่องหมาย = (ชื่อคีย์ที่มีช่องว่างหรือภาษาไทยต้องอยู่ในเครื่องหมายคำพูด)"),
    ("Invalid value", "ค่าไม่ถูกต้อง: ข้อความต้องอยู่ในเครื่องหมายคำพูด \"...\" และรายการ [...] ต้องปิดให้ครบ"),
    ("Unterminated string", "ข้อความไม่มีเครื่องหมายคำพูดปิด"),
    ("Cannot overwrite a value", "กำหนดคีย์เดียวกันซ้ำ"),
    ("Cannot declare", "ประกาศตารางเดียวกันซ้ำ"),
    ("Expected newline or end of document", "มีข้อความเกินหลังค่า (วันที่ต้องเป็นวันที่จริงแบบ ปปปป-ดด-วว "
                                             "หรือเขียนเป็นข้อความในเครื่องหมายคำพูด)"),
    ("Invalid statement", "บรรทัดนี้ไม่ใช่ คีย์ = ค่า หรือ [ตาราง]"),
    ("Unclosed array", "รายการ [...] ไม่มีวงเล็บปิด"),
    ("Unclosed inline table", "ตาราง {...} ไม่มีวงเล็บปิด"),
    ("Invalid date or datetime", "วันที่ไม่มีในปฏิทิน"),
    ("Illegal character", "มีอักขระที่ใช้ใน TOML ไม่ได้"),
)
_TOML_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)|\(at end of document\)")


def toml_message(english: str) -> str:
    """tomllib's English message as Thai: what is wrong and the line it is on."""
    what = next((thai for key, thai in _TOML_PROBLEMS if english.startswith(key)), "เขียนไม่ถูกรูปแบบ")
    where = _TOML_WHERE.search(english)
    if where and where.group(1):
        place = f" (บรรทัด {where.group(1)} ตำแหน่งที่ {where.group(2)})"
    elif where:
        place = " (ที่ท้ายไฟล์)"
    else:
        place = ""
    return f"TOML ไม่ถูกต้อง{place}: {what}"


def parse_override_value(value: str) -> Any:
    """A --set value as TOML when it is a TOML value (dates, numbers, booleans, arrays),
    otherwise as the text itself: "2024-02-29" is a date, "ด่วนมาก" a string."""
    try:
        return tomllib.loads(f"v = {value}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):  # "[[[[...": a text, checked as one
        return nfc(value)


def set_dotted(raw: dict, key: str, value: Any, *, file: Path, origin: str) -> None:
    """Set ``raw[a][b][c] = value`` for ``key`` "a.b.c"; the key is checked later."""
    parts = key.split(".")
    node = raw
    for i, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise SpecError(
                f"{origin} {key}: {'.'.join(parts[:i + 1])} ไม่ใช่ตาราง", file=file, key=key
            )
        node = child
    node[parts[-1]] = value


def with_overrides(spec: Spec, overrides: Mapping[str, Any], *, origin: str) -> Spec:
    """A copy of ``spec`` with dotted-key overrides applied and validated again."""
    if not overrides:
        return spec
    raw = copy.deepcopy(dict(spec.raw))
    for key, value in overrides.items():
        set_dotted(raw, key, value, file=spec.path, origin=origin)
    return spec_from_raw(raw, spec.path, spec.files_from)


class _TomlTable:
    """One TOML table being read: typed getters that remember what was read, then
    ``finish()`` rejects every key nobody asked for."""

    def __init__(self, data: Any, key: str, path: Path):
        if not isinstance(data, dict):
            raise SpecError("ต้องเป็นตาราง (table)", file=path, key=key)
        self.data, self.key, self.path, self.seen = data, key, path, set()

    def _key(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def error(self, name: str, message: str) -> SpecError:
        return SpecError(message, file=self.path, key=self._key(name))

    def get(self, name: str, types, default: Any = ...) -> Any:
        self.seen.add(name)
        if name not in self.data:
            if default is ...:
                raise self.missing(name)
            return default
        value = self.data[name]
        if not isinstance(value, types) or isinstance(value, bool) and bool not in _tuple(types):
            raise self.error(name, f"ชนิดข้อมูลไม่ถูกต้อง: ต้องเป็น {_type_names(types)}")
        return value

    def text(self, name: str, default: Any = ...) -> str:
        return self.get(name, str, default)

    def texts(self, name: str, default: Any = ...) -> tuple[str, ...]:
        value = self.get(name, list, default)
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(f"{name}[{i}]", "ต้องเป็นข้อความ")
        return tuple(value)

    def date(self, name: str, default: Any = ...) -> dt.date | None:
        value = self.get(name, (dt.date, str), default)
        if value is None or value is default and default is not ...:
            return value
        try:
            return parse_thai_date(value)
        except DateError as exc:
            raise self.error(name, str(exc)) from None

    def table(self, name: str, required: bool = False) -> "_TomlTable":
        self.seen.add(name)
        if name not in self.data and not required:
            return _TomlTable({}, self._key(name), self.path)
        if name not in self.data:
            raise self.missing(name, "ต้องมีตารางนี้")
        return _TomlTable(self.data[name], self._key(name), self.path)

    def missing(self, name: str, message: str = "ต้องระบุค่านี้") -> SpecError:
        """A required key that is absent: when a key not known here looks like it (a
        misspelling), the error names that key and says which was meant."""
        unknown = [k for k in self.data if k not in self.seen and isinstance(k, str)]
        close = did_you_mean(name, unknown)
        if close:
            typo = close.split('"')[1]
            return self.error(typo, f"ไม่รู้จักคีย์นี้ (หรือหมายถึง \"{name}\" ซึ่งต้องระบุ)")
        return self.error(name, message)

    def finish(self) -> None:
        for name in self.data:
            if name not in self.seen:
                raise self.error(name, "ไม่รู้จักคีย์นี้" + did_you_mean(name, self.seen))


def _tuple(types) -> tuple:
    return types if isinstance(types, tuple) else (types,)


def _type_names(types) -> str:
    names = {str: "ข้อความ", int: "จำนวนเต็ม", bool: "true/false", list: "รายการ [...]",
             dict: "ตาราง", dt.date: "วันที่"}
    return " หรือ ".join(names.get(t, t.__name__) for t in _tuple(types))


def check_sizes(value: Any, path: Path, key: str = "", depth: int = 0) -> None:
    """Every text of the raw spec at most TEXT_CHARS long, and arrays and tables nested at
    most SPEC_NESTING deep; the error names the key ("body.paragraphs[2]")."""
    if isinstance(value, str):
        if len(value) > TEXT_CHARS:
            raise SpecError(f"ข้อความยาว {thousands(len(value))} ตัวอักษร เกินขีดจำกัด "
                            f"{thousands(TEXT_CHARS)} ตัวอักษรต่อข้อความ; แบ่งเป็นหลายย่อหน้า",
                            file=path, key=key or None)
        return
    if not isinstance(value, (dict, list)):
        return
    if depth >= SPEC_NESTING:
        raise SpecError(f"วงเล็บ [ ] หรือ {{ }} ซ้อนกันเกิน {SPEC_NESTING} ชั้น", file=path, key=key or None)
    if isinstance(value, dict):
        for name, item in value.items():
            check_sizes(item, path, f"{key}.{name}" if key else str(name), depth + 1)
    else:
        for i, item in enumerate(value):
            check_sizes(item, path, f"{key}[{i}]", depth + 1)


def spec_from_raw(raw: Mapping[str, Any], path: Path, files_from: tuple[Path, ...] | None = None) -> Spec:
    """Validate raw TOML data: one reader per table, then the checks across tables."""
    check_sizes(raw, path)
    top = _TomlTable(raw, "", path)
    letter = _read_letter(top.table("letter", required=True), path, files_from)
    sender = _read_sender(top.table("sender", required=True))
    deadline, notes = _read_deadline(top.table("deadline"), letter["date"])
    links = _read_links(top.table("links"))
    body = _read_body(top.table("body", required=True))
    addressee = _read_addressee(top, path) if "addressee" in raw else None
    if addressee is None:
        variants = _read_variants(top.table("variants", required=True))
        routing = _read_routing(top.table("routing", required=True))
    else:  # one letter: the direct variant, to the addressee named in the spec
        variants = {"direct": Variant("direct", "{{ recipient.name }}", False, addressee.number,
                                      addressee.cites, {})}
        routing = Routing(district_office="สถ.อ.", via_district=(), direct=())
    signing_memo = _read_signing_memo(top.table("signing_memo")) if "signing_memo" in raw else None
    enclosure_title = _read_enclosure(top.table("enclosure"))
    steps_title, steps_headers, steps = _read_steps(top.table("steps"), path, links)
    recipients = _read_recipients_source(top.table("recipients"), path)
    register_start, register_action, register_remark = _read_register(top.table("register"))
    reminder = _read_reminder(top, path) if "reminder" in raw else None
    top.finish()
    _check_required(raw, letter["kind"], path)

    spec = Spec(
        path=path, sender=sender, deadline=deadline, links=links, body=body,
        variants=variants, routing=routing, enclosure_title=enclosure_title,
        steps_title=steps_title, steps_headers=steps_headers, steps=steps,
        recipients=recipients, register_start=register_start,
        register_action=register_action, register_remark=register_remark, reminder=reminder,
        raw=raw, notes=notes,
        addressee=addressee, signing_memo=signing_memo, files_from=files_from, **letter,
    )
    if addressee is not None:
        _check_single_letter(spec, path)
    if reminder is not None:
        # Check the reminder variant now, as a spec of its own, so `check` finds its errors.
        _check_reminder(raw, reminder, spec, path)
    from .templating import check_templates  # compile every template text once, here

    check_templates(spec)
    return spec


def _read_letter(table: _TomlTable, path: Path, files_from: tuple[Path, ...] | None) -> dict[str, Any]:
    """[letter]: the kind, urgency, date, subject and number prefix of the letter."""
    named = table.text("kind", DEFAULT_KIND)
    if kind_named(named) is None:
        raise table.error("kind", unknown_kind_message(named))
    kind = kind_named(named).name  # "บันทึกข้อความ" is read as "memo"
    urgency = table.text("urgency", "")
    if urgency not in URGENCIES:
        raise table.error("urgency", _urgency_message(urgency))
    values = dict(
        kind=kind, urgency=urgency, date=table.date("date"), subject=table.text("subject"),
        agency_code=table.text("agency_code"),
        salutation=table.text("salutation", "เรียน {{ recipient.name }}"),
        closing=table.text("closing", "ขอแสดงความนับถือ"),
        enclosures=table.texts("enclosures", ()),
        docx_font=table.text("docx_font", DEFAULT_DOCX_FONT),
        emblem=_emblem(table.text("emblem", ""), path, files_from),
    )
    table.finish()
    return values


def _urgency_message(urgency: str) -> str:
    return f"ชั้นความเร็วต้องเป็น ด่วนที่สุด, ด่วนมาก, ด่วน หรือ \"\" ไม่ใช่ \"{urgency}\""


def _emblem(name: str, path: Path, files_from: tuple[Path, ...] | None) -> Path | None:
    if not name:
        return None
    if files_from is None:
        emblem = (path.parent / name).resolve()
    else:
        emblem = _file_within(name, files_from, path, "letter.emblem")
    if emblem is None or not emblem.is_file():
        raise SpecError(f"ไม่พบไฟล์ตราครุฑ {name}" + (" ในพื้นที่ทำงาน" if files_from is not None else ""),
                        file=path, key="letter.emblem")
    _check_picture(emblem, path)
    return emblem


def _file_within(name: str, folders: tuple[Path, ...], path: Path, key: str) -> Path | None:
    """The file ``name`` in the first of ``folders`` that has it, never outside them (a link
    leading out counts as outside). A name that could lead out (absolute, "..") is refused
    before any file is looked at, so the answer never tells what exists elsewhere."""
    from pathlib import PurePath

    parts = PurePath(name).parts
    if PurePath(name).is_absolute() or ".." in parts or "\\" in name or not parts:
        raise SpecError(f"ไฟล์ที่ระบุต้องเป็นชื่อไฟล์ในพื้นที่ทำงาน เช่น \"garuda.png\" ไม่ใช่ตำแหน่ง \"{name}\"",
                        file=path, key=key)
    for folder in folders:
        root = Path(folder).resolve()
        found = (root / name).resolve()
        if found.is_relative_to(root) and found.is_file():
            return found
    return None


def _read_sender(table: _TomlTable) -> Sender:
    """[sender]: the agency, its unit and contacts, and the signer."""
    sender = Sender(
        agency=table.text("agency"), unit=table.text("unit"), section=table.text("section", ""),
        phone=table.text("phone", ""), fax=table.text("fax", ""), email=table.text("email", ""),
        coordinator=table.text("coordinator", ""), coordinator_phone=table.text("coordinator_phone", ""),
        signer_name=table.text("signer_name", ""), signer_position=table.text("signer_position", ""),
    )
    table.finish()
    return sender


def _check_required(raw: Mapping[str, Any], kind_name: str, path: Path) -> None:
    """The keys the letter's kind requires (kinds.LetterKind.requires) have a value."""
    kind = KINDS[kind_name]
    for key, what in kind.requires:
        node: Any = raw
        for part in key.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        if not node:
            raise SpecError(f"{kind.thai}ต้องมี{what}", file=path, key=key)


def _read_deadline(table: _TomlTable, letter_date: dt.date) -> tuple[dt.date | None, tuple[str, ...]]:
    """[deadline]: the date by which recipients must act; never before the letter's date.
    A deadline on a Saturday or Sunday is allowed, with a note."""
    deadline = table.date("date", None)
    table.finish()
    if deadline is None:
        return None, ()
    if deadline < letter_date:
        raise table.error("date", f"กำหนดเวลา {thai_date(deadline)} อยู่ก่อนวันที่ของหนังสือ "
                      f"{thai_date(letter_date)}; แก้วันที่กำหนดเวลา หรือวันที่ของหนังสือ (letter.date)")
    if deadline.weekday() >= 5:
        return deadline, (f"คำเตือน: {table._key('date')}: กำหนดเวลา {thai_weekday_date(deadline)} "
                          "เป็นวันหยุดราชการ",)
    return deadline, ()


def _read_links(table: _TomlTable) -> dict[str, str]:
    """[links]: name -> http(s) address, for texts and QR codes."""
    links = {}
    for name in table.data:
        url = table.text(name)
        if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
            raise table.error(name, f"ลิงก์ต้องขึ้นต้นด้วย https:// หรือ http:// และไม่มีช่องว่าง: \"{url}\"")
        links[name] = url
    table.finish()
    return links


def _read_body(table: _TomlTable) -> tuple[str, ...]:
    """[body]: the paragraphs of the letter, as templates."""
    paragraphs = table.texts("paragraphs")
    if not paragraphs:
        raise table.error("paragraphs", "ต้องมีเนื้อความอย่างน้อยหนึ่งย่อหน้า")
    table.finish()
    return paragraphs


def _read_variants(table: _TomlTable) -> dict[str, Variant]:
    """[variants.district] and [variants.direct]: what differs by route."""
    variants = {name: _read_variant(table.table(name, required=True), name) for name in ("district", "direct")}
    table.finish()
    return variants


def _read_variant(table: _TomlTable, name: str) -> Variant:
    cites = None
    if "cites" in table.data:
        cited = table.table("cites")
        cites = Cited(number=cited.text("number"), date=cited.date("date"))
        cited.finish()
    texts = table.table("text")
    text = {k: texts.text(k) for k in list(texts.data)}
    texts.finish()
    number = table.get("number", int)
    if number < 1:
        raise table.error("number", "เลขที่หนังสือต้องเป็นจำนวนเต็มบวก")
    variant = Variant(name=name, addressee=table.text("addressee"),
                      circular=table.get("circular", bool, False), number=number, cites=cites, text=text)
    table.finish()
    return variant


SHEET_TABLES = ("variants", "routing", "recipients", "reminder")  # a set's, not one letter's


def _read_addressee(top: _TomlTable, path: Path) -> Addressee:
    """[addressee]: the one addressee of a letter without a sheet; the tables of a set made
    from a sheet ([variants], [routing], [recipients], [reminder]) then have no place."""
    for name in SHEET_TABLES:
        if name in top.data:
            top.seen.add(name)
            raise SpecError(f"spec ที่มี [addressee] เป็นหนังสือฉบับเดียวถึงผู้รับที่ระบุ จึงไม่ใช้ [{name}] "
                            "(ซึ่งใช้กับรายชื่อผู้รับ); ลบตารางนี้ หรือลบ [addressee]", file=path, key=name)
    table = top.table("addressee")
    cites = None
    if "cites" in table.data:
        cited = table.table("cites")
        cites = Cited(number=cited.text("number"), date=cited.date("date"))
        cited.finish()
    addressee = Addressee(id=table.text("id", "1"), name=table.text("name"),
                          number=table.get("number", int), cites=cites)
    if addressee.number < 1:
        raise table.error("number", "เลขที่หนังสือต้องเป็นจำนวนเต็มบวก")
    for name in ("id", "name"):
        if not getattr(addressee, name).strip():
            raise table.error(name, "ต้องระบุค่านี้")
    table.finish()
    return addressee


def _check_single_letter(spec: Spec, path: Path) -> None:
    """A letter to the addressee named in [addressee] has no sheet: its texts may read the
    addressee's name and id, and nothing a sheet would give (other columns, progress)."""
    from .templating import recipient_fields, texts_reading

    for name, key in recipient_fields(spec).items():
        if name not in ("name", "id"):
            raise SpecError(f"หนังสือฉบับเดียวถึง [addressee] ไม่มีรายชื่อผู้รับ จึงใช้ได้เฉพาะ "
                            f"recipient.name และ recipient.id ไม่ใช่ recipient.{name}", file=path, key=key)
    for name in ("progress", "members"):
        key = texts_reading(spec, name)
        if key:
            raise SpecError(f"หนังสือฉบับเดียวถึง [addressee] ไม่มีรายชื่อผู้รับ จึงใช้ {name} ไม่ได้",
                            file=path, key=key)


def _read_signing_memo(table: _TomlTable) -> SigningMemo:
    """[signing_memo]: who signs the memo that takes the set up for signature, and its
    number when there is no workspace."""
    memo = SigningMemo(signer_name=table.text("signer_name"), signer_position=table.text("signer_position"),
                       number=table.get("number", int, None))
    if memo.number is not None and memo.number < 1:
        raise table.error("number", "เลขที่หนังสือต้องเป็นจำนวนเต็มบวก")
    table.finish()
    return memo


def _read_routing(table: _TomlTable) -> Routing:
    """[routing]: which kinds get their credentials through the district office, which
    directly, and the name of a district office lettergen makes."""
    routing = Routing(
        district_office=table.text("district_office", "สถ.อ."),
        via_district=table.texts("via_district", ()),
        direct=table.texts("direct", ()),
        district_office_name=table.text("district_office_name", DEFAULT_OFFICE_NAME),
    )
    for name in ("via_district", "direct"):
        for item in getattr(routing, name):
            if item not in RECIPIENT_KINDS:
                raise table.error(name, f"ไม่รู้จักประเภท \"{item}\"" + did_you_mean(item, RECIPIENT_KINDS))
    both = set(routing.via_district) & set(routing.direct)
    if both:
        raise table.error("direct", f"ประเภท {', '.join(sorted(both))} อยู่ทั้งใน via_district และ direct")
    _check_office_name(table, routing.district_office_name)
    table.finish()
    return routing


def _check_office_name(table: _TomlTable, pattern: str) -> None:
    from .templating import template_names

    names = template_names(pattern)
    if names is None:
        raise table.error("district_office_name", "ข้อความแม่แบบผิด: ตรวจวงเล็บปีกกา {{ }}")
    if names - {"district"}:
        raise table.error("district_office_name", "ใช้ได้เฉพาะตัวแปร {{ district }} ไม่ใช่ "
                      + ", ".join(sorted(names - {"district"})))
    if "district" not in names:
        raise table.error("district_office_name", "ต้องมี {{ district }} เพื่อให้แต่ละอำเภอได้ชื่อของตนเอง")


def _read_enclosure(table: _TomlTable) -> str:
    """[enclosure]: the title of the credentials list."""
    title = table.text("title", "บัญชีชื่อผู้ใช้ (Username) และรหัสผ่าน (Password)")
    table.finish()
    return title


def _read_steps(table: _TomlTable, path: Path, links: Mapping[str, str]):
    """[steps]: the step sheet attached to every letter: title, headers, steps."""
    title = table.text("title", "")
    headers = table.texts("headers", ("ขั้นตอน", "รายการ", "ช่องทาง / QR Code"))
    if len(headers) != 3:
        raise table.error("headers", "ต้องมีหัวตาราง ๓ ช่อง")
    items = table.get("step", list, [])
    steps = tuple(_read_step(item, f"steps.step[{i}]", path, links) for i, item in enumerate(items))
    table.finish()
    return title, tuple(headers), steps


def _read_recipients_source(table: _TomlTable, path: Path) -> RecipientsSource:
    """[recipients]: the sheet's file, its sheet, and headers chosen for canonical columns."""
    file_text = table.text("file", "")
    columns_table = table.table("columns")
    columns = {k: columns_table.text(k) for k in list(columns_table.data)}
    columns_table.finish()
    source = RecipientsSource(
        file=(path.parent / file_text) if file_text else None,
        columns=columns,
        sheet=table.text("sheet", None),
    )
    table.finish()
    return source


def _read_register(table: _TomlTable) -> tuple[int, str, str]:
    """[register]: the first register number, the action column's text and the remark the
    letters carry there (a sheet's ``register.remark`` column gives one letter its own)."""
    start = table.get("start", int, 1)
    if start < 1:
        raise table.error("start", "เลขทะเบียนส่งต้องเป็นจำนวนเต็มบวก")
    action = table.text("action", "")
    remark = table.text("remark", "")
    table.finish()
    return start, action, remark


def _check_reminder(raw: Mapping[str, Any], reminder: Reminder, spec: Spec, path: Path) -> None:
    """The reminder letter as a spec of its own, dated as the letter (its own date is
    checked against the deadline when the reminders are made: remind.reminder_spec)."""
    spec_from_raw(reminder_raw(raw, reminder, spec.date, spec.urgency), path, spec.files_from)


VARIANT_KEYS = ("addressee", "circular", "number", "cites", "text")


def _read_reminder(top: _TomlTable, path: Path) -> Reminder:
    """[reminder]: the reminder letter's date, subject, body, urgency rules and variant values."""
    table = top.table("reminder")
    date = table.date("date", None)
    subject = table.text("subject", None)
    paragraphs = table.texts("paragraphs")
    if not paragraphs:
        raise table.error("paragraphs", "ต้องมีเนื้อความหนังสือติดตามอย่างน้อยหนึ่งย่อหน้า")
    rules = []
    for i, item in enumerate(table.get("urgency", list, [])):
        rule = _TomlTable(item, f"reminder.urgency[{i}]", path)
        days = rule.get("days_left", int)
        urgency = rule.text("urgency")
        if urgency not in URGENCIES:
            raise rule.error("urgency", _urgency_message(urgency))
        rule.finish()
        rules.append(UrgencyRule(days, urgency))
    variants_table = table.table("variants")
    variants = {}
    for name in list(variants_table.data):
        if name not in ("district", "direct"):
            raise variants_table.error(name, "ใช้ได้แค่ district และ direct" + did_you_mean(name, ("district", "direct")))
        variant = variants_table.table(name)
        for key in variant.data:
            if key not in VARIANT_KEYS:
                raise variant.error(key, "ไม่รู้จักคีย์นี้" + did_you_mean(key, VARIANT_KEYS))
        variant.seen.update(variant.data)
        variants[name] = dict(variant.data)
    table.finish()
    return Reminder(date=date, subject=subject, paragraphs=paragraphs,
                    urgency_rules=tuple(sorted(rules, key=lambda rule: rule.days_left)), variants=variants)


def reminder_raw(raw: Mapping[str, Any], reminder: Reminder, date: dt.date, urgency: str) -> dict:
    """The raw spec of the reminder letter: the [reminder] body, date, subject and variant
    values put in place of the original's, the [reminder] table itself removed."""
    result = copy.deepcopy({k: v for k, v in raw.items() if k != "reminder"})
    result["letter"]["date"] = date
    result["letter"]["urgency"] = urgency
    if reminder.subject is not None:
        result["letter"]["subject"] = reminder.subject
    result["body"] = {**result.get("body", {}), "paragraphs": list(reminder.paragraphs)}
    for name, values in reminder.variants.items():
        variant = result.setdefault("variants", {}).setdefault(name, {})
        for key, value in values.items():
            if key == "text" and isinstance(value, dict):
                variant["text"] = {**variant.get("text", {}), **value}
            else:
                variant[key] = copy.deepcopy(value)
    return result


def _check_picture(emblem: Path, spec_path: Path) -> None:
    """The emblem must be a PNG or JPEG picture that both writers can place."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(emblem) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise SpecError(f"ไฟล์ตราครุฑ {emblem.name} ไม่ใช่รูปภาพที่อ่านได้ (ไฟล์เสีย หรือไม่ใช่ PNG/JPEG)",
                        file=spec_path, key="letter.emblem") from None
    if kind not in ("PNG", "JPEG"):
        raise SpecError(f"ไฟล์ตราครุฑต้องเป็น PNG หรือ JPEG ไม่ใช่ {kind}",
                        file=spec_path, key="letter.emblem")


def _read_step(data: Any, key: str, path: Path, links: Mapping[str, str]) -> Step:
    table = _TomlTable(data, key, path)
    title = table.text("title")
    items = table.texts("items", ())
    channel_raw = table.get("channel", list, [])
    channel: list = []
    for i, block in enumerate(channel_raw):
        if isinstance(block, str):
            channel.append(block)
            continue
        block_table = _TomlTable(block, f"{key}.channel[{i}]", path)
        link = block_table.text("qr")
        if link not in links:
            raise block_table.error("qr", f"ไม่มีลิงก์ชื่อ \"{link}\" ใน [links]" + did_you_mean(link, links))
        qr = QrBlock(link=link, caption=block_table.text("caption", ""))
        block_table.finish()
        # QR codes next to each other in the list share one row on the page.
        if channel and isinstance(channel[-1], tuple):
            channel[-1] = channel[-1] + (qr,)
        else:
            channel.append((qr,))
    table.finish()
    return Step(title=title, items=items, channel=tuple(channel))
