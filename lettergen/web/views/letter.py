"""หนังสือ: the letter form, its live check and preview, and the letter's files (the
example, a saved letter, an uploaded or downloaded ``letter.toml``)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..wording import clerk_text
from .base import back

from ...errors import InputError
from ...spec import LETTER_KINDS, URGENCIES
from .. import specform
from ..state import load_example, saved_letters, saved_name
from .base import MESSAGES, attachment, engine, ensure_letter, error_json, form, session_of, site, when

URGENCY_LABELS = {"": "ปกติ (ไม่มีชั้นความเร็ว)"}
BAD_FORM = {"error": {"message": "ข้อมูลฟอร์มไม่ถูกต้อง", "text": "ข้อมูลฟอร์มไม่ถูกต้อง"}}


async def letter_page(request: Request):
    session = session_of(request)
    ensure_letter(session)
    try:
        shown = await engine(request, "letter_form")
        if session.single != (shown["values"]["addressee"] is not None):
            session.single = not session.single
            session.persist()
    except InputError as exc:  # the letter's file itself cannot be shown (the engine stopped)
        return site(request).pages.render(request, "letter_error.html.j2", session, 503, error=clerk_text(exc))
    error = None
    try:
        await engine(request, "check_letter")
    except InputError as exc:  # the letter's mistake, or the check stopped at its limit
        error = error_json(exc)
    return site(request).pages.render(
        request, "letter.html.j2", session, v=shown["values"], kinds=LETTER_KINDS, urgencies=URGENCIES,
        urgency_labels=URGENCY_LABELS, qr=shown["qr"],
        sender_fields=specform.SENDER_FIELDS, variant_names=specform.VARIANT_NAMES,
        placeholders=specform.PLACEHOLDERS, chip_labels=specform.chip_labels(shown["values"]),
        saved=saved_letters(site(request).config.workspace),
        error=error, message=MESSAGES.get(request.query_params.get("m"), ""),
        upload_error=request.query_params.get("e"))


async def letter_update(request: Request):
    """The whole form after an edit: checked as ``lettergen check`` checks, and answered with
    the first letter's preview drawn again, its page 1 drawn too (one round trip, not three)."""
    ensure_letter(session_of(request))
    try:
        values = await request.json()
        if not isinstance(values, dict):
            raise ValueError
    except (ValueError, RecursionError):
        return JSONResponse(BAD_FORM, 400)
    session = session_of(request)
    try:
        preview = await engine(request, "edit_letter", values)
    except InputError as exc:
        session.touch()  # the letter as typed is kept, mistake and all
        return JSONResponse({"error": error_json(exc), "saved": when(session.saved)})
    session.touch()
    return JSONResponse({"ok": True, "saved": when(session.saved), **({"preview": preview} if preview else {})})


async def letter_qr(request: Request):
    url = request.query_params.get("url", "")
    if not url.startswith(("https://", "http://")) or len(url) > 2000:
        return Response("", 404)
    try:
        code = await engine(request, "qr_code", url)
    except InputError:
        return Response("", 404)
    return Response(code, media_type="image/svg+xml")


async def letter_example(request: Request):
    session = session_of(request)
    load_example(session)
    session.touch()
    return RedirectResponse("/letter?m=example", 303)


async def letter_open(request: Request):
    session, workspace = session_of(request), site(request).config.workspace
    name = str((await form(request)).get("name", ""))
    if name not in saved_letters(workspace):
        return RedirectResponse("/letter?m=missing", 303)
    try:
        session.single = await engine(request, "take_letter", str(workspace.letters_dir / f"{name}.toml"),
                                      f"{name}.toml")
    except InputError as exc:
        return site(request).pages.render(request, "letter_error.html.j2", session, 400, error=clerk_text(exc))
    session.letter_name = name
    session.touch()
    return RedirectResponse("/letter?m=opened", 303)


async def letter_save(request: Request):
    session = session_of(request)
    ensure_letter(session)
    name = saved_name(str((await form(request)).get("name", "")))
    if name is None:
        return RedirectResponse("/letter?m=badname", 303)
    try:
        await engine(request, "check_letter")
    except InputError:
        return RedirectResponse("/letter?m=invalid", 303)
    site(request).config.workspace.save_letter(f"{name}.toml", session.spec_path().read_bytes())
    session.letter_name = name
    return RedirectResponse("/letter?m=saved", 303)


async def letter_download(request: Request):
    session = session_of(request)
    ensure_letter(session)
    return Response(session.spec_path().read_bytes(), media_type="application/toml",
                    headers=attachment("letter.toml"))


async def letter_upload(request: Request):
    """A letter sent as a file: read in the engine's worker (it may be anything), and, when
    it is a letter's TOML text, the session's working letter; else the reason, said at the
    upload (the working letter is left as it was)."""
    session = session_of(request)
    upload = (await form(request)).get("file")
    if upload is None or not hasattr(upload, "read"):
        return back(request, "/letter", MESSAGES["nofile"])
    name = Path(upload.filename or "letter.toml").name
    sent = session.add_upload(name, upload.file, ".toml")
    try:
        session.single = await engine(request, "take_letter", str(sent.path), name)
    except InputError as exc:
        return back(request, "/letter", exc.message)
    finally:
        session.forget_uploads()
    session.letter_name = Path(name).stem
    session.touch()
    return back(request, "/letter", go="/letter?m=uploaded")
