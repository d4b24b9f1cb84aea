"""ติดตามผล: the tracking sheet's figures per district and kind as of a day, the chart, and
the reminders for the pending ones, with the reminder's own date, subject and urgency rule
and the register numbers they would take, agreed to before they are made."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...errors import InputError
from ..jobs import DOWNLOADS
from ..wording import clerk_text
from .base import back, engine, ensure_letter, form, session_of, site, thai_day, wants_json
from .recipients import read_upload

CHOICES = ("date", "rdate", "rsubject", "rdays")  # the page's fields, as the query names them


def as_of(text: str) -> dt.date:
    """The day the figures are counted on: the page's date field (read as the letter's
    dates are), today when there is none. A date that cannot be read is an InputError
    (the page says so; it is never replaced by today)."""
    from ...thai import DateError, parse_thai_date

    try:
        return parse_thai_date(text) if text.strip() else dt.date.today()
    except DateError as exc:
        raise InputError(f"ข้อมูล ณ วันที่: {exc}") from None


def choices(request: Request, values=None) -> dict:
    """The page's fields: those sent, else the ones the clerk gave last (kept with the
    session, so the page comes back as it was left)."""
    session = session_of(request)
    values = values if values is not None else request.query_params
    if any(name in values for name in CHOICES):
        rdate = str(values.get("rdate", ""))
        if rdate == str(values.get("rdate_default", "")):  # not changed: it follows the day
            rdate = ""
        session.followup = {"date": str(values.get("date", "")), "rdate": rdate,
                            "rsubject": values.get("rsubject"), "rdays": list(values.getlist("rdays"))}
        session.touch()
    return dict(session.followup or {})


async def reminders_of(request: Request, chosen: dict) -> dict:
    """The engine's follow-up (follow.followup) for the page's fields, or why it has none."""
    session = session_of(request)
    shown = {"report": None, "fields": None, "errors": {}, "reminder": None, "reminder_error": None,
             "error": None, "date_error": None, "day": None}
    try:
        shown["day"] = as_of(chosen.get("date", ""))
    except InputError as exc:
        shown["date_error"] = clerk_text(exc)
        return shown
    if session.tracking is None:
        return shown
    given = {"date": chosen.get("rdate", ""), "subject": chosen.get("rsubject"), "days": chosen.get("rdays")}
    try:
        shown.update(await engine(request, "followup", shown["day"], given))
    except InputError as exc:
        shown["error"] = clerk_text(exc)
    return shown


async def followup_page(request: Request):
    session = session_of(request)
    ensure_letter(session)
    chosen = choices(request)
    shown = await reminders_of(request, chosen)
    day = shown["day"]
    return site(request).pages.render(
        request, "followup.html.j2", session, **shown, day_iso=day.isoformat() if day else "",
        day_text=thai_day(day) if day else chosen.get("date", ""),
        tracking=session.tracking.name if session.tracking else "",
        listing=site(request).jobs.listing("reminders"), downloads=DOWNLOADS,
        upload_error=request.query_params.get("e"))


def _numbers(shown: dict) -> dict:
    """What the page's script asks before the reminders are made: their numbers, or why
    none can be made (the first wrong field, else the section's reason)."""
    reminder = shown["reminder"]
    error = (shown["date_error"] or shown["error"] or next(iter(shown["errors"].values()), None)
             or shown["reminder_error"] or (None if reminder and reminder["letters"] else NOBODY))
    if error:
        return {"error": error}
    return {"numbers": reminder["numbers"], "register_year": reminder["register_year"],
            "letters": reminder["letters"], "error": None}


NOBODY = "ไม่มีผู้ที่ยังไม่ดำเนินการ ณ วันที่ลงในหนังสือติดตาม จึงไม่มีหนังสือติดตามที่จะสร้าง"


async def followup_numbers(request: Request):
    ensure_letter(session_of(request))
    return JSONResponse(_numbers(await reminders_of(request, choices(request))))


async def followup_upload(request: Request):
    session = session_of(request)
    try:
        session.tracking = await read_upload(request)
    except ValueError as exc:
        return back(request, "/followup", str(exc))
    session.forget_uploads()
    session.touch()
    return back(request, "/followup")


async def followup_chart(request: Request):
    session = session_of(request)
    if session.tracking is None:
        return Response("", 404)
    try:
        day = as_of(request.query_params.get("date", ""))
    except InputError:
        return Response("", 404)
    try:
        png = await engine(request, "chart", day)
    except InputError:
        png = None
    return Response(png, media_type="image/png") if png else Response("", 404)


async def followup_remind(request: Request):
    """The reminders made, if the numbers the clerk agreed to (``expect``) are still the ones
    they would take; else those numbers, for the page to ask again ("changed")."""
    session = session_of(request)
    if session.tracking is None:
        return back(request, "/followup", "ยังไม่ได้อัปโหลดตารางติดตามผล")
    sent = await form(request)
    chosen = choices(request, sent)
    shown = await reminders_of(request, chosen)
    answer = _numbers(shown)
    if answer["error"]:
        return back(request, "/followup", answer["error"])
    if str(sent.get("expect", "")) != answer["numbers"]:
        return JSONResponse({"changed": True, **answer})
    reminder = shown["reminder"]
    options = {"reminder": reminder["values"], "expected": answer["numbers"]}
    job_id = site(request).jobs.start("reminders", session.spec_path(), session.tracking.path,
                                      letter_name=session.letter_name, sheet_name=session.tracking.name,
                                      today=shown["day"], options=options)
    target = f"/followup?job={quote(job_id)}"
    return JSONResponse({"job": job_id, "go": target}) if wants_json(request) else back(request, target)
