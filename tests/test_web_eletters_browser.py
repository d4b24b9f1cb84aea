"""Signing and sending from the web app in a real browser (Playwright driving Debian's
chromium), as a clerk does it: the office's certificate uploaded, a set produced signed (a
wrong passphrase first, said at its field), sent by e-mail through a real SMTP server
in-process, each recipient's status read, and the refused one sent again. Every page read
as the clerk reads it: Thai, no code, no spec key, no English (test_web_walk.foreign).

With LETTERGEN_WEB_SHOTS=DIR each step is saved as DIR/web-eletters-*.png."""

from __future__ import annotations

import pytest

from browser_tab import Page, browser  # noqa: F401  (browser: a fixture)
from pki import SIGNER_NAME, issue, make_ca, p12
from test_send import Inbox, address, smtp  # noqa: F401  (smtp: a fixture)
from test_web_eletters import PASSPHRASE, mail_sheet
from test_web_walk import SHOWN, foreign
from web_server import Server

pytestmark = pytest.mark.optional_tools  # chromium

DONE = "document.getElementById('job-text').textContent.startsWith('เสร็จแล้ว')"
SENT = "document.getElementById('send-state')?.textContent.startsWith('ส่งเสร็จแล้ว')"


def read(tab, name: str) -> list[str]:
    tab.shot(f"eletters-{name}", full_page=True)
    return [f"{name}: {text}" for text in foreign(tab.page.evaluate(SHOWN))]


def statuses(page) -> dict[str, tuple[str, str]]:
    return {row.get_attribute("data-rid"): (row.locator("[data-status-text]").inner_text(),
                                            row.locator("[data-detail]").inner_text())
            for row in page.locator("#status-table tbody tr").all()}


def test_a_clerk_signs_a_set_and_sends_it_by_mail(browser, tmp_path, smtp):  # noqa: F811
    ca = make_ca("ผู้ออกใบรับรองทดสอบ")
    office_p12 = p12(issue(ca, SIGNER_NAME), ca, tmp_path / "office.p12", PASSPHRASE).read_bytes()
    server = Server(tmp_path / "ws")
    tab = Page(browser, server.url)
    page = tab.page
    page.on("dialog", lambda dialog: dialog.accept())  # the numbers asked before they are taken
    found: list[str] = []
    try:
        page = tab.go("/office")
        found += read(tab, "office-empty")
        page.set_input_files("#f-file", {"name": "สำนักงาน.p12", "mimeType": "application/x-pkcs12",
                                         "buffer": office_p12})
        page.fill("#f-passphrase", PASSPHRASE)
        page.click("#cert-upload")
        page.wait_for_url("**/office?m=certificate")
        assert SIGNER_NAME in page.inner_text("#cert-facts")
        host, port = smtp.where.split(":")
        page.fill("#f-host", host)
        page.fill("#f-port", port)
        page.uncheck("#f-starttls")
        page.fill("#f-sender", "saraban@chiangrai.go.th")
        page.fill("#f-per_minute", "600")
        page.click("#mail-save")
        page.wait_for_url("**/office?m=mail")
        found += read(tab, "office")

        page = tab.go("/recipients")
        page.set_input_files("#sheet-file", {"name": "รายชื่อ-อีเมล.csv", "mimeType": "text/csv",
                                             "buffer": mail_sheet()})
        page.click("text=อัปโหลดรายชื่อ")
        # the page the upload answers with names the sheet (the picker names it at once)
        page.locator(".context", has_text="รายชื่อ-อีเมล.csv").wait_for()

        page = tab.go("/produce")
        page.check("#sign")
        page.fill("#passphrase", "ผิด-2569")
        page.click("#produce")
        page.locator("#sign-error").wait_for(state="visible")
        assert page.inner_text("#sign-error").startswith("รหัสผ่านของไฟล์ใบรับรองไม่ถูกต้อง")
        assert page.locator("#job-files").is_hidden() and page.locator("[data-run]").count() == 0
        found += read(tab, "produce-wrong-passphrase")
        page.fill("#passphrase", PASSPHRASE)
        page.click("#produce")
        page.wait_for_function(DONE, timeout=180_000)
        assert page.locator("#job-signed").is_visible() and page.locator("#sign-error").is_hidden()
        assert page.input_value("#passphrase") == ""  # not kept on the page either
        found += read(tab, "produce-signed")

        page.click("#job-send a")
        page.wait_for_url("**/send/*")
        assert set(statuses(page).values()) == {("รอส่ง", "")}
        found += read(tab, "send")
        smtp.refuse = {address("570101")}
        page.check("#channel-shared")
        page.click("#send-start")
        page.wait_for_function(SENT, timeout=60_000)
        assert statuses(page) == {"5701": ("ส่งแล้ว", ""), "570102": ("ส่งแล้ว", ""),
                                  "570101": ("เซิร์ฟเวอร์ไม่รับ", f"{address('570101')} (550 5.1.1 No such mailbox)")}
        found += read(tab, "send-refused")

        smtp.refuse = set()
        assert page.inner_text("#send-start").strip() == "ส่งฉบับที่ยังไม่ได้ส่งอีกครั้ง (1 ฉบับ)"
        assert page.is_checked("#channel-shared")  # the clerk's choice of the last send, kept
        assert page.locator("#send-notice").count() == 0  # "started" is said only while it runs
        page.click("#send-start")
        page.wait_for_url("**m=started")
        page.wait_for_function(SENT, timeout=60_000)
        assert {status for status, _ in statuses(page).values()} == {"ส่งแล้ว"}
        assert len(smtp.messages) == 3
        assert page.inner_text("#all-sent") == "ส่งครบทุกฉบับที่มีที่อยู่อีเมลแล้ว" and page.locator("#send-start").count() == 0
        found += read(tab, "send-retried")
        assert found == [], found
        # the one request refused: the wrong passphrase's (its answer is the message shown)
        assert tab.errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    finally:
        tab.close()
        server.stop()
