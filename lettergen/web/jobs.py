"""Production jobs: each one a process of its own (``job_runner``), never the server's event
loop, so the pages stay responsive while letters are made. A job's folder in the workspace
(``runs/<id>``) holds its inputs, its progress and its output, so a clerk who closes the
browser finds it again, running or done.

Cancel (and the server's own stop) ends the job's whole process group and removes its
output folder: what is left is the job's record, marked cancelled, never half a set. The
office's register says the same of the numbers the job took (``settle``): cancelled, why
and when. A job that no process runs any more (its server and its process were killed)
is settled the same way when the next server starts.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from .job_runner import read_json, write_json

STATES = {"running": "กำลังสร้าง", "done": "เสร็จแล้ว", "failed": "ไม่สำเร็จ", "cancelled": "ยกเลิกแล้ว"}
BY_CLERK = "ยกเลิกโดยผู้ใช้"
SERVER_STOPPED = "ยกเลิกเพราะปิดโปรแกรม"
SERVER_GONE = "งานหยุดเพราะโปรแกรมปิดไปก่อนเสร็จ"
VANISHED = "งานหยุดกลางคันโดยไม่ทราบสาเหตุ"
CRASHED = ("งานหยุดกลางคัน: กระบวนการที่สร้างหนังสือหยุดทำงาน (อาจใช้หน่วยความจำเกินที่กำหนดไว้) "
           "ไม่ได้ใช้เลขที่หนังสือ: แบ่งรายชื่อเป็นชุดเล็กลงแล้วสร้างใหม่ หรือให้ผู้ดูแลระบบเพิ่มขีดจำกัด")
KINDS = {"letters": "หนังสือ", "reminders": "หนังสือติดตาม"}
DOWNLOADS = {"zip": ("application/zip", "ไฟล์หนังสือทั้งหมด (ไฟล์บีบอัด)"),
             "print": ("application/pdf", "ไฟล์รวมสำหรับสั่งพิมพ์ (PDF; ชุดใหญ่เป็นไฟล์บีบอัดของหลายไฟล์)"),
             "register": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          "ทะเบียนหนังสือส่ง (Excel)")}


class Jobs:
    def __init__(self, workspace, jobs: int | None = None):
        self.workspace = workspace
        self.runs = Path(workspace.runs_dir)
        self.processes: dict[str, subprocess.Popen] = {}
        self.jobs = jobs
        self._adopt_orphans()

    def _adopt_orphans(self) -> None:
        """Jobs the last server left running: those still at work carry on (their folder
        says how they end); the others died with it: say so, remove their output, and
        settle the numbers they took in the register. So is any job that ended unfinished
        while its numbers stayed reserved (its server was killed before it could say so)."""
        for folder in self.runs.iterdir() if self.runs.is_dir() else ():
            job = read_json(folder / "job.json")
            if job.get("state") == "running" and not _alive(job.get("pid")):
                shutil.rmtree(folder / "out", ignore_errors=True)
                job.update(state="cancelled", error=SERVER_GONE, finished=time.time())
                write_json(folder / "job.json", job)
        for _, out_dir in self.workspace.register().unsettled():
            folder = Path(out_dir).parent
            job = read_json(folder / "job.json") if folder.parent == self.runs else {}
            if job and job.get("state") != "running" and job.get("state") != "done":
                self._settle(folder, job.get("error") or SERVER_GONE)

    def _settle(self, folder: Path, reason: str) -> None:
        """The numbers the job in ``folder`` reserved, marked cancelled in the register."""
        self.workspace.register().settle(str((folder / "out").absolute()), reason)

    def start(self, kind: str, spec_path: Path, sheet_path: Path | None, *, letter_name: str,
              sheet_name: str, today: dt.date | None = None, options: dict | None = None,
              secret: str | None = None) -> str:
        """A new job in a process of its own (``sheet_path`` None: a letter to one named
        addressee; ``options``: the clerk's choices, job_runner says which); or, when a job
        of the same kind with the same letter, sheet, day and choices is still running (a
        second click, a page sent twice), that job: the same set is never made twice at
        once, and takes its register numbers once. ``secret`` (the signing certificate's
        passphrase) goes to the job's process through a pipe, so that it is in that job's
        memory only: never in job.json, its command line, its environment, or on disk."""
        import hashlib
        import json

        options = options or {}
        sheet = sheet_path.read_bytes() if sheet_path is not None else b""
        same = hashlib.sha256(b"\0".join([
            kind.encode(), spec_path.read_bytes(), sheet, (today or dt.date.today()).isoformat().encode(),
            json.dumps({k: v for k, v in options.items() if k != "expected"}, sort_keys=True,
                       ensure_ascii=False).encode()])).hexdigest()
        for running in self.listing(kind):
            if running.get("state") == "running" and running.get("inputs") == same:
                return running["id"]
        job_id = dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
        folder = self.runs / job_id
        (folder / "input").mkdir(parents=True, mode=0o700)
        shutil.copyfile(spec_path, folder / "input" / "letter.toml")
        sheet_file = "recipients" + sheet_path.suffix.lower() if sheet_path is not None else ""
        if sheet_path is not None:
            shutil.copyfile(sheet_path, folder / "input" / sheet_file)
        job = {"id": job_id, "kind": kind, "state": "running", "created": time.time(),
               "letter_name": letter_name, "sheet_name": sheet_name, "sheet_file": sheet_file,
               "today": (today or dt.date.today()).isoformat(), "jobs": self.jobs,
               "workspace": str(self.workspace.root), "inputs": same, "options": options}
        write_json(folder / "job.json", job)
        self.processes[job_id] = subprocess.Popen(
            [sys.executable, "-m", "lettergen.web.job_runner", str(folder)],
            stdin=subprocess.DEVNULL if secret is None else subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        if secret is not None:
            try:
                self.processes[job_id].stdin.write(secret.encode("utf-8"))
                self.processes[job_id].stdin.close()
            except OSError:  # the job ended at once: it says why in job.json
                pass
        job["pid"] = self.processes[job_id].pid
        write_json(folder / "job.json", {**read_json(folder / "job.json"), "pid": job["pid"]})
        return job_id

    def folder(self, job_id: str) -> Path | None:
        folder = self.runs / job_id
        if "/" in job_id or job_id.startswith(".") or not (folder / "job.json").is_file():
            return None
        return folder

    def info(self, job_id: str) -> dict | None:
        folder = self.folder(job_id)
        if folder is None:
            return None
        job = read_json(folder / "job.json")
        process = self.processes.get(job_id)
        gone = process.poll() is not None if process is not None else not _alive(job.get("pid"))
        if job.get("state") == "running" and gone:
            job = read_json(folder / "job.json")  # it may have just finished
            if job.get("state") == "running":
                shutil.rmtree(folder / "out", ignore_errors=True)
                # ended by a signal (a library that crashes when memory runs out, the limit
                # of job_runner.limit_memory): said so; otherwise, nothing is known
                crashed = process is not None and (process.returncode or 0) < 0
                error = CRASHED if crashed else VANISHED
                job.update(state="failed", error=error, finished=time.time())
                write_json(folder / "job.json", job)
                self._settle(folder, error)
        if process is not None and process.poll() is not None:
            self.processes.pop(job_id, None)
        progress = read_json(folder / "progress.json")
        done, total = progress.get("done", 0), progress.get("total", 0)
        elapsed = max(0.0, progress.get("at", 0) - progress.get("started", 0))
        rate = done / elapsed if done and elapsed > 0 else 0.0
        left = (total - done) / rate if rate and total else None
        job.update(done=done, total=total, rate=rate, left=left, phase=progress.get("phase", "check"),
                   state_text=STATES.get(job.get("state"), ""), kind_text=KINDS.get(job.get("kind"), ""))
        return job

    def listing(self, kind: str | None = None, limit: int = 10) -> list[dict]:
        folders = sorted((p for p in self.runs.iterdir() if (p / "job.json").is_file()), reverse=True)
        result = []
        for folder in folders:
            job = self.info(folder.name)
            if job and (kind is None or job.get("kind") == kind):
                result.append(job)
            if len(result) >= limit:
                break
        return result

    def file(self, job_id: str, what: str) -> tuple[Path, str] | None:
        """A file of a finished job, and the name it is downloaded as (its numbers and date:
        job_runner.download_names)."""
        job = self.info(job_id)
        if job is None or job.get("state") != "done" or what not in job.get("files", {}):
            return None
        path = self.runs / job_id / "out" / job["files"][what]
        return (path, job.get("names", {}).get(what, path.name)) if path.is_file() else None

    def cancel(self, job_id: str, reason: str = BY_CLERK) -> bool:
        folder = self.folder(job_id)
        if folder is None:
            return False
        process = self.processes.get(job_id)
        if process is None:  # started by an earlier server and still at work
            pid = read_json(folder / "job.json").get("pid")
            if not _alive(pid):
                return False
            _stop_pid_group(pid)
        elif process.poll() is not None:
            return False
        else:
            _stop_group(process)
        self.processes.pop(job_id, None)
        self._cancelled(folder, reason)
        return True

    def _cancelled(self, folder: Path, reason: str) -> None:
        job = read_json(folder / "job.json")
        if job.get("state") == "running":
            shutil.rmtree(folder / "out", ignore_errors=True)
            job.update(state="cancelled", error=reason, finished=time.time())
            write_json(folder / "job.json", job)
            self._settle(folder, reason)

    def stop_all(self, grace: float = 1.5) -> None:
        """Every job this server started, ended together: SIGTERM to each one's process
        group, SIGKILL to what is left after one shared ``grace``, so that the server stops
        within seconds however many jobs run."""
        running = {job_id: p for job_id, p in self.processes.items() if p.poll() is None}
        for process in running.values():
            terminate_group(process.pid)
        deadline = time.monotonic() + grace
        for process in running.values():
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for job_id, process in running.items():
            _signal_group(process.pid, signal.SIGKILL)  # the group's workers, if any are left
            process.wait()
            self.processes.pop(job_id, None)
            self._cancelled(self.runs / job_id, SERVER_STOPPED)


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def _alive(pid) -> bool:
    """Whether ``pid`` is a job process still at work (not some other process that took
    its number since)."""
    if not isinstance(pid, int):
        return False
    try:
        return b"lettergen.web.job_runner" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def terminate_group(pid: int) -> None:
    """SIGTERM to the group, then SIGCONT: a job or a send whose processes were stopped
    (SIGSTOP, Ctrl-Z in a terminal) takes its SIGTERM at once rather than at the SIGKILL
    after the grace."""
    _signal_group(pid, signal.SIGTERM)
    _signal_group(pid, signal.SIGCONT)


def _stop_pid_group(pid: int, grace: float = 3.0) -> None:
    terminate_group(pid)
    deadline = time.monotonic() + grace
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    _signal_group(pid, signal.SIGKILL)


def _stop_group(process: subprocess.Popen, grace: float = 3.0) -> None:
    terminate_group(process.pid)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        pass
    _signal_group(process.pid, signal.SIGKILL)  # the group's workers, if any are left
    process.wait()
