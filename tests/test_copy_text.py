"""Text copied out of the PDF is the text that went in: every long paragraph comes out of
pdfium and poppler verbatim (the lines joined with nothing: no space added between or
inside Thai words, every real space kept, also where a line broke at it); pdfium's search
finds Thai phrases that run across justified lines, and names that contain spaces; long
URLs and e-mail addresses break at / . - ? & and stay inside the margin and their cells,
in the PDF and in the DOCX, while the copied text and the QR codes keep them whole."""

from __future__ import annotations

import io
import json
import re
import subprocess
import unicodedata
import zipfile
from xml.sax.saxutils import unescape

import pytest

from conftest import EXAMPLE, require_tool

PT_PER_CM = 72 / 2.54
LEFT, COLUMN = 3 * PT_PER_CM, 16 * PT_PER_CM
RIGHT = LEFT + COLUMN

FORM = ("https://docs.google.com/forms/d/e/1FAIpQLSfD3kq8ZxY2mB7vN4pW9hR6tL1cJ5gE0aUjQ/viewform"
        "?usp=sf_link&entry.1045781291=chiangrai")
OPENCHAT = ("https://line.me/ti/g2/Xq7vK2mPz9TbR4nW8sLcYdHf3JgA5uE6kNqS"
            "?utm_source=invitation&utm_medium=link_copy&utm_campaign=default")
EMAIL = "khuntan.subdistrict.municipality.office@chiangrai.dla.go.th"
NAME = "นางสาวพิมพ์ชนก แสงอรุณ"
PARAGRAPHS = [
    "ด้วยกรมส่งเสริมการปกครองท้องถิ่นกำหนดจัดการประชุมเชิงปฏิบัติการเพื่อพัฒนาศักยภาพบุคลากร"
    "ขององค์กรปกครองส่วนท้องถิ่นด้านการจัดทำแผนพัฒนาท้องถิ่น ระหว่างวันที่ 14 - 16 มีนาคม 2568 "
    "ณ โรงแรมดุสิตดีทู เชียงราย โดยมีนายสมชาย ใจดี เป็นประธานในพิธีเปิด",
    f"ในการนี้ ขอให้องค์กรปกครองส่วนท้องถิ่นลงทะเบียนล่วงหน้าทาง {FORM} ภายในวันศุกร์ที่ 28 "
    f"กุมภาพันธ์ 2568 หากมีข้อสงสัยให้สอบถาม{NAME} ทาง {EMAIL}",
    f"ทั้งนี้ ผู้เข้าร่วมการประชุมเข้ากลุ่มไลน์โอเพนแชตเพื่อรับเอกสารได้ที่ {OPENCHAT} "
    "โดยองค์การบริหารส่วนตำบลบ้านดู่ได้ยืนยันการเข้าร่วมแล้ว",
]


def long_paragraphs(letter) -> list[str]:
    """The letter's paragraphs of 80 characters or more (body, attachments' titles and
    paragraphs, table cells), each distinct text once."""
    from lettergen.model import Paragraph, Table

    texts = [p.text for p in letter.body]
    for section in letter.attachments:
        texts.append(section.title)
        for block in section.blocks:
            if isinstance(block, Table):
                texts += [b.text for row in block.rows for cell in row for b in cell
                          if isinstance(b, Paragraph)]
            elif isinstance(block, Paragraph):
                texts.append(block.text)
    return [t for t in dict.fromkeys(unicodedata.normalize("NFC", t) for t in texts) if len(t) >= 80]


def pdfium_pages(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()


def poppler_pages(data: bytes) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data,
                         capture_output=True, check=True).stdout.decode("utf-8")
    return out.split("\f")


def joined(pages: list[str]) -> str:
    """The pages' lines joined with nothing; the number heading a continuation page out."""
    out = []
    for number, text in enumerate(pages):
        text = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
        if number:
            text = re.sub(r"^\s*- ?[๐-๙]+ ?-?\n?", "", text, count=1)
        out.append(text.replace("\n", ""))
    return "".join(out)


