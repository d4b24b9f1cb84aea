"""Letters the kinds bring, in a real browser (Playwright driving Debian's chromium): a
letter to the one addressee its spec names shows that addressee's fields (no variants, no
sheet step) and is made without a sheet; a set may start with its signing memo, whose
number the produce page names before it is made."""

from __future__ import annotations

import tomllib
import zipfile

import pytest

from browser_tab import Page, browser  # noqa: F401  (browser: a fixture)
from conftest import EXAMPLE
from web_server import Server

pytestmark = pytest.mark.optional_tools  # chromium

ACCEPTED = "document.getElementById('form-status').textContent.includes('ตรวจแล้ว')"
DONE = "document.getElementById('job-text').textContent.startsWith('เสร็จแล้ว')"


def test_a_letter_to_one_named_addressee_has_its_fields_and_no_sheet(browser, tmp_path):  # noqa: F811
    server = Server(tmp_path / "ws")
    tab = Page(browser, server.url)
    page = tab.page
    try:
        tab.go("/letter")
        page.click("summary")
        page.set_input_files("#toml-file", str(EXAMPLE / "memo.toml"))
        page.click("form[action=\"/letter/upload\"] button[type=submit]")
        page.wait_for_url("**/letter?m=uploaded")
        assert page.input_value("#f-addressee\\.name") == "ผู้ว่าราชการจังหวัดเชียงราย"
        assert page.locator("[data-key^='variants.']").count() == 0
        assert "(ไม่ต้องใช้)" in page.inner_text("nav")
        page.fill("#f-addressee\\.name", "รองผู้ว่าราชการจังหวัดเชียงราย")
        page.locator("#f-addressee\\.name").blur()
        page.wait_for_function(ACCEPTED)
        spec = tomllib.loads(page.request.get(f"{server.url}/letter/letter.toml").text())
        assert spec["addressee"]["name"] == "รองผู้ว่าราชการจังหวัดเชียงราย" and "variants" not in spec
        tab.go("/recipients")
        assert "ไม่ต้องใช้รายชื่อผู้รับ" in page.inner_text("#single-note")
        assert page.locator("#sheet-table").count() == 0
        tab.go("/produce")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#produce")
        page.wait_for_function(DONE, timeout=180_000)
        assert "หนังสือ 1 ฉบับ" in page.inner_text("#job-text")
        assert not tab.errors, tab.errors
    finally:
        tab.close()
        server.stop()


def test_a_set_starts_with_its_signing_memo_when_asked(browser, tmp_path):  # noqa: F811
    server = Server(tmp_path / "ws")
    tab = Page(browser, server.url)
    page = tab.page
    asked: list[str] = []
    try:
        tab.go("/produce")
        page.check("#signing-memo")
        page.wait_for_function("document.getElementById('numbers-now').textContent.includes('บันทึกข้อความ')")
        assert "หนังสือ 21 ฉบับ" in page.inner_text("#produce")
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        page.click("#produce")
        page.wait_for_function(DONE, timeout=180_000)
        assert "(บันทึกข้อความ)" in asked[0] and "21 ฉบับ" in asked[0], asked
        with page.expect_download() as download:
            page.click("[data-file=zip]")
        names = zipfile.ZipFile(download.value.path()).namelist()
        assert any(name.startswith("บันทึกเสนอลงนาม") and name.endswith(".pdf") for name in names), names
        assert not tab.errors, tab.errors
    finally:
        tab.close()
        server.stop()
