"""The kind of letter chosen on the web app's letter page, in a real browser (Playwright
driving Debian's chromium): every kind is offered by its Thai name, a memo's missing signer
is said beside its field, and the preview redraws the letter as a memo.

With LETTERGEN_WEB_SHOTS=DIR the letter page with the memo's preview is saved as
DIR/web-letter-memo.png."""

from __future__ import annotations

import pytest

from test_web_browser import Page, browser, preview_version  # noqa: F401  (browser: a fixture)
from web_server import Server

pytestmark = pytest.mark.optional_tools  # chromium


def test_choosing_the_memo_on_the_letter_page(browser, tmp_path):  # noqa: F811
    from lettergen.kinds import KINDS

    server = Server(tmp_path / "ws")
    tab = Page(browser, server.url)
    page = tab.page
    try:
        tab.go("/letter")
        page.click("summary")
        page.click("#load-example")
        page.wait_for_url("**/letter?m=example")
        before = preview_version(page)
        kind = page.locator('[data-key="letter.kind"]')
        offered = kind.locator("option").all_inner_texts()
        assert offered == [k.thai for k in KINDS.values()]
        kind.select_option("memo")
        box = page.locator("#e-sender\\.signer_name")  # the example names no signer
        box.wait_for(state="visible")
        assert box.inner_text().strip() == "บันทึกข้อความต้องมีชื่อผู้ลงนาม"
        page.fill("#f-sender\\.signer_name", "นายอนุชา ศรีสุข")
        box.wait_for(state="hidden")
        page.wait_for_function(
            f"document.querySelector('[data-live-preview]').dataset.version !== '{before}'")
        after = preview_version(page)
        page.wait_for_function("(() => { const i = document.querySelector('#preview-pages img'); "
                               "return i && i.complete && i.naturalWidth > 0; })()")
        png = page.request.get(f"{server.url}/preview/{after}/1.png").body()
        assert png.startswith(b"\x89PNG")
        tab.shot("letter-memo")
        assert tab.errors == []
    finally:
        tab.close()
        server.stop()

