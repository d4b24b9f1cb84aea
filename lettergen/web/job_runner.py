"""A production job, run as its own process: ``python -m lettergen.web.job_runner JOB_DIR``.

The server starts it (in a process group of its own, so that a cancel reaches the batch
engine's workers too) and reads what it writes: ``progress.json`` as letters are finished,
and ``job.json`` with the outcome. The letters are made by ``batch.run`` (the reminders by
``remind.remind``), exactly as the CLI makes them; the job's folder holds its inputs as
they were when the clerk pressed the button, and ``job.json`` the clerk's choices
(``options``): the rows left out, each letter's own edit, the signing memo, the reminder's
own date, subject and urgency rule, the day done is counted on, and the numbers the clerk
agreed to (the job takes those or none).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
import time
from pathlib import Path

NOT_MADE = "สร้างไม่สำเร็จ"  # the register's reason for the numbers of a failed job
# The address space a job's process may take beyond what it holds when it starts (each of
# its workers inherits the same ceiling): LETTERGEN_WEB_JOB_MEMORY_MB, 0 for none. A set of
# 7,852 letters takes about 300 MB in all; a job past the limit fails with a message, and
# the server, and the other clerks' work, go on.
JOB_MEMORY_MB = 2048
FILES = {"letters": {"zip": "letters.zip", "print": "print.pdf", "register": "register.xlsx"},
         "reminders": {"zip": "reminders.zip", "register": "register.xlsx"}}


def write_json(path: Path, data: dict) -> None:
    """``path`` replaced whole (the server and the job both write job.json)."""
    from ..files import write_atomic

    write_atomic(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def set_files(kind: str, out: Path, date: dt.date) -> dict[str, str]:
    """The files of a finished job the page offers, by what they are. A set of more than
    batch.PRINT_LETTERS letters is printed from several files (print-01.pdf...): the page
    offers them as one print.zip, made here."""
    files = {what: name for what, name in FILES[kind].items() if (out / name).is_file()}
    parts = sorted(out.glob("print-*.pdf"))
    if "print" in FILES[kind] and "print" not in files and parts:
        from ..archive import write_zip

        write_zip(out / "print.zip", parts, date)
        files["print"] = "print.zip"
    return files


def download_names(kind: str, numbers: str, date: dt.date, files: dict[str, str] | None = None) -> dict[str, str]:
    """What each file of a set is called when downloaded: its first number and its date,
    "ว5-2569-12-04-letters.zip", so that a clerk's downloads folder tells sets apart."""
    from ..thai import thai_digit_to_arabic_digit

    first = thai_digit_to_arabic_digit(numbers.split(",")[0].split("(")[0]).rsplit("/", 1)[-1]
    label = "".join(first.split()).replace("–", "-")
    stem = "-".join(part for part in (label, f"{date.year + 543}-{date:%m-%d}") if part)
    return {what: f"{stem}-{name}" for what, name in (files or FILES[kind]).items()}


def _workspace(job: dict):
    from ..registers.workspace import Workspace

    return Workspace(Path(job["workspace"])) if job.get("workspace") else None


def _book(job_dir: Path, job: dict, spec, use: str):
    """The job's sheet as the engine reads it (a letter to one named addressee has none),
    each letter's own edit applied."""
    from ..sheets.recipients import addressee_book, load_recipients
    from .own_edits import as_text, with_own_edits

    if spec.addressee is not None:
        book = addressee_book(spec)
    else:
        book = load_recipients(job_dir / "input" / job["sheet_file"], spec, use=use)
    return with_own_edits(book, as_text(job.get("options", {}).get("edits", {})))


def _signer(job: dict, passphrase: str | None):
    """The office's certificate opened with the passphrase the server handed this process
    (on its standard input, never written anywhere), when the clerk asked for signing."""
    if not job.get("options", {}).get("sign"):
        return None
    from ..errors import InputError
    from ..signing import load_signer
    from .office import certificate_path

    path = certificate_path(Path(job["workspace"])) if job.get("workspace") else None
    if path is None:
        raise InputError("ไม่พบใบรับรองของสำนักงาน: อัปโหลดที่หน้าตั้งค่าสำนักงานแล้วสร้างอีกครั้ง")
    return load_signer(path.read_bytes(), passphrase or "")


def _letters(job_dir: Path, job: dict, out: Path, progress, quiet, passphrase=None):
    from ..batch import RunOptions, run
    from ..rendering import DELIVERY, FORMATS
    from ..spec import load_spec

    options = job.get("options", {})
    signer = _signer(job, passphrase)  # before anything is taken or written
    spec = load_spec(job_dir / "input" / "letter.toml")
    book = _book(job_dir, job, spec, "letters")
    # a sheet with opening passwords: each letter also as its encrypted copy, the one a
    # letter carrying logins may be e-mailed as
    formats = FORMATS + ((DELIVERY,) if "pdf_password" in book.headers else ())
    chosen = RunOptions(formats=formats, print_pdf=True, zip_set=True, progress=False,
                        jobs=job.get("jobs"), signing_memo=bool(options.get("signing_memo")),
                        leave_out=tuple(options.get("leave_out", ())),
                        expected_numbers=options.get("expected"), signer=signer)
    result = run(spec, book, out, chosen, stderr=quiet, on_progress=progress,
                 workspace=_workspace(job))
    return result, spec.date


