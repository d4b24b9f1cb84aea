"""Runs that cannot trip over each other: one run at a time per output folder (a second one
stops with exit 2 naming the first, or waits with --wait; a dead run's lock is taken over),
a letter dated before 1980, and an internal error that leaves the output folder as it was."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import signal
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from lettergen.cli import main
from lettergen.output_lock import OutputBusyError, holder, lock_path, output_lock
from test_safety import GOOD_ROWS, copy_spec, write_sheet

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

# Holds the lock of the folder argv[1] until its stdin closes (or it is killed).
HOLDER = r"""
import sys
from lettergen.output_lock import output_lock
with output_lock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()
"""


@contextlib.contextmanager
def another_run_holding(folder: Path):
    """A separate process that holds ``folder`` like a run writing there."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], cwd=ROOT, env=ENV,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
        proc.stdout.close()


def cli(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def small(tmp_path):
    """A spec and a sheet of four letters, rendered as DOCX (quick)."""
    spec = copy_spec(tmp_path)
    sheet = write_sheet(tmp_path / "recipients.csv", GOOD_ROWS)
    return ["render", spec, "--recipients", sheet, "--format", "docx", "--jobs", "1"]


def test_a_second_run_into_the_same_folder_exits_2_naming_the_first(small, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("a file from before")
    with another_run_holding(out) as first:
        since = dt.datetime.fromisoformat(holder(out)["since"])
        code, stdout, stderr = cli([*small, "--out", out])
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"pid {first.pid}" in lines[0] and f"{since:%Y-%m-%d %H:%M:%S}" in lines[0]
    assert str(out) in lines[0] and "--wait" in lines[0]
    assert "กำลังเขียนโฟลเดอร์นี้อยู่" in lines[0]
    assert sorted(p.name for p in out.iterdir()) == ["earlier.txt"]  # nothing written, lock gone


def test_wait_waits_for_the_first_run_then_writes(small, tmp_path):
    out = tmp_path / "out"
    with another_run_holding(out) as first:
        second = subprocess.Popen([sys.executable, "-m", "lettergen", *map(str, small), "--out",
                                   str(out), "--wait"], cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        said = second.stderr.readline()  # it says that it waits, and for whom
        assert "รอโฟลเดอร์" in said and f"pid {first.pid}" in said, said
        assert second.poll() is None and not list(out.glob("*.docx"))  # waiting, nothing written
        first.stdin.close()  # the first run ends
        _, rest = second.communicate(timeout=600)
    assert second.returncode == 0, rest
    assert len(list(out.glob("*.docx"))) == 2
    assert not (out / ".incomplete").exists()


def test_the_lock_of_a_killed_run_is_taken_over(small, tmp_path):
    out = tmp_path / "out"
    with another_run_holding(out) as first:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    assert holder(out)["pid"] == first.pid  # its lock file is still there
    code, _, stderr = cli([*small, "--out", out])
    assert code == 0, stderr
    assert len(list(out.glob("*.docx"))) == 2
    assert not (out / ".incomplete").exists()


def test_two_threads_of_one_process_exclude_each_other_and_one_thread_may_nest(tmp_path):
    """The web app runs its jobs in threads of one process: they exclude each other too."""
    out = tmp_path / "out"
    errors = []
    with output_lock(out):
        with output_lock(out):  # the same run again (batch.run around write_set)
            pass
        assert lock_path(out).exists()  # the inner one did not let go

        def other():
            try:
                with output_lock(out):
                    pass
            except OutputBusyError as exc:
                errors.append(exc)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert len(errors) == 1 and f"pid {os.getpid()}" in str(errors[0])
    with output_lock(out):  # free again
        pass
    assert not out.exists()  # made for the lock only, and removed with it


def test_a_forked_worker_does_not_keep_the_folder_locked(tmp_path):
    out = tmp_path / "out"
    read, write = os.pipe()
    with output_lock(out):
        pid = os.fork()
        if pid == 0:  # a worker: waits until the test lets it go
            os.close(write)
            os.read(read, 1)
            os._exit(0)
    os.close(read)
    try:
        with output_lock(out):  # the worker lives on, yet the folder is free
            pass
    finally:
        os.close(write)
        os.waitpid(pid, 0)


def test_a_letter_dated_1975_is_written_whole(small, tmp_path):
    from lettergen.archive import ZIP_NAME

    out = tmp_path / "out"
    spec, sheet = small[1], small[3]
    code, _, stderr = cli(["render", spec, "--recipients", sheet, "--out", out, "--jobs", "1",
                           "--set", "letter.date=1975-01-01", "--zip", "--print"])
    assert code == 0, stderr
    for path in [*out.glob("*.docx"), out / "register.xlsx", out / ZIP_NAME]:
        with zipfile.ZipFile(path) as archive:
            assert {info.date_time[:3] for info in archive.infolist()} == {(1980, 1, 1)}, path.name
    pdf = next(out.glob("*.pdf")).read_bytes()
    assert b"/CreationDate (D:19750101000000+07'00')" in pdf  # the PDF keeps the letter's date
    assert "๒๕๑๘" in (out / "register.csv").read_text(encoding="utf-8-sig")  # 1975 is BE 2518


def test_an_internal_error_leaves_the_folder_as_it_was_and_names_a_log(small, tmp_path, monkeypatch):
    import lettergen.batch

    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("a file from before")
    logs = tmp_path / "logs"
    monkeypatch.setenv("LETTERGEN_LOG_DIR", str(logs))

    def broken(*args, **kwargs):
        raise RuntimeError("the register writer broke, with Pw-Pao-6jmF in its message")

    monkeypatch.setattr(lettergen.batch, "register_xlsx", broken)
    code, _, stderr = cli([*small, "--out", out])
    assert code == 1
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ข้อผิดพลาดภายในของ lettergen (RuntimeError)")
    log = Path(re.search(r"ไฟล์ (\S+\.log)$", lines[0]).group(1))
    assert log.parent == logs and (log.stat().st_mode & 0o777) == 0o600
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "the register writer broke" in text and "broken" in text
    assert not any(row[5] in text for row in GOOD_ROWS if row[5])  # no password in the log
    # the folder as it was, plus .incomplete/ with the letters written so far
    assert sorted(p.name for p in out.iterdir()) == [".incomplete", "earlier.txt"]
    assert len(list((out / ".incomplete").glob("*.docx"))) == 2
    monkeypatch.undo()
    code, _, stderr = cli([*small, "--out", out])  # the same command finishes the set
    assert code == 0, stderr
    assert len(list(out.glob("*.docx"))) == 2 and (out / "register.xlsx").is_file()
    assert not (out / ".incomplete").exists()
