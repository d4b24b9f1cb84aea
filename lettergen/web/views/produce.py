"""สร้างหนังสือ: the whole set made in a job of its own, its progress, cancel and files; and
the office's register (แบบที่ 14) of a year."""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from ...errors import InputError
from .. import office
from ..jobs import DOWNLOADS
from ..wording import clerk_message
from .base import attachment, back, engine, ensure_letter, form, session_of, site, wants_json
from .preview import plan_and_numbers

NOTICES = {"changed": "เลขที่หนังสือในทะเบียนเปลี่ยนไปแล้ว (มีการสร้างหนังสือชุดอื่นก่อน): "
                      "ดูเลขที่จะได้ตอนนี้ด้านล่าง แล้วกดสร้างอีกครั้ง"}

SIGN_ERRORS = {"missing": "ยังไม่มีใบรับรองของสำนักงาน: อัปโหลดที่หน้าตั้งค่าสำนักงานก่อน",
               "empty": "ใส่รหัสผ่านของใบรับรอง เพื่อลงลายมือชื่ออิเล็กทรอนิกส์",
               "refused": "เปิดใบรับรองไม่ได้: รหัสผ่านของใบรับรองไม่ถูกต้อง หรือใบรับรองใช้ลงนามวันนี้ไม่ได้ "
                          "(ดูที่หน้าตั้งค่าสำนักงาน) ยังไม่ได้สร้างและไม่ได้ใช้เลขใด"}

JOB_FIELDS = ("id", "kind", "state", "state_text", "done", "total", "rate", "left", "phase",
              "error", "letters", "pages", "seconds", "files", "mail", "signed")


def _memo(values) -> bool:
    return str(values.get("memo", "")) in ("1", "on", "true")


async def produce_page(request: Request):
    session, here = session_of(request), site(request)
    ensure_letter(session)
    memo = _memo(request.query_params)
    values = await plan_and_numbers(request, memo)
    current = request.query_params.get("job")
    listing = here.jobs.listing("letters")
    if current is None and listing:  # the latest job, running or done: the clerk is back
        current = listing[0]["id"]
    years = await run_in_threadpool(here.config.workspace.register().years)
    facts = await run_in_threadpool(office.certificate_facts, here.config.workspace.root)
    return here.pages.render(request, "produce.html.j2", session, listing=listing, current=current,
                             downloads=DOWNLOADS, years=years, memo=memo, edited=len(session.edits),
                             notice=NOTICES.get(request.query_params.get("m"), ""), certificate=facts,
                             valid=office.validity(facts) if facts else None,
                             sign_error=SIGN_ERRORS.get(request.query_params.get("se", ""), ""), **values)


async def produce_numbers(request: Request):
    """The numbers a set made now would take, asked by the page just before it asks the
    clerk to agree to them (the numbers shown earlier may have been taken since)."""
    ensure_letter(session_of(request))
    values = await plan_and_numbers(request, _memo(request.query_params))
    return JSONResponse({k: values[k] for k in ("numbers", "register_year", "letters", "error")})


async def produce_start(request: Request):
    """The set made, if the numbers the clerk agreed to (``expect``) are still the ones it
    would take; else the numbers it would take now, for the page to ask again ("changed")."""
    session = session_of(request)
    ensure_letter(session)
    sent = await form(request)
    memo = _memo(sent)
    values = await plan_and_numbers(request, memo)
    if values["error"]:
        return back(request, "/produce", values["error"])
    if str(sent.get("expect", "")) != values["numbers"]:
        if wants_json(request):
            return JSONResponse({"changed": True, **{k: values[k] for k in ("numbers", "register_year", "letters")}})
        return RedirectResponse("/produce?m=changed" + ("&memo=1" if memo else ""), 303)
    passphrase = None
    if str(sent.get("sign", "")) in ("1", "on"):
        passphrase, refused = await _passphrase(request, str(sent.get("passphrase", "")))
        if refused is not None:
            return refused
    options = {"signing_memo": memo, "leave_out": sorted(session.leave_out), "edits": session.edits,
               "expected": values["numbers"], "sign": passphrase is not None}
    sheet = session.sheet if values["plan"] and not values["plan"].addressee else None
    job_id = site(request).jobs.start("letters", session.spec_path(), sheet.path if sheet else None,
                                      letter_name=session.letter_name, sheet_name=sheet.name if sheet else "",
                                      options=options, secret=passphrase)
    if wants_json(request):
        return JSONResponse({"job": job_id})
    return RedirectResponse(f"/produce?job={quote(job_id)}", 303)


async def _passphrase(request: Request, passphrase: str):
    """(the certificate's passphrase, None) when it opens the office's certificate, which
    can sign today; else (None, the refusal, said at the passphrase's field). It is checked
    in an engine worker and handed only to the job's process, in memory."""
    root = site(request).config.workspace.root
    path = await run_in_threadpool(office.certificate_path, root)
    code, error = "", ""
    if path is None:
        code = "missing"
    elif not passphrase:
        code = "empty"
    elif len(passphrase) > 1024:
        code = "refused"
    else:
        try:
            await engine(request, "open_certificate", str(path), passphrase)
        except InputError as exc:
            code, error = "refused", clerk_message(exc.message) + " (ยังไม่ได้สร้างหนังสือและไม่ได้ใช้เลขใด)"
    if not code:
        return passphrase, None
    if wants_json(request):
        return None, JSONResponse({"error": error or SIGN_ERRORS[code], "field": "passphrase"}, 400)
    return None, RedirectResponse(f"/produce?se={code}", 303)


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
    found = site(request).jobs.file(request.path_params["job"], what) if what in DOWNLOADS else None
    if found is None:
        return Response("ไม่พบไฟล์", 404, media_type="text/plain; charset=utf-8")
    path, name = found
    media = "application/zip" if path.suffix == ".zip" else DOWNLOADS[what][0]  # print.zip of a large set
    return FileResponse(path, media_type=media, headers=attachment(name))


async def register_file(request: Request):
    from ...registers.form14 import register_xlsx_of

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
