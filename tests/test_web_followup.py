"""The follow-up page in a real browser (Playwright driving Debian's chromium): the day the
figures are counted on changes the figures, and the reminders have their own date, subject
and urgency rule, shown and changed on the page, dated as the clerk says (never a date
written in the letter's [reminder] table long ago), refused at their field before the
letter or after its deadline, and made with the numbers the clerk agreed to."""

from __future__ import annotations

import io
import zipfile

import pytest

from browser_tab import Page, browser  # noqa: F401  (browser: a fixture)
from conftest import EXAMPLE
from web_server import Server

pytestmark = pytest.mark.optional_tools  # chromium

ACCEPTED = "document.getElementById('form-status').textContent.includes('ตรวจแล้ว')"


def with_tracking(tab):
    page = tab.go("/followup")
    page.set_input_files("#tracking-file", str(EXAMPLE / "tracking.xlsx"))
    page.click("text=อัปโหลดตารางติดตามผล")
    page.wait_for_selector(".figures .total")
    return page


def show(page, as_of: str | None = None, **fields) -> None:
    """The page's fields filled (as-of, then the reminder's) and shown again."""
    if as_of is not None:
        page.fill("#as-of", as_of)
    for name, value in fields.items():
        page.fill(f"#r-{name}", value)
    page.click('button:text-is("แสดง")')
    page.wait_for_load_state()


def total_done(page) -> str:
    return page.inner_text(".figures .total tr").split("\t")[2].strip()


def test_the_figures_are_counted_as_of_the_day_and_the_reminder_says_the_same(browser, shared_server):  # noqa: F811
    """The example's tracking sheet: 25 done, 6 of them dated 1 and 2 August 2561."""
    server = shared_server
    tab = Page(browser, server.url)
    try:
        page = with_tracking(tab)
        show(page, "3 สิงหาคม 2561")
        assert total_done(page) == "๒๕"
        show(page, "31 กรกฎาคม 2561")
        assert total_done(page) == "๑๙"
        assert "31 กรกฎาคม 2561" in page.inner_text("#status-title")
        assert "หลังวันนั้นนับว่ายังไม่ดำเนินการ" in page.inner_text("#as-of-meaning")
        # the reminder, dated that day (it follows the figures' day), counts as of it too
        assert page.input_value("#r-date") == "31 กรกฎาคม 2561"
        figures = page.inner_text("#reminder-figures")
        assert "(31 กรกฎาคม 2561): ดำเนินการแล้ว ๑๙ แห่ง" in figures and "ยังไม่ดำเนินการ ๑๒๕ แห่ง" in figures
        assert not tab.errors, tab.errors
    finally:
        tab.close()


def test_the_figures_of_districts_kinds_and_province_stand_in_the_same_columns(browser, shared_server):  # noqa: F811
    """The districts, the kinds and the province's total: each figure's column starts and
    ends at the same place in all three (they were three tables, each as wide as its own
    words), so a clerk reads a column down from one header to the total."""
    tab = Page(browser, shared_server.url)
    try:
        page = with_tracking(tab)
        rows = {name: page.locator(selector).first for name, selector in (
            ("district", '.figures tbody[data-group="อำเภอ"] tr'),
            ("kind", '.figures tbody[data-group="ประเภท"] tr:not(.group-head)'),
            ("total", ".figures .total tr"))}
        columns = {name: [(round(box["x"]), round(box["width"])) for box in
                          (cell.bounding_box() for cell in row.locator("th, td").all())]
                   for name, row in rows.items()}
        assert len(columns["district"]) == 5
        assert columns["district"] == columns["kind"] == columns["total"], columns
        assert page.inner_text('.figures tr.group-head th:first-child') == "ประเภท"
        tab.shot("followup-figures", full_page=True)
        assert not tab.errors, tab.errors
    finally:
        tab.close()


