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
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import SpecError, did_you_mean
from .thai import DateError, nfc, parse_thai_date

LETTER_KINDS = {"stamped": "หนังสือประทับตรา", "external": "หนังสือภายนอก"}
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


@dataclass(frozen=True)
class Routing:
    district_office: str
    via_district: tuple[str, ...]
    direct: tuple[str, ...]


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

    @property
    def base_dir(self) -> Path:
        return self.path.parent


# --- loading -------------------------------------------------------------------------------


def load_spec(path: str | Path, overrides: Mapping[str, str] | None = None) -> Spec:
    """Read, override and validate a spec file."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SpecError("ไม่พบไฟล์ spec", file=path) from None
    except UnicodeDecodeError:
        raise SpecError("ไฟล์ spec ต้องเป็น UTF-8", file=path) from None
    try:
        raw = tomllib.loads(nfc(text))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"TOML ไม่ถูกต้อง: {exc}", file=path) from None
    for key, value in (overrides or {}).items():
        set_dotted(raw, key, parse_override_value(value), file=path, origin="--set")
    try:
        return spec_from_raw(raw, path)
    except SpecError as exc:
        # A bad value that came from the command line: say so, not the file.
        if exc.key and any(exc.key == k or exc.key.startswith(k + ".") for k in overrides or {}):
            exc.file, exc.key = None, f"--set {exc.key}"
        raise


def parse_override_value(value: str) -> Any:
    """A --set value as TOML when it is a TOML value (dates, numbers, booleans, arrays),
    otherwise as the text itself: "2024-02-29" is a date, "ด่วนมาก" a string."""
    try:
        return tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
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
    return spec_from_raw(raw, spec.path)


class _Table:
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
                raise self.error(name, "ต้องระบุค่านี้")
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

    def table(self, name: str, required: bool = False) -> "_Table":
        self.seen.add(name)
        if name not in self.data and not required:
            return _Table({}, self._key(name), self.path)
        if name not in self.data:
            raise self.error(name, "ต้องมีตารางนี้")
        return _Table(self.data[name], self._key(name), self.path)

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


def spec_from_raw(raw: Mapping[str, Any], path: Path) -> Spec:
    top = _Table(raw, "", path)

    letter = top.table("letter", required=True)
    kind = letter.text("kind", "stamped")
    if kind not in LETTER_KINDS:
        raise letter.error("kind", f"ไม่รู้จักชนิดหนังสือ \"{kind}\"" + did_you_mean(kind, LETTER_KINDS)
                           + f" (ใช้ได้: {', '.join(LETTER_KINDS)})")
    urgency = letter.text("urgency", "")
    if urgency not in URGENCIES:
        raise letter.error("urgency", f"ชั้นความเร็วต้องเป็น ด่วนที่สุด, ด่วนมาก, ด่วน หรือ \"\" ไม่ใช่ \"{urgency}\"")
    date = letter.date("date")
    subject = letter.text("subject")
    agency_code = letter.text("agency_code")
    salutation = letter.text("salutation", "เรียน {{ recipient.name }}")
    closing = letter.text("closing", "ขอแสดงความนับถือ")
    enclosures = letter.texts("enclosures", ())
    docx_font = letter.text("docx_font", DEFAULT_DOCX_FONT)
    emblem_text = letter.text("emblem", "")
    emblem = None
    if emblem_text:
        emblem = (path.parent / emblem_text).resolve()
        if not emblem.is_file():
            raise SpecError(f"ไม่พบไฟล์ตราครุฑ {emblem_text}", file=path, key="letter.emblem")
        _check_picture(emblem, path)
    letter.finish()

    s = top.table("sender", required=True)
    sender = Sender(
        agency=s.text("agency"), unit=s.text("unit"), section=s.text("section", ""),
        phone=s.text("phone", ""), fax=s.text("fax", ""), email=s.text("email", ""),
        coordinator=s.text("coordinator", ""), coordinator_phone=s.text("coordinator_phone", ""),
        signer_name=s.text("signer_name", ""), signer_position=s.text("signer_position", ""),
    )
    s.finish()
    if kind == "external" and not sender.signer_name:
        raise SpecError("หนังสือภายนอกต้องมีชื่อผู้ลงนาม", file=path, key="sender.signer_name")

    d = top.table("deadline")
    deadline = d.date("date", None)
    d.finish()

    links_table = top.table("links")
    links = {}
    for name in links_table.data:
        url = links_table.text(name)
        if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
            raise links_table.error(name, f"ลิงก์ต้องขึ้นต้นด้วย https:// หรือ http:// และไม่มีช่องว่าง: \"{url}\"")
        links[name] = url
    links_table.finish()

    b = top.table("body", required=True)
    body = b.texts("paragraphs")
    if not body:
        raise b.error("paragraphs", "ต้องมีเนื้อความอย่างน้อยหนึ่งย่อหน้า")
    b.finish()

    variants_table = top.table("variants", required=True)
    variants = {}
    for name in ("district", "direct"):
        v = variants_table.table(name, required=True)
        cites = None
        if "cites" in v.data:
            c = v.table("cites")
            cites = Cited(number=c.text("number"), date=c.date("date"))
            c.finish()
        text_table = v.table("text")
        text = {k: text_table.text(k) for k in list(text_table.data)}
        text_table.finish()
        number = v.get("number", int)
        if number < 1:
            raise v.error("number", "เลขที่หนังสือต้องเป็นจำนวนเต็มบวก")
        variants[name] = Variant(
            name=name, addressee=v.text("addressee"), circular=v.get("circular", bool, False),
            number=number, cites=cites, text=text,
        )
        v.finish()
    variants_table.finish()

    r = top.table("routing", required=True)
    routing = Routing(
        district_office=r.text("district_office", "สถ.อ."),
        via_district=r.texts("via_district", ()),
        direct=r.texts("direct", ()),
    )
    for name in ("via_district", "direct"):
        for item in getattr(routing, name):
            if item not in RECIPIENT_KINDS:
                raise r.error(name, f"ไม่รู้จักประเภท \"{item}\"" + did_you_mean(item, RECIPIENT_KINDS))
    both = set(routing.via_district) & set(routing.direct)
    if both:
        raise r.error("direct", f"ประเภท {', '.join(sorted(both))} อยู่ทั้งใน via_district และ direct")
    r.finish()

    e = top.table("enclosure")
    enclosure_title = e.text("title", "บัญชีชื่อผู้ใช้ (Username) และรหัสผ่าน (Password)")
    e.finish()

    st = top.table("steps")
    steps_title = st.text("title", "")
    headers = st.texts("headers", ("ขั้นตอน", "รายการ", "ช่องทาง / QR Code"))
    if len(headers) != 3:
        raise st.error("headers", "ต้องมีหัวตาราง ๓ ช่อง")
    steps_list = st.get("step", list, [])
    steps = tuple(_step(item, f"steps.step[{i}]", path, links) for i, item in enumerate(steps_list))
    st.finish()

    rc = top.table("recipients")
    file_text = rc.text("file", "")
    columns_table = rc.table("columns")
    columns = {k: columns_table.text(k) for k in list(columns_table.data)}
    columns_table.finish()
    recipients = RecipientsSource(
        file=(path.parent / file_text) if file_text else None,
        columns=columns,
        sheet=rc.text("sheet", None),
    )
    rc.finish()

    reg = top.table("register")
    register_start = reg.get("start", int, 1)
    if register_start < 1:
        raise reg.error("start", "เลขทะเบียนส่งต้องเป็นจำนวนเต็มบวก")
    register_action = reg.text("action", "")
    reg.finish()
    reminder = _reminder(top, path) if "reminder" in raw else None
    top.finish()

    spec = Spec(
        path=path, kind=kind, urgency=urgency, date=date, subject=subject,
        agency_code=agency_code, salutation=salutation, closing=closing,
        enclosures=enclosures, docx_font=docx_font, emblem=emblem, sender=sender,
        deadline=deadline, links=links, body=body, variants=variants, routing=routing,
        enclosure_title=enclosure_title, steps_title=steps_title,
        steps_headers=tuple(headers), steps=steps, recipients=recipients,
        register_start=register_start, register_action=register_action, reminder=reminder,
        raw=raw,
    )
    if reminder is not None and "reminder" in raw:
        # Check the reminder variant now, as a spec of its own, so `check` finds its errors.
        spec_from_raw(reminder_raw(raw, reminder, date, urgency), path)
    from .templating import check_templates  # compile every template text once, here

    check_templates(spec)
    return spec


VARIANT_KEYS = ("addressee", "circular", "number", "cites", "text")


def _reminder(top: _Table, path: Path) -> Reminder:
    t = top.table("reminder")
    date = t.date("date", None)
    subject = t.text("subject", None)
    paragraphs = t.texts("paragraphs")
    if not paragraphs:
        raise t.error("paragraphs", "ต้องมีเนื้อความหนังสือติดตามอย่างน้อยหนึ่งย่อหน้า")
    rules = []
    for i, item in enumerate(t.get("urgency", list, [])):
        r = _Table(item, f"reminder.urgency[{i}]", path)
        days = r.get("days_left", int)
        urgency = r.text("urgency")
        if urgency not in URGENCIES:
            raise r.error("urgency", f"ชั้นความเร็วต้องเป็น ด่วนที่สุด, ด่วนมาก, ด่วน หรือ \"\" ไม่ใช่ \"{urgency}\"")
        r.finish()
        rules.append(UrgencyRule(days, urgency))
    variants_table = t.table("variants")
    variants = {}
    for name in list(variants_table.data):
        if name not in ("district", "direct"):
            raise variants_table.error(name, "ใช้ได้แค่ district และ direct" + did_you_mean(name, ("district", "direct")))
        v = variants_table.table(name)
        for key in v.data:
            if key not in VARIANT_KEYS:
                raise v.error(key, "ไม่รู้จักคีย์นี้" + did_you_mean(key, VARIANT_KEYS))
        v.seen.update(v.data)
        variants[name] = dict(v.data)
    t.finish()
    return Reminder(date=date, subject=subject, paragraphs=paragraphs,
                    urgency_rules=tuple(sorted(rules, key=lambda r: r.days_left)), variants=variants)


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
        raise SpecError(f"ไฟล์ตราครุฑ {emblem.name} ไม่ใช่รูปภาพที่อ่านได้ ({exc})",
                        file=spec_path, key="letter.emblem") from None
    if kind not in ("PNG", "JPEG"):
        raise SpecError(f"ไฟล์ตราครุฑต้องเป็น PNG หรือ JPEG ไม่ใช่ {kind}",
                        file=spec_path, key="letter.emblem")


def _step(data: Any, key: str, path: Path, links: Mapping[str, str]) -> Step:
    t = _Table(data, key, path)
    title = t.text("title")
    items = t.texts("items", ())
    channel_raw = t.get("channel", list, [])
    channel: list = []
    for i, block in enumerate(channel_raw):
        if isinstance(block, str):
            channel.append(block)
            continue
        q = _Table(block, f"{key}.channel[{i}]", path)
        link = q.text("qr")
        if link not in links:
            raise q.error("qr", f"ไม่มีลิงก์ชื่อ \"{link}\" ใน [links]" + did_you_mean(link, links))
        qr = QrBlock(link=link, caption=q.text("caption", ""))
        q.finish()
        # QR codes next to each other in the list share one row on the page.
        if channel and isinstance(channel[-1], tuple):
            channel[-1] = channel[-1] + (qr,)
        else:
            channel.append((qr,))
    t.finish()
    return Step(title=title, items=items, channel=tuple(channel))
