"""The preview's redraw as a clerk sees it, in Debian's chromium (python benchmarks/bench_web_browser.py).

The letter page of a new session (the example), at 1366x768: the urgency chosen from its
list, and the time until page 1 of the redrawn letter is on the screen (the page's own
script sends the form, asks for the preview and shows page 1 first), over 12 edits (the
first two reported apart), each a letter not drawn before (its date is set first, untimed,
so that no kept preview answers); then the same for a date typed into its field, which the page
sends once typing has paused for 250 ms (that pause counted in). Needs chromium and
Playwright (the test extras).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from web_server import Server  # noqa: E402

URGENCIES = ("ด่วน", "ด่วนมาก", "ด่วนที่สุด")
SHOWN = """(old) => { const img = document.querySelector('#preview-pages img');
                     return img && img.complete && !img.src.includes(old) ? img.src : null; }"""


def first_page(page) -> str:
    page.wait_for_function("document.querySelector('#preview-pages img')?.complete")
    return page.eval_on_selector("#preview-pages img", "img => img.src")


def version(src: str) -> str:
    return src.split("/preview/")[1].split("/")[0]


# Timed by the page's own clock: from the edit's event (a choice made, a key typed) to the
# moment page 1 of the new version is put on the page, so Playwright's own round trips are
# not counted.
WATCH = """(old) => {
  window.__shown = null; window.__edit = null;
  const form = document.querySelector('#letter-form');
  const mark = () => { if (window.__edit === null) window.__edit = performance.now(); };
  form.addEventListener('input', mark, { capture: true, once: true });
  form.addEventListener('change', mark, { capture: true, once: true });
  const box = document.querySelector('#preview-pages');
  const seen = new MutationObserver(() => {
    const img = box.querySelector('img');
    if (img && img.complete && !img.src.includes(old) && window.__shown === null) {
      window.__shown = performance.now(); seen.disconnect();
    }
  });
  seen.observe(box, { childList: true, subtree: true });
}"""


def redraw(page, edit) -> float:
    """Seconds from the edit's event until page 1 of another version of the letter is shown."""
    before = version(first_page(page))
    page.evaluate(WATCH, before)
    edit()
    page.wait_for_function(SHOWN, arg=before, timeout=30_000)
    page.wait_for_function("window.__shown !== null")
    return page.evaluate("(window.__shown - window.__edit) / 1000")


def redraws(page, edit, count: int, setup=None) -> list[float]:
    """``edit(i)`` timed ``count`` times, each after ``setup(i)`` (untimed, waited for)."""
    times = []
    for i in range(count):
        if setup:
            redraw(page, lambda: setup(i))
        times.append(redraw(page, lambda: edit(i)))
    return times


def report(name: str, times: list[float]) -> None:
    warm = times[2:]
    print(f"{name}: median {statistics.median(warm) * 1000:.0f} ms, max {max(warm) * 1000:.0f} ms "
          f"over {len(warm)} edits (first two: {', '.join(f'{t * 1000:.0f}' for t in times[:2])} ms)")


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        server = Server(Path(tmp) / "ws")
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(server.url + "/letter")
            first_page(page)
            # each timed edit a letter not drawn before: the date is set first (untimed)
            report("urgency chosen -> page 1 shown",
                   redraws(page, lambda i: page.select_option("#f-letter\\.urgency", URGENCIES[i % 3]), 12,
                           setup=lambda i: page.fill("#f-letter\\.date", f"{i + 1} มิถุนายน 2561")))
            report("date typed -> page 1 shown (with the 250 ms pause)",
                   redraws(page, lambda i: page.fill("#f-letter\\.date", f"{i + 1} กรกฎาคม 2561"), 12))
        finally:
            browser.close()
            server.stop()


if __name__ == "__main__":
    main()
