"""A walk through every page as a new clerk, in a real browser (Playwright driving Debian's
chromium), reading what each page shows: no template code, no English and no spec key on
screen. What the clerk's own data says (the letter's text in its editors, the sheet's
cells, names of people, places and files, marked ``data-data`` on the pages) is theirs, and
is not read; the page's own words are.

With LETTERGEN_WEB_SHOTS=DIR each page is also saved as DIR/web-walk-*.png."""

from __future__ import annotations

import re

import pytest

from browser_tab import Page, browser  # noqa: F401  (browser: a fixture)
from conftest import EXAMPLE
from hostile_inputs import emblem_letter
from web_server import Server, bad_sheet

pytestmark = pytest.mark.optional_tools  # chromium

PASSWORD = "เดินดู-2569"
# The page's own visible text: every text node shown, but for the clerk's data.
SHOWN = """() => {
  const data = '[data-data], .chip-editor, textarea, #sheet-table td, #sheet-table th, .ph';
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest(data) || el.closest('script, style, template')) continue;
    if (!el.checkVisibility({ checkOpacity: false, checkVisibilityCSS: true })) continue;
    if (node.data.trim()) out.push(node.data.trim());
  }
  for (const option of document.querySelectorAll('select:not([data-data]) option')) {
    if (option.closest('select').checkVisibility()) out.push(option.textContent.trim());
  }
  for (const button of document.querySelectorAll('input[type=submit], input[type=button]')) out.push(button.value);
  return out;
}"""
ALLOWED = {"lettergen", "PDF", "DOCX", "QR", "Code", "Excel", "Word", "CSV", "MB"}
CODE = re.compile(r"\{\{|\}\}|\{%|%\}|\*\*|__")
SPEC_KEY = re.compile(r"\b[a-z_]+(?:\.[a-z_]+|\[\d+\])+\b")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")


def foreign(texts: list[str]) -> list[str]:
    """The texts that show code, a spec key or an English word."""
    found = []
    for text in texts:
        plain = QUOTED.sub("", text)  # what the clerk typed, quoted back to them
        plain = re.sub(r"https?://\S+|\b[\w.-]+\.(?:go\.th|com|gl|org)\S*", "", plain)  # links
        plain = re.sub(r"\.(?:xlsx|csv|toml|pdf|docx|zip|png|jpg)\b", "", plain)  # the kinds of file
        plain = re.sub(r"คอลัมน์ [A-Z]{1,3}\b", "", plain)  # a column as Excel names it
        if CODE.search(text) or SPEC_KEY.search(plain) or set(WORD.findall(plain)) - ALLOWED:
            found.append(text)
    return found


def read(tab, name: str) -> list[str]:
    texts = tab.page.evaluate(SHOWN)
    tab.shot(f"walk-{name}", full_page=True)
    return [f"{name}: {text}" for text in foreign(texts)]


def without_passwords() -> bytes:
    """The example's sheet without its password column."""
    lines = (EXAMPLE / "recipients.csv").read_text(encoding="utf-8").splitlines()
    return ("\n".join(",".join(cells[:5] + cells[6:]) for cells in (line.split(",") for line in lines)) + "\n").encode()


def open_all(page) -> None:
    """Every part of the page a clerk may open, opened."""
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")


