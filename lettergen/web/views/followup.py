"""ติดตามผล: the tracking sheet's figures per district and kind on a day, the chart, the
urgency rule of the reminders, and the reminders made for the pending ones."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...errors import InputError
from ..jobs import DOWNLOADS
from .base import back, engine, ensure_letter, session_of, site, thai_day
from .recipients import read_upload


def as_of(request: Request) -> dt.date:
    """The day the figures are counted on: the page's date field (read as the letter's
    dates are), today when there is none. A date that cannot be read is an InputError
    (the page says so; it is never replaced by today)."""
    from ...thai import DateError, parse_thai_date

    text = request.query_params.get("date", "")
    try:
        return parse_thai_date(text) if text.strip() else dt.date.today()
    except DateError as exc:
        raise InputError(f"ข้อมูล ณ วันที่: {exc}") from None


async def followup_page(request: Request):
    session = session_of(request)
    ensure_letter(session)
    report, error, rule, rspec_error = None, None, None, None
    try:
        day, date_error = as_of(request), None
    except InputError as exc:
        day, date_error = None, str(exc)
    if session.tracking is not None and day is not None:
        try:
            report, rule = await engine(request, "followup", day)
        except InputError as exc:
            error = str(exc)
    if report is not None and isinstance(rule, str):
        rspec_error, rule = rule, None
    return site(request).pages.render(
        request, "followup.html.j2", session, report=report, error=error, rule=rule,
        rspec_error=rspec_error, day=day.isoformat() if day else "",
        day_text=thai_day(day) if day else request.query_params.get("date", ""),
        date_error=date_error, tracking=session.tracking.name if session.tracking else "",
        listing=site(request).jobs.listing("reminders"), downloads=DOWNLOADS,
        upload_error=request.query_params.get("e"))


async def followup_upload(request: Request):
    session = session_of(request)
    try:
        session.tracking = await read_upload(request)
    except ValueError as exc:
        return back(request, "/followup", str(exc))
    session.forget_uploads()
    return back(request, "/followup")


async def followup_chart(request: Request):
    session = session_of(request)
    if session.tracking is None:
        return Response("", 404)
    try:
        day = as_of(request)
    except InputError:
        return Response("", 404)
    try:
        png = await engine(request, "chart", day)
    except InputError:
        png = None
    return Response(png, media_type="image/png") if png else Response("", 404)


async def followup_remind(request: Request):
    session = session_of(request)
    if session.tracking is None:
        return back(request, "/followup", "ยังไม่ได้อัปโหลดตารางติดตามผล")
    try:
        day = as_of(request)
        await engine(request, "followup", day)
    except InputError as exc:
        return back(request, "/followup", str(exc))
    job_id = site(request).jobs.start("reminders", session.spec_path(), session.tracking.path,
                                      letter_name=session.letter_name, sheet_name=session.tracking.name,
                                      today=day)
    return RedirectResponse(f"/followup?job={quote(job_id)}&date={day.isoformat()}", 303)
