"""รายชื่อผู้รับ: the recipients sheet as the engine reads it, every bad row marked at its
cell, and the plan (how many letters, which district circular encloses whom)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse

from ...errors import InputError
from .. import sheets
from ..state import Upload, saved_name, saved_sheets
from ..wording import clerk_text
from .base import MESSAGES, back, engine, ensure_letter, form, session_of, site


async def recipients_page(request: Request):
    session = session_of(request)
    ensure_letter(session)
    shown = _no_sheet()
    if session.sheet is not None and not session.single:  # a letter to one addressee: none
        try:
            shown = await engine(request, "sheet_view")
        except InputError as exc:  # the engine stopped (its time or memory limit)
            shown.update(error_text=clerk_text(exc))
    return site(request).pages.render(
        request, "recipients.html.j2", session, **shown,
        saved=saved_sheets(site(request).config.workspace),
        upload_error=request.query_params.get("e"),
        message=MESSAGES.get(request.query_params.get("m"), ""))


def _no_sheet() -> dict:
    """The page with no sheet (as sheet_page.empty)."""
    return dict(rows=[], rows_cut=False, header_row=0, hidden=set(), problems=[], problem_count=0,
                marks={}, bad_rows=set(), error_text="", plan=None, spec_error=None, recipients={},
                left_out=set(), readings=None)


async def recipients_choose(request: Request):
    """A row ticked or unticked in the table (``{"id": ..., "included": bool}``), or every
    row ticked again (``{"all": true}``): the rows left out of the set, kept with the draft."""
    session = session_of(request)
    try:
        chosen = await request.json()
        if not isinstance(chosen, dict):
            raise ValueError
    except ValueError:
        return JSONResponse({"error": "ข้อมูลที่ส่งมาไม่ถูกต้อง"}, 400)
    if chosen.get("all"):
        session.leave_out.clear()
    elif isinstance(chosen.get("id"), str) and len(session.leave_out) < 100_000:
        (session.leave_out.discard if chosen.get("included") else session.leave_out.add)(chosen["id"])
    session.touch()
    return JSONResponse({"ok": True, "left_out": len(session.leave_out)})


async def read_upload(request: Request) -> Upload:
    """The sheet a form sends, copied into the session's folder as it is read (never whole
    in memory); ValueError with a Thai message when there is none or it is not a sheet."""
    session = session_of(request)
    upload = (await form(request)).get("file")
    if upload is None or not hasattr(upload, "read"):
        raise ValueError("ยังไม่ได้เลือกไฟล์")
    name = Path(upload.filename or "").name
    suffix = Path(name).suffix.lower()
    sent = session.add_upload(name, upload.file, suffix if suffix in sheets.SHEET_TYPES else ".bin")
    try:
        with open(sent.path, "rb") as head:
            sheets.check_sheet(name, head.read(65536))
    except ValueError:
        sent.path.unlink(missing_ok=True)
        raise
    return sent


async def recipients_upload(request: Request):
    session = session_of(request)
    try:
        session.sheet = await read_upload(request)
    except ValueError as exc:
        return back(request, "/recipients", str(exc))
    session.forget_uploads()
    session.touch()
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
    with open(workspace.sheets_dir / name, "rb") as saved:
        session.sheet = session.add_upload(name, saved, Path(name).suffix.lower())
    session.forget_uploads()
    session.touch()
    return RedirectResponse("/recipients?m=opened", 303)
