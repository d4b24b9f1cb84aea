"""The recipients page in a real browser (Playwright driving Debian's chromium): every bad
row named and stepped through with the sheet's header row in view, the rows ticked for this
set (Word's "edit recipient list"), and how the done column was read."""

from __future__ import annotations

import io

import pytest

from browser_tab import Page, browser  # noqa: F401  (browser: a fixture)
from conftest import EXAMPLE

pytestmark = pytest.mark.optional_tools  # chromium

BAD_ROWS = ((23, 1, ""), (29, 2, "อบตต."), (140, 1, ""))  # (sheet row, column, value)


def sheet_with(changes) -> bytes:
    lines = (EXAMPLE / "recipients.csv").read_text(encoding="utf-8").splitlines()
    for number, column, value in changes:
        cells = lines[number - 1].split(",")
        cells[column] = value
        lines[number - 1] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode("utf-8")


def upload(page, name: str, data: bytes) -> None:
    page.set_input_files("#sheet-file", {"name": name, "mimeType": "application/octet-stream", "buffer": data})
    page.click("text=อัปโหลดรายชื่อ")
    page.locator(".context", has_text=name).wait_for()


def in_view(page, selector: str) -> bool:
    """Whether the element is shown inside the table's scrolled box."""
    return page.evaluate("""(selector) => {
        const box = document.querySelector('.table-wrap').getBoundingClientRect();
        const el = document.querySelector(selector).getBoundingClientRect();
        return el.top >= box.top - 1 && el.bottom <= box.bottom + 1 && el.height > 0;
    }""", selector)


def test_every_bad_row_is_named_and_stepped_through_with_the_header_in_view(browser, shared_server):  # noqa: F811
    server = shared_server
    tab = Page(browser, server.url)
    page = tab.page
    try:
        tab.go("/recipients")
        upload(page, "รายชื่อ.csv", sheet_with(BAD_ROWS))
        assert "พบปัญหา 3 แถว" in page.inner_text("#sheet-problems")
        said = []
        for step in range(4):
            said.append(page.inner_text("#sheet-error"))
            if step:  # the cell stepped to is in view, and so is the header row above it
                current = "td.bad.current"
                assert page.locator(current).count() == 1 and in_view(page, current)
                assert in_view(page, "tr.header-row th")
                row = page.eval_on_selector(current, "td => td.parentElement.querySelector('th').textContent")
                assert f"แถว {row}," in said[-1]
                if step == 1:
                    tab.shot("recipients-problems", top=False)
            page.click("#problem-next")
        assert said[0].startswith("ปัญหาที่ 1 จาก 3: รายชื่อ.csv, แถว 23, คอลัมน์ B")
        assert [s.split(":")[0] for s in said] == ["ปัญหาที่ 1 จาก 3", "ปัญหาที่ 2 จาก 3", "ปัญหาที่ 3 จาก 3",
                                                   "ปัญหาที่ 1 จาก 3"]
        assert "แถว 140, คอลัมน์ B" in said[2] and 'ไม่รู้จักประเภทหน่วยงาน "อบตต."' in said[1]
        assert not tab.errors, tab.errors
    finally:
        tab.close()


def test_rows_unticked_are_left_out_and_the_done_column_is_read_as_it_says(browser, shared_server):  # noqa: F811
    from openpyxl import load_workbook

    sheet = load_workbook(EXAMPLE / "tracking.xlsx")
    cells = sheet.active
    rows = {cells.cell(r, 1).value: r for r in range(2, cells.max_row + 1)}
    laos = [r for r in range(2, cells.max_row + 1) if cells.cell(r, 3).value == "อบต."]
    marks = {laos[0]: "x", laos[1]: "-", laos[2]: "เสร็จแล้ว"}
    for row, mark in marks.items():
        cells.cell(row, 7).value = mark
    data = io.BytesIO()
    sheet.save(data)
    server = shared_server
    tab = Page(browser, server.url)
    page = tab.page

    def reading(row: int) -> str:
        return page.locator(f"#sheet-table tr:nth-child({row}) td.reading").inner_text()

    try:
        tab.go("/recipients")
        upload(page, "ติดตาม.xlsx", data.getvalue())
        assert [reading(row) for row in marks] == ["ดำเนินการแล้ว", "ยังไม่ดำเนินการ", "ดำเนินการแล้ว"]
        dated = next(r for r in range(2, cells.max_row + 1) if cells.cell(r, 7).is_date)
        assert reading(dated).startswith("ดำเนินการแล้ว (") and "2561)" in reading(dated)
        assert "หนังสือ 20 ฉบับ" in page.inner_text("#plan-title")
        # the อบจ. (a letter of its own) and the office of one district (its letter and its
        # LAOs with it) unticked: 18 letters, and the numbers the set takes say so
        for rid, letters in (("570101", 19), ("5702", 18)):
            page.uncheck(f'[data-rid="{rid}"]')
            # the plan as the server gave it back after this untick (not the box's own state,
            # which is unticked before the page has been answered)
            page.locator("#plan-title", has_text=f"หนังสือ {letters} ฉบับ").wait_for()
            page.locator(f'[data-rid="{rid}"]:not(:checked)').wait_for()
        assert page.locator(f"#sheet-table tr:nth-child({rows['570101']})").get_attribute("class") == "left-out"
        tab.go("/preview")
        offered = page.locator("#rid option").all_inner_texts()
        assert len(offered) == 18 and "องค์การบริหารส่วนจังหวัดเชียงราย" not in offered
        assert not any("เวียงชัย" in label for label in offered)
        tab.go("/produce")
        assert "หนังสือ 18 ฉบับ" in page.inner_text("#produce")
        tab.go("/recipients")
        page.click("#tick-all")
        page.locator("#plan-title", has_text="หนังสือ 20 ฉบับ").wait_for()
        assert not tab.errors, tab.errors
    finally:
        tab.close()
