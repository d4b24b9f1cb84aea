"""The letter form <-> the spec's TOML data.

The form edits the raw TOML data (``Spec.raw``), never a second model of the letter: the
browser sends the values of the fields it shows, named by their dotted spec keys; they are
applied to a copy of the working raw data (so tables the form does not show, such as
[reminder] or [recipients], are kept as they were), and the result is written as TOML and
read back with ``spec.load_spec``, the CLI's own reader, which checks it.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path
from typing import Any, Mapping

import tomli_w

from ..kinds import DEFAULT as DEFAULT_KIND, kind_named
from ..thai import nfc


SENDER_FIELDS = (
    ("agency", "ส่วนราชการ (ผู้ส่ง)"), ("unit", "หน่วยงานเจ้าของเรื่อง"), ("section", "ฝ่าย / กลุ่มงาน"),
    ("phone", "โทรศัพท์"), ("fax", "โทรสาร"), ("email", "ไปรษณีย์อิเล็กทรอนิกส์"),
    ("coordinator", "ผู้ประสานงาน"), ("coordinator_phone", "โทรศัพท์ผู้ประสานงาน"),
    ("signer_name", "ชื่อผู้ลงนาม"), ("signer_position", "ตำแหน่งผู้ลงนาม"),
)
VARIANT_NAMES = {"district": "ถึง สถ.อ. (ส่งต่อ อปท. ในอำเภอ)", "direct": "ถึงหน่วยงานโดยตรง"}
# A letter to the one addressee its spec names ([addressee]): its fields instead of the variants'.
ADDRESSEE_FIELDS = (("name", "ผู้รับ"), ("id", "รหัสผู้รับ (ใช้ตั้งชื่อไฟล์และลงทะเบียน)"))

# What a template text can use, as listed on the letter page (compose._context).
PLACEHOLDERS = (
    ("{{ recipient.name }}", "ชื่อผู้รับ"),
    ("{{ recipient.district }}", "อำเภอของผู้รับ"),
    ("{{ recipient.id }}", "รหัสผู้รับ"),
    ("{{ district }}", "อำเภอ"),
    ("{{ letter.number }}", "เลขที่หนังสือ"),
    ("{{ letter.date | thai_date }}", "วันที่ของหนังสือ"),
    ("{{ cites.number }}", "เลขที่หนังสือที่อ้างถึง"),
    ("{{ cites.date | thai_date }}", "วันที่ของหนังสือที่อ้างถึง"),
    ("{{ deadline | thai_weekday_date }}", "กำหนดส่ง (มีวันในสัปดาห์)"),
    ("{{ deadline | thai_date }}", "กำหนดส่ง"),
    ("{{ progress.done }}", "จำนวนที่ดำเนินการแล้ว"),
    ("{{ progress.total }}", "จำนวนทั้งหมด"),
    ("{{ progress.pending }}", "จำนวนที่ยังไม่ดำเนินการ"),
    ("{{ progress.percent }}", "ร้อยละที่ดำเนินการแล้ว"),
    ("{{ days_left }}", "จำนวนวันที่เหลือถึงกำหนด"),
)


def chip_key(source: str) -> str:
    """A placeholder as the letter page's chips know it: its text without spaces."""
    return re.sub(r"\s+", "", source)


def chip_labels(values: Mapping[str, Any]) -> dict[str, str]:
    """What each placeholder's chip says on the letter page (form_values' links and texts
    named too), by chip_key."""
    labels = {chip_key(code): label for code, label in PLACEHOLDERS}
    for name, url in values.get("links", ()):
        labels[chip_key(f"{{{{ links.{name} }}}}")] = f"ลิงก์ {short_url(url)}"
    for name, label in values.get("text_labels", {}).items():
        labels[chip_key(f"{{{{ text.{name} }}}}")] = label
    return labels


def short_url(url: str) -> str:
    """A link as a chip names it: without its scheme, cut at 40 characters."""
    shown = re.sub(r"^https?://", "", str(url)).rstrip("/")
    return shown if len(shown) <= 40 else shown[:39] + "…"


def toml_text(raw: Mapping[str, Any]) -> str:
    """The raw spec as TOML that ``load_spec`` reads back to the same spec."""
    return tomli_w.dumps(_plain(raw), multiline_strings=False)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def date_value(text: str) -> Any:
    """A date field's text: any date the CLI reads (thai.parse_thai_date: "27 ก.ค. 2561",
    "27/07/2561", "2018-07-27") becomes a TOML date, as the CLI's spec writes it; any other
    text (a wrong date, a BE year in the ISO form) is kept as typed, so the spec reader says
    what is wrong with it beside its field."""
    from ..thai import DateError, parse_thai_date

    text = nfc(text.strip())
    if not text:
        return text
    try:
        return parse_thai_date(text)
    except DateError:
        return text