def _reminders(job_dir: Path, job: dict, out: Path, progress, quiet, passphrase=None):
    from ..archive import write_zip
    from ..remind import remind
    from ..spec import load_spec
    from ..status import book_as_of
    from .reminders import with_reminder_fields

    options = job.get("options", {})
    fields = options.get("reminder", {})
    spec = with_reminder_fields(load_spec(job_dir / "input" / "letter.toml"), fields)
    day = dt.date.fromisoformat(fields.get("date") or job["today"])
    book = book_as_of(_book(job_dir, job, spec, "reminders"), day)
    result = remind(spec, book, out, register=None, today=day, jobs=job.get("jobs"), stderr=quiet,
                    workspace=_workspace(job), expected_numbers=options.get("expected"))
    if result is not None:
        progress(result.letters, result.letters, "pack")
        write_zip(out / "reminders.zip", list(result.files), day)
    return result, day


def limit_memory() -> int:
    """Hold this process (and the workers it forks) to JOB_MEMORY_MB more address space, or
    to LETTERGEN_WEB_JOB_MEMORY_MB's; the megabytes allowed (0: no limit). The libraries a
    job loads come first, so that the limit bounds what the job's data takes, and a library
    never fails to load for want of room."""
    from .. import batch, rendering  # noqa: F401
    from ..pdf.weasy import import_weasyprint
    from ..registers.run_register import preload

    import_weasyprint()
    preload()
    import docx  # noqa: F401
    import pikepdf  # noqa: F401
    try:
        megabytes = int(os.environ.get("LETTERGEN_WEB_JOB_MEMORY_MB", JOB_MEMORY_MB))
    except ValueError:
        megabytes = JOB_MEMORY_MB
    if megabytes > 0 and sys.platform.startswith("linux"):
        import resource

        from .engine_process import address_space

        resource.setrlimit(resource.RLIMIT_AS, (address_space() + megabytes * 2**20, resource.RLIM_INFINITY))
    return max(megabytes, 0)


def main(job_dir: Path) -> int:
    from ..errors import InputError
    from ..workers import WorkerDied

    memory_mb = limit_memory()

    job_path = job_dir / "job.json"
    job = read_json(job_path)
    progress_path = job_dir / "progress.json"
    started = time.time()

    def progress(done: int, total: int, phase: str = "render") -> None:
        write_json(progress_path, {"done": done, "total": total, "started": started,
                                   "at": time.time(), "phase": phase})

    passphrase = None
    if job.get("options", {}).get("sign"):  # handed over a pipe by the server, kept in memory
        passphrase = sys.stdin.buffer.read(4096).decode("utf-8", "replace")
    progress(0, 0, "check")
    out = job_dir / "out"
    quiet = io.StringIO()  # notes meant for a terminal; the page says what matters
    try:
        make = _letters if job["kind"] == "letters" else _reminders
        result, date = make(job_dir, job, out, progress, quiet, passphrase)
        outcome = {"state": "done", "letters": 0, "pages": 0, "files": {},
                   "signed": bool(job.get("options", {}).get("sign")), "mail": (out / "mail.json").is_file()}
        if result is not None:  # None: no reminder to make, every addressee is done
            files = set_files(job["kind"], out, date)
            names = download_names(job["kind"], result.numbers or "", date, files)
            outcome.update(letters=result.letters, pages=result.pages, files=files,
                           numbers=result.numbers or "", names={k: names[k] for k in files})
        outcome["seconds"] = time.time() - started
    except InputError as exc:
        from .wording import clerk_text

        outcome = {"state": "failed", "error": clerk_text(exc)}
    except (MemoryError, WorkerDied) as exc:  # past the job's memory limit, or a worker killed
        limit = f" ({memory_mb:,} MB)" if memory_mb else ""
        why = (f"งานนี้ใช้หน่วยความจำเกินที่กำหนดไว้{limit}" if isinstance(exc, MemoryError)
               else f"กระบวนการที่สร้างหนังสือหยุดกลางคัน (อาจใช้หน่วยความจำเกินที่กำหนดไว้{limit})")
        outcome = {"state": "failed", "error": f"{why} จึงหยุด ไม่ได้ใช้เลขที่หนังสือ: "
                   "แบ่งรายชื่อเป็นชุดเล็กลงแล้วสร้างใหม่ หรือให้ผู้ดูแลระบบเพิ่มขีดจำกัด"}
    except Exception as exc:  # an internal error: its kind only, no data from the sheet
        outcome = {"state": "failed", "error": f"ข้อผิดพลาดภายในของ lettergen ({type(exc).__name__})"}
    if outcome["state"] == "failed" and job.get("workspace"):  # numbers it reserved: not issued
        _workspace(job).register().settle(str(out.absolute()), NOT_MADE)
    write_json(job_path, {**read_json(job_path), **outcome, "finished": time.time()})
    return 0


if __name__ == "__main__":
    os.umask(0o077)
    sys.exit(main(Path(sys.argv[1])))
