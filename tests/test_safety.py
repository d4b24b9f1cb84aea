"""Safety: data never acts as code, passwords stay in their own letters, output files are
private, spreadsheets never see a formula, file names are safe, the recipients loader fails
only with InputError, and a run killed with SIGKILL finishes byte-identically.

Most checks go through the real command line (``lettergen.cli.main`` in-process, or
``python -m lettergen`` as a subprocess where a terminal or a kill is needed). The sheets are
written by the tests themselves (their cells need CSV quoting); the spec that prints data
through templates is ``tests/data/safety-injection/spec.toml``.

A check that reveals a lettergen bug is marked ``xfail(strict=True)`` with the reason; once
the bug is fixed the test passes, pytest reports XPASS as a failure, and the mark goes.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import select
import shutil
import signal
import stat
import string
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from lettergen.thai import arabic_digit_to_thai_digit
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import EXAMPLE, ROOT
from lettergen.cli import main
from lettergen.errors import InputError
from lettergen.filenames import MAX_BYTES, file_stem, unique_stems
from lettergen.thai import nfc as thai_nfc
from lettergen.workers import SIDE_NAME, WORKER_NAME
from lettergen.sheets.recipients import load_recipients
from lettergen.spec import load_spec
from test_seed import W, docx_text, docx_xml, pdf_text

DATA = Path(__file__).parent / "data"
SAFETY = DATA / "safety-injection"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
HEADER = ["id", "name", "kind", "district", "username", "password", "done"]
OFFICE = ["5701", "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเมืองเชียงราย", "สถ.อ.", "เมืองเชียงราย", "", "", ""]
HYPOTHESIS = settings(max_examples=50, deadline=None, database=None)


# --- helpers -----------------------------------------------------------------------------


def write_sheet(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([header, *rows])
    return path


def copy_spec(tmp: Path) -> Path:
    folder = tmp / "spec"
    shutil.copytree(SAFETY, folder)
    return folder / "spec.toml"


def squash(text: str) -> str:
    """``text`` without whitespace: PDF text extraction adds line breaks and, on lines set with
    letter-spacing, spaces between letters."""
    return re.sub(r"\s+", "", text)


def thai_digits(text: str) -> str:
    """What prose makes of a value: Arabic digits shown as Thai digits (README)."""
    return text.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))


def by_id(folder: Path, key: str, ext: str) -> Path:
    matches = [p for p in folder.iterdir() if p.name.startswith(f"{key}-") and p.suffix == f".{ext}"]
    assert len(matches) == 1, (key, ext, matches)
    return matches[0]


def xml_text(blob: bytes) -> str:
    """Every text node and attribute value of an XML part (entities resolved), then the raw
    part itself."""
    try:
        root = etree.fromstring(blob)
    except etree.XMLSyntaxError:
        return blob.decode("utf-8", "replace")
    values = list(root.itertext())
    for element in root.iter():
        if isinstance(element.tag, str):
            values += list(element.attrib.values())
    return "\n".join(values) + "\n" + blob.decode("utf-8", "replace")


def zip_parts(path: Path) -> dict[str, str]:
    """A DOCX or XLSX package as part name -> searchable text."""
    with zipfile.ZipFile(path) as package:
        return {name: xml_text(package.read(name)) for name in package.namelist()}


def pdf_metadata(path: Path) -> str:
    """The document information dictionary and the XMP packet."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        info = [f"{k}={v}" for k, v in pdf.docinfo.items()]
        with pdf.open_metadata() as meta:
            xmp = str(meta)
        raw = pdf.Root.Metadata.read_bytes().decode("utf-8", "replace") if "/Metadata" in pdf.Root else ""
    return "\n".join(info + [xmp, raw])


def pdf_dump(path: Path) -> str:
    """Everything a PDF holds, searchable: raw bytes, every decoded stream (latin-1, so
    ASCII needles match byte for byte), metadata and the extracted text."""
    import pikepdf

    parts = [path.read_bytes().decode("latin-1")]
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    parts.append(obj.read_bytes().decode("latin-1"))
                except pikepdf.PdfError:
                    parts.append(obj.read_raw_bytes().decode("latin-1"))
    parts += [pdf_metadata(path), pdf_text(path)]
    return "\n".join(parts)


def needles(secret: str) -> list[str]:
    """A secret as it could sit in a dump: as text, and as UTF-16 (PDF text strings)."""
    return [secret, secret.encode("utf-16-be").decode("latin-1"),
            secret.encode("utf-16-le").decode("latin-1")]


def trie_pattern(words) -> re.Pattern:
    """A regex that finds what ``"|".join(words)``, longest first, finds (at the leftmost
    place, the longest word there), written as a trie: the alternation tries every word at
    every character of a dump, the trie only the words that begin there (several times
    faster on a set's PDFs, whose dumps run to megabytes)."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = True

    def regex(node: dict) -> str:
        branches = [re.escape(char) + regex(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        inner = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here: the longer ones first, greedily
            return "(?:" + inner + ")?" if len(branches) == 1 else inner + "?"
        return inner

    return re.compile(regex(trie))


def test_the_trie_finds_what_the_alternation_finds():
    """trie_pattern against the plain alternation, longest first, on texts stitched from
    pieces of passwords (their UTF-16 forms too) that share prefixes and overlap."""
    import random

    chance = random.Random(7)
    secrets = ["ab12", "ab123", "ab1", "b12x", "รหัส9", "รหัส99", "x", "1ab"]
    words = [needle for secret in secrets for needle in needles(secret)]
    alternation = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    trie = trie_pattern(words)
    pieces = words + ["a", "b", "1", "2", "\x00", "ร", "9", "zz"]
    for _ in range(2000):
        text = "".join(chance.choice(pieces) for _ in range(chance.randint(0, 12)))
        assert [m.group() for m in trie.finditer(text)] == [m.group() for m in alternation.finditer(text)], text


def xlsx_values(path: Path) -> list[list]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return [[cell.value for cell in row] for sheet in book for row in sheet.iter_rows()]


def cli(argv: list[str]) -> tuple[int, str, str]:
    """``lettergen.cli.main`` in-process with its stdout and stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main([str(a) for a in argv])
    return rc, out.getvalue(), err.getvalue()


