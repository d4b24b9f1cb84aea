"""A production job, run as its own process: ``python -m lettergen.web.job_runner JOB_DIR``.

The server starts it (in a process group of its own, so that a cancel reaches the batch
engine's workers too) and reads what it writes: ``progress.json`` as letters are finished,
and ``job.json`` with the outcome. The letters are made by ``batch.run`` (the reminders by
``remind.remind``), exactly as the CLI makes them; the job's folder holds its inputs as
they were when the clerk pressed the button.
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


def write_json(path: Path, data: dict) -> None:
    part = path.with_name(f".{path.name}.part")
    part.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(part, path)


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _workspace_kwargs(function, job: dict) -> dict:
    """``workspace=`` for the engine call when the register of record is there."""
    import inspect

    root = job.get("workspace")
    if not root or "workspace" not in inspect.signature(function).parameters:
        return {}
    from ..workspace import Workspace

    return {"workspace": Workspace(Path(root))}


def main(job_dir: Path) -> int:
    from ..errors import InputError
    from ..recipients import load_recipients
    from ..spec import load_spec

    job_path = job_dir / "job.json"
    job = read_json(job_path)
    progress_path = job_dir / "progress.json"
    started = time.time()

    def progress(done: int, total: int, phase: str = "render") -> None:
        write_json(progress_path, {"done": done, "total": total, "started": started,
                                   "at": time.time(), "phase": phase})

    progress(0, 0, "check")
    out = job_dir / "out"
    try:
        spec = load_spec(job_dir / "input" / "letter.toml")
        book = load_recipients(job_dir / "input" / job["sheet_file"], spec)
        quiet = io.StringIO()  # notes meant for a terminal; the page says what matters
        if job["kind"] == "letters":
            from ..batch import run

            result = run(spec, book, out, print_pdf=True, zip_set=True, progress=False,
                         stderr=quiet, on_progress=progress, jobs=job.get("jobs"),
                         **_workspace_kwargs(run, job))
            files = {"zip": "letters.zip", "print": "print.pdf", "register": "register.xlsx"}
        else:
            from ..archive import write_zip
            from ..remind import remind

            today = dt.date.fromisoformat(job["today"])
            result = remind(spec, book, out, register=None, today=today, jobs=job.get("jobs"),
                            stderr=quiet, **_workspace_kwargs(remind, job))
            if result is None:
                job.update(state="done", letters=0, pages=0, seconds=time.time() - started, files={})
                write_json(job_path, job)
                return 0
            progress(result.letters, result.letters, "pack")
            write_zip(out / "reminders.zip", list(result.files), today)
            files = {"zip": "reminders.zip", "register": "register.xlsx"}
        job.update(state="done", letters=result.letters, pages=result.pages,
                   seconds=time.time() - started,
                   files={k: v for k, v in files.items() if (out / v).is_file()})
    except InputError as exc:
        job.update(state="failed", error=str(exc))
    except Exception as exc:  # an internal error: its kind only, no data from the sheet
        job.update(state="failed", error=f"ข้อผิดพลาดภายในของ lettergen ({type(exc).__name__})")
    if job["state"] == "failed" and job.get("workspace"):  # numbers it reserved: not issued
        from ..workspace import Workspace

        Workspace(Path(job["workspace"])).register().settle(str(out.absolute()), NOT_MADE)
    job["finished"] = time.time()
    write_json(job_path, job)
    return 0


if __name__ == "__main__":
    os.umask(0o077)
    sys.exit(main(Path(sys.argv[1])))
