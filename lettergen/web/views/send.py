"""ส่งทางอีเมล: a made set sent to its addressees, each its own letter, through the office's
mail server (set on the office's page); per recipient where its letter stands (sent,
refused with the server's reason, waiting), and the letters not sent sent again."""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse

from .. import office, sending
from .base import attachment, form, refusal, session_of, site, wants_json

NOTICES = {"mail": "บันทึกการตั้งค่าเซิร์ฟเวอร์อีเมลแล้ว", "started": "เริ่มส่งแล้ว"}
CHOOSE_CHANNEL = "เลือกว่ารหัสเปิดไฟล์ไปถึงผู้รับทางใด (รหัสเปิดไฟล์ไม่ไปกับอีเมลฉบับเดียวกัน)"
NO_SETTINGS = "ยังไม่ได้ตั้งค่าเซิร์ฟเวอร์อีเมลของสำนักงาน: ตั้งค่าก่อนส่ง"
RUNNING = "กำลังส่งชุดนี้อยู่ รอให้เสร็จก่อน"


def _job(request: Request):
    """(job id, its folder) of a finished set of letters, or None."""
    here, job_id = site(request), request.path_params["job"]
    info = here.jobs.info(job_id)
    if info is None or info.get("kind") != "letters" or info.get("state") != "done":
        return None
    return job_id, here.jobs.folder(job_id), info


def _look(folder, db_path) -> dict:
    """What the page shows of the set: its plan, its last send, each letter's standing."""
    found = {"plan": sending.plan(folder), "sending": sending.state(folder), "rows": []}
    if found["plan"]["letters"]:
        found["rows"] = sending.rows(folder, db_path, found["sending"].get("state") == "running")
    return found


async def send_page(request: Request, error: str = "", status: int = 200):
    found = _job(request)
    if found is None:
        return refusal(request, "ไม่พบชุดหนังสือนี้ หรือยังสร้างไม่เสร็จ", 404)
    job_id, folder, info = found
    here = site(request)
    look = await run_in_threadpool(_look, folder, here.config.workspace.db_path)
    mail = await run_in_threadpool(office.mail_settings, here.config.workspace.root)
    waiting = [row for row in look["rows"] if row["status"] in ("refused", "not-sent")]
    return here.pages.render(
        request, "send.html.j2", session_of(request), status, job=info, job_id=job_id, mail=mail,
        channels=sending.CHANNELS, error=error, started=NOTICES["started"], notice=NOTICES.get(request.query_params.get("m", ""), ""),
        waiting=len(waiting), sent=sum(1 for row in look["rows"] if row["status"] == "sent"),
        uncertain=[row for row in look["rows"] if row["status"] == "uncertain"], **look)


async def send_start(request: Request):
    """A send of the set: its letters not sent yet (and those uncertain the clerk ticks)."""
    found = _job(request)
    if found is None:
        return refusal(request, "ไม่พบชุดหนังสือนี้ หรือยังสร้างไม่เสร็จ", 404)
    job_id, folder, _ = found
    here = site(request)
    sent = await form(request)
    plan = await run_in_threadpool(sending.plan, folder)
    channel = str(sent.get("channel", "")) or None
    error = plan["error"]
    if not error and not (await run_in_threadpool(office.mail_settings, here.config.workspace.root))["saved"]:
        error = NO_SETTINGS
    if not error and plan["logins"] and channel not in sending.CHANNELS:
        error = CHOOSE_CHANNEL
    resend = [str(v) for v in sent.getlist("resend")] if hasattr(sent, "getlist") else []
    if not error and not await run_in_threadpool(sending.start, folder,
                                                 channel if plan["logins"] else None, resend):
        error = RUNNING
    if error:
        if wants_json(request):
            return JSONResponse({"error": error}, 400)
        return await send_page(request, error, 400)
    if wants_json(request):
        return JSONResponse({"ok": True})
    return RedirectResponse(f"/send/{quote(job_id)}?m=started", 303)


async def send_deliveries(request: Request):
    """The set's deliveries as `lettergen send` lists them (deliveries.csv, for Excel):
    each letter's addressee, address, Message-ID, status and time sent."""
    found = _job(request)
    path = sending.out_of(found[1]) / "deliveries.csv" if found is not None else None
    if path is None or not path.is_file():
        return refusal(request, "ยังไม่มีรายการส่งอีเมลของชุดนี้", 404)
    return FileResponse(path, media_type="text/csv; charset=utf-8",
                        headers=attachment(f"รายการส่งอีเมล-{found[0]}.csv"))


async def send_status(request: Request):
    """Where each letter stands, for the page's script while a send runs."""
    found = _job(request)
    if found is None:
        return JSONResponse({"error": "ไม่พบชุดหนังสือนี้"}, 404)
    _, folder, _ = found
    look = await run_in_threadpool(_look, folder, site(request).config.workspace.db_path)
    return JSONResponse({"state": look["sending"].get("state", ""), "rows": look["rows"],
                         "state_text": look["sending"].get("state_text", "")},
                        headers={"Cache-Control": "no-store"})