def run_on_terminal(argv: list[str], timeout: float = 600) -> tuple[int, str]:
    """``python -m lettergen ARGV`` with stdin, stdout and stderr on a pseudo-terminal (so
    the progress bar is on); everything the terminal showed."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lettergen", *map(str, argv)], cwd=ROOT,
        env={**ENV, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"},
        stdin=slave, stdout=slave, stderr=slave, close_fds=True,
    )
    os.close(slave)
    output = bytearray()
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every process holding the terminal has exited
                break
            if not data:
                break
            output += data
        else:
            pytest.fail(f"lettergen {argv} did not finish within {timeout} s")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(master)
    return proc.returncode, output.decode("utf-8", "replace")


# --- 1. data never acts as code ----------------------------------------------------------

PASSWD = Path("/etc/passwd")
PASSWD_LINES = ["root:x:0:0"] + (
    [line for line in PASSWD.read_text(errors="replace").splitlines()[:5] if line.strip()]
    if PASSWD.is_file() else [])

PAYLOADS = [
    "<b>bold</b>",
    "<img src=file:///etc/passwd>",
    "{{ 7*7 }}",
    "{% if 1 %}x{% endif %}",
    "**not bold**",
    "__not underlined__",
    "</p><style>body{display:none}</style>",
    '=HYPERLINK("http://x")',
    "'; DROP TABLE",
    "สำนักงาน น้ำ ที่ วันศุกร์ที่",
]
ASCII_PAYLOADS = [p for p in PAYLOADS if p.isascii()]
N = len(PAYLOADS)
# One LAO per payload, in the district of OFFICE: row i carries payload i as its name,
# payload i+1 as its username and payload i+2 as its password, so that every payload is a
# name, a username and a password once. Their credentials go to OFFICE's letter.
MEMBERS = [
    [f"5701{10 + i}", PAYLOADS[i], "อบต." if i % 2 else "ทต.", "เมืองเชียงราย",
     PAYLOADS[(i + 1) % N], PAYLOADS[(i + 2) % N], "0"]
    for i in range(N)
]
# Direct letters: the name is printed by the template "{{ recipient.name }}" (the ถึง line),
# is the file name, and is the register's ถึง column.
DIRECT = [
    ["570101", "<img src=file:///etc/passwd>", "อบจ.", "เมืองเชียงราย", "{{ 7*7 }}", "**not bold**", "0"],
    ["570102", "{{ 7*7 }}", "ทน.", "เมืองเชียงราย", "<b>bold</b>", "__not underlined__", "0"],
    ["570190", "=1+1", "อบจ.", "เมืองเชียงราย", "=1+1", "@SUM(A1)", "0"],
    ["+570191", "@SUM(A1)", "ทน.", "เมืองเชียงราย", "-2+3", "+1", "0"],
    ["570192", "-2+3", "อบจ.", "เมืองเชียงราย", "@cmd", "=2*3", "0"],
]
INJECTION_ROWS = [OFFICE, *MEMBERS, *DIRECT]


@dataclass(frozen=True)
class Run:
    spec: Path
    sheet: Path
    out: Path
    rc: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def injection(tmp_path_factory) -> Run:
    """The injection sheet rendered once through the real CLI."""
    tmp = tmp_path_factory.mktemp("injection")
    spec = copy_spec(tmp)
    sheet = write_sheet(tmp / "recipients.csv", INJECTION_ROWS)
    out = tmp / "out"
    rc, stdout, stderr = cli(["render", spec, "--recipients", sheet, "--out", out])
    return Run(spec, sheet, out, rc, stdout, stderr)


@pytest.fixture(scope="module")
def injection_letters(injection):
    from lettergen.compose import compose_all

    spec = load_spec(injection.spec)
    return compose_all(spec, load_recipients(injection.sheet, spec))


def test_injection_sheet_renders(injection):
    assert injection.rc == 0, injection.stderr
    names = sorted(p.name for p in injection.out.iterdir())
    letters = [n for n in names if n.endswith((".pdf", ".docx"))]
    assert len(letters) == 2 * (1 + len(DIRECT)), names
    assert set(names) - set(letters) == {"register.csv", "register.xlsx"}


@pytest.mark.parametrize("value", PAYLOADS)
def test_data_appears_literally_in_the_docx(injection, value):
    office = docx_text(by_id(injection.out, "5701", "docx"))
    table = office.split("บัญชีชื่อผู้ใช้", 1)[1]  # the credentials enclosure
    # username and password cells hold the value exactly as written; the name cell too,
    # with Arabic digits shown as Thai digits, as everywhere in prose
    assert f"\n{value}\n" in table + "\n", table
    assert table.count(value) >= 2, (value, table.count(value))
    assert f"\n{arabic_digit_to_thai_digit(value)}\n" in table + "\n", table
    # the body prints every member's name and username through a template: the value is
    # text there too (prose shows Arabic digits as Thai digits)
    body = office.split("บัญชีชื่อผู้ใช้", 1)[0]
    assert f"«{thai_digits(value)}»" in body, body


@pytest.mark.parametrize("row", DIRECT, ids=[r[0] for r in DIRECT])
def test_direct_names_print_as_text_in_the_to_line(injection, row):
    text = docx_text(by_id(injection.out, row[0], "docx"))
    assert f"\nถึง {thai_digits(row[1])}\n" in text
    assert squash(thai_digits(row[1])) in squash(pdf_text(by_id(injection.out, row[0], "pdf")))


@pytest.mark.parametrize("value", ASCII_PAYLOADS)
def test_ascii_data_appears_literally_in_the_pdf(injection, value):
    text = squash(pdf_text(by_id(injection.out, "5701", "pdf")))
    assert squash(value) in text
    assert squash(f"«{thai_digits(value)}»") in text


def _all_letter_texts(out: Path) -> dict[str, str]:
    texts = {p.name: docx_text(p) for p in out.glob("*.docx")}
    texts.update({p.name: pdf_text(p) for p in out.glob("*.pdf")})
    return texts


def test_template_syntax_in_data_is_not_evaluated(injection):
    texts = _all_letter_texts(injection.out)
    office = texts[by_id(injection.out, "5701", "docx").name]
    assert "{{ 7*7 }}" in office and "{{ ๗*๗ }}" in office
    assert "{% if 1 %}x{% endif %}" in office and "{% if ๑ %}x{% endif %}" in office
    for name, text in texts.items():
        assert "49" not in text and "๔๙" not in text, name


def _docx_runs(path: Path):
    for run in docx_xml(path).iter(W + "r"):
        text = "".join(t.text or "" for t in run.iter(W + "t"))
        rpr = run.find(W + "rPr")

        def on(tag: str) -> bool:
            element = rpr.find(W + tag) if rpr is not None else None
            return element is not None and element.get(W + "val") not in ("0", "false", "off", "none")

        yield text, on("b") or on("bCs"), on("u")


def test_markup_characters_in_data_make_no_bold_or_underlined_runs(injection):
    for path in injection.out.glob("*.docx"):
        runs = list(_docx_runs(path))
        holders = [(t, b, u) for t, b, u in runs if "not bold" in t or "not underlined" in t]
        if path.name.startswith(("5701-", "570101-", "570102-")):  # letters carrying them
            assert holders, path.name
        for text, bold, underline in holders:
            assert not bold and not underline, (path.name, text)
        for marked in ("**not bold**", "__not underlined__"):
            if marked in docx_text(path):  # then whole, marks and all, in one plain run
                assert any(marked in t for t, _, _ in runs), (path.name, marked)
        # the spec's own markup does take effect (so the test can see emphasis at all)
        assert ("ตัวหนาจากแม่แบบ", True, False) in runs, path.name
        assert ("ขีดเส้นใต้จากแม่แบบ", False, True) in runs, path.name
        data = set(PAYLOADS) | {r[1] for r in DIRECT}
        for text, bold, underline in runs:
            if bold or underline:
                assert not any(v in text or thai_digits(v) in text for v in data), (path.name, text)


def package_rels(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as package:
        return [package.read(n) for n in package.namelist() if n.endswith(".rels")]


def test_docx_and_pdf_carry_no_picture_from_data(injection):
    import pikepdf

    for path in injection.out.glob("*.docx"):
        with zipfile.ZipFile(path) as package:
            assert not [n for n in package.namelist() if n.startswith("word/media/")], path.name
            document = package.read("word/document.xml")
        assert b"<w:drawing" not in document and b"<w:pict" not in document, path.name
        assert b"passwd" not in b"".join(package_rels(path)), path.name
    for path in injection.out.glob("*.pdf"):
        with pikepdf.open(path) as pdf:
            for page in pdf.pages:
                for xobject in page.obj.get("/Resources", {}).get("/XObject", {}).values():
                    assert xobject.get("/Subtype") != "/Image", path.name


def test_no_file_content_is_pulled_into_any_output(injection):
    for path in sorted(injection.out.iterdir()):
        if path.suffix == ".pdf":
            text = pdf_dump(path)
        elif path.suffix in (".docx", ".xlsx"):
            text = "\n".join(zip_parts(path).values())
        else:
            text = path.read_text(encoding="utf-8-sig")
        for line in PASSWD_LINES:
            assert line not in text, (path.name, line)


def test_html_escapes_data(injection_letters):
    from lxml import html as lxml_html

    from lettergen.pdf.writer import html

    page = html(injection_letters)
    for raw in ("<img src=file", "<b>bold", "</p><style>", "<style>body{display:none}"):
        assert raw not in page, raw
    assert "&lt;img src=file:///etc/passwd&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "&lt;/p&gt;&lt;style&gt;body{display:none}&lt;/style&gt;" in page
    tree = lxml_html.fromstring(page)
    assert tree.xpath("//img") == []
    assert tree.xpath("//b") == []
    assert tree.xpath("//body//style") == []
    bold = "".join(s.text_content() for s in tree.xpath('//span[contains(concat(" ", @class, " "), " b ")]'))
    assert squash(bold) == "ตัวหนาจากแม่แบบ" * len(injection_letters)
    underlined = "".join(s.text_content() for s in tree.xpath('//span[contains(concat(" ", @class, " "), " u ")]'))
    assert squash(underlined) == "ขีดเส้นใต้จากแม่แบบ" * len(injection_letters)
    text = squash(tree.text_content())
    for value in PAYLOADS:
        assert squash(value) in text, value
        assert squash(f"«{thai_digits(value)}»") in text, value


# --- 2. secrets ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_on_terminal(tmp_path_factory):
    """`lettergen demo` on a terminal, and `check` and `status --out` after it: the output
    folders and everything the terminal showed."""
    tmp = tmp_path_factory.mktemp("secrets")
    out, status = tmp / "out", tmp / "status"
    rc, shown = run_on_terminal(["demo", "--out", out])
    assert rc == 0, shown
    assert str(out) in shown  # the summary line: the terminal was captured
    spec = EXAMPLE / "letter.toml"
    rc, stdout, stderr = cli(["check", spec])
    assert rc == 0, stderr
    shown += stdout + stderr
    rc, stdout, stderr = cli(["status", spec, "--recipients", EXAMPLE / "tracking.xlsx",
                              "--out", status, "--date", "2018-08-01"])
    assert rc == 0, stderr
    return out, status, shown + stdout + stderr


def _owner(row, rows) -> str:
    if row.kind in ("อบจ.", "ทน."):
        return row.id
    return next(r.id for r in rows if r.kind == "สถ.อ." and r.district == row.district)


def test_each_password_only_in_its_own_letter_and_nowhere_else(demo_on_terminal, example):
    out, status, shown = demo_on_terminal
    _, book, _ = example
    rows = [r for r in book.rows if r.password]
    assert len(rows) > 100
    owner = {r.id: _owner(r, book.rows) for r in rows}
    secret = {needle: r.id for r in rows for needle in needles(r.password)}
    pattern = trie_pattern(secret)

    def holders(text: str) -> set[str]:
        """The ids of the rows whose password is in ``text``."""
        return {secret[m.group()] for m in pattern.finditer(text)}

    files = sorted(p for folder in (out, status) for p in folder.rglob("*") if p.is_file())
    assert {p.name for p in out.iterdir()} >= {"register.csv", "register.xlsx"}
    assert len([p for p in files if p.parent == out and p.suffix in (".pdf", ".docx")]) == 40
    assert len([p for p in files if p.parent.parent == out and p.suffix in (".pdf", ".docx")]) == 4
    for path in files:
        if path.suffix == ".pdf":
            dump = pdf_dump(path)
            assert not holders(pdf_metadata(path)), (path.name, "PDF metadata")
        elif path.suffix in (".docx", ".xlsx"):
            parts = zip_parts(path)
            dump = "\n".join(parts.values())
            for part, text in parts.items():
                if part != "word/document.xml":
                    assert not holders(text), (path.name, part)
            if path.suffix == ".xlsx":
                dump += "\n" + "\n".join(str(v) for row in xlsx_values(path) for v in row)
        else:
            dump = path.read_bytes().decode("utf-8", "replace")
        for rid in holders(dump):
            assert path.parent == out and path.name.startswith(f"{owner[rid]}-"), \
                f"the password of {rid} is in {path.name}"
    assert not holders("\n".join(str(p.relative_to(p.parents[1])) for p in files)), "file names"
    assert not holders(shown), "terminal output"
    # and each password is in the letter that must carry it (each letter's text read once)
    texts = {(rid, kind): read(by_id(out, rid, kind)) for rid in set(owner.values())
             for kind, read in (("docx", docx_text), ("pdf", pdf_text))}
    for row in rows:
        assert row.password in texts[owner[row.id], "docx"], row.id
        assert row.password in texts[owner[row.id], "pdf"], row.id


# Rows that stop a run: each carries its own password, which the error must not show.
BAD_ROWS = {
    "unknown-kind": ["570104", "เทศบาลตำบลนางแล", "อบจจ.", "เมืองเชียงราย", "demo570104", "Pw-Kind-x7Q", "0"],
    "empty-kind": ["570104", "เทศบาลตำบลนางแล", "", "เมืองเชียงราย", "demo570104", "Pw-NoKind-x7Q", "0"],
    "empty-name": ["570104", "", "ทต.", "เมืองเชียงราย", "demo570104", "Pw-NoName-x7Q", "0"],
    "empty-username": ["570104", "เทศบาลตำบลนางแล", "ทต.", "เมืองเชียงราย", "", "Pw-NoUser-x7Q", "0"],
    "unreadable-done": ["570104", "เทศบาลตำบลนางแล", "ทต.", "เมืองเชียงราย", "demo570104", "Pw-Done-x7Q", "บางที"],
    "impossible-done-date": ["570104", "เทศบาลตำบลนางแล", "ทต.", "เมืองเชียงราย", "demo570104", "Pw-Date-x7Q", "31/02/2561"],
    "duplicate-id": ["570103", "เทศบาลตำบลนางแล", "ทต.", "เมืองเชียงราย", "demo570104", "Pw-Dup-x7Q", "0"],
    "no-district-office": ["570104", "เทศบาลตำบลเวียงชัย", "ทต.", "เวียงชัย", "demo570104", "Pw-NoOffice-x7Q", "0"],
}
GOOD_ROWS = [
    OFFICE,
    ["570101", "องค์การบริหารส่วนจังหวัดเชียงราย", "อบจ.", "เมืองเชียงราย", "demo570101", "Pw-Pao-6jmF", "0"],
    ["570103", "เทศบาลตำบลท่าสาย", "ทต.", "เมืองเชียงราย", "demo570103", "Pw-Tt-8u2e", "1"],
]


@pytest.mark.parametrize("command", ["check", "render"])
@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_an_error_in_a_row_does_not_show_its_password(case, command, tmp_path):
    spec = copy_spec(tmp_path)
    bad = BAD_ROWS[case]
    sheet = write_sheet(tmp_path / "recipients.csv", [*GOOD_ROWS, bad])
    argv = [command, spec, "--recipients", sheet] + (["--out", tmp_path / "out"] if command == "render" else [])
    rc, stdout, stderr = cli(argv)
    assert rc == 2, (stdout, stderr)
    assert "แถว 5" in stderr, stderr  # the error names the bad row
    for row in [*GOOD_ROWS, bad]:
        if row[5]:
            assert row[5] not in stdout + stderr, (case, stderr)


def test_an_error_in_an_override_on_a_member_row_does_not_show_passwords(tmp_path):
    spec = copy_spec(tmp_path)
    rows = [row + [""] for row in GOOD_ROWS]
    rows.append(["570104", "เทศบาลตำบลนางแล", "ทต.", "เมืองเชียงราย", "demo570104", "Pw-Override-x7Q", "0", "ด่วน"])
    sheet = write_sheet(tmp_path / "recipients.csv", rows, HEADER + ["letter.urgency"])
    rc, stdout, stderr = cli(["render", spec, "--recipients", sheet, "--out", tmp_path / "out"])
    assert rc == 2, stderr
    for row in rows:
        if row[5]:
            assert row[5] not in stdout + stderr, stderr


# --- 3. file permissions -------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077], ids=["umask-000", "umask-022", "umask-077"])
def test_output_folder_is_0700_and_every_file_0600(umask, tmp_path):
    spec = copy_spec(tmp_path)
    sheet = write_sheet(tmp_path / "recipients.csv", GOOD_ROWS)
    out = tmp_path / "a" / "b" / "out"  # parents created too
    old = os.umask(umask)
    try:
        rc, stdout, stderr = cli(["render", spec, "--recipients", sheet, "--out", out, "--print",
                                  "--zip"])
    finally:
        os.umask(old)
    assert rc == 0, stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o700, oct(out.stat().st_mode)
    entries = list(out.rglob("*"))
    assert {p.name for p in entries} >= {"register.csv", "register.xlsx", "print.pdf", "letters.zip"}
    assert len([p for p in entries if p.suffix in (".pdf", ".docx")]) == 5  # 2 letters x 2 + print.pdf
    for path in entries:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert stat.S_ISREG(path.lstat().st_mode), f"{path.name}: not a regular file"
        assert mode == 0o600, f"{path.name}: {oct(mode)}"


# --- 4. formula injection ------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _register_csv(out: Path) -> list[dict[str, str]]:
    text = (out / "register.csv").read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("rid, name", [("570190", "=1+1"), ("+570191", "@SUM(A1)"), ("570192", "-2+3")])
def test_formula_like_names_are_text_in_register_csv(injection, rid, name):
    rows = _register_csv(injection.out)
    (row,) = [r for r in rows if r["รหัสผู้รับ"].lstrip("'") == rid]
    assert row["ถึง"] == "'" + name
    if rid.startswith("+"):
        assert row["รหัสผู้รับ"] == "'" + rid
        assert row["ไฟล์ PDF"].startswith("'+570191-") and row["ไฟล์ DOCX"].startswith("'+570191-")


def test_no_register_csv_cell_starts_like_a_formula(injection):
    for row in _register_csv(injection.out):
        for column, value in row.items():
            assert not value.startswith(FORMULA_START), (column, value)


@pytest.mark.parametrize("name", ["=1+1", "@SUM(A1)", "-2+3"])
def test_formula_like_names_are_strings_in_register_xlsx(injection, name):
    from openpyxl import load_workbook

    sheet = load_workbook(injection.out / "register.xlsx").active
    header = [c.value for c in sheet[1]]
    to = header.index("ถึง") + 1
    cells = [sheet.cell(row=r, column=to) for r in range(2, sheet.max_row + 1)]
    (cell,) = [c for c in cells if c.value == name]
    assert cell.data_type == "s"


def test_register_xlsx_holds_no_formula(injection):
    from openpyxl import load_workbook

    book = load_workbook(injection.out / "register.xlsx")
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
    with zipfile.ZipFile(injection.out / "register.xlsx") as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/"):
                root = etree.fromstring(package.read(name))
                assert not root.findall(".//{*}f"), name


# --- 5. file names -------------------------------------------------------------------------

RESERVED = set('/\\:*?"<>|') | {chr(c) for c in range(0x20)} | {"\x7f"}
THAI = "".join(chr(c) for c in range(0x0E01, 0x0E5C) if unicodedata.category(chr(c)) != "Cn")
TRICKY = "./\\:*?\"<>|~ \t\n\r\x00\x7f\u00a0\u200b\u0301\u212b\u0e33\u0e4dเกาะaAß0123456789-_"
names = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=TRICKY, max_size=20),
    st.text(alphabet=THAI + " .", min_size=60, max_size=120),  # over 200 UTF-8 bytes
    st.sampled_from(["", ".", "..", "...", " . ", "../..", "..\\..", "CON", "a" * 250]),
)


def assert_safe_stem(stem: str, folder: Path) -> None:
    assert stem and stem not in (".", ".."), repr(stem)
    assert unicodedata.normalize("NFC", stem) == stem, repr(stem)
    assert not RESERVED & set(stem), repr(stem)
    assert len(stem.encode("utf-8")) <= MAX_BYTES, len(stem.encode("utf-8"))
    assert not stem.startswith((".", " ")) and not stem.endswith((".", " ")), repr(stem)
    for ext in ("pdf", "docx"):
        path = folder / f"{stem}.{ext}"
        assert path.parent == folder and path.name == f"{stem}.{ext}", repr(stem)
        assert os.path.dirname(os.path.normpath(path)) == str(folder), repr(stem)
        assert path.resolve().parent == folder.resolve(), repr(stem)


@HYPOTHESIS
@given(key=names, name=names)
@example(key="..", name="")
@example(key="../../etc/passwd", name="x")
@example(key="5701", name="ก" * 100)
@example(key="a", name="e\u0301" * 80)
def test_file_stem_is_a_safe_file_name(key, name):
    folder = Path("/srv/out")
    assert_safe_stem(file_stem(key, name), folder)


pairs = st.lists(st.tuples(names, names), max_size=12)
# Few characters, so that stems collide often and the counter is exercised.
close_pairs = st.lists(st.tuples(st.text(alphabet="aA~2-", min_size=1, max_size=4),
                                 st.text(alphabet="aA~2 .", max_size=3)), max_size=12)


@HYPOTHESIS
@given(pairs=st.one_of(pairs, close_pairs))
def test_unique_stems_are_safe_file_names_that_can_be_created(pairs):
    stems = unique_stems(pairs)
    assert len(stems) == len(pairs)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for stem in stems:
            assert_safe_stem(stem, folder)
            (folder / f"{stem}.docx").write_bytes(b"")  # the system accepts the name


@HYPOTHESIS
@given(pairs=st.one_of(pairs, close_pairs))
@example(pairs=[("a", ""), ("a", ""), ("a~2", "")])
@example(pairs=[("5701", "x"), ("5701", "X"), ("5701-x~2", "")])
def test_unique_stems_are_unique_case_insensitively(pairs):
    stems = unique_stems(pairs)
    folded = [s.casefold() for s in stems]
    assert len(set(folded)) == len(folded), stems


def test_unique_stems_tells_apart_stems_that_differ_only_in_case():
    stems = unique_stems([("5701", "x"), ("5701", "X"), ("5701", "x"), ("5702", "y")])
    assert stems[0] == "5701-x" and stems[3] == "5702-y"
    assert len({s.casefold() for s in stems}) == 4, stems


def test_many_colliding_stems_are_counted_in_turn():
    """Ids that share their first 200 bytes give one stem, counted ~2, ~3 ... in row order,
    the count going on from the last one taken (counting again from 1 for every row took
    time in the square of the rows: 20,000 such ids, a minute)."""
    pairs = [("9" * 300 + str(i), "") for i in range(3_000)]
    stems = unique_stems(pairs)
    base = stems[0]
    assert stems == [base] + [f"{base}~{n}" for n in range(2, 3_001)]
    assert unique_stems([("a", ""), ("a~3", ""), ("a", ""), ("a", ""), ("a", "")]) == \
        ["a", "a~3", "a~2", "a~4", "a~5"]


# --- 6. the recipients loader --------------------------------------------------------------

CELL_ALPHABET = THAI + string.ascii_letters + string.digits + string.punctuation + " \n\t\u00a0\u0301\u212b"
KINDS = ["สถ.อ.", "อบจ.", "ทน.", "ทม.", "ทต.", "อบต.", "อบจ", "ทต", "เทศบาลตำบล", "องค์การบริหารส่วนตำบล"]
DONE = ["", "0", "1", "ใช่", "ไม่", "✓", "TRUE", "false", "แล้ว", "10/08/2561", "2018-08-10", "๑๐ ส.ค. ๒๕๖๑",
        "10 สิงหาคม 2561", "31/02/2561", "10/08/2018", "99/99/9999", "0000-00-00", "2561-08-10", "๑๐ ยค. ๒๕๖๑"]
cell = st.text(alphabet=CELL_ALPHABET, max_size=16)
filled = cell.filter(str.strip)


# Rows of any cells, and rows whose kind and done cells are from the lists above (valid or
# not) while the rest is any text: the first fail early, the second reach every check.
random_row = st.tuples(st.one_of(cell, st.from_regex(r"57[0-9]{2,5}", fullmatch=True)),
                       cell, st.one_of(st.sampled_from(KINDS), cell), cell, cell, cell,
                       st.one_of(st.sampled_from(DONE), cell))
likely_row = st.tuples(st.from_regex(r"57[0-9]{2,5}", fullmatch=True), filled,
                       st.sampled_from(KINDS), filled, filled, filled,
                       st.one_of(st.sampled_from(DONE[:13]), st.sampled_from(DONE)))
sheets = st.one_of(st.lists(random_row, max_size=6), st.lists(likely_row, min_size=1, max_size=6),
                   st.lists(st.one_of(likely_row, random_row, st.just(("",) * 7)), max_size=8))


@pytest.fixture(scope="module")
def safety_spec():
    return load_spec(SAFETY / "spec.toml")


def _expected_rows(records) -> list[int]:
    """Excel's row numbers (the header is row 1) of the records that are not blank."""
    return [i for i, rec in enumerate(records, start=2) if any(c.strip() for c in rec)]


