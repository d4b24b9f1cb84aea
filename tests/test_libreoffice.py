"""The DOCX files checked by an independent client: LibreOffice opens them headless and
converts them to PDF with the same number of pages as lettergen's own PDF, the same text,
and every Thai character in the office font at the size the writer set; and, for every kind
of letter, each line where lettergen's PDF puts it (within 0.5 cm).

LibreOffice has no TH SarabunIT๙ here; a fontconfig file made for the test maps that name to
the bundled Sarabun (the metrics lettergen's PDF uses), so a missing Thai font cannot pass
for a correct one: a fallback shows up as another font name in the converted PDF."""

from __future__ import annotations

import collections
import os
import re
import subprocess
import unicodedata

import pytest

from conftest import EXAMPLE, ROOT, require_tool
from test_seed import docx_text

pytestmark = pytest.mark.optional_tools  # LibreOffice's soffice, poppler's pdftotext


def convert(docx: list, work, soffice: str) -> dict:
    """Each DOCX converted to PDF by LibreOffice, TH SarabunIT๙ standing for the bundled
    Sarabun (a fontconfig file of the test's own)."""
    conf = work / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{ROOT / "lettergen" / "fonts"}</dir>
  <cachedir>{work / "fc-cache"}</cachedir>
  <alias binding="same"><family>TH SarabunIT๙</family><prefer><family>Sarabun</family></prefer></alias>
</fontconfig>
""", encoding="utf-8")
    out = work / "pdf"
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(work)}
    result = subprocess.run(
        [soffice, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(out),
         *map(str, docx)], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return {path: out / (path.stem + ".pdf") for path in docx}


@pytest.fixture(scope="module")
def converted(demo_dir, tmp_path_factory):
    soffice = require_tool("soffice")
    return convert(sorted(demo_dir.glob("*.docx")), tmp_path_factory.mktemp("libreoffice"), soffice)


MARKS = re.compile(r"[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


def pdf_pages(path):
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()


def test_every_docx_converts_with_the_same_page_count_as_our_pdf(converted):
    assert len(converted) == 20
    for docx, pdf in converted.items():
        assert pdf.is_file(), docx.name
        assert len(pdf_pages(pdf)) == len(pdf_pages(docx.with_suffix(".pdf"))), docx.name


def header_rows(docx) -> list[str]:
    """The texts of the repeated header rows of the DOCX's tables, whitespace removed."""
    from test_seed import W, docx_xml

    rows = [tr for tr in docx_xml(docx).iter(W + "tr") if tr.find(f"{W}trPr/{W}tblHeader") is not None]
    return ["".join(t.text or "" for t in tr.iter(W + "t")).replace(" ", "") for tr in rows]


def test_the_converted_text_is_the_docx_text(converted):
    for docx, pdf in converted.items():
        # without the page number at the top of continuation pages (LibreOffice shows
        # Word's thaiNumbers page number format in Arabic digits)
        pages = [re.sub(r"^\s*-\s*[๐-๙0-9]+\s*-", "", page) for page in pdf_pages(pdf)]
        theirs = re.sub(r"\s+", "", "".join(pages))
        ours = docx_text(docx)
        # Extractors order a tone mark and the vowel under it either way round, so the
        # letters are compared paragraph by paragraph and the marks as a whole count.
        bare = MARKS.sub("", theirs)
        for line in ours.splitlines():
            line = MARKS.sub("", re.sub(r"\s+", "", line))
            assert line in bare, (docx.name, line)
        # a header row repeats on every page its table spans: leave headers out of the count
        ours_flat = re.sub(r"\s+", "", ours)
        for header in header_rows(docx):
            ours_flat, theirs = ours_flat.replace(header, ""), theirs.replace(header, "")
        mine = collections.Counter(MARKS.findall(ours_flat))
        found = collections.Counter(MARKS.findall(theirs))
        assert mine == found, (docx.name, mine - found, found - mine)


def test_thai_characters_keep_the_office_font_and_their_sizes(converted):
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    docx, pdf = next(iter(converted.items()))
    doc = pdfium.PdfDocument(str(pdf))
    sizes = collections.Counter()
    fonts = set()
    buffer = bytearray(256)
    try:
        for page in doc:
            text = page.get_textpage()
            for i in range(text.count_chars()):
                ch = text.get_text_range(i, 1)
                if not unicodedata.name(ch or " ", "").startswith("THAI"):
                    continue
                sizes[round(raw.FPDFText_GetFontSize(text.raw, i))] += 1
                n = raw.FPDFText_GetFontInfo(text.raw, i, (raw.c_ubyte * 256).from_buffer(buffer), 256, None)
                fonts.add(bytes(buffer[:n - 1]).decode("latin-1").split("+")[-1])
    finally:
        doc.close()
    assert fonts <= {"Sarabun-Regular", "Sarabun-Bold"}, fonts
    assert set(sizes) <= {32, 16, 14}, sizes  # urgency, body, tables
    assert sizes[16] > 500 and sizes[32] == len("ด่วนที่สุด")


