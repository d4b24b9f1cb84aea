"""A set's downloads in a real browser (Playwright driving Debian's chromium): each file is
named by what it is (the set's first number and date, then what the file holds), and the
set's own register tells the circulars' series (ว) from the ordinary letters'."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from browser_tab import Page, browser  # noqa: F401  (browser: a fixture)
from web_server import Server

pytestmark = pytest.mark.optional_tools  # chromium

DONE = "document.getElementById('job-text').textContent.startsWith('เสร็จแล้ว')"


def test_downloads_are_named_by_what_they_are(browser, tmp_path):  # noqa: F811
    from openpyxl import load_workbook

    server = Server(tmp_path / "ws")
    tab = Page(browser, server.url)
    page = tab.page
    try:
        tab.go("/produce")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#produce")
        page.wait_for_function(DONE, timeout=180_000)
        names = {}
        for what in ("zip", "print", "register"):
            with page.expect_download() as download:
                page.click(f"[data-file={what}]")
            names[what] = download.value.suggested_filename
            if what == "register":
                register = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
        # the example's first number is the circular's ว 1, its date 27 July 2561
        assert names == {"zip": "ว1-2561-07-27-letters.zip", "print": "ว1-2561-07-27-print.pdf",
                         "register": "ว1-2561-07-27-register.xlsx"}
        numbers = [row[0] for row in register.iter_rows(min_row=2, values_only=True)]
        assert numbers == ["ว 1"] * 18 + [1, 2]  # two series, said so: not 1 for both
        tab.go("/produce")
        listed = page.locator("[data-run] a[download]").all_inner_texts()
        assert listed == list(names.values())
        assert not tab.errors, tab.errors
    finally:
        tab.close()
        server.stop()