@HYPOTHESIS
@given(records=sheets, bom=st.booleans())
@example(records=[("5701", "\u0e4d\u0e32", "อบจ.", "เมืองเชียงราย", "u", "p", "0")], bom=False)  # typed sara am
def test_loader_returns_rows_or_raises_input_error(safety_spec, records, bom):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "recipients.csv"
        write_sheet(path, [list(r) for r in records])
        if bom:
            path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
        try:
            book = load_recipients(path, safety_spec)
        except InputError:
            return
    assert book.rows
    for row in book.rows:
        assert unicodedata.normalize("NFC", row.name) == row.name
        assert row.row >= 2
    assert [r.row for r in book.rows] == _expected_rows(records)
    by_row = dict(enumerate(records, start=2))
    for row in book.rows:
        cells = by_row[row.row]
        # as all text entering lettergen: NFC, and SARA AM typed as NIKHAHIT + SARA AA
        # written as SARA AM (lettergen.thai.nfc; the alphabet holds both)
        assert row.id == thai_nfc(cells[0]).strip()
        assert row.name == thai_nfc(cells[1]).strip()


text = st.text(alphabet=CELL_ALPHABET.replace("\t", ""), min_size=1, max_size=24).filter(str.strip)
good_row = st.tuples(text, st.sampled_from(KINDS[1:]), text, text, text, st.sampled_from(DONE[:13]))


