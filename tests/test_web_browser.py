"""The web app in a real browser (Playwright driving Debian's chromium): the seed workflow
from the example to the reminders, the password gate, a forged CSRF token, a too-large
upload, and no script errors on any page.

With LETTERGEN_WEB_SHOTS=DIR each page is also saved as DIR/web-*.png at 1366x768 (the
README's screenshots: ``LETTERGEN_WEB_SHOTS=docs pytest tests/test_web_browser.py``).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import re
import zipfile
from pathlib import Path

import pytest

from browser_tab import SHOTS, Page, browser, preview_version  # noqa: F401  (browser: a fixture)
from conftest import EXAMPLE
from web_server import Server, bad_sheet

pytestmark = pytest.mark.optional_tools  # chromium


def test_seed_workflow(browser, tmp_path):
    from lettergen.sheets.recipients import load_recipients
    from lettergen.spec import load_spec
    from lettergen.status import status

    server = Server(tmp_path / "ws")
    tab = Page(browser, server.url)
    page = tab.page
    try:
        # 1. load the example
        tab.go("/letter")
        page.click("summary")
        page.click("#load-example")
        page.wait_for_url("**/letter?m=example")
        assert "ตัวอย่าง" in page.inner_text(".context")
        preview_version(page)
        tab.shot("letter")

        # 2. a sheet with an error: the CLI's message, at its cell
        tab.go("/recipients")
        page.set_input_files("#sheet-file", {"name": "รายชื่อ.csv", "mimeType": "text/csv",
                                             "buffer": bad_sheet(EXAMPLE)})
        page.click("text=อัปโหลดรายชื่อ")
        page.wait_for_selector("td.bad")
        cell = page.inner_text("td.bad")
        assert cell.startswith("อบตต.") and "ไม่รู้จักประเภทหน่วยงาน" in cell
        row = page.eval_on_selector("td.bad", "td => td.parentElement.querySelector('th').textContent")
        assert row.strip() == "31"
        assert 'รายชื่อ.csv, แถว 31, คอลัมน์ C "kind": ไม่รู้จักประเภทหน่วยงาน "อบตต."' in page.inner_text("#sheet-error")
        page.eval_on_selector("td.bad", "td => td.scrollIntoView({block: 'center'})")
        tab.shot("recipients-error", top=False)

        # 3. the fixed sheet: the plan
        page.set_input_files("#sheet-file", str(EXAMPLE / "recipients.csv"))
        page.click("text=อัปโหลดรายชื่อ")
        page.wait_for_selector("#plan-title")
        assert "หนังสือ 20 ฉบับ จากรายชื่อ 162 แถว" in page.inner_text("#plan-title")
        assert page.locator("td.bad").count() == 0
        tab.shot("recipients")

        # 4. preview a letter: every page, and the one letter as PDF
        tab.go("/preview")
        first = preview_version(page)
        page.select_option("#rid", label="องค์การบริหารส่วนจังหวัดเชียงราย")
        page.wait_for_function(f"document.querySelector('[data-live-preview]').dataset.version !== '{first}'")
        page.wait_for_function(f"!document.querySelector('#download-pdf').href.includes('{first}')")
        pages = page.locator("#preview-pages img").count()
        assert pages >= 2
        with page.expect_download() as download:
            page.click("#download-pdf")
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
        tab.shot("preview")

        # 5. change the urgency: the preview is drawn again, and differs
        tab.go("/letter")
        before = preview_version(page)
        first_png = page.request.get(f"{server.url}/preview/{before}/1.png").body()
        page.select_option("#f-letter\\.urgency", "ด่วน")
        page.wait_for_function(f"document.querySelector('[data-live-preview]').dataset.version !== '{before}'")
        after = preview_version(page)
        assert page.request.get(f"{server.url}/preview/{after}/1.png").body() != first_png
        # and a bad value is shown beside its field, in the CLI's words (without the spec key
        # the CLI names: the field is there)
        page.fill("#f-variants\\.district\\.number", "0")
        box = page.locator("#e-variants\\.district\\.number")
        box.wait_for(state="visible")
        assert box.inner_text().strip() == "เลขที่หนังสือต้องเป็นจำนวนเต็มบวก"
        page.fill("#f-variants\\.district\\.number", "18858")
        box.wait_for(state="hidden")

        # 6. produce the set, with the progress shown
        tab.go("/produce")
        asked = []  # the clerk is asked to confirm the register numbers the set will take
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        page.click("#produce")
        page.wait_for_function("location.search.includes('job=')")  # the job has started
        if SHOTS:  # the bar while letters are made, when the run is slow enough to catch it
            try:
                page.wait_for_function("document.querySelector('#job-text').textContent.includes('ฉบับ/วินาที')",
                                       timeout=60_000)
                tab.shot("produce-running")
            except Exception:
                pass
        # the clerk closes the tab and comes back: the job is still there, then done
        tab.page.close()
        page = tab.page = tab.context.new_page()
        tab.go("/produce")
        page.wait_for_selector("#job-files:not([hidden])", timeout=180_000)
        assert "เสร็จแล้ว: หนังสือ 20 ฉบับ" in page.inner_text("#job-text")
        tab.shot("produce")
        assert asked and "ชร ๐๐๒๓.๑/ว ๑" in asked[0] and "ใช่หรือไม่" in asked[0], asked

        # 7. the zip: every letter in both formats, the register and print.pdf
        with page.expect_download() as download:
            page.click("[data-file=zip]")
        names = zipfile.ZipFile(download.value.path()).namelist()
        assert len([n for n in names if n.endswith(".pdf") and n != "print.pdf"]) == 20
        assert len([n for n in names if n.endswith(".docx")]) == 20
        assert {"print.pdf", "register.xlsx", "register.csv"} <= {Path(n).name for n in names}

        # 8. the tracking sheet: the same figures as `lettergen status`, and the reminders
        tab.go("/followup")
        page.set_input_files("#tracking-file", str(EXAMPLE / "tracking.xlsx"))
        page.click("text=อัปโหลดตารางติดตามผล")
        page.wait_for_selector(".figures .total")
        page.fill("#as-of", "3 สิงหาคม 2561")  # the day the example's reminders were sent
        page.click(".as-of button")
        page.wait_for_selector("#urgency-rule")
        spec = load_spec(EXAMPLE / "letter.toml")
        report = status(spec, load_recipients(EXAMPLE / "tracking.xlsx", spec), dt.date(2018, 8, 3))
        from lettergen.thai import thai_number

        total = page.inner_text(".figures .total tr").split("\t")
        t = report.total
        assert [c.strip() for c in total] == [t.label, thai_number(t.total), thai_number(t.done),
                                             thai_number(t.pending), t.percent]
        district_rows = page.locator('tbody[data-group="อำเภอ"] tr')
        assert district_rows.count() == len(report.districts)
        assert "ด่วนมาก" in page.inner_text("#urgency-rule")
        assert page.locator("tr.applied").count() == 1
        page.wait_for_function("(() => { const i = document.querySelector('.chart img'); "
                               "return i && i.complete && i.naturalWidth > 0; })()")
        tab.shot("followup")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#make-reminders")
        page.wait_for_selector('[data-job-row][data-state="done"]', timeout=180_000)
        row = page.locator("[data-job-row]").first
        with page.expect_download() as download:
            row.locator("a", has_text="reminders.zip").click()
        names = zipfile.ZipFile(download.value.path()).namelist()
        pending_letters = [n for n in names if n.endswith(".pdf")]
        assert pending_letters and len(pending_letters) < 20
        assert not tab.errors, tab.errors
    finally:
        tab.close()
        server.stop()


def test_password_gate_in_the_browser(browser, tmp_path):
    server = Server(tmp_path / "ws", host="0.0.0.0", env={"LETTERGEN_PASSWORD": "ขอเข้า-2561"})
    tab = Page(browser, server.url)
    page = tab.page
    try:
        tab.go("/letter")
        page.wait_for_url("**/login")
        assert page.get_attribute("html", "lang") == "th"
        tab.shot("login")
        page.fill("#password", "ผิด")
        page.click("text=เข้าสู่ระบบ")
        assert "รหัสผ่านไม่ถูกต้อง" in page.inner_text("#login-error")
        page.fill("#password", "ขอเข้า-2561")
        page.click("text=เข้าสู่ระบบ")
        page.wait_for_url("**/letter")
        cookies = {c["name"]: c for c in tab.context.cookies()}
        session = cookies["lettergen_session"]
        assert session["httpOnly"] and session["sameSite"] == "Strict"
        assert not tab.errors, tab.errors
    finally:
        tab.close()
        server.stop()
    assert "ขอเข้า-2561" not in server.text()


def test_forged_csrf_too_large_upload_and_drop_in_the_browser(browser, tmp_path, shared_server):
    server = shared_server
    tab = Page(browser, server.url)
    page = tab.page
    try:
        tab.go("/recipients")
        answer = page.evaluate("""async () => {
            const r = await fetch('/letter/update', {method: 'POST', body: '{}',
              headers: {'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRF-Token': 'forged'}});
            return [r.status, (await r.json()).error];
        }""")
        assert answer[0] == 403 and "CSRF" in answer[1]
        tab.errors.clear()  # the refused request itself, logged by the browser
        big = tmp_path / "ใหญ่.csv"  # chosen from the disk, as a clerk does (a buffer goes through the driver)
        big.write_bytes(b"id,name\n" + b"x" * (21 * 1024 * 1024))
        page.set_input_files("#sheet-file", str(big))
        page.click("text=อัปโหลดรายชื่อ")
        error = page.locator("#upload-error")
        error.wait_for(state="visible")
        assert "ไฟล์ใหญ่เกินไป: อัปโหลดได้ไม่เกิน 20 MB" in error.inner_text()
        # a sheet dropped on the page is uploaded as if chosen
        page.evaluate("""(text) => {
            const data = new DataTransfer();
            data.items.add(new File([text], 'วาง.csv', {type: 'text/csv'}));
            const zone = document.querySelector('#sheet-drop');
            zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
            zone.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
        }""", (EXAMPLE / "recipients.csv").read_text(encoding="utf-8"))
        # the example's plan is on the page already: wait for the page of the dropped sheet
        page.locator(".context", has_text="วาง.csv").wait_for()
        page.wait_for_selector("#plan-title")
        assert "วาง.csv" in page.inner_text(".context")
        assert not tab.errors, tab.errors
    finally:
        tab.close()


def test_the_letter_form_as_the_page_sends_it_keeps_every_field(browser, tmp_path, shared_server):
    """The page's own script sends the whole form after an edit: every field as the page
    shows it (the steps' items, the QR lines, both variants' texts) must come back as the
    spec it was, so an edit of one field changes that field only. The preview's pages keep
    the shape of A4, and an error in the form dims the preview and says it is out of date."""
    import dataclasses

    from lettergen.spec import load_spec

    def comparable(spec):
        return dataclasses.replace(spec, path=None, raw=None, notes=(),
                                   recipients=dataclasses.replace(spec.recipients, file=None))

    server = shared_server
    tab = Page(browser, server.url)
    page = tab.page
    try:
        tab.go("/letter")
        before = preview_version(page)
        page.select_option("#f-letter\\.urgency", "ด่วน")
        page.wait_for_function("document.querySelector('#form-status').textContent.includes('ตรวจแล้ว ใช้ได้')")
        saved = tmp_path / "letter.toml"
        saved.write_bytes(page.request.get(server.url + "/letter/letter.toml").body())
        example = load_spec(EXAMPLE / "letter.toml")
        assert comparable(load_spec(saved)) == comparable(dataclasses.replace(example, urgency="ด่วน"))

        # the preview image keeps the page's proportions (A4: 210 x 297)
        page.wait_for_function(f"document.querySelector('[data-live-preview]').dataset.version !== '{before}'")
        box = page.eval_on_selector("#preview-pages img", "img => [img.getBoundingClientRect().width, img.getBoundingClientRect().height]")
        assert abs(box[0] / box[1] - 210 / 297) < 0.01, box
        # each step of the step table is laid out across the form, not squeezed
        width = "el => el.getBoundingClientRect().width"
        step, form = page.eval_on_selector("li[data-step]", width), page.eval_on_selector("#letter-form", width)
        assert step > 0.6 * form, (step, form)

        # an error: the message at its field, the preview marked as the letter before the edit
        page.fill("#f-letter\\.date", "31 ก.พ. 2561")
        page.wait_for_selector("#preview-error:not([hidden])")
        assert "ก่อนแก้ไข" in page.inner_text("#preview-error")
        assert "stale" in page.get_attribute("#preview-pages", "class")
        assert not tab.errors, tab.errors
    finally:
        tab.close()
