"""Fields, not code, in a real browser (Playwright driving Debian's chromium): the letter's
placeholders are labelled chips, edited and moved as one unit, bold and underline are
formatting set from a small toolbar, the spec text the form keeps is exactly the spec text
(the command line reads what the form saves), and an expression no chip names is shown
as it is, marked advanced."""

from __future__ import annotations

import tomllib

import pytest

from browser_tab import Page, browser  # noqa: F401  (browser: a fixture)
from conftest import EXAMPLE

pytestmark = pytest.mark.optional_tools  # chromium

ACCEPTED = "document.getElementById('form-status').textContent.includes('ตรวจแล้ว')"
PARAGRAPH = "#paragraphs li:nth-child({}) .chip-editor"


def saved(tab) -> dict:
    return tomllib.loads(tab.page.request.get(f"{tab.base}/letter/letter.toml").text())


# Every edit of the page sent and answered (browser_tab.WATCH counts them): the form is sent
# 250 ms after the last key, so an input event newer than the last request sent is an edit
# still to come.
SETTLED = "window.__inputs === window.__inputsSent && window.__answers.length === window.__sent"


def wait_saved(page, before: int) -> None:
    """Until the page has had the answers to its edits after the ``before`` it had, the last
    one too (a field left sends the form at once, the typing after it a moment later)."""
    page.wait_for_function(f"(before) => window.__answers.length > before && {SETTLED} && "
                           "document.getElementById('form-status').textContent.includes('ตรวจแล้ว')", arg=before)


def answered(page) -> int:
    page.wait_for_function(SETTLED)  # the edit before is sent and answered
    return page.evaluate("window.__answers.length")


def test_placeholders_are_chips_and_formatting_is_formatting(browser, shared_server):  # noqa: F811
    example = tomllib.loads((EXAMPLE / "letter.toml").read_text(encoding="utf-8"))
    paragraphs = example["body"]["paragraphs"]
    server = shared_server
    tab = Page(browser, server.url, watch=("/letter/update",))
    page = tab.page
    try:
        tab.go("/letter")
        form = page.inner_text("#letter-form")
        assert "{{" not in form and "}}" not in form and "**" not in form and "__" not in form
        second = page.locator(PARAGRAPH.format(2))
        assert "ร้อยละที่ดำเนินการแล้ว" in second.locator(".ph").all_inner_texts()
        assert page.locator("#f-variants\\.district\\.text\\.action-label, label[for='f-variants.district.text.action']").count() == 0 \
            or "text.action" not in form
        # nothing touched but the urgency: the paragraphs are exactly the spec's, byte for byte
        page.select_option("#f-letter\\.urgency", "ด่วน")
        page.wait_for_function(ACCEPTED)
        assert saved(tab)["body"]["paragraphs"] == paragraphs

        # a chip goes as one unit: the caret after it, one Backspace takes it all
        note = answered(page)
        page.evaluate("""() => {
            const chip = [...document.querySelectorAll('#paragraphs li:nth-child(2) .ph')]
                .find((el) => el.textContent === 'ร้อยละที่ดำเนินการแล้ว');
            const range = document.createRange(); range.setStartAfter(chip); range.collapse(true);
            chip.closest('.chip-editor').focus();
            getSelection().removeAllRanges(); getSelection().addRange(range);
        }""")
        page.keyboard.press("Backspace")
        wait_saved(page, note)
        second_text = saved(tab)["body"]["paragraphs"][1]
        assert second_text == paragraphs[1].replace("{{ progress.percent }}", "")
        assert "progress" not in second_text.split("{{ progress.done }}")[1].split("ดังนั้น")[0]

        # a chip moved by dragging: it leaves the second paragraph and goes to the third
        note = answered(page)
        chip = second.locator(".ph", has_text="จำนวนที่ดำเนินการแล้ว")
        third = page.locator(PARAGRAPH.format(3))
        box = third.bounding_box()
        chip.drag_to(third, target_position={"x": box["width"] - 4, "y": box["height"] - 6})
        wait_saved(page, note)
        now = saved(tab)["body"]["paragraphs"]
        assert "{{ progress.done }}" not in now[1] and "{{ progress.done }}" in now[2]
        assert now[2].replace("{{ progress.done }}", "", 1) == paragraphs[2]

        # bold from the toolbar: the words selected become **...** in the spec
        note = answered(page)
        words = "สำนักงานคณะกรรมการพัฒนาระบบราชการ"
        page.evaluate("""(words) => {
            const editor = document.querySelector('#paragraphs li:nth-child(1) .chip-editor');
            const text = [...editor.childNodes].find((n) => n.nodeType === 3 && n.data.includes(words));
            const at = text.data.indexOf(words);
            const range = document.createRange(); range.setStart(text, at); range.setEnd(text, at + words.length);
            editor.focus(); getSelection().removeAllRanges(); getSelection().addRange(range);
        }""", words)
        page.click("[data-format=b]")
        wait_saved(page, note)
        assert saved(tab)["body"]["paragraphs"][0] == paragraphs[0].replace(words, f"**{words}**", 1)
        assert page.locator(PARAGRAPH.format(1) + " b").inner_text() == words
        # the last edit's preview drawn (no longer marked stale): an error of its drawing is counted too
        page.wait_for_function("!document.querySelector('[data-live-preview]').classList.contains('stale')")
        assert not tab.errors, tab.errors
    finally:
        tab.close()