@HYPOTHESIS
@given(records=st.lists(good_row, min_size=1, max_size=6))
@example(records=[("0", "อบจ.", "0", ";\n", ";\n", ""), ("0", "อบจ.", ";\n", ";\n", ";\n", "")])
def test_loader_reads_well_formed_sheets_exactly(safety_spec, records):
    """Any text in the free columns (commas, quotes, line breaks, Thai, combining marks)
    comes back as written, NFC and stripped; rows are numbered from 2."""
    from lettergen.districts import district_name

    rows = [OFFICE] + [[f"57{i:04d}", *r[:3], r[3], r[4], r[5]] for i, r in enumerate(records)]
    with tempfile.TemporaryDirectory() as tmp:
        path = write_sheet(Path(tmp) / "recipients.csv", rows)
        book = load_recipients(path, safety_spec)
    assert [r.row for r in book.rows] == list(range(2, len(rows) + 2))
    nfc = lambda s: thai_nfc(s).strip()  # noqa: E731  (lettergen.thai.nfc: see above)
    for got, want in zip(book.rows[1:], rows[1:]):
        assert (got.id, got.name, got.username, got.password) == tuple(
            nfc(want[i]) for i in (0, 1, 4, 5))
        assert got.district == district_name(want[3])  # issue 13: one district however spaced


