"""One letter's own edit, in a real browser (Playwright driving Debian's chromium): before
producing, the clerk changes the text of one addressee's letter and says why; the preview
of that letter shows it, the others do not, the set is made with it, and the register's
remark of that letter says it was edited for it alone, and why."""

from __future__ import annotations

import io

import pypdfium2 as pdfium

import pytest

from browser_tab import Page, browser, preview_version  # noqa: F401  (browser: a fixture)
from web_server import Server

pytestmark = pytest.mark.optional_tools  # chromium

DONE = "document.getElementById('job-text').textContent.startsWith('เสร็จแล้ว')"
ADDED = " ขอให้รายงานภายในสัปดาห์นี้"
NOTE = "ผู้รับขอเลื่อนวันรายงาน"


def letter_text(tab, version: str) -> str:
    data = tab.page.request.get(f"{tab.base}/preview/{version}/letter.pdf").body()
    return "".join("".join(page.get_textpage().get_text_range().split()) for page in pdfium.PdfDocument(data))


def test_one_letter_edited_for_its_addressee_alone(browser, tmp_path):  # noqa: F811
    from openpyxl import load_workbook

    server = Server(tmp_path / "ws")
    tab = Page(browser, server.url)
    page = tab.page
    try:
        tab.go("/preview?rid=570101")
        before = preview_version(page)
        page.click("#own-open")
        editor = page.locator("#own-paragraphs li:nth-child(3) .chip-editor")
        editor.click()
        page.keyboard.press("End")
        page.keyboard.type(ADDED)
        page.fill("#own-note", NOTE)
        page.click("#own-save")
        page.wait_for_function(f"document.querySelector('[data-live-preview]').dataset.version &&"
                               f" document.querySelector('[data-live-preview]').dataset.version !== '{before}'")
        assert "ขอให้รายงานภายในสัปดาห์นี้" in letter_text(tab, preview_version(page))
        tab.shot("own-edit")
        page.select_option("#rid", "570102")  # another letter: the text of the set
        page.wait_for_function("document.querySelector('#download-pdf').href.includes('/preview/')"
                               " && !document.querySelector('[data-live-preview]').classList.contains('stale')")
        assert "ขอให้รายงานภายในสัปดาห์นี้" not in letter_text(tab, preview_version(page))

        tab.go("/produce")
        assert "แก้ไขข้อความเฉพาะฉบับ 1 ฉบับ" in page.inner_text("#own-edits-note")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#produce")
        page.wait_for_function(DONE, timeout=180_000)
        register = load_workbook(io.BytesIO(page.request.get(f"{server.url}/register.xlsx?year=2561").body())).active
        remarks = {row[4]: row[7] for row in register.iter_rows(min_row=4, values_only=True) if row[0]}
        assert remarks["องค์การบริหารส่วนจังหวัดเชียงราย"] == f"แก้ไขเฉพาะฉบับ: {NOTE}"
        assert not any("แก้ไขเฉพาะฉบับ" in (remark or "") for name, remark in remarks.items()
                       if name != "องค์การบริหารส่วนจังหวัดเชียงราย")
        assert not tab.errors, tab.errors
    finally:
        tab.close()
        server.stop()
