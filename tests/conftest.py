"""Shared fixtures: the demo rendered once per session, golden-file comparison, and
external tools that must be present in CI."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "lettergen" / "examples" / "chiang-rai-2561"
GOLDEN = Path(__file__).resolve().parent / "golden"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_addoption(parser):
    parser.addoption(
        "--update-goldens", action="store_true", default=False,
        help="rewrite tests/golden/* from the current output (review the diff before committing)",
    )


@pytest.fixture
def golden(request):
    """golden(name, text): compare ``text`` with tests/golden/name, or rewrite it when
    pytest runs with --update-goldens."""
    update = request.config.getoption("--update-goldens")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path}; run pytest --update-goldens and review it"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"output differs from {path} (run with --update-goldens to accept)"

    return check


# LETTERGEN_TEST_HIDE_TOOLS=1: every optional program counts as missing and its tests skip,
# even under CI=true. .ci/run runs the tests marked OPTIONAL once more so (with PATH filtered
# and Debian's libharfbuzz-subset0 hidden too), to prove that they skip, saying why, on a
# machine without them: `pytest -m optional_tools`.
HIDE_TOOLS = os.environ.get("LETTERGEN_TEST_HIDE_TOOLS", "") == "1"
OPTIONAL = "optional_tools"  # the marker of every test that uses an optional program or library
_RUNNING: list = []  # the test being run (its setup, call and teardown)


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # once, in the process that starts the others
        _compile_package()
    config.addinivalue_line(
        "markers", f"{OPTIONAL}: the test uses an optional program (require_tool) or the "
        "system's libharfbuzz-subset0; .ci/run runs these once more with them hidden")


def _compile_package() -> None:
    """lettergen's modules compiled once, as pip compiles an installed package: the suite
    starts some 300 Python processes (servers, engines, commands), and where
    PYTHONDONTWRITEBYTECODE is set (the test machines' environment sets it) each compiled
    every module it imported from source (0.1 s of CPU each; the test files too, in each
    test process: collecting took 3.1 s, 0.6 s with them kept). The test processes keep
    theirs (below)."""
    import compileall

    compileall.compile_dir(str(ROOT / "lettergen"), quiet=1)


sys.dont_write_bytecode = False  # each test process keeps its test files as pytest rewrote them


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _RUNNING.append(item)
    try:
        yield
    finally:
        _RUNNING.pop()


def uses_optional(what: str) -> None:
    """Fail the running test unless it carries the OPTIONAL marker: a test that uses an
    optional program or library without it would never run in .ci/run's pass without them,
    and whether it skips cleanly there would go unchecked."""
    item = _RUNNING[-1] if _RUNNING else None
    if item is not None and item.get_closest_marker(OPTIONAL) is None:
        pytest.fail(f"{item.nodeid} uses {what}, which is optional, without "
                    f"@pytest.mark.{OPTIONAL}: .ci/run's pass without the optional programs "
                    "would leave it out", pytrace=False)


def require_tool(name: str) -> str:
    """The path of an external program (soffice, pdftotext, pdftoppm, zbarimg, chromium...);
    the test is skipped, with the reason, when it is missing or hidden, and fails when it is
    missing in CI (where .ci/run installs it) unless the tools are hidden on purpose. The
    test must carry the OPTIONAL marker (``uses_optional``)."""
    uses_optional(name)
    if HIDE_TOOLS:
        pytest.skip(f"{name}: optional programs hidden (LETTERGEN_TEST_HIDE_TOOLS=1)")
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is not installed; .ci/run must install it")
        pytest.skip(f"{name} is not installed (optional; .ci/run installs it)")
    return path


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium_session():
    """One chromium for the whole session (a launch costs about a second of CPU), asked for
    only through browser_tab's ``browser`` fixture, which checks first that the test may
    use it."""
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def alone_in_its_process():
    """For a test that needs its process without other threads (workers.SideProcess forks
    only from such a process): there are none, or the test says which there are, rather
    than fail later for want of a side process. (A test process that has run a browser
    file holds Playwright's thread for the session: such tests run in files that come
    before the web files.)"""
    import threading

    others = [thread.name for thread in threading.enumerate() if thread is not threading.current_thread()]
    assert not others, f"this test needs a process without other threads; running: {others}"


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One ``lettergen serve`` for the tests of a module that each work in sessions of their
    own (a Client or a browser context each) and leave the register and the workspace's
    shared folders alone: a server start costs about a second of CPU."""
    from web_server import Server

    server = Server(tmp_path_factory.mktemp("shared") / "workspace")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """The demo's output folder, rendered once through the real CLI."""
    from lettergen.cli import main

    out = tmp_path_factory.mktemp("demo") / "out"
    assert main(["demo", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def example():
    """The example's spec, recipients and composed letters."""
    from lettergen.compose import compose_all
    from lettergen.sheets.recipients import load_recipients
    from lettergen.spec import load_spec

    spec = load_spec(EXAMPLE / "letter.toml")
    book = load_recipients(EXAMPLE / "recipients.csv", spec)
    return spec, book, compose_all(spec, book)


ARABIC_DIGIT = re.compile(r"[0-9]")


def page_layout(data: bytes) -> list[list[tuple[str, tuple[float, ...]]]]:
    """Each page's characters with their boxes, top to bottom and left to right, as pdfium
    reads them (the spaces and line breaks it adds itself left out)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in doc:
            text = page.get_textpage()
            chars = []
            for i in range(text.count_chars()):
                char = text.get_text_range(i, 1)
                if char.strip():
                    chars.append((char, text.get_charbox(i)))
            pages.append(sorted(chars, key=lambda c: (-round(c[1][3], 1), round(c[1][0], 1), c[0])))
        return pages
    finally:
        doc.close()


def same_layout(got: bytes, expected: bytes) -> None:
    """Two PDFs show the same characters at the same places (within 0.01 pt), page for
    page: what copying text out of them gives, and where it stands."""
    pages_got, pages_expected = page_layout(got), page_layout(expected)
    assert len(pages_got) == len(pages_expected)
    for number, (page_got, page_expected) in enumerate(zip(pages_got, pages_expected), start=1):
        assert "".join(c for c, _ in page_got) == "".join(c for c, _ in page_expected), \
            f"the text of page {number}"
        for (_, box_got), (_, box_expected) in zip(page_got, page_expected):
            assert box_got == pytest.approx(box_expected, abs=0.01), f"page {number}"


def page_paths(data: bytes) -> list[list[tuple[float, float, float, float]]]:
    """Each page's drawn paths (rules, borders, dotted lines) as pdfium reads them, inside
    form XObjects too: each path's bounding box on the page (left, bottom, right, top), in
    points, sorted."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    def multiply(m, n):  # m, then n
        a, b, c, d, e, f = m
        A, B, C, D, E, F = n
        return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E,
                e * B + f * D + F)

    def walk(handle, count, get, ctm, found):
        for i in range(count(handle)):
            obj = get(handle, i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_FORM:
                m = raw.FS_MATRIX()
                raw.FPDFPageObj_GetMatrix(obj, m)
                walk(obj, raw.FPDFFormObj_CountObjects, raw.FPDFFormObj_GetObject,
                     multiply((m.a, m.b, m.c, m.d, m.e, m.f), ctm), found)
            elif kind == raw.FPDF_PAGEOBJ_PATH:
                left, bottom, right, top = (ctypes.c_float() for _ in range(4))
                raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top)  # in its form's space
                a, b, c, d, e, f = ctm
                xs, ys = [], []
                for x, y in ((left.value, bottom.value), (right.value, top.value)):
                    xs.append(a * x + c * y + e)
                    ys.append(b * x + d * y + f)
                found.append((min(xs), min(ys), max(xs), max(ys)))

    doc = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in doc:
            found: list = []
            walk(page.raw, raw.FPDFPage_CountObjects, raw.FPDFPage_GetObject, (1, 0, 0, 1, 0, 0), found)
            pages.append(sorted(found, key=lambda box: tuple(round(v, 1) for v in box)))
        return pages
    finally:
        doc.close()


def same_look(got: bytes, expected: bytes, dpi: int = 150) -> None:
    """Two PDFs look the same, page for page, rendered by pdfium at ``dpi``: no pixel
    differs by more than a third of black (a rule or a part of a glyph clipped away shows
    as a line of pixels that differ wholly; smoothing may move a grey level or so). Where
    they differ, the message names the page and the box, in pixels."""
    import pypdfium2 as pdfium
    from PIL import ImageChops

    docs = pdfium.PdfDocument(got), pdfium.PdfDocument(expected)
    try:
        assert len(docs[0]) == len(docs[1])
        for number in range(len(docs[0])):
            a, b = (doc[number].render(scale=dpi / 72).to_pil().convert("L") for doc in docs)
            wrong = ImageChops.difference(a, b).point(lambda v: 255 if v > 85 else 0)
            assert wrong.getbbox() is None, f"page {number + 1} looks different at {wrong.getbbox()}"
    finally:
        for doc in docs:
            doc.close()


def same_drawing(got: bytes, expected: bytes) -> None:
    """Two PDFs draw the same paths (a table's rules, a memo's dotted lines) at the same
    places (within 0.01 pt), page for page."""
    pages_got, pages_expected = page_paths(got), page_paths(expected)
    assert len(pages_got) == len(pages_expected)
    for number, (page_got, page_expected) in enumerate(zip(pages_got, pages_expected), start=1):
        assert len(page_got) == len(page_expected), f"the paths of page {number}"
        for box_got, box_expected in zip(page_got, page_expected):
            assert box_got == pytest.approx(box_expected, abs=0.01), f"page {number}"
