"""The reminder's own fields on the follow-up page: its date, its subject and its urgency
rule, the clerk's to see and change before the reminders are made.

The date defaults to the day the figures are counted on (the page's "as of" day), never to
a date written in the letter's [reminder] table long ago; the subject to the [reminder]
subject when it is about the working letter's subject, else to one made from it. A date
before the letter it follows, or after its deadline, is refused at its field, and so is a
subject left empty or a rule's days that are not a number. The fields are applied to the
working letter's [reminder] as the command line's ``--set reminder.date=...`` would be.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

FIELD_DATE, FIELD_SUBJECT, FIELD_RULES = "date", "subject", "urgency"


def default_subject(spec) -> str:
    """The reminder's subject as the page first proposes it."""
    own = spec.reminder.subject if spec.reminder else None
    if own and spec.subject in own:
        return own
    return f"ติดตามการดำเนินการ เรื่อง {spec.subject}"


def fields_from(spec, day: dt.date, given: Mapping[str, Any]) -> dict:
    """The fields as the page shows them: what the clerk gave (``given``: "date" as typed,
    "subject", "days": one per rule), else the defaults."""
    rules = spec.reminder.urgency_rules if spec.reminder else ()
    days = list(given.get("days") or ())
    return {
        FIELD_DATE: given.get("date") or _day_text(day),
        FIELD_SUBJECT: given["subject"] if given.get("subject") is not None else default_subject(spec),
        FIELD_RULES: [{"days_left": days[i] if i < len(days) else str(rule.days_left),
                       "urgency": rule.urgency} for i, rule in enumerate(rules)],
    }


def _day_text(day: dt.date) -> str:
    from ..thai import thai_strftime

    return thai_strftime(day, "%-d %B %Y", thaidigit=False)


def checked(spec, fields: Mapping[str, Any]) -> tuple[dict, dict[str, str]]:
    """(the fields as values: {"date": a date, "subject", "urgency": rules}, and the message
    of each field that is wrong, by its name). A date before the letter or after its
    deadline is wrong: no reminder is made for it."""
    from ..thai import DateError, parse_thai_date, thai_date

    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        day = parse_thai_date(str(fields[FIELD_DATE]).strip())
    except DateError as exc:
        errors[FIELD_DATE] = str(exc)
    else:
        values[FIELD_DATE] = day
        if day < spec.date:
            errors[FIELD_DATE] = (f"หนังสือติดตามลงวันที่ก่อนหนังสือที่ติดตาม ({_plain(thai_date(spec.date))}) "
                                  "ไม่ได้")
        elif spec.deadline is not None and day > spec.deadline:
            errors[FIELD_DATE] = (f"วันนี้เลยกำหนด {_plain(thai_date(spec.deadline))} แล้ว จึงไม่ออกหนังสือติดตาม: "
                                  "ถ้าขยายเวลา ให้แก้กำหนดส่งที่หน้าหนังสือ")
    values[FIELD_SUBJECT] = str(fields[FIELD_SUBJECT]).strip()
    if not values[FIELD_SUBJECT]:
        errors[FIELD_SUBJECT] = "หนังสือติดตามต้องมีเรื่อง"
    rules = []
    for rule in fields[FIELD_RULES]:
        try:
            days = int(str(rule["days_left"]).strip())
            if days < 0:
                raise ValueError
        except ValueError:
            errors[FIELD_RULES] = "จำนวนวันต้องเป็นจำนวนเต็มตั้งแต่ 0 ขึ้นไป"
            continue
        rules.append({"days_left": days, "urgency": rule["urgency"]})
    values[FIELD_RULES] = rules
    return values, errors


def _plain(text: str) -> str:
    """A date the letters write in Thai digits, as the page writes dates (Arabic digits)."""
    from ..thai import thai_digit_to_arabic_digit

    return thai_digit_to_arabic_digit(text)


def with_reminder_fields(spec, values: Mapping[str, Any]):
    """``spec`` with the reminder's date, subject and urgency rule put into its [reminder]
    (``values``: ``checked``'s, or the job's copy of them with the date as ISO text)."""
    from ..spec import with_overrides

    if spec.reminder is None or not values:
        return spec
    overrides: dict[str, Any] = {}
    date = values.get(FIELD_DATE)
    if date:
        overrides["reminder.date"] = date if isinstance(date, dt.date) else dt.date.fromisoformat(date)
    if values.get(FIELD_SUBJECT):
        overrides["reminder.subject"] = values[FIELD_SUBJECT]
    if values.get(FIELD_RULES) is not None:
        overrides["reminder.urgency"] = [dict(rule) for rule in values[FIELD_RULES]]
    return with_overrides(spec, overrides, origin="หน้าติดตามผล")


def as_job_options(values: Mapping[str, Any]) -> dict:
    """The checked fields as a job keeps them (JSON)."""
    return {FIELD_DATE: values[FIELD_DATE].isoformat(), FIELD_SUBJECT: values[FIELD_SUBJECT],
            FIELD_RULES: [dict(rule) for rule in values[FIELD_RULES]]}
