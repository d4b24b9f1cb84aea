"""No lost work, in a real browser (Playwright driving Debian's chromium): the working letter
and sheet are kept as a draft in the workspace as the clerk types, and come back to the same
browser (and the same login) after the server stops and starts again; while the server
cannot be reached the page says so, keeps what was typed, and carries on when it is back."""

from __future__ import annotations

import pytest

from browser_tab import Page, browser  # noqa: F401  (browser: a fixture)
from conftest import EXAMPLE
from web_server import Server

pytestmark = pytest.mark.optional_tools  # chromium

ACCEPTED = "document.getElementById('form-status').textContent.includes('ตรวจแล้ว')"
PASSWORD = "ร่าง-2569"


def stray(errors: list[str]) -> list[str]:
    """The page's script errors, but for the requests refused while the server was down."""
    return [e for e in errors if "ERR_CONNECTION_REFUSED" not in e]


def edit_date(page, text: str) -> None:
    """The letter moved to ``text`` (a day of December 2569), its deadline to the 18th."""
    page.fill("#f-deadline\\.date", "18 ธันวาคม 2569")
    page.fill("#f-letter\\.date", text)
    page.locator("#f-letter\\.date").blur()
    page.wait_for_function(ACCEPTED)


def test_the_draft_comes_back_after_a_restart(browser, tmp_path):  # noqa: F811
    workspace = tmp_path / "ws"
    server = Server(workspace)
    tab = Page(browser, server.url)
    try:
        page = tab.go("/letter")
        edit_date(page, "4 ธันวาคม 2569")
        note = page.locator("#draft-note")
        saved_before = note.inner_text() if note.count() else ""
        page = tab.go("/recipients")
        page.set_input_files("#sheet-file", {"name": "รายชื่อของฉัน.csv", "mimeType": "text/csv",
                                             "buffer": (EXAMPLE / "recipients.csv").read_bytes()})
        page.click("text=อัปโหลดรายชื่อ")
        page.locator(".context", has_text="รายชื่อของฉัน.csv").wait_for()
        server.stop()  # SIGTERM, as a service manager stops it

        server = Server(workspace)
        tab.base = server.url  # another port: the browser's cookie is the host's
        page = tab.go("/letter")
        assert page.input_value("#f-letter\\.date") == "4 ธันวาคม 2569"
        assert "รายชื่อของฉัน.csv" in page.inner_text(".context")
        assert page.inner_text("#draft-note").startswith("ร่างล่าสุด บันทึกอัตโนมัติเมื่อ")
        assert saved_before.startswith("ร่างล่าสุด บันทึกอัตโนมัติเมื่อ")
        page = tab.go("/produce")
        assert "ทะเบียนหนังสือส่งปี พ.ศ. ๒๕๖๙" in page.inner_text("#numbers-now")
        assert not stray(tab.errors), tab.errors
    finally:
        tab.close()
        server.stop()


def test_the_draft_comes_back_to_the_same_login(browser, tmp_path):  # noqa: F811
    workspace = tmp_path / "ws"
    env = {"LETTERGEN_PASSWORD": PASSWORD}
    server = Server(workspace, host="0.0.0.0", env=env)
    tab = Page(browser, server.url)

    def log_in():
        page = tab.go("/login")
        page.fill("#password", PASSWORD)
        page.click("text=เข้าสู่ระบบ")
        page.wait_for_url("**/letter")
        return page

    try:
        page = log_in()
        edit_date(page, "5 ธันวาคม 2569")
        server.stop()
        server = Server(workspace, host="0.0.0.0", env=env)
        tab.base = server.url
        page = tab.go("/letter")  # still logged in: a restart is no logout
        assert page.url.endswith("/letter")
        assert page.input_value("#f-letter\\.date") == "5 ธันวาคม 2569"
        page.click("text=ออกจากระบบ")
        page.wait_for_url("**/login")
        page = log_in()  # a new session, and the draft with it
        assert page.input_value("#f-letter\\.date") == "5 ธันวาคม 2569"
        assert not stray(tab.errors), tab.errors
    finally:
        tab.close()
        server.stop()


def test_a_stopped_server_is_said_and_the_page_carries_on_when_it_is_back(browser, tmp_path):  # noqa: F811
    workspace = tmp_path / "ws"
    server = Server(workspace)
    tab = Page(browser, server.url)
    try:
        # a set being made when the server stops: said, not "done 0 of 20" for ever
        page = tab.go("/produce")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#produce")
        page.wait_for_function("document.getElementById('job-text').textContent.includes('เสร็จ 0 จาก')",
                               timeout=60_000)
        server.stop()
        page.locator("#offline").wait_for(state="visible")
        assert "ติดต่อเซิร์ฟเวอร์ไม่ได้" in page.inner_text("#offline")
        assert "ติดต่อเซิร์ฟเวอร์ไม่ได้" in page.inner_text("#job-text")
        tab.shot("offline")
        server = Server(workspace, port=server.port)
        page.locator("#offline").wait_for(state="hidden", timeout=30_000)
        page.wait_for_function("document.getElementById('job-text').textContent.includes('ยกเลิกแล้ว')")
        assert "ยกเลิกเพราะปิดโปรแกรม" in page.inner_text("#job-error")

        # an edit typed while the server is away is kept, and sent when it is back
        page = tab.go("/letter")
        edit_date(page, "5 ธันวาคม 2569")
        server.stop()
        page.fill("#f-letter\\.date", "6 ธันวาคม 2569")
        page.locator("#f-letter\\.date").blur()
        page.locator("#offline").wait_for(state="visible")
        assert page.input_value("#f-letter\\.date") == "6 ธันวาคม 2569"
        server = Server(workspace, port=server.port)
        page.wait_for_function(ACCEPTED, timeout=30_000)
        assert page.locator("#offline").is_hidden()
        saved = page.request.get(f"{server.url}/letter/letter.toml").text()
        assert "date = 2026-12-06" in saved
        assert not stray(tab.errors), tab.errors
    finally:
        tab.close()
        server.stop()
