"""ตั้งค่าสำนักงาน: the office's signing certificate (uploaded once, kept 0600 in the workspace,
never served back; the page shows its subject, serial and validity) and its mail server
for the ส่งทางอีเมล step (the password kept 0600, never shown back)."""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse

from ...errors import InputError
from ...signing.keys import MAX_P12_BYTES
from .. import office
from ..wording import clerk_message
from .base import engine, form, session_of, site, wants_json

NOTICES = {"certificate": "บันทึกใบรับรองของสำนักงานแล้ว ใช้ลงลายมือชื่ออิเล็กทรอนิกส์ได้ที่หน้า สร้างหนังสือ",
           "mail": "บันทึกการตั้งค่าเซิร์ฟเวอร์อีเมลแล้ว"}


def _root(request: Request):
    return site(request).config.workspace.root


async def office_page(request: Request, errors: dict | None = None, typed: dict | None = None,
                      status: int = 200):
    """The page; after a refused form, its errors beside their fields and what was typed
    (never a password)."""
    root = _root(request)
    facts = await run_in_threadpool(office.certificate_facts, root)
    mail = await run_in_threadpool(office.mail_settings, root)
    if typed:
        mail.update({k: typed.get(k, mail[k]) for k in ("host", "port", "user", "sender", "per_minute")},
                    starttls=bool(typed.get("starttls")))
    return site(request).pages.render(
        request, "office.html.j2", session_of(request), status, facts=facts,
        valid=office.validity(facts) if facts else None, mail=mail, errors=errors or {},
        notice=NOTICES.get(request.query_params.get("m", ""), ""),
        back=request.query_params.get("job", ""))


async def _refused(request: Request, errors: dict, typed: dict | None = None):
    if wants_json(request):
        field, message = next(iter(errors.items()))
        return JSONResponse({"error": message, "field": field, "errors": errors}, 400)
    return await office_page(request, errors, typed, 400)


async def certificate_upload(request: Request):
    """The .p12 opened with its passphrase (in an engine worker) before it is kept: a wrong
    passphrase, a file that is no certificate or one that cannot sign today is said at its
    field, and nothing is kept. The passphrase is not kept either."""
    sent = await form(request)
    upload, passphrase = sent.get("file"), str(sent.get("passphrase", ""))
    if not hasattr(upload, "read") or not upload.filename:
        return await _refused(request, {"file": "ยังไม่ได้เลือกไฟล์ใบรับรอง"})
    data = await upload.read(MAX_P12_BYTES + 1)
    if len(data) > MAX_P12_BYTES:
        return await _refused(request, {"file": "ไฟล์ใหญ่เกินกว่าจะเป็นไฟล์ใบรับรองของหน่วยงาน"})
    if not passphrase:
        return await _refused(request, {"passphrase": "ใส่รหัสผ่านของใบรับรอง เพื่อตรวจว่าเปิดใบรับรองได้"})
    where = await run_in_threadpool(office.folder, _root(request))
    trying = where / f".upload-{secrets.token_hex(8)}"
    try:
        await run_in_threadpool(_write_private, trying, data)
        facts = await engine(request, "open_certificate", str(trying), passphrase)
    except InputError as exc:
        field = "passphrase" if "รหัสผ่าน" in exc.message else "file"
        return await _refused(request, {field: clerk_message(exc.message)})
    finally:
        trying.unlink(missing_ok=True)
    await run_in_threadpool(office.save_certificate, _root(request), data, facts)
    if wants_json(request):
        return JSONResponse({"ok": True, "go": "/office?m=certificate"})
    return RedirectResponse("/office?m=certificate", 303)


def _write_private(path, data: bytes) -> None:
    from ...files import write_atomic

    write_atomic(path, data, mode=0o600)


async def mail_save(request: Request):
    """The mail server's settings saved, each checked; an empty password keeps the saved one."""
    sent = await form(request)
    values = {k: str(sent.get(k, "")) for k in ("host", "port", "user", "sender", "per_minute", "password")}
    values.update(starttls=sent.get("starttls"), forget_password=sent.get("forget_password"))
    errors = await run_in_threadpool(office.save_mail_settings, _root(request), values)
    if errors:
        values.pop("password")
        return await _refused(request, errors, values)
    back = str(sent.get("job", ""))
    target = f"/send/{back}?m=mail" if back and back.replace("-", "").isalnum() else "/office?m=mail"
    if wants_json(request):
        return JSONResponse({"ok": True, "go": target})
    return RedirectResponse(target, 303)
