"""The register numbers a set takes, as the produce page asks for them, in a real browser
(Playwright driving Debian's chromium): the numbers named in the question are the ones the
click takes, after a set was made from the same page, and when someone else takes them
between the question and the answer the clerk is asked again."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from browser_tab import Page, browser  # noqa: F401  (browser: a fixture)
from conftest import EXAMPLE
from web_server import Server

pytestmark = pytest.mark.optional_tools  # chromium

DONE = "document.getElementById('job-text').textContent.startsWith('เสร็จแล้ว')"
# a job other than the one given done, its downloads linked to it (set when it is done)
SECOND_DONE = """(() => {
  const id = document.getElementById('job').dataset.job;
  const link = document.querySelector('#job-files [data-file]');
  return id !== %s && !!link && link.getAttribute('href') === `/jobs/${encodeURIComponent(id)}/${link.dataset.file}`
    && document.getElementById('job-text').textContent.startsWith('เสร็จแล้ว');
})()"""


def web_numbers(workspace) -> list[str]:
    """The numbers (ที่) of the web's latest run, as the office's register has them."""
    from lettergen.registers.record import OfficeRegister

    entries = OfficeRegister(workspace / "register.sqlite3").entries()
    last = max(e.run_id for e in entries)
    return sorted({e.number for e in entries if e.run_id == last})


def test_the_numbers_asked_are_the_numbers_taken(browser, tmp_path):  # noqa: F811
    workspace = tmp_path / "ws"
    server = Server(workspace)
    tab = Page(browser, server.url)
    page = tab.page
    asked: list[str] = []
    try:
        tab.go("/produce")
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        page.click("#produce")
        page.wait_for_function(DONE, timeout=180_000)
        first_job = page.eval_on_selector("#job", "el => el.dataset.job")
        assert "ชร ๐๐๒๓.๑/ว ๑, ชร ๐๐๒๓.๑/๑–๒" in asked[0], asked

        # The page is not loaded again: it says, and asks for, the numbers a next set takes.
        after = "ชร ๐๐๒๓.๑/ว ๒, ชร ๐๐๒๓.๑/๓–๔"
        page.wait_for_function(f"document.getElementById('numbers-now').textContent.includes({json.dumps(after)})",
                               timeout=10_000)

        # Between the question and the clerk's yes, the command line takes a number: the
        # page is told, and asks again with the numbers the set now takes.
        def take_one_first(dialog):
            asked.append(dialog.message)
            cli = subprocess.run(
                [sys.executable, "-m", "lettergen", "render", str(EXAMPLE / "letter.toml"), "--workspace",
                 str(workspace), "--only", "570101", "--format", "docx", "--out", str(tmp_path / "cli")],
                capture_output=True, text=True, timeout=300)
            assert cli.returncode == 0, cli.stderr
            # ready for the question asked again before this one is answered: the page may
            # ask it before accept() returns
            page.once("dialog", lambda again: (asked.append(again.message), again.accept()))
            dialog.accept()

        page.once("dialog", take_one_first)
        page.click("#produce")
        started = time.monotonic()
        while len(asked) < 3 and time.monotonic() - started < 120:
            page.wait_for_timeout(200)
        assert f"โดยใช้เลขที่ {after} " in asked[1], asked
        assert asked[2].startswith("เลขที่หนังสือในทะเบียนเปลี่ยนไปแล้ว"), asked
        assert "ชร ๐๐๒๓.๑/ว ๒, ชร ๐๐๒๓.๑/๔–๕" in asked[2], asked
        # the second set done: the page said the first one was until the second's first
        # answer came, so its downloads must name the second job
        page.wait_for_function(SECOND_DONE % json.dumps(first_job), timeout=180_000)
        assert web_numbers(workspace) == ["ชร ๐๐๒๓.๑/ว ๒", "ชร ๐๐๒๓.๑/๔", "ชร ๐๐๒๓.๑/๕"]
        assert not tab.errors, tab.errors
    finally:
        tab.close()
        server.stop()
