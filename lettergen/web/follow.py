"""The follow-up page's work in the engine: the tracking sheet's figures on a day, and the
reminders that would be made, with their own date, subject and urgency rule and the
register numbers they would take (run in the engine's worker processes, as work.py).

Done is counted as of a day (status.book_as_of): a row whose done column gives a later
date was not done yet on that day. The figures shown are as of the page's "as of" day;
the reminders count as of their own date, which they print ("ณ วันที่ ..."), and go to the
ones pending on it."""

from __future__ import annotations

import datetime as dt

from ..errors import InputError, SpecError
from . import reminders
from .wording import clerk_message, clerk_text
from .work import WorkSession, shown_name, spec_of, workspace_at

NO_REMINDER = ("หนังสือนี้ยังไม่มีเนื้อความของหนังสือติดตาม: เริ่มจากหนังสือตัวอย่าง หรือเปิดหนังสือที่มีหนังสือติดตาม")
NO_DEADLINE = "หนังสือติดตามต้องมีกำหนดส่ง: ใส่กำหนดให้ดำเนินการภายในที่หน้าหนังสือ"


def tracking(session: WorkSession, spec, use: str):
    from ..sheets.recipients import load_recipients

    return load_recipients(session.tracking.path, spec, use=use)


def report(session: WorkSession, day: dt.date):
    """The status report (status.Status) of the tracking sheet as of ``day``."""
    from ..status import book_as_of, status

    spec = spec_of(session)
    return status(spec, book_as_of(tracking(session, spec, "status"), day), day)


def followup(session: WorkSession, day: dt.date, given: dict) -> dict:
    """The page's figures as of ``day``, the reminder's fields (``given`` by the clerk, else
    their defaults) with the message of each wrong one, and, when they are right, what
    the reminders would be: their urgency, their count and figures, their numbers."""
    spec = spec_of(session)
    result = {"report": report(session, day), "fields": None, "errors": {}, "reminder": None,
              "reminder_error": None}
    if spec.reminder is None or spec.deadline is None:
        result["reminder_error"] = NO_REMINDER if spec.reminder is None else NO_DEADLINE
        return result
    result["fields"] = reminders.fields_from(spec, day, given)
    values, result["errors"] = reminders.checked(spec, result["fields"])
    if result["errors"]:
        return result
    try:
        result["reminder"] = planned(session, spec, values)
    except SpecError as exc:  # a rule the spec's reader refuses: said at the rule
        key = exc.key or ""
        result["errors"][reminders.FIELD_RULES if "urgency" in key else reminders.FIELD_DATE] = \
            clerk_message(exc.message)
    except InputError as exc:
        result["reminder_error"] = clerk_text(shown_name(exc, session))
    return result


def planned(session: WorkSession, spec, values: dict) -> dict:
    """What the reminders made with ``values`` would be, and the numbers they would take."""
    from ..remind import reminder_planning, urgency_for, workspace_originals
    from ..status import book_as_of
    from ..registers.workspace import next_numbers, numbers_text

    day = values[reminders.FIELD_DATE]
    spec = reminders.with_reminder_fields(spec, values)
    book = book_as_of(tracking(session, spec, "reminders"), day)
    workspace = workspace_at(session.files.workspace)
    rspec, planning = reminder_planning(spec, book, day, workspace_originals(spec, book, workspace))
    days_left = (spec.deadline - day).days
    numbers = numbers_text(rspec.agency_code, next_numbers(workspace, planning)) if len(planning) else ""
    return {"date": day, "deadline": spec.deadline, "days_left": days_left,
            "urgency": urgency_for(spec, days_left), "default": spec.urgency,
            "rules": spec.reminder.urgency_rules, "letters": len(planning),
            "progress": planning.totals.context(), "numbers": numbers,
            "register_year": f"ทะเบียนหนังสือส่งปี พ.ศ. {day.year + 543}",
            "values": reminders.as_job_options(values)}


def chart(session: WorkSession, day: dt.date) -> bytes | None:
    """The follow-up page's chart: page 1 of the status report as PNG; None when the figures
    cannot be counted (the page says why)."""
    from ..preview import pdf_page_png
    from ..status import status_pdf
    from .work import RENDER_LOCK

    try:
        figures = report(session, day)
    except InputError:
        return None
    with RENDER_LOCK:
        return pdf_page_png(status_pdf(figures), 1, dpi=80)