def test_no_code_no_english_and_no_spec_key_on_any_page(browser, tmp_path):  # noqa: F811
    server = Server(tmp_path / "ws", host="0.0.0.0", env={"LETTERGEN_PASSWORD": PASSWORD})
    tab = Page(browser, server.url)
    page = tab.page
    found: list[str] = []
    try:
        tab.go("/letter")
        page.wait_for_url("**/login")
        found += read(tab, "login")
        page.fill("#password", "ผิด")
        page.click("text=เข้าสู่ระบบ")
        page.locator("#login-error").wait_for()  # the answer to the form, not the page leaving
        found += read(tab, "login-wrong")
        page.fill("#password", PASSWORD)
        page.click("text=เข้าสู่ระบบ")
        page.wait_for_url("**/letter")
        page.wait_for_function("document.querySelector('[data-live-preview]')?.dataset.version")
        open_all(page)
        found += read(tab, "letter")
        page.select_option("#f-letter\\.kind", "memo")  # a mistake said beside its field
        page.locator("#e-sender\\.signer_name").wait_for(state="visible")
        found += read(tab, "letter-mistake")
        page.select_option("#f-letter\\.kind", "stamped")
        page.locator("#e-sender\\.signer_name").wait_for(state="hidden")
        page.fill("#f-letter\\.date", "4 ธันวาคม 2569")  # after the deadline: said with both fields
        page.locator("#f-letter\\.date").blur()
        page.locator("#form-error").wait_for(state="visible")
        found += read(tab, "letter-date")
        open_all(page)  # a letter naming a Garuda picture the workspace does not have
        page.set_input_files("#toml-file", {"name": "ครุฑ.toml", "mimeType": "application/toml",
                                            "buffer": emblem_letter("ไม่มี.png")})
        page.click("form[action=\"/letter/upload\"] button[type=submit]")
        page.wait_for_url("**/letter?m=uploaded")
        page.locator("#form-error").wait_for(state="visible")
        open_all(page)
        found += read(tab, "letter-emblem")
        page.click("#load-example")
        page.wait_for_url("**/letter?m=example")

        page = tab.go("/recipients")
        found += read(tab, "recipients")
        page.set_input_files("#sheet-file", {"name": "รายชื่อ.csv", "mimeType": "text/csv", "buffer": bad_sheet(EXAMPLE)})
        page.click("text=อัปโหลดรายชื่อ")
        page.wait_for_selector("td.bad")
        found += read(tab, "recipients-error")
        page.set_input_files("#sheet-file", {"name": "ไม่มีรหัสผ่าน.csv", "mimeType": "text/csv",
                                             "buffer": without_passwords()})
        page.click("text=อัปโหลดรายชื่อ")
        page.locator(".context", has_text="ไม่มีรหัสผ่าน.csv").wait_for()
        found += read(tab, "recipients-column")
        page.set_input_files("#sheet-file", str(EXAMPLE / "recipients.csv"))
        page.click("text=อัปโหลดรายชื่อ")
        page.wait_for_selector("#plan-title")

        page = tab.go("/preview")
        page.wait_for_function("document.querySelector('[data-live-preview]')?.dataset.version")
        if page.locator("#own-open").count():  # the letter's own edit, opened
            page.click("#own-open")
            page.locator("#own-paragraphs .chip-editor").first.wait_for()
        found += read(tab, "preview")

        page = tab.go("/produce")
        found += read(tab, "produce")
        page.once("dialog", lambda dialog: (found.extend(f"dialog: {t}" for t in foreign([dialog.message])),
                                           dialog.accept()))
        page.click("#produce")
        page.wait_for_function("document.getElementById('job-text').textContent.startsWith('เสร็จแล้ว')",
                               timeout=180_000)
        page = tab.go("/produce")
        page.wait_for_selector("#job-files:not([hidden])")
        found += read(tab, "produce-done")

        page = tab.go("/followup")
        found += read(tab, "followup-empty")
        page.set_input_files("#tracking-file", str(EXAMPLE / "tracking.xlsx"))
        page.click("text=อัปโหลดตารางติดตามผล")
        page.wait_for_selector(".figures .total")
        page.fill("#as-of", "3 สิงหาคม 2561")
        page.click('button:text-is("แสดง")')
        page.wait_for_url("**/followup?date=*")  # the page of that day, not the one it leaves
        page.wait_for_selector("#urgency-rule")
        found += read(tab, "followup")
        assert found == [], "\n".join(found)
        assert not tab.errors, tab.errors
    finally:
        tab.close()
        server.stop()
