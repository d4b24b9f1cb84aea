"""ตัวอย่าง: any addressee's letter page by page, and that one letter as PDF or DOCX; the
numbers the set would take from the register now."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...errors import InputError
from .. import work
from .base import attachment, ensure_letter, error_json, session_of, site

MEDIA = {"pdf": "application/pdf",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


async def plan_and_numbers(request: Request) -> dict:
    """The plan of the set and the register numbers it would take now, or the error that
    stops it (the preview and produce pages show both)."""
    session = session_of(request)
    plan, error, numbers = None, None, ""
    try:
        plan = await run_in_threadpool(work.summary, session)
        numbers = await run_in_threadpool(work.numbers_now, session, site(request).config.workspace)
    except InputError as exc:
        error = str(work.shown_name(exc, session))
    return {"plan": plan, "error": error, "numbers": numbers}


async def preview_page(request: Request):
    session = session_of(request)
    ensure_letter(session)
    values = await plan_and_numbers(request)
    return site(request).pages.render(request, "preview.html.j2", session,
                                      rid=request.query_params.get("rid", ""), **values)


async def preview_api(request: Request):
    session = session_of(request)
    ensure_letter(session)
    rid = request.query_params.get("rid") or None
    try:
        version, pages, rid = await run_in_threadpool(work.locked_preview, session, rid)
    except InputError as exc:
        return JSONResponse({"error": error_json(work.shown_name(exc, session))})
    return JSONResponse({"version": version, "pages": pages, "rid": rid})


async def preview_png(request: Request):
    png = await run_in_threadpool(work.page_png, session_of(request), request.path_params["version"],
                                  int(request.path_params["page"]))
    if png is None:
        return Response("", 404)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


async def preview_file(request: Request):
    fmt = request.path_params["fmt"]
    if fmt not in MEDIA:
        return Response("", 404)
    found = await run_in_threadpool(work.letter_file, session_of(request), request.path_params["version"], fmt)
    if found is None:
        return Response("", 404)
    data, name = found
    return Response(data, media_type=MEDIA[fmt], headers=attachment(name))