@pytest.fixture(scope="module")
def links_letter(tmp_path_factory):
    """A district circular whose body holds a long form URL, a long LINE OpenChat link,
    an e-mail address and names with spaces, whose step table links to the form, and
    whose credentials list an LAO whose username is a long e-mail address."""
    from lettergen.compose import compose_all
    from lettergen.sheets.recipients import load_recipients
    from lettergen.spec import load_spec

    folder = tmp_path_factory.mktemp("links")
    rows = (EXAMPLE / "recipients.csv").read_text(encoding="utf-8").replace(
        "571401,เทศบาลตำบลต้า,ทต.,ขุนตาล,demo571401,", f"571401,เทศบาลตำบลต้า,ทต.,ขุนตาล,{EMAIL},")
    (folder / "recipients.csv").write_text(rows, encoding="utf-8")
    spec = load_spec(EXAMPLE / "letter.toml", {
        "body.paragraphs": json.dumps(PARAGRAPHS, ensure_ascii=False),
        "links.report": FORM,
        "recipients.file": str(folder / "recipients.csv"),
    })
    (letter,) = compose_all(spec, load_recipients(folder / "recipients.csv", spec), only=["5714"])
    return letter


@pytest.fixture(scope="module")
def links_pdf(links_letter) -> bytes:
    from lettergen.pdf.writer import write_pdf

    return write_pdf(links_letter)


@pytest.fixture(scope="module")
def demo_pdfs(example):
    from lettergen.pdf.writer import write_pdfs

    _, _, letters = example
    three = [letter for letter in letters if letter.recipient_id in ("5701", "570101", "570102")]
    return list(zip(three, write_pdfs(three)))


@pytest.mark.parametrize("extractor", ["pdfium", pytest.param("poppler", marks=pytest.mark.optional_tools)])
def test_every_long_paragraph_comes_out_verbatim(demo_pdfs, links_letter, links_pdf, extractor):
    if extractor == "poppler":
        require_tool("pdftotext")
    pages = pdfium_pages if extractor == "pdfium" else poppler_pages
    checked = 0
    for letter, data in demo_pdfs + [(links_letter, links_pdf)]:
        text = joined(pages(data))
        for paragraph in long_paragraphs(letter):
            assert paragraph in text, (letter.recipient_id, paragraph)
            checked += 1
    assert checked >= 49 + 15


def test_a_line_broken_at_a_space_keeps_it():
    """The break of a line at a phrase space is in its text; at a Thai word boundary,
    nothing: the lines of a paragraph joined give the paragraph."""
    from lettergen.model import Run
    from lettergen.pdf.justify import line_report, line_text

    text = PARAGRAPHS[0].replace("14 - 16", "๑๔ - ๑๖").replace("2568", "๒๕๖๘")
    lines = line_report((Run(text),))
    assert len(lines) >= 3
    assert "".join(line_text(line) for line in lines) == text
    assert any(line.taken == " " for line in lines)
    assert any(not line.taken and not line.last for line in lines)