def date_text(value: Any) -> str:
    """A date as the form shows it: day, Thai month, Buddhist-era year ("27 กรกฎาคม 2561")."""
    from ..thai import thai_strftime

    if isinstance(value, dt.date):
        return thai_strftime(value, "%-d %B %Y", thaidigit=False)
    return "" if value is None else str(value)


def channel_text(channel: list) -> str:
    """A step's channel as the lines the form edits: text, or ``QR: link | caption``."""
    lines = []
    for block in channel:
        if isinstance(block, dict):
            caption = block.get("caption", "")
            lines.append(f"QR: {block.get('qr', '')}" + (f" | {caption}" if caption else ""))
        else:
            lines.append(str(block))
    return "\n".join(lines)


def channel_value(text: str) -> list:
    blocks: list = []
    for line in _lines(text):
        code = qr_line(line)
        if code:
            target, caption = code
            blocks.append({"qr": target, "caption": caption} if caption else {"qr": target})
        else:
            blocks.append(line)
    return blocks


def qr_line(line: str) -> tuple[str, str] | None:
    """A line "QR: <link> | <caption>" (the caption may be left out) as (link, caption), or
    None. Read by splitting, not by a pattern, so a line of any length costs its length."""
    head, colon, rest = line.partition(":")
    if not colon or head.strip().upper() != "QR":
        return None
    target, _, caption = rest.partition("|")
    target = target.strip()
    if not target or any(ch.isspace() for ch in target):
        return None
    return target, caption.strip()


def _lines(text: str) -> list[str]:
    return [nfc(line.strip()) for line in str(text).splitlines() if line.strip()]


def _set(raw: dict, key: str, value: Any, *, drop_empty: bool = False) -> None:
    parts = key.split(".")
    node = raw
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    if drop_empty and (value == "" or value is None):
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value


def apply_form(raw: Mapping[str, Any], form: Mapping[str, Any]) -> dict:
    """A copy of ``raw`` with the form's values put in. ``form`` holds the flat keys the
    letter page sends (see app.js ``collectForm``)."""
    result = copy.deepcopy(dict(raw))
    text = lambda name: nfc(str(form.get(name, "")))  # noqa: E731
    for key in ("letter.kind", "letter.urgency", "letter.subject", "letter.agency_code"):
        if key in form:
            _set(result, key, text(key))
    for key in ("letter.salutation", "letter.closing"):
        if key in form:
            _set(result, key, text(key), drop_empty=True)
    if "letter.date" in form:
        _set(result, "letter.date", date_value(text("letter.date")))
    if "deadline.date" in form:
        value = text("deadline.date").strip()
        if value:
            _set(result, "deadline.date", date_value(value))
        elif isinstance(result.get("deadline"), dict):
            result["deadline"].pop("date", None)
            if not result["deadline"]:
                del result["deadline"]
    for name, _ in SENDER_FIELDS:
        key = f"sender.{name}"
        if key in form:
            required = name in ("agency", "unit")
            _set(result, key, text(key), drop_empty=not required)
    if isinstance(result.get("addressee"), dict):
        _apply_addressee(result, form, text)
    # a letter to the one addressee its spec names ([addressee]) has no variants to fill in
    for variant in () if "addressee" in result else VARIANT_NAMES:
        base = f"variants.{variant}"
        if f"{base}.addressee" in form:
            _set(result, f"{base}.addressee", text(f"{base}.addressee"))
        if f"{base}.number" in form:
            _set(result, f"{base}.number", _int(form[f"{base}.number"]))
        if f"{base}.circular" in form:
            _set(result, f"{base}.circular", bool(form[f"{base}.circular"]))
        if f"{base}.cites.number" in form:
            number = text(f"{base}.cites.number").strip()
            date = text(f"{base}.cites.date").strip()
            if number or date:
                _set(result, f"{base}.cites", {"number": number, "date": date_value(date)})
            else:
                result.get("variants", {}).get(variant, {}).pop("cites", None)
        texts = form.get(f"{base}.text")
        if isinstance(texts, Mapping):
            _set(result, f"{base}.text", {str(k): nfc(str(v)) for k, v in texts.items()})
    if "body.paragraphs" in form:
        _set(result, "body.paragraphs", [nfc(str(p)) for p in form["body.paragraphs"] if str(p).strip()])
    if "links" in form:
        result["links"] = {nfc(str(name)).strip(): nfc(str(url)).strip()
                           for name, url in form["links"] if str(name).strip()}
    if "steps.title" in form:
        _set(result, "steps.title", text("steps.title"), drop_empty=True)
    if "steps.step" in form:
        steps = []
        for step in form["steps.step"]:
            item = {"title": nfc(str(step.get("title", "")))}
            items = _lines(step.get("items", ""))
            if items:
                item["items"] = items
            channel = channel_value(step.get("channel", ""))
            if channel:
                item["channel"] = channel
            steps.append(item)
        _set(result, "steps.step", steps)
    return result


