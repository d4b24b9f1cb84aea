"""The browser the web tests drive: Debian's chromium through Playwright, a tab that records
script errors, and what the tests ask of a page again and again.

With LETTERGEN_WEB_SHOTS=DIR a tab's ``shot(name)`` saves DIR/web-NAME.png (the README's
screenshots)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import IN_CI, require_tool

SHOTS = os.environ.get("LETTERGEN_WEB_SHOTS")


@pytest.fixture(scope="module")
def browser(request):
    """The session's chromium (conftest.chromium_session, launched once: each Page is a
    context of its own, with its own cookies and storage), after the checks that the
    test may use it."""
    require_tool("chromium")
    try:
        import playwright  # noqa: F401
    except ImportError:  # in CI, .ci/run installs it (the test extras)
        if IN_CI:
            pytest.fail("playwright is not installed; .ci/run must install the test extras")
        pytest.skip("playwright is not installed")
    return request.getfixturevalue("chromium_session")


# Installed in every page before its own script: each answer to a fetch() whose address
# holds one of window.__watched is kept in window.__answers as [address, status, body].
# window.__sent counts those fetches as they start, and window.__inputsSent is how many
# input events the page had had (window.__inputs) when the last of them started: a test can
# wait for every request sent to be answered, and for no edit to be still unsent, instead
# of pausing for a time that is long enough on most runs.
WATCH = """
window.__answers = [];
window.__watched = %s;
window.__sent = 0;
window.__inputs = 0;
window.__inputsSent = 0;
document.addEventListener('input', () => { window.__inputs++; }, true);
const __fetch = window.fetch;
window.fetch = async (...args) => {
  const address = String(args[0].url || args[0]);
  const watched = window.__watched.some((part) => address.includes(part));
  if (watched) { window.__sent++; window.__inputsSent = window.__inputs; }
  const answer = await __fetch(...args);
  if (watched) {
    answer.clone().text().then((body) => window.__answers.push([address, answer.status, body]),
                               () => window.__answers.push([address, answer.status, ""]));
  }
  return answer;
};
"""


class Page:
    """A browser tab (1366x768 unless told) that records script errors; ``watch``: the
    addresses whose answers to the page's script are kept (``answers``)."""

    def __init__(self, browser, base: str, *, width: int = 1366, height: int = 768,
                 watch: tuple[str, ...] = ()):
        import json

        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           accept_downloads=True, locale="th-TH")
        if watch:
            self.context.add_init_script(WATCH % json.dumps(list(watch)))
        self.base = base
        self.errors: list[str] = []
        self.context.on("page", self._listen)
        self.page = self.context.new_page()

    def _listen(self, page) -> None:
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def go(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str, full_page: bool = False, top: bool = True) -> None:
        if SHOTS:
            if top:
                self.page.evaluate("window.scrollTo(0, 0)")
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(SHOTS) / f"web-{name}.png"), full_page=full_page)

    def answers(self) -> list[tuple[str, int, str]]:
        """The watched answers the page has had so far: (address, status, body)."""
        return [tuple(a) for a in self.page.evaluate("window.__answers || []")]

    def close(self):
        self.context.close()


def preview_version(page) -> str:
    page.wait_for_function("document.querySelector('[data-live-preview]')?.dataset.version")
    return page.eval_on_selector("[data-live-preview]", "el => el.dataset.version")
