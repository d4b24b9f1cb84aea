"""ตัวอย่าง: any addressee's letter page by page, and that one letter as PDF or DOCX; the
numbers the set would take from the register now."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...errors import InputError
from ..wording import clerk_text
from ...thai import nfc
from .base import attachment, engine, ensure_letter, error_json, session_of, site

MEDIA = {"pdf": "application/pdf",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


async def plan_and_numbers(request: Request, signing_memo: bool = False) -> dict:
    """The plan of the set, its letters and the register numbers it would take now, or the
    error that stops it (tasks.plan_and_numbers: the preview and produce pages show them)."""
    try:
        return await engine(request, "plan_and_numbers", signing_memo)
    except InputError as exc:  # the engine stopped (its time or memory limit)
        return {"plan": None, "error": clerk_text(exc), "numbers": "", "register_year": "", "letters": 0,
                "encrypted": False}


async def preview_page(request: Request):
    session = session_of(request)
    ensure_letter(session)
    values = await plan_and_numbers(request)
    return site(request).pages.render(request, "preview.html.j2", session,
                                      rid=request.query_params.get("rid", ""), **values)


async def preview_api(request: Request):
    ensure_letter(session_of(request))
    try:
        version, pages, rid = await engine(request, "preview", request.query_params.get("rid") or None)
    except InputError as exc:
        return JSONResponse({"error": error_json(exc)})
    return JSONResponse({"version": version, "pages": pages, "rid": rid})


async def own_edit_get(request: Request):
    """One addressee's letter as the "edit this letter" section shows it (tasks.own_edit)."""
    ensure_letter(session_of(request))
    try:
        return JSONResponse(await engine(request, "own_edit", request.query_params.get("rid", "")))
    except InputError as exc:
        return JSONResponse({"error": clerk_text(exc)})


async def own_edit_save(request: Request):
    """One addressee's letter changed by the clerk (``{"rid", "paragraphs", "note"}``), or
    given back the set's text (``{"rid", "drop": true}``): kept with the draft, applied to
    that letter when it is previewed and made, its note in the register's remark."""
    session = session_of(request)
    try:
        sent = await request.json()
        rid, paragraphs = str(sent["rid"]), sent.get("paragraphs", [])
        if not isinstance(paragraphs, list) or len(paragraphs) > 200:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"error": "ข้อมูลที่ส่งมาไม่ถูกต้อง"}, 400)
    if sent.get("drop"):
        session.edits.pop(rid, None)
    elif rid in session.edits or len(session.edits) < 1000:
        session.edits[rid] = {"paragraphs": [nfc(str(p)) for p in paragraphs if str(p).strip()],
                              "note": nfc(str(sent.get("note", ""))).strip()[:500]}
    session.touch()
    return JSONResponse({"ok": True, "edited": len(session.edits)})


async def preview_png(request: Request):
    try:
        png = await engine(request, "page_png", request.path_params["version"], int(request.path_params["page"]))
    except InputError as exc:
        return Response(clerk_text(exc), 503, media_type="text/plain; charset=utf-8")
    if png is None:
        return Response("", 404)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


async def preview_file(request: Request):
    fmt = request.path_params["fmt"]
    if fmt not in MEDIA:
        return Response("", 404)
    try:
        found = await engine(request, "letter_file", request.path_params["version"], fmt)
    except InputError as exc:
        return Response(clerk_text(exc), 503, media_type="text/plain; charset=utf-8")
    if found is None:
        return Response("", 404)
    data, name = found
    return Response(data, media_type=MEDIA[fmt], headers=attachment(name))
