"""รายชื่อผู้รับ: the recipients sheet as the engine reads it, every bad row marked at its
cell, and the plan (how many letters, which district circular encloses whom)."""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse

from ...errors import InputError
from .. import sheets, work
from ..state import saved_name, saved_sheets
from .base import MESSAGES, back, ensure_letter, form, session_of, site


async def recipients_page(request: Request):
    session = session_of(request)
    ensure_letter(session)
    shown = await _sheet_as_read(session) if session.sheet is not None else _no_sheet()
    return site(request).pages.render(
        request, "recipients.html.j2", session, **shown,
        saved=saved_sheets(site(request).config.workspace),
        upload_error=request.query_params.get("e"),
        message=MESSAGES.get(request.query_params.get("m"), ""))


def _no_sheet() -> dict:
    return dict(rows=[], error=None, error_text="", mark_row=None, marks={}, others=0, header_row=0,
                bad_rows={None}, mark_column=None, plan=None, hidden=set(), spec_error=None)


async def _sheet_as_read(session) -> dict:
    """The page's values for the session's sheet: its cells, the columns hidden as dots, the
    plan, and every bad row the engine found, marked at its cell."""
    error = plan = spec_error = None
    try:
        spec = await run_in_threadpool(work.spec_of, session)
    except InputError:  # said on the letter page; the sheet is shown as for no spec
        spec = None
    rows = await run_in_threadpool(sheets.cells, session.sheet.path, spec=spec)
    hidden, header_row = sheets.masked_columns(rows, spec.recipients.columns if spec else {})
    try:
        plan = await run_in_threadpool(work.summary, session)
    except InputError as exc:
        exc = work.shown_name(exc, session)
        if exc.file == "หนังสือ (spec)":
            spec_error = str(exc)
        else:
            error = exc
    marks = {}  # (row, column index) -> message: every bad row the reader found
    for problem in ([error, *getattr(error, "others", ())] if error is not None else []):
        marks.setdefault(sheets.error_cell(rows, problem), problem.message)
    mark_row, mark_column = sheets.error_cell(rows, error)
    return dict(rows=rows, error=error, error_text=str(error) if error else "", mark_row=mark_row,
                marks=marks, others=len(marks) - 1 if marks else 0, header_row=header_row,
                bad_rows={row for row, _ in marks} | {mark_row}, mark_column=mark_column,
                plan=plan, hidden=hidden, spec_error=spec_error)


async def read_upload(request: Request):
    """(the file's name, its bytes, its suffix) of the sheet a form sends; ValueError with a
    Thai message when there is none or it is not a sheet."""
    upload = (await form(request)).get("file")
    if upload is None or not hasattr(upload, "read"):
        raise ValueError("ยังไม่ได้เลือกไฟล์")
    data = await upload.read()
    suffix = sheets.check_sheet(upload.filename or "", data)
    return upload.filename, data, suffix


async def recipients_upload(request: Request):
    session = session_of(request)
    try:
        name, data, suffix = await read_upload(request)
    except ValueError as exc:
        return back(request, "/recipients", str(exc))
    session.sheet = session.add_upload(Path(name).name, data, suffix)
    return back(request, "/recipients")


async def recipients_save(request: Request):
    session = session_of(request)
    name = saved_name(str((await form(request)).get("name", "")) or (session.sheet.name if session.sheet else ""))
    if session.sheet is None or name is None:
        return RedirectResponse("/recipients?m=badname", 303)
    if not name.lower().endswith(session.sheet.path.suffix):
        name += session.sheet.path.suffix
    site(request).config.workspace.save_sheet(name, session.sheet.path.read_bytes())
    return RedirectResponse("/recipients?m=saved", 303)


async def recipients_open(request: Request):
    session, workspace = session_of(request), site(request).config.workspace
    name = str((await form(request)).get("name", ""))
    if name not in saved_sheets(workspace):
        return RedirectResponse("/recipients?m=missing", 303)
    data = (workspace.sheets_dir / name).read_bytes()
    session.sheet = session.add_upload(name, data, Path(name).suffix.lower())
    return RedirectResponse("/recipients?m=opened", 303)
