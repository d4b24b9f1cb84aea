"""The DOCX files checked by an independent client: LibreOffice opens them headless and
converts them to PDF with the same number of pages as lettergen's own PDF, the same text,
and every Thai character in the office font at the size the writer set.

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

from conftest import ROOT, require_tool
from test_seed import docx_text


@pytest.fixture(scope="module")
def converted(demo_dir, tmp_path_factory):
    soffice = require_tool("soffice")
    work = tmp_path_factory.mktemp("libreoffice")
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
    docx = sorted(demo_dir.glob("*.docx"))
    out = work / "pdf"
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(work)}
    result = subprocess.run(
        [soffice, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(out),
         *map(str, docx)], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return {path: out / (path.stem + ".pdf") for path in docx}


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