def test_an_expression_without_a_chip_is_shown_as_it_is_and_marked_advanced(browser, shared_server):  # noqa: F811
    text = (EXAMPLE / "letter.toml").read_text(encoding="utf-8")
    text = text.replace("มีองค์กรปกครองส่วนท้องถิ่นดำเนินการแล้ว {{ progress.done }} แห่ง",
                        "มีองค์กรปกครองส่วนท้องถิ่นดำเนินการแล้ว {{ progress.done }} แห่ง (เพิ่มขึ้น {{ progress.done - 20 }} แห่ง)", 1)
    server = shared_server
    tab = Page(browser, server.url)
    page = tab.page
    try:
        tab.go("/letter")
        page.click("summary")
        page.set_input_files("#toml-file", {"name": "มือ.toml", "mimeType": "application/toml", "buffer": text.encode()})
        page.click("form[action=\"/letter/upload\"] button[type=submit]")
        page.wait_for_url("**/letter?m=uploaded")
        advanced = page.locator(PARAGRAPH.format(2) + " .ph.advanced")
        assert advanced.count() == 1
        assert advanced.inner_text().startswith("{{ progress.done - 20 }}") and "ขั้นสูง" in advanced.inner_text()
        # the letter as written comes back exactly when nothing is changed
        page.select_option("#f-letter\\.urgency", "ด่วน")
        page.wait_for_function(ACCEPTED)
        assert saved(tab)["body"]["paragraphs"] == tomllib.loads(text)["body"]["paragraphs"]
        assert not tab.errors, tab.errors
    finally:
        tab.close()


def test_a_narrow_window_gives_the_form_its_width_and_the_preview_a_tab(browser, shared_server):  # noqa: F811
    """At 800 px the form had 190 px and a link's box showed 2 to 4 characters: now the form
    takes the window's width, and the preview is on a tab of its own."""
    server = shared_server
    tab = Page(browser, server.url, width=800, height=800)
    page = tab.page
    width = "(el) => el.getBoundingClientRect().width"
    try:
        tab.go("/letter")
        page.wait_for_function("document.querySelector('[data-live-preview]')?.dataset.version")
        assert page.eval_on_selector("#letter-form", width) > 700
        assert min(page.eval_on_selector_all("[data-link-url]", "els => els.map((el) => el.getBoundingClientRect().width)")) > 400
        assert page.locator("#preview-side").is_hidden()
        page.click("#tab-preview")
        page.wait_for_function("(() => { const i = document.querySelector('#preview-pages img');"
                               " return i && i.complete && i.naturalWidth > 0; })()")
        assert page.eval_on_selector("#preview-pages img", width) > 600
        assert page.locator("#letter-form").is_hidden()
        tab.shot("letter-narrow")
        page.click("#tab-form")
        assert page.locator("#letter-form").is_visible()
        assert not tab.errors, tab.errors
    finally:
        tab.close()