# --- the same letter in both formats, for every kind -----------------------------------------


def kind_letter(name: str):
    """A letter of kind ``name``, without attachments (its own pages, which its kind lays
    out): the example of the kind (memo.toml, external.toml), else the Chiang Rai letter to
    เทศบาลนครเชียงราย in that kind with its first paragraph only, on one page. (Where two line
    breakers end a page, when a paragraph breaks into one more line in LibreOffice than in
    lettergen, is not the kind's layout: the examples are one page each.)"""
    import dataclasses

    from lettergen.compose import compose_all
    from lettergen.sheets.recipients import addressee_book
    from lettergen.spec import load_spec
    from test_kinds import letter_of_kind

    example = EXAMPLE / f"{name}.toml"
    if example.is_file():
        spec = load_spec(example)
        letter = compose_all(spec, addressee_book(spec))[0]
    else:
        letter = letter_of_kind(name)
        letter = dataclasses.replace(letter, body=letter.body[:1])
    return dataclasses.replace(letter, attachments=())


@pytest.fixture(scope="module")
def kinds_converted(tmp_path_factory):
    """Per kind: lettergen's PDF, the PDF LibreOffice makes of lettergen's DOCX, the letter."""
    from lettergen.docx.writer import write_docx
    from lettergen.kinds import KINDS
    from lettergen.pdf.writer import write_pdf

    soffice = require_tool("soffice")
    work = tmp_path_factory.mktemp("kinds")
    letters = {name: kind_letter(name) for name in KINDS}
    docx = []
    for name, letter in letters.items():
        (work / f"{name}.pdf").write_bytes(write_pdf(letter))
        (work / f"{name}.docx").write_bytes(write_docx(letter))
        docx.append(work / f"{name}.docx")
    theirs = convert(docx, work, soffice)
    return {name: (work / f"{name}.pdf", theirs[work / f"{name}.docx"], letters[name]) for name in KINDS}


def text_lines(pdftotext: str, pdf, page: int) -> list[tuple[float, float, str]]:
    """Page ``page``'s lines as poppler finds them, in cm: (left, foot, text), the pieces of
    one line (cells, a mark poppler put apart) joined, top to bottom."""
    import html

    found = subprocess.run([pdftotext, "-f", str(page), "-l", str(page), "-bbox-layout", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    pieces = sorted(
        (float(m[3]) / CM, float(m[0]) / CM, html.unescape(" ".join(re.findall(r">([^<]*)</word>", m[4]))))
        for m in re.findall(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>',
                            found, re.S))
    lines: list[list] = []
    for foot, left, text in pieces:
        if lines and foot - lines[-1][1] < 0.15:  # the same baseline
            lines[-1] = [min(lines[-1][0], left), lines[-1][1], lines[-1][2] + " " + text]
        else:
            lines.append([left, foot, text])
    return [tuple(line) for line in lines]


CM = 72 / 2.54


@pytest.mark.parametrize("name", ["stamped", "external", "memo"])
def test_each_kind_lays_out_in_libreoffice_where_our_pdf_does(kinds_converted, name):
    """LibreOffice's layout of the DOCX and lettergen's PDF: the same pages, the same lines,
    and each line starts within 0.5 cm of where it starts in the other, across and down; a
    head line's cell away from the margin (the date, the address, วันที่) too."""
    from lettergen.kinds import KINDS, head_lines

    assert set(KINDS) == {"stamped", "external", "memo"}, "a new kind: add it to the parameters"
    pdftotext = require_tool("pdftotext")
    ours, theirs, letter = kinds_converted[name]
    pages = len(pdf_pages(ours))
    assert len(pdf_pages(theirs)) == pages
    for page in range(1, pages + 1):
        mine, other = text_lines(pdftotext, ours, page), text_lines(pdftotext, theirs, page)
        assert len(mine) == len(other), (page, [t for *_, t in mine], [t for *_, t in other])
        for (x1, y1, t1), (x2, y2, t2) in zip(mine, other):
            assert abs(x1 - x2) <= 0.5 and abs(y1 - y2) <= 0.5, (page, t1, t2, x1, x2, y1, y2)
    for _, cells, _ in head_lines(letter):
        for cell in cells:
            first = (cell.label or cell.text).split(" ")[0]
            if cell.start_cm and first:
                starts = [word_start(pdftotext, pdf, first) for pdf in (ours, theirs)]
                assert abs(starts[0] - starts[1]) <= 0.5, (first, starts)
                assert starts[0] == pytest.approx(3.0 + cell.start_cm, abs=0.05), first


def word_start(pdftotext: str, pdf, word: str) -> float:
    """Where on page 1 the first word that starts with ``word`` starts, in cm."""
    import html

    found = subprocess.run([pdftotext, "-f", "1", "-l", "1", "-bbox", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    for x, text in re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', found):
        if html.unescape(text).startswith(word):
            return float(x) / CM
    raise AssertionError(f"{word} not on page 1 of {pdf}")
