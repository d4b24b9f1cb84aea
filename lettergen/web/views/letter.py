"""หนังสือ: the letter form, its live check and preview, and the letter's files (the
example, a saved letter, an uploaded or downloaded ``letter.toml``)."""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ...errors import InputError
from ...spec import LETTER_KINDS, URGENCIES
from .. import sheets, specform, work
from ..state import load_raw, saved_letters, saved_name
from .base import (MESSAGES, attachment, ensure_letter, error_json, form, session_of, site)

URGENCY_LABELS = {"": "ปกติ (ไม่มีชั้นความเร็ว)"}
BAD_FORM = {"error": {"message": "ข้อมูลฟอร์มไม่ถูกต้อง", "text": "ข้อมูลฟอร์มไม่ถูกต้อง"}}


async def letter_page(request: Request):
    session = session_of(request)
    ensure_letter(session)
    error = None
    try:
        work.spec_of(session)
    except InputError as exc:
        error = error_json(work.shown_name(exc, session))
    values = specform.form_values(session.raw)
    return site(request).pages.render(
        request, "letter.html.j2", session, v=values, kinds=LETTER_KINDS, urgencies=URGENCIES,
        urgency_labels=URGENCY_LABELS, qr=_link_codes(values["links"]),
        sender_fields=specform.SENDER_FIELDS, variant_names=specform.VARIANT_NAMES,
        placeholders=specform.PLACEHOLDERS, saved=saved_letters(site(request).config.workspace),
        error=error, message=MESSAGES.get(request.query_params.get("m"), ""))


def _link_codes(links) -> dict[str, str]:
    """Each link's QR code as SVG, shown beside it; "" for a link that cannot be one (the
    form's check says why)."""
    from ...qr import svg

    codes = {}
    for name, url in links:
        try:
            codes[name] = svg(url)
        except Exception:  # an unusable link: the form's check says why
            codes[name] = ""
    return codes


async def letter_update(request: Request):
    """The whole form after an edit: checked as ``lettergen check`` checks, and answered with
    the first letter's preview drawn again, its page 1 drawn too (one round trip, not three)."""
    session = session_of(request)
    ensure_letter(session)
    try:
        values = await request.json()
        if not isinstance(values, dict):
            raise ValueError
    except ValueError:
        return JSONResponse(BAD_FORM, 400)
    session.set_raw(specform.apply_form(session.raw, values))
    try:
        await run_in_threadpool(work.check, session)
    except InputError as exc:
        return JSONResponse({"error": error_json(work.shown_name(exc, session))})
    try:
        version, pages, rid = await run_in_threadpool(work.drawn_preview, session)
    except InputError:
        return JSONResponse({"ok": True})
    return JSONResponse({"ok": True, "preview": {"version": version, "pages": pages, "rid": rid}})


async def letter_qr(request: Request):
    from ...qr import svg

    url = request.query_params.get("url", "")
    if not url.startswith(("https://", "http://")) or len(url) > 2000:
        return Response("", 404)
    return Response(svg(url), media_type="image/svg+xml")


async def letter_example(request: Request):
    work.load_example(session_of(request))
    return RedirectResponse("/letter?m=example", 303)


async def letter_open(request: Request):
    session, workspace = session_of(request), site(request).config.workspace
    name = str((await form(request)).get("name", ""))
    if name not in saved_letters(workspace):
        return RedirectResponse("/letter?m=missing", 303)
    session.set_raw(load_raw(workspace.letters_dir / f"{name}.toml"))
    session.letter_name = name
    return RedirectResponse("/letter?m=opened", 303)


async def letter_save(request: Request):
    session = session_of(request)
    ensure_letter(session)
    name = saved_name(str((await form(request)).get("name", "")))
    if name is None:
        return RedirectResponse("/letter?m=badname", 303)
    try:
        work.spec_of(session)
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
    session = session_of(request)
    upload = (await form(request)).get("file")
    if upload is None or not hasattr(upload, "read"):
        return RedirectResponse("/letter?m=nofile", 303)
    data = await upload.read()
    try:
        text = sheets.check_toml(upload.filename or "", data)
        import tomllib

        raw = tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        return site(request).pages.render(request, "letter_error.html.j2", session, 400, error=str(exc))
    session.set_raw(raw)
    session.letter_name = Path(upload.filename or "letter.toml").stem
    return RedirectResponse("/letter?m=uploaded", 303)