def test_clean_sheet_with_common_thai_names_is_not_taken_for_mojibake(tmp_path, safety_spec):
    people = ["นายอเนก ใจดี", "นางสาวเนตรนภา สุขใจ", "นายอเนก ศรีสุข", "นางเนตรชนก มีสุข", "นายอเนก ทองดี",
              "นางสาวเนตรนภา ทองคำ", "นายอเนก บุญมา", "นางเนตรทิพย์ แสงทอง", "นายอเนก คำดี",
              "นางสาวเนตรนภา ศรีทอง"]
    rows = [OFFICE + [""]] + [
        [f"5701{i + 10}", f"เทศบาลตำบลที่ {i + 1}", "ทต.", "เมืองเชียงราย", f"demo{i}", f"Pw-{i}", "0", person]
        for i, person in enumerate(people)
    ]
    sheet = write_sheet(tmp_path / "recipients.csv", rows, HEADER + ["ผู้ประสานงาน"])
    book = load_recipients(sheet, safety_spec)
    assert [r.extra["ผู้ประสานงาน"] for r in book.rows[1:]] == people


# --- 7. resume after kill -9 ---------------------------------------------------------------

RENDER = ["render", "lettergen/examples/chiang-rai-2561/letter.toml", "--jobs", "2"]


def render_command(out: Path) -> list[str]:
    return [sys.executable, "-m", "lettergen", *RENDER, "--out", str(out)]