def test_reminders_of_a_letter_moved_to_2569_are_dated_as_the_clerk_says(browser, tmp_path):  # noqa: F811
    """The issue's case: the example moved to 4 ธ.ค. 2569, deadline 18 ธ.ค. 2569, followed up
    on 14 ธ.ค. 2569. Before, the page proposed reminders "ลงวันที่ 3 สิงหาคม 2561 เหลือเวลาอีก
    3059 วัน" in a 2561 register."""
    from openpyxl import load_workbook
    import pypdfium2 as pdfium

    server = Server(tmp_path / "ws")
    tab = Page(browser, server.url)
    asked: list[str] = []
    try:
        page = tab.go("/letter")
        page.fill("#f-letter\\.date", "4 ธันวาคม 2569")
        page.fill("#f-deadline\\.date", "18 ธันวาคม 2569")
        page.locator("#f-deadline\\.date").blur()
        page.wait_for_function(ACCEPTED)
        page = with_tracking(tab)
        show(page, "14 ธันวาคม 2569")
        assert page.input_value("#r-date") == "14 ธันวาคม 2569"
        assert page.input_value("#r-subject").startswith("ขอเร่งรัดการดำเนินการโครงการ")
        rule = " ".join(page.inner_text("#urgency-rule").split())
        assert rule == "ลงวันที่ 14 ธันวาคม 2569 เหลือเวลาอีก 4 วัน ถึงกำหนด 18 ธันวาคม 2569 จึงใช้ชั้นความเร็ว ด่วนมาก"
        assert "ทะเบียนหนังสือส่งปี พ.ศ. 2569" in page.inner_text("#reminder-numbers")
        tab.shot("followup-reminder", full_page=True)

        # a date before the letter, or after its deadline, is refused at its field
        show(page, **{"date": "1 ธันวาคม 2569"})
        assert "ก่อนหนังสือที่ติดตาม (4 ธันวาคม 2569)" in page.inner_text("#r-date-error")
        assert page.locator("#make-reminders").count() == 0
        show(page, **{"date": "20 ธันวาคม 2569"})
        assert "เลยกำหนด 18 ธันวาคม 2569" in page.inner_text("#r-date-error")

        # the clerk's own date, subject and rule: the urgency follows the rule as changed
        show(page, **{"date": "15 ธันวาคม 2569", "subject": "ขอเร่งรัดการรายงานผล"})
        page.locator('input[name="rdays"]').first.fill("1")  # ด่วนที่สุด within 1 day, ด่วนมาก 2
        page.locator('input[name="rdays"]').nth(1).fill("2")
        page.click(".reminder button[type=submit]")
        page.wait_for_load_state()
        assert page.inner_text("#urgency-rule strong:last-of-type") == "ด่วน"  # 3 days left
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        page.click("#make-reminders")
        page.wait_for_selector('[data-job-row][data-state="done"]', timeout=180_000)
        assert "ทะเบียนหนังสือส่งปี พ.ศ. 2569" in asked[0] and "ใช่หรือไม่" in asked[0], asked

        # the register of 2569 has them, dated that day, with the clerk's subject
        register = load_workbook(io.BytesIO(page.request.get(f"{server.url}/register.xlsx?year=2569").body())).active
        rows = [row for row in register.iter_rows(min_row=4, values_only=True) if row[0]]
        reminders = [row for row in rows if "หนังสือติดตาม" in (row[7] or "")]
        assert reminders and {(row[2], row[5]) for row in reminders} == {("๑๕ ธันวาคม ๒๕๖๙", "ขอเร่งรัดการรายงานผล")}
        # and the letter says the same day and the days left
        row = page.locator("[data-job-row]").first
        with page.expect_download() as download:
            row.locator("a", has_text="reminders.zip").click()
        archive = zipfile.ZipFile(download.value.path())
        name = next(n for n in archive.namelist() if n.endswith(".pdf"))
        text = "".join(pdfium.PdfDocument(archive.read(name))[0].get_textpage().get_text_range().split())
        assert "๑๕ธันวาคม๒๕๖๙" in text and "เหลือเวลาอีก๓วัน" in text and "ด่วน" in text
        assert "ด่วนมาก" not in text and "ด่วนที่สุด" not in text
        assert not tab.errors, tab.errors
    finally:
        tab.close()
        server.stop()


def test_a_date_of_completion_in_the_christian_era_is_told_as_such(browser, shared_server):  # noqa: F811
    """"1/8/2018" typed in the done column: the page says it is a year of the Christian
    era and how to write it, at its row and column."""
    from openpyxl import load_workbook

    sheet = load_workbook(EXAMPLE / "tracking.xlsx")
    cells = sheet.active
    row = next(r for r in range(2, cells.max_row + 1) if cells.cell(r, 3).value == "อบต.")
    cells.cell(row, 7).value = "1/8/2018"
    data = io.BytesIO()
    sheet.save(data)
    server = shared_server
    tab = Page(browser, server.url)
    try:
        page = tab.go("/followup")
        page.set_input_files("#tracking-file", {"name": "ติดตาม.xlsx", "buffer": data.getvalue(),
                                                "mimeType": "application/octet-stream"})
        page.click("text=อัปโหลดตารางติดตามผล")
        page.wait_for_selector(".error[role=alert]:not([hidden])")
        message = " ".join(page.locator("[role=alert]:visible").all_inner_texts())
        assert f'แถว {row}, คอลัมน์ G "วันที่ดำเนินการ"' in message
        assert 'วันที่ดำเนินการ "1/8/2018" เป็นปี ค.ศ.: ใช้ปี พ.ศ. เช่น "1/8/2561"' in message
        assert not tab.errors, tab.errors
    finally:
        tab.close()
