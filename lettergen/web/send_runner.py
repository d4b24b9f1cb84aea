"""A send of a made set, run as its own process: ``python -m lettergen.web.send_runner JOB_DIR``.

It sends the set in JOB_DIR/out with the engine's sending (mail.send.send_run), through the
office's mail server as the workspace keeps it (office.smtp_of), at its rate, recording
each message in the register of record's journal, exactly as `lettergen send --workspace`
does; the choice of how the opening passwords travel, and the letters to send again whose
earlier sending is uncertain, are in JOB_DIR/send.json, where the outcome goes too.

One send of a set at a time (a lock on JOB_DIR/send.lock). Asked to stop (the server
stops), it stops between messages, never while one is being handed to the server.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sys
import time
from pathlib import Path


class Stop(Exception):
    """Asked to stop: the send ends between two messages."""


def _limit(per_minute: int):
    """The rate limit, which also tells when the send is waiting between messages (a stop
    then comes at once; during a message's handover it waits for the server's answer)."""
    from ..mail.send import RateLimit

    class Spaced(RateLimit):
        waiting, asked = True, False

        def wait(self) -> None:
            Spaced.waiting = True
            if Spaced.asked:
                raise Stop
            super().wait()
            Spaced.waiting = False

    def stop(signum, frame):
        Spaced.asked = True
        if Spaced.waiting:
            raise Stop

    signal.signal(signal.SIGTERM, stop)
    return Spaced(per_minute)


def send(job_dir: Path, job: dict, sending: dict) -> dict:
    """The set sent; what send.json says of it."""
    from ..errors import InputError
    from ..files import write_atomic
    from ..mail.journal import Journal
    from ..mail.send import SENT, deliveries_csv, send_run, statuses
    from ..registers.workspace import Workspace
    from .office import smtp_of

    workspace = Workspace(Path(job["workspace"]))
    settings = smtp_of(workspace.root)
    if settings is None:
        raise InputError("ยังไม่ได้ตั้งค่าเซิร์ฟเวอร์อีเมลของสำนักงาน: ตั้งค่าที่หน้าตั้งค่าสำนักงานก่อนส่ง")
    smtp, sender, per_minute = settings
    workspace.register()  # the register of record's own tables, beside the journal's
    journal = Journal(workspace.db_path)
    out = job_dir / "out"
    report = send_run(out, sender=sender, smtp=smtp, journal=journal, channel=sending.get("channel"),
                      per_minute=per_minute, resend=list(sending.get("resend") or ()),
                      limit=_limit(per_minute))
    write_atomic(out / "deliveries.csv", deliveries_csv(statuses(out, journal)))
    return {"state": "done", "sent": report.count(SENT, now=True), "problems": len(report.problems)}


def main(job_dir: Path) -> int:
    from ..errors import InputError
    from .job_runner import read_json, write_json
    from .sending import LOCK_FILE, SEND_FILE

    lock = open(job_dir / LOCK_FILE, "a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # another send of this set is at work: it says how it ends
        return 0
    path = job_dir / SEND_FILE
    try:
        outcome = send(job_dir, read_json(job_dir / "job.json"), read_json(path))
    except InputError as exc:  # said without the server's folders
        from .wording import clerk_message

        outcome = {"state": "failed", "error": clerk_message(exc.message)}
    except Stop:
        from .sending import STOPPED

        outcome = {"state": "stopped", "error": STOPPED}
    except Exception as exc:  # an internal error: its kind only
        outcome = {"state": "failed", "error": f"ข้อผิดพลาดภายในของ lettergen ({type(exc).__name__})"}
    write_json(path, {**read_json(path), **outcome, "finished": time.time()})
    return 0


if __name__ == "__main__":
    os.umask(0o077)
    sys.exit(main(Path(sys.argv[1])))
