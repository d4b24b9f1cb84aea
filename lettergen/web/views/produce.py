"""สร้างหนังสือ: the whole set made in a job of its own, its progress, cancel and files; and
the office's register (แบบที่ 14) of a year."""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from ...errors import InputError
from ..jobs import DOWNLOADS
from .base import attachment, back, engine, ensure_letter, session_of, site, wants_json
from .preview import plan_and_numbers

JOB_FIELDS = ("id", "kind", "state", "state_text", "done", "total", "rate", "left", "phase",
              "error", "letters", "pages", "seconds", "files")


async def produce_page(request: Request):
    session, here = session_of(request), site(request)
    ensure_letter(session)
    values = await plan_and_numbers(request)
    current = request.query_params.get("job")
    listing = here.jobs.listing("letters")
    if current is None and listing:  # the latest job, running or done: the clerk is back
        current = listing[0]["id"]
    years = await run_in_threadpool(here.config.workspace.register().years)
    return here.pages.render(request, "produce.html.j2", session, listing=listing, current=current,
                             downloads=DOWNLOADS, years=years, **values)


async def produce_start(request: Request):
    session = session_of(request)
    ensure_letter(session)
    try:
        await engine(request, "summary")  # the same checks, before any job
    except InputError as exc:
        return back(request, "/produce", str(exc))
    job_id = site(request).jobs.start("letters", session.spec_path(), session.sheet.path,
                                      letter_name=session.letter_name, sheet_name=session.sheet.name)
    if wants_json(request):
        return JSONResponse({"job": job_id})
    return RedirectResponse(f"/produce?job={quote(job_id)}", 303)


async def job_api(request: Request):
    info = site(request).jobs.info(request.path_params["job"])
    if info is None:
        return JSONResponse({"error": "ไม่พบงานนี้"}, 404)
    return JSONResponse({k: info.get(k) for k in JOB_FIELDS})


async def job_cancel(request: Request):
    job_id = request.path_params["job"]
    await run_in_threadpool(site(request).jobs.cancel, job_id)
    if wants_json(request):
        return JSONResponse({"ok": True})
    return RedirectResponse(f"/produce?job={quote(job_id)}", 303)


async def job_file(request: Request):
    what = request.path_params["what"]
    path = site(request).jobs.file(request.path_params["job"], what) if what in DOWNLOADS else None
    if path is None:
        return Response("ไม่พบไฟล์", 404, media_type="text/plain; charset=utf-8")
    return FileResponse(path, media_type=DOWNLOADS[what][0], headers=attachment(path.name))


async def register_file(request: Request):
    from ...register_form import register_xlsx_of

    register = site(request).config.workspace.register()
    try:
        year = int(request.query_params.get("year", ""))
    except ValueError:
        year = None
    if year not in register.years():
        return Response("ไม่พบทะเบียนของปีนี้", 404, media_type="text/plain; charset=utf-8")
    data = await run_in_threadpool(register_xlsx_of, register, year)
    return Response(data, media_type=DOWNLOADS["register"][0],
                    headers=attachment(f"ทะเบียนหนังสือส่ง-{year}.xlsx"))