def _apply_addressee(result: dict, form: Mapping[str, Any], text) -> None:
    """The form's [addressee] fields put in: its name, id, number and the letter it cites."""
    for name, _ in ADDRESSEE_FIELDS:
        if f"addressee.{name}" in form:
            _set(result, f"addressee.{name}", text(f"addressee.{name}"))
    if "addressee.number" in form:
        _set(result, "addressee.number", _int(form["addressee.number"]))
    if "addressee.cites.number" in form:
        number, date = text("addressee.cites.number").strip(), text("addressee.cites.date").strip()
        if number or date:
            _set(result, "addressee.cites", {"number": number, "date": date_value(date)})
        else:
            result["addressee"].pop("cites", None)


def _int(value: Any) -> Any:
    """A number field: the integer, or the text as typed (the spec reader then says it is
    not a whole number, beside the field)."""
    try:
        return int(str(value).strip())
    except ValueError:
        return str(value)


def form_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """What the letter page shows in its fields, from the raw spec."""
    letter = raw.get("letter", {})
    variants = raw.get("variants", {})
    steps = raw.get("steps", {})
    kind = kind_named(str(letter.get("kind", DEFAULT_KIND)))  # "บันทึกข้อความ" is "memo"
    values = {
        "kind": kind.name if kind else str(letter.get("kind")),
        "urgency": letter.get("urgency", ""),
        "date": date_text(letter.get("date")),
        "subject": letter.get("subject", ""),
        "agency_code": letter.get("agency_code", ""),
        "salutation": letter.get("salutation", ""),
        "closing": letter.get("closing", ""),
        "deadline": date_text(raw.get("deadline", {}).get("date")),
        "sender": {name: raw.get("sender", {}).get(name, "") for name, _ in SENDER_FIELDS},
        "variants": {},
        "paragraphs": list(raw.get("body", {}).get("paragraphs", [])),
        "links": list(raw.get("links", {}).items()),
        "steps_title": steps.get("title", ""),
        "steps": [
            {"title": s.get("title", ""), "items": "\n".join(s.get("items", [])),
             "channel": channel_text(s.get("channel", []))}
            for s in steps.get("step", []) if isinstance(s, dict)
        ],
    }
    for name in VARIANT_NAMES:
        v = variants.get(name, {})
        cites = v.get("cites") or {}
        values["variants"][name] = {
            "addressee": v.get("addressee", ""), "number": v.get("number", ""),
            "circular": bool(v.get("circular", False)),
            "cites_number": cites.get("number", ""), "cites_date": date_text(cites.get("date")),
            "text": dict(v.get("text", {})),
        }
    names = list(dict.fromkeys(n for v in values["variants"].values() for n in v["text"]))
    values["text_labels"] = {n: f"ข้อความตามกลุ่มผู้รับ {i}" for i, n in enumerate(names, start=1)}
    values["addressee"] = _addressee_values(raw.get("addressee"))
    return values


def _addressee_values(addressee: Any) -> dict | None:
    """The [addressee] fields as the form shows them; None for a letter to a sheet."""
    if not isinstance(addressee, Mapping):
        return None
    cites = addressee.get("cites") or {}
    return {"name": addressee.get("name", ""), "id": addressee.get("id", ""),
            "number": addressee.get("number", ""), "cites_number": cites.get("number", ""),
            "cites_date": date_text(cites.get("date"))}


def write_spec(raw: Mapping[str, Any], folder: Path, name: str = "letter.toml") -> Path:
    path = folder / name
    path.write_text(toml_text(raw), encoding="utf-8")
    return path
