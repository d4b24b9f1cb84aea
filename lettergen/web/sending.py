"""The ส่งทางอีเมล step of a set the web app made: each addressee its own letter, by the
engine's own sending (mail.send.send_run, as `lettergen send` does), in a process of its
own (``send_runner``), so that the pages stay responsive while the office's rate limit
spaces the messages out.

Where each letter stands is read from the register of record's journal of deliveries
(mail.journal), the same record `lettergen send` keeps: sent, refused (with the server's
reason), uncertain, or waiting. Sending the set again sends only what was not sent.
What the send itself says (running, done, failed and why) is in the job's ``send.json``.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from .job_runner import read_json, write_json

SEND_FILE = "send.json"
LOCK_FILE = "send.lock"
STATES = {"running": "กำลังส่ง", "done": "ส่งเสร็จแล้ว", "failed": "ส่งไม่สำเร็จ",
          "stopped": "การส่งหยุดกลางคัน"}
STOPPED = "การส่งหยุดกลางคัน (โปรแกรมปิดไปก่อนส่งครบ): ฉบับที่ยังไม่ได้ส่งจะส่งเมื่อกดส่งอีกครั้ง"
WORDS = {"sent": "ส่งแล้ว", "refused": "เซิร์ฟเวอร์ไม่รับ", "uncertain": "ไม่ทราบผล (อาจส่งถึงแล้ว)",
         "sending": "กำลังส่ง", "not-sent": "รอส่ง", "no-address": "ไม่มีที่อยู่อีเมล"}
CHANNELS = {"shared": "ผู้รับแต่ละหน่วยงานรู้รหัสเปิดไฟล์อยู่แล้ว (รหัสในคอลัมน์รหัสเปิดไฟล์ตกลงกันไว้ก่อน)",
            "printed": "สำนักงานแจ้งรหัสเปิดไฟล์เป็นหนังสือหรือรายการที่พิมพ์ส่งแยกต่างหาก"}


def out_of(job_folder: Path) -> Path:
    return Path(job_folder) / "out"


def state(job_folder: Path) -> dict:
    """What the set's last send says: {} before any; a send whose process is gone while it
    said it was running is "stopped"."""
    sending = read_json(Path(job_folder) / SEND_FILE)
    ours = PROCESSES.get(str(job_folder))
    if ours is not None and ours.poll() is None:  # this server's, at work (perhaps not yet exec'd)
        alive = True
    else:
        alive = _alive(sending.get("pid"))
    if sending.get("state") == "running" and not alive:
        sending = read_json(Path(job_folder) / SEND_FILE)  # it may have just finished
        if sending.get("state") == "running":
            sending.update(state="stopped", error=STOPPED)
    if sending:
        sending["state_text"] = STATES.get(sending.get("state"), "")
    return sending


def plan(job_folder: Path) -> dict:
    """What the set holds for sending: its letters, how many have an address, how many carry
    logins (and so go only as encrypted copies, the opening password apart), and an error
    in the clerk's words when the set cannot be sent at all."""
    from ..errors import InputError
    from ..mail.mailing import read_mailing
    from .wording import clerk_message

    try:
        mailing = read_mailing(out_of(job_folder))
    except InputError as exc:
        return {"error": clerk_message(exc.message), "letters": 0}
    logins = [letter for letter in mailing.letters if letter.credentials]
    unencrypted = [letter for letter in logins if "delivery.pdf" not in letter.files]
    error = ""
    if unencrypted:
        error = (f"หนังสือ {len(unencrypted)} ฉบับมีชื่อผู้ใช้และรหัสผ่าน จึงส่งทางอีเมลได้เฉพาะสำเนาที่เข้ารหัส "
                 "แต่ชุดนี้ไม่มีสำเนานั้น: เพิ่มคอลัมน์ \"รหัสเปิดไฟล์\" ในรายชื่อผู้รับ แล้วสร้างหนังสือชุดนี้ใหม่")
    return {"error": error, "letters": len(mailing.letters), "logins": len(logins),
            "addressed": sum(1 for letter in mailing.letters if letter.addresses)}


def rows(job_folder: Path, db_path: Path, running: bool = False) -> list[dict]:
    """Per letter of the set: to whom, its address, where it stands (in Thai), the server's
    reason when it refused, and the Message-ID it went with. A letter recorded as being sent
    while no send runs was being handed over when its send stopped: it is uncertain (the
    next send records it so)."""
    from ..mail.journal import Journal
    from ..mail.send import statuses

    report = statuses(out_of(job_folder), Journal(db_path))
    found = []
    for o in report.outcomes:
        status = "uncertain" if o.status == "sending" and not running else o.status
        found.append({"id": o.recipient_id, "name": o.name, "to": o.to, "status": status,
                      "status_text": WORDS.get(status, status), "detail": _detail(o),
                      "message_id": o.message_id})
    return found


def _detail(outcome) -> str:
    from .wording import clerk_message

    if outcome.status == "refused":
        return outcome.detail  # the server's own reason, as it gave it
    return clerk_message(outcome.detail) if outcome.detail else ""


def start(job_folder: Path, channel: str | None, resend: list[str]) -> bool:
    """A send of the set in a process of its own; False when one is running already (two
    clicks at once start one: the check and the start are one step)."""
    with STARTING:
        return _start(Path(job_folder), channel, resend)


def _start(job_folder: Path, channel: str | None, resend: list[str]) -> bool:
    if state(job_folder).get("state") == "running":
        return False
    write_json(job_folder / SEND_FILE, {"state": "running", "channel": channel, "resend": resend,
                                        "started": time.time()})
    process = subprocess.Popen([sys.executable, "-m", "lettergen.web.send_runner", str(job_folder)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    write_json(job_folder / SEND_FILE, {**read_json(job_folder / SEND_FILE), "pid": process.pid})
    PROCESSES[str(job_folder)] = process  # reaped when the next send of any set starts
    for key, earlier in list(PROCESSES.items()):
        if earlier.poll() is not None:
            PROCESSES.pop(key, None)
    return True


PROCESSES: dict[str, subprocess.Popen] = {}  # this server's sends, by their set's folder
STARTING = threading.Lock()


def _alive(pid) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return b"lettergen.web.send_runner" in cmdline and stat.rsplit(")", 1)[-1].split()[0] != "Z"


def stop_all(grace: float = 3.0) -> None:
    """The sends this server started, ended with it: each asked to stop between two
    messages; one still handing a message over after ``grace`` seconds (a slow mail
    server) is killed, and the journal marks that letter uncertain. The next send goes on
    from there."""
    from .jobs import terminate_group

    running = [process for process in PROCESSES.values() if process.poll() is None]
    for process in running:
        terminate_group(process.pid)
    for process in running:
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:  # a server slow to answer: the journal says uncertain
            process.kill()
            process.wait()
    PROCESSES.clear()