def sha256_tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("resume") / "uninterrupted"
    result = subprocess.run(render_command(out), cwd=ROOT, env=ENV, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stderr
    return out


def letter_files(staging: Path, suffixes=(".pdf", ".docx")) -> list[Path]:
    """Files under their final name in the staging folder."""
    try:
        names = os.listdir(staging)
    except FileNotFoundError:
        return []
    return [staging / n for n in names if n.endswith(suffixes) and not n.startswith(".part-")]


def checking(staging: Path, total: int) -> bool:
    """The run holds its folder (the lock is taken before the letters are checked) and has
    written nothing yet (the DOCX files begin as soon as the letters are found right)."""
    return (staging / ".lock").exists() and not letter_files(staging) \
        and not list(staging.glob(".part-*"))


def docx_stage(staging: Path, total: int) -> bool:
    """DOCX files are being written (they start first): some are there, not all, and no PDF
    yet. (With all of them written the DOCX worker may have ended before the PDF workers
    start: the run prepares the PDFs meanwhile.)"""
    return 0 < len(letter_files(staging, (".docx",))) < total // 2 and not letter_files(staging, (".pdf",))


def middle_of_the_pdfs(staging: Path, total: int) -> bool:
    return 0 < len(letter_files(staging, (".pdf",))) < total // 2


def first_chunk_recorded(staging: Path, total: int) -> bool:
    manifest = staging / "manifest.jsonl"
    return manifest.is_file() and manifest.read_bytes().count(b"\n") >= 1


def writing_the_register(staging: Path, total: int) -> bool:
    """Every letter is written and recorded in the manifest (a line per chunk and format):
    the run lets its workers go and writes the register (into the staging folder, before the
    set is moved into place)."""
    from lettergen.batch import chunk_size

    letters = total // 2  # a PDF and a DOCX each
    tasks = 2 * -(-letters // chunk_size(letters))
    manifest = staging / "manifest.jsonl"
    return manifest.is_file() and manifest.read_bytes().count(b"\n") >= tasks


# Five moments to kill the run at (with SIGKILL, the main process only: its workers must die
# with it). Killed at the first, nothing was rendered; during the DOCX stage or the PDFs, a
# chunk half written is rendered again; once a chunk is in the manifest it is kept; killed
# while the register is written, the letters are all kept and only the register is redone.
KILL_POINTS = {
    "checking": checking,
    "docx-stage": docx_stage,
    "middle-of-the-pdfs": middle_of_the_pdfs,
    "after-the-first-chunk-is-recorded": first_chunk_recorded,
    "writing-the-register": writing_the_register,
}
WORKER_POINTS = ("docx-stage", "middle-of-the-pdfs")  # killed while workers run


def session_processes(session: int) -> list[int]:
    """The live (not zombie) processes of a session: a run started with start_new_session
    and its workers."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat_line = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat_line[stat_line.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[3]) == session:
            found.append(int(entry))
    return found


PF_EXITING = 0x4  # the kernel's flag of a process that has begun to exit


def dying(pid: int) -> bool:
    """The process is gone, a zombie, exiting already (a worker that had finished and been
    let go), or has SIGKILL pending (to it or to its thread group)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    flags = int(stat_line[stat_line.rindex(")") + 2:].split()[6])
    if fields["State"].split()[0] in ("Z", "X") or flags & PF_EXITING:
        return True
    sigkill = 1 << (signal.SIGKILL - 1)
    return any(int(fields[key], 16) & sigkill for key in ("SigPnd", "ShdPnd"))


def _name_of(pid: int) -> bytes | None:
    """The process's name as the kernel keeps it (None when it is gone)."""
    try:
        return Path(f"/proc/{pid}/comm").read_bytes().rstrip(b"\n")
    except OSError:
        return None


def _process_state(pid: int) -> str:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "gone"
    return " ".join(line for line in status.splitlines()
                    if line.startswith(("State", "PPid", "SigPnd", "ShdPnd", "SigBlk")))


def kill_run_at(kill_point: str, out: Path, total: int, log: Path) -> tuple[int, list[int]] | None:
    """Start the render, SIGKILL its main process at ``kill_point``; its session id and the
    pids of the workers that were alive when it was killed (None if it ended first)."""
    staging = out / ".incomplete"
    with log.open("wb") as stderr:
        proc = subprocess.Popen(render_command(out), cwd=ROOT, env=ENV, stdout=stderr, stderr=stderr,
                                start_new_session=True)
    try:
        while True:
            if KILL_POINTS[kill_point](staging, total):
                children = [pid for pid in session_processes(proc.pid) if pid != proc.pid]
                # the run's side process (which makes the register's workbook) is no worker
                workers = [pid for pid in children if _name_of(pid) != SIDE_NAME]
                # At the moments of the workers, the kill must find one: a test process held
                # up by a loaded machine may look again only after the DOCX worker has
                # finished and before the PDF workers start; it then waits on.
                if workers or kill_point not in WORKER_POINTS:
                    break
            if proc.poll() is not None:
                return None  # the run ended before the kill point (a short window missed)
            time.sleep(0.001)
        os.kill(proc.pid, signal.SIGKILL)  # the main process only
        proc.wait()
        # The main process is dead and reaped: by then the kernel has sent each armed worker
        # (named WORKER_NAME) its parent-death signal, so every one is gone, a zombie, or has
        # SIGKILL pending. (An orphaned worker would go on with its chunk, writing into the
        # staging folder.) A child forked a moment before the kill may not have reached its
        # arming yet (it still bears its run's name): it must end by itself, at its check of
        # its parent, without ever taking the worker's name.
        living = {pid: _process_state(pid) for pid in children if not dying(pid)}
        armed = {pid: state for pid, state in living.items() if _name_of(pid) in (WORKER_NAME, SIDE_NAME)}
        assert not armed, f"workers of the killed run live on: {armed}"
        deadline = time.monotonic() + 10
        while any(not dying(pid) for pid in living) and time.monotonic() < deadline:
            assert all(_name_of(pid) not in (WORKER_NAME, SIDE_NAME) for pid in living if not dying(pid)), \
                f"a child forked as the run was killed became a worker: {living}"
            time.sleep(0.005)
        left = {pid: _process_state(pid) for pid in living if not dying(pid)}
        assert not left, f"children forked as the run was killed live on: {left}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return proc.pid, workers


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("kill_point", list(KILL_POINTS))
def test_kill_9_then_an_immediate_rerun_gives_the_same_files_as_an_uninterrupted_run(
        kill_point, uninterrupted, tmp_path):
    """`python -m lettergen render --jobs 2` killed with SIGKILL at ``kill_point``, then the
    same command at once: it completes, with the very files of an uninterrupted run, and
    the killed run's workers died with it. (About half a minute each; the uninterrupted run
    is made once per module, so lettergen's code, templates and fonts must not change
    meanwhile.)"""
    reference = sha256_tree(uninterrupted)
    total = len([n for n in reference if n.endswith((".pdf", ".docx"))])
    assert total == 40
    out = tmp_path / "out"
    staging = out / ".incomplete"

    log = tmp_path / "killed-run.log"
    for attempt in range(3):  # the register's moment is short: a run may slip past it
        shutil.rmtree(out, ignore_errors=True)
        killed = kill_run_at(kill_point, out, total, log)
        if killed is not None:
            session, workers = killed
            break
    else:
        pytest.fail(f"the run ended three times before {kill_point}: {log.read_text(errors='replace')}")
    if kill_point in WORKER_POINTS:
        assert workers, "workers were running when the run was killed"

    # Killed: the output folder holds the staging folder, private, and nothing else (or, had
    # the kill come while the finished set was being moved in, files of the finished set).
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert stat.S_IMODE(staging.stat().st_mode) == 0o700
    for path in out.iterdir():
        if path != staging:
            assert hashlib.sha256(path.read_bytes()).hexdigest() == reference[path.name], path.name
    if kill_point == "checking":
        assert not letter_files(staging) and not list(staging.glob(".part-*"))
    for path in staging.iterdir():
        assert stat.S_ISREG(path.lstat().st_mode), path.name
        assert stat.S_IMODE(path.lstat().st_mode) == 0o600, (path.name, oct(path.lstat().st_mode))
        if path.name.startswith(".part-") or path.name in ("manifest.jsonl", ".lock"):
            continue  # a temporary file, the manifest (its last line may be cut short), the lock
        # under a final name: complete, the very bytes of the uninterrupted run
        assert path.name in reference, path.name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == reference[path.name], \
            f"{path.name} is under its final name but differs from the uninterrupted run"
    kept = {}
    if kill_point in ("after-the-first-chunk-is-recorded", "writing-the-register"):
        lines = (staging / "manifest.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
        recorded = [entry for line in lines if line.endswith("\n")
                    for entry in json.loads(line)["letters"]]
        kept = {f"{e['stem']}.{fmt}": (staging / f"{e['stem']}.{fmt}").stat().st_ino
                for e in recorded for fmt in e["sha256"] if (staging / f"{e['stem']}.{fmt}").exists()}
        assert kept
        if kill_point == "writing-the-register":
            assert len(kept) == total  # every letter recorded: only the register is left

    # At once, the same command: it completes (the folder is free: the lock died with the
    # run, and no worker of the killed run holds it or writes on).
    result = subprocess.run(render_command(out), cwd=ROOT, env=ENV, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stderr

    resumed = sha256_tree(out)
    assert sorted(resumed) == sorted(reference)  # no .incomplete, no .part-*, nothing extra
    differ = [name for name in reference if resumed[name] != reference[name]]
    assert not differ, f"differ from the uninterrupted run: {differ}"
    # letters recorded in the manifest before the kill were kept, not rendered again
    for name, inode in kept.items():
        assert (out / name).stat().st_ino == inode, f"{name} was rendered again"
    for path in out.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    # The killed run's workers are gone: they died with it (PR_SET_PDEATHSIG). Orphaned
    # workers would wait for tasks forever. (The rerun took seconds; this waits at most 30 s
    # more, for a machine under load: it checks that they die, not how fast.)
    deadline = time.monotonic() + 30
    while (alive := session_processes(session)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive, f"workers of the killed run still alive: {alive}"


def test_staging_manifest_is_0600(tmp_path):
    from lettergen.batch import Manifest, Written

    old = os.umask(0o022)
    try:
        Manifest(tmp_path / "manifest.jsonl").record("key", [Written("5701-x", {"pdf": "0" * 64}, 1)])
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "manifest.jsonl").stat().st_mode) == 0o600


def test_register_xlsx_is_byte_identical_across_runs(tmp_path):
    spec = copy_spec(tmp_path)
    sheet = write_sheet(tmp_path / "recipients.csv", GOOD_ROWS)
    started = time.monotonic()
    rc, _, stderr = cli(["render", spec, "--recipients", sheet, "--out", tmp_path / "a", "--format", "docx"])
    assert rc == 0, stderr
    time.sleep(max(0.0, 2.1 - (time.monotonic() - started)))  # zip times have 2 s steps
    rc, _, stderr = cli(["render", spec, "--recipients", sheet, "--out", tmp_path / "b", "--format", "docx"])
    assert rc == 0, stderr
    assert (tmp_path / "a" / "register.csv").read_bytes() == (tmp_path / "b" / "register.csv").read_bytes()
    assert (tmp_path / "a" / "register.xlsx").read_bytes() == (tmp_path / "b" / "register.xlsx").read_bytes()


def test_a_run_leaves_no_temporary_files_and_says_nothing_on_stderr(tmp_path):
    """The fonts WeasyPrint copies into a temporary folder (one configuration per process,
    pdf/weasy.py) are removed when the run ends, workers included, and their removal at
    exit prints nothing."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = subprocess.run([sys.executable, "-m", "lettergen", "demo", "--out", str(tmp_path / "out")],
                            cwd=ROOT, env={**ENV, "TMPDIR": str(scratch)}, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    assert "Exception ignored" not in result.stdout + result.stderr, result.stderr
    assert sorted(p.name for p in scratch.iterdir()) == []
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 20
    assert len(list((tmp_path / "out").glob("*/*.pdf"))) == 2  # the memo and the external letter
