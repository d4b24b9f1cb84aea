"""What the office's register says of a set that was not finished, in a real browser
(Playwright driving Debian's chromium): a set cancelled by the clerk, stopped with the
server (SIGTERM), or killed with it (kill -9 of the server and the job's processes) leaves
its numbers marked cancelled, with why and when, never "reserved, not made yet"."""

from __future__ import annotations

import io
import json
import os
import signal

import pytest

from browser_tab import Page, browser  # noqa: F401  (browser: a fixture)
from web_server import Server

pytestmark = pytest.mark.optional_tools  # chromium

RENDERING = "document.getElementById('job-text').textContent.includes('เสร็จ 0 จาก')"


def start_set(tab, workspace) -> str:
    """Produce the working set (the example), wait until its numbers are reserved and its
    letters are being made, and hold the job there (SIGSTOP to its processes): its 20
    letters take about a second, and a set finished before the test stops it cannot be
    cancelled (the clerk's cancel came too late, once in a loaded run). The job's id."""
    page = tab.go("/produce")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#produce")
    page.wait_for_function("location.search.includes('job=')")
    page.wait_for_function(RENDERING, timeout=60_000)
    job = page.evaluate("new URLSearchParams(location.search).get('job')")
    os.killpg(json.loads((workspace / "runs" / job / "job.json").read_text())["pid"], signal.SIGSTOP)
    return job


def register_remarks(tab, server) -> list[str]:
    """The หมายเหตุ of every row of the office's register of 2561, as the page downloads it."""
    from openpyxl import load_workbook

    answer = tab.page.request.get(f"{server.url}/register.xlsx?year=2561")
    assert answer.status == 200
    sheet = load_workbook(io.BytesIO(answer.body())).active
    return [row[7] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]


def settled(remarks: list[str], reason: str) -> bool:
    return bool(remarks) and all(f"ยกเลิก ไม่ได้ออกหนังสือ ({reason} เมื่อ" in r for r in remarks)


def test_a_set_the_clerk_cancels_is_cancelled_in_the_register(browser, tmp_path):  # noqa: F811
    server = Server(tmp_path / "ws")
    tab = Page(browser, server.url)
    try:
        start_set(tab, tmp_path / "ws")
        tab.page.click("#cancel")  # its processes stopped: they end at the SIGKILL after the grace
        tab.page.wait_for_function("document.getElementById('job-text').textContent.includes('ยกเลิกแล้ว')")
        remarks = register_remarks(tab, server)
        assert len(remarks) == 20 and settled(remarks, "ยกเลิกโดยผู้ใช้"), remarks
        assert not tab.errors, tab.errors
    finally:
        tab.close()
        server.stop()


@pytest.mark.parametrize("how", ["sigterm", "kill"])
def test_a_set_stopped_with_the_server_is_settled_when_it_starts_again(browser, tmp_path, how):  # noqa: F811
    workspace = tmp_path / "ws"
    server = Server(workspace)
    tab = Page(browser, server.url)
    try:
        job = start_set(tab, workspace)
        if how == "sigterm":
            server.stop()
            reason = "ยกเลิกเพราะปิดโปรแกรม"
        else:  # the server and the job's processes killed at once: nobody says anything
            pid = json.loads((workspace / "runs" / job / "job.json").read_text())["pid"]
            os.killpg(pid, signal.SIGKILL)
            server.process.kill()
            server.stop()
            reason = "งานหยุดเพราะโปรแกรมปิดไปก่อนเสร็จ"
        server = Server(workspace)
        tab.base = server.url
        page = tab.go("/produce")
        page.wait_for_function("document.getElementById('job-text').textContent.includes('ยกเลิกแล้ว')")
        remarks = register_remarks(tab, server)
        assert len(remarks) == 20 and settled(remarks, reason), remarks
    finally:
        tab.close()
        server.stop()


def _stopped_process(folder):
    """A process of a group of its own that ends with exit code 3 on SIGTERM, stopped
    (SIGSTOP) once it is ready."""
    import subprocess
    import sys
    import time

    ready = folder / "ready"
    process = subprocess.Popen(
        [sys.executable, "-c", "import pathlib, signal, sys, time\n"
         "signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))\n"
         f"pathlib.Path({str(ready)!r}).touch()\n"
         "time.sleep(600)"],
        start_new_session=True)
    while not ready.exists():
        assert process.poll() is None
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGSTOP)
    return process


def test_a_stopped_job_or_send_takes_its_sigterm_when_it_is_ended(tmp_path):
    """A job or a send whose processes are stopped (SIGSTOP, or Ctrl-Z where the server runs
    in a terminal) is sent SIGCONT after its SIGTERM, when the clerk cancels it or the server
    stops, so it ends by its own handler at once (a send between two messages): its exit
    code is the handler's, not the SIGKILL's after the grace."""
    from lettergen.web import sending
    from lettergen.web.jobs import _stop_group

    job = _stopped_process(tmp_path)
    try:
        _stop_group(job, grace=60)
        assert job.returncode == 3
    finally:
        if job.poll() is None:
            job.kill()
            job.wait()
    (tmp_path / "ready").unlink()
    send = _stopped_process(tmp_path)
    sending.PROCESSES["a set's folder"] = send
    try:
        sending.stop_all(grace=60)
        assert send.returncode == 3 and not sending.PROCESSES
    finally:
        sending.PROCESSES.pop("a set's folder", None)
        if send.poll() is None:
            send.kill()
            send.wait()