def search(data: bytes, phrase: str) -> list[str]:
    """What pdfium's text search finds of ``phrase`` in ``data``, page by page: the text
    of each match as pdfium holds it (line breaks included)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    found = []
    try:
        for page in doc:
            textpage = page.get_textpage()
            searcher = textpage.search(phrase)
            while (match := searcher.get_next()) is not None:
                found.append(textpage.get_text_range(*match))
    finally:
        doc.close()
    return found


def test_search_finds_thai_phrases_across_justified_lines(demo_pdfs):
    from lettergen.pdf.justify import line_report, line_text

    letter, data = demo_pdfs[0]
    # a phrase in every letter's body, on justified lines
    found = search(data, "องค์กรปกครองส่วนท้องถิ่น")
    body = "".join(p.text for p in letter.body)
    assert len(found) >= body.count("องค์กรปกครองส่วนท้องถิ่น")
    # phrases that run from one justified line into the next, where the line broke
    # between two Thai words (no space)
    lines = line_report(letter.body[1].runs)
    across = [line_text(a)[-8:].split(" ")[-1] + line_text(b)[:8].split(" ")[0]
              for a, b in zip(lines, lines[1:]) if not a.taken and re.search("[ก-ฮ]$", line_text(a))]
    assert across
    for phrase in across:
        matches = search(data, phrase)
        assert matches, phrase
        assert any("\n" in m for m in matches)  # it did cross a line break
        assert all(m.replace("\r\n", "") == phrase for m in matches)


def test_search_finds_names_that_contain_spaces(demo_pdfs, links_pdf):
    _, data = demo_pdfs[0]
    assert search(data, "นางสาวพิริยาพร ภูสมปองสวัสดิ์") == ["นางสาวพิริยาพร ภูสมปองสวัสดิ์"]
    assert [m.replace("\r\n", "") for m in search(links_pdf, "นายสมชาย ใจดี")] == ["นายสมชาย ใจดี"]
    assert [m.replace("\r\n", "") for m in search(links_pdf, NAME)] == [NAME]


def glyph_boxes(data: bytes) -> list[list[tuple[str, tuple[float, float, float, float]]]]:
    """Each page's glyphs and their boxes (pdfium), read with the lines' text spans
    removed: where the glyphs themselves are."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from lettergen.pdf.actualtext import strip

    doc = pdfium.PdfDocument(strip(data))
    pages = []
    try:
        for page in doc:
            textpage = page.get_textpage()
            chars = []
            for i in range(textpage.count_chars()):
                char = textpage.get_text_range(i, 1)
                if char.strip() and not raw.FPDFText_IsGenerated(textpage.raw, i):
                    chars.append((char, textpage.get_charbox(i)))
            pages.append(chars)
    finally:
        doc.close()
    return pages


def test_long_links_stay_inside_the_margin_and_their_cells(links_letter, links_pdf):
    from lettergen.model import Table

    pages = glyph_boxes(links_pdf)
    for number, chars in enumerate(pages, start=1):
        assert max(box[2] for _, box in chars) <= RIGHT + 0.6, f"page {number}"
    tables = {section.name: block for section in links_letter.attachments for block in section.blocks
              if isinstance(block, Table)}
    heads = {"credentials": "ลำดับ", "steps": "รายการ"}
    seen = set()
    for chars in pages:
        text = "".join(c for c, _ in chars)
        for name, head in heads.items():
            at = text.find(head)
            if at < 0 or (name == "steps" and "QR" not in text):
                continue
            seen.add(name)
            top = chars[at][1][1]  # the bottom of the table head's glyphs
            edges, x = [], LEFT
            for width in tables[name].widths:
                x += width * COLUMN
                edges.append(x)
            for char, (left, bottom, right, _) in chars:
                if bottom < top - 4:  # a glyph of the table's body
                    assert not any(left < edge - 0.5 < right for edge in edges), (name, char, left, right)
    assert seen == {"credentials", "steps"}


@pytest.mark.optional_tools
def test_long_links_break_in_the_pdf_and_copy_whole(links_letter, links_pdf):
    """The links run over two lines or more (they are longer than their column), and the
    text copied out has each whole, no break character in it."""
    require_tool("pdftotext")
    from lettergen.pdf.justify import line_report

    lines = line_report(links_letter.body[1].runs)
    assert sum("docs.google.com" in "".join(p.text for p in line.pieces) or "viewform" in
               "".join(p.text for p in line.pieces) for line in lines) >= 2
    for pages in (pdfium_pages(links_pdf), poppler_pages(links_pdf)):
        text = joined(pages)
        assert "\u200b" not in text
        for link in (FORM, OPENCHAT, EMAIL):
            assert link in text


def test_qr_codes_keep_the_link_whole(links_letter):
    import zxingcpp
    from PIL import Image

    from lettergen import qr

    codes = [code for section in links_letter.attachments for block in section.blocks
             for row in getattr(block, "rows", ()) for cell in row for b in cell
             for code in getattr(b, "codes", ())]
    assert FORM in {code.url for code in codes}
    (barcode,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.png(FORM))))
    assert barcode.text == FORM


def test_the_docx_carries_break_opportunities_in_links_only(links_letter):
    from lettergen.docx.writer import write_docx

    with zipfile.ZipFile(io.BytesIO(write_docx(links_letter))) as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
    texts = [unescape(t) for t in re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml)]
    for link in (FORM, OPENCHAT, EMAIL):
        runs = [t for t in texts if t.replace("\u200b", "") == link]
        assert runs, link
        for run in runs:
            assert run.count("\u200b") >= 4
            assert "/\u200b" in run or "\u200b." in run
            assert "-\u200b" not in run  # never after a hyphen
    passwords = [t for t in texts if t.startswith("FAKE-")]
    assert passwords and not any("\u200b" in t for t in passwords)  # a password stays whole


@pytest.mark.parametrize("text, expected", [
    ("องค์การบริหารส่วนจังหวัดเชียงราย" * 3, "องค์การบริหารส่วนจังหวัดเชียงราย" * 3),  # Thai breaks itself
    ("x" * 99, "x" * 99),  # a long username or password: its cell wraps it anywhere
    ("x" * 100, "\u200b".join(["x" * 8] * 12) + "\u200b" + "x" * 4),
    ("ก " + "ab" * 52 + " ข", "ก " + "\u200b".join(["abababab"] * 13) + " ข"),
    ("a" * 7 + "e\u0301" + "b" * 100, "a" * 7 + "e\u0301" + "\u200b"
     + "\u200b".join(["b" * 8] * 12) + "\u200b" + "b" * 4),
])
def test_a_long_run_with_nowhere_to_break_gets_places_to(text, expected):
    """links.breakable: ZERO WIDTH SPACE every 8 characters of a run of 100 or more with
    no space, Thai letter or break already; never before a combining mark."""
    from lettergen.links import breakable

    assert breakable(text) == expected


def test_a_name_of_800_letters_wraps_in_its_cell_and_copies_whole(tmp_path):
    """A name with nowhere to break (800 "x": about as long as a name can be and its
    credentials row still fit a page; 2,000, the most a cell may hold, is refused, as
    tests/test_paginate.py shows) wraps on the ถึง line and in its credentials cell:
    nothing past the margin or over the username column, and the text copied out holds the
    name whole, without a break character."""
    from lettergen.compose import compose_all
    from lettergen.model import Table
    from lettergen.pdf.writer import write_pdf
    from lettergen.sheets.recipients import load_recipients
    from lettergen.spec import load_spec

    name = "x" * 800
    rows = (EXAMPLE / "recipients.csv").read_text(encoding="utf-8").replace(
        "องค์การบริหารส่วนจังหวัดเชียงราย", name)
    (tmp_path / "recipients.csv").write_text(rows, encoding="utf-8")
    spec = load_spec(EXAMPLE / "letter.toml", {"recipients.file": str(tmp_path / "recipients.csv")})
    (letter,) = compose_all(spec, load_recipients(tmp_path / "recipients.csv", spec), only=["570101"])
    data = write_pdf(letter)
    assert name in joined(pdfium_pages(data)).replace(" ", "") and "\u200b" not in joined(pdfium_pages(data))
    credentials = next(block for section in letter.attachments for block in section.blocks
                       if isinstance(block, Table) and block.name == "credentials")
    name_edge = LEFT + sum(credentials.widths[:2]) * COLUMN
    in_cells = 0
    for number, chars in enumerate(glyph_boxes(data), start=1):
        assert max(box[2] for _, box in chars) <= RIGHT + 0.6, f"page {number}"
        text = "".join(c for c, _ in chars)
        if "ลำดับ" not in text:
            continue
        top = chars[text.find("ลำดับ")][1][1]  # the bottom of the table head's glyphs
        cells = [box for char, box in chars if char == "x" and box[1] < top - 4]
        assert all(right <= name_edge + 0.5 for _, _, right, _ in cells), number
        in_cells += len(cells)
    assert in_cells == len(name)
