"""The text copied out of our PDFs is the text that went in (NFC, whitespace aside), in
pdfium and in poppler, for every Thai vowel, tone mark and SARA AM combination, set through
the real pipeline (body paragraphs: justified, letter-spaced) in regular and bold type: as
read with the lines' /ActualText spans, and from the glyphs alone (the spans removed), as a
reader that ignores the spans reads it."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import unicodedata

import pytest

from conftest import EXAMPLE, require_tool

CONSONANTS = "กขคงจฉชซญฐณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮ"
UPPER = ["", "ิ", "ี", "ึ", "ื", "ั", "็"]
LOWER = ["", "ุ", "ู", "ฺ"]
TONES = ["", "่", "้", "๊", "๋", "์"]
WORDS = ("น้ำ ที่ นั้น กำ ทำให้ หนี้ จ่ำ สำนักงาน วันศุกร์ที่ ปักหมุด อำนวยความสะดวก "
         "ภูสมปองสวัสดิ์ ฤดู ฦา ฯลฯ ๆ เก้า แข็ง โต๊ะ ใคร่ ไม้ เกี๋ยว เลื่อน ก๋วยเตี๋ยว ญี่ปุ่น ฐูป "
         "ปิ่น ป้ำ ฟ้า ฝั่ง ป่ำ ฬ้ำ ๐๑๒๓๔๕๖๗๘๙ ๑๗.๓๖")


def corpus() -> list[str]:
    """Syllables covering each upper vowel, lower vowel and tone mark on tall, short and
    descending consonants, with and without SARA AM, then real words."""
    syllables = []
    for c, upper, tone in itertools.product("กปฟฝฬญฐ", UPPER, TONES):
        if upper == "็" and tone:
            continue  # MAITAIKHU takes no tone mark
        syllables.append(c + upper + tone)
    for c, lower, tone in itertools.product("กปญฐฤ", LOWER[1:], TONES):
        syllables.append(c + lower + tone)
    for c, tone in itertools.product(CONSONANTS, TONES[:5]):
        syllables.append(c + tone + "ำ")
    lines = [" ".join(syllables[i:i + 12]) for i in range(0, len(syllables), 12)]
    return [unicodedata.normalize("NFC", line) for line in lines] + [WORDS, "**" + WORDS + "**"]


@pytest.fixture(scope="module", params=["spans", "glyphs"])
def rendered(request, tmp_path_factory):
    from lettergen.compose import compose_all
    from lettergen.pdf.writer import write_pdf
    from lettergen.sheets.recipients import load_recipients
    from lettergen.spec import load_spec

    paragraphs = corpus()
    spec = load_spec(EXAMPLE / "letter.toml", {"body.paragraphs": json.dumps(paragraphs, ensure_ascii=False)})
    book = load_recipients(EXAMPLE / "recipients.csv", spec)
    letter = compose_all(spec, book, only=["570102"])[0]
    from lettergen.pdf.actualtext import strip

    path = tmp_path_factory.mktemp("corpus") / "corpus.pdf"
    data = write_pdf(letter)
    path.write_bytes(data if request.param == "spans" else strip(data))
    expected = [re.sub(r"\s+|\*\*", "", p) for p in paragraphs]
    return path, expected, request.param


def squeeze(text: str) -> str:
    text = re.sub(r"-\s*[๐-๙]+\s*-", "", text)  # the page numbers of continuation pages
    return unicodedata.normalize("NFC", re.sub(r"\s+", "", text))


def test_pdfium_returns_the_corpus_exactly(rendered):
    import pypdfium2 as pdfium

    path, expected, _ = rendered
    doc = pdfium.PdfDocument(str(path))
    text = squeeze("".join(page.get_textpage().get_text_range() for page in doc))
    doc.close()
    for paragraph in expected:
        assert paragraph in text, paragraph


@pytest.mark.optional_tools
def test_poppler_returns_the_corpus_exactly(rendered):
    require_tool("pdftotext")
    path, expected, _ = rendered
    text = squeeze(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                  text=True, check=True).stdout)
    for paragraph in expected:
        assert paragraph in text, paragraph


def test_spans_are_there_or_removed(rendered):
    """The corpus's lines carry /ActualText spans; the "glyphs" copy has none left, so the
    tests on it read the fonts' ToUnicode maps."""
    import pikepdf

    path, _, kind = rendered
    with pikepdf.open(path) as pdf:
        streams = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)
                   and obj.get("/Subtype") == pikepdf.Name.Form] + [page.Contents for page in pdf.pages]
        spans = sum(stream.read_bytes().count(b"/ActualText") for stream in streams)
    assert (spans > 20) if kind == "spans" else spans == 0


def test_a_very_loose_line_stays_inside_the_right_margin():
    """A word too long to share a line (a long Latin name: a URL may now break) leaves the
    line before it very loose (few word boundaries, 200 pt to spread). Pango spaces out the spaces too, so the letters must not
    take all of it: every character stays inside the 2 cm right margin (the line ran 15 pt
    past it, cut off at the edge of its row, before letter-spacing was capped)."""
    from conftest import page_layout
    from lettergen.compose import compose_all
    from lettergen.pdf.justify import paragraph_lines
    from lettergen.pdf.writer import write_pdf
    from lettergen.sheets.recipients import load_recipients
    from lettergen.spec import load_spec

    paragraph = ("ขอให้องค์กรปกครองส่วนท้องถิ่นตอบแบบสำรวจความพึงพอใจของประชาชนต่อการให้บริการของ "
                 "PneumonoultramicroscopicsilicovolcanoconiosisSurvey "
                 "ภายในวันศุกร์ที่ ๑๐ สิงหาคม ๒๕๖๑")
    spec = load_spec(EXAMPLE / "letter.toml", {"body.paragraphs": json.dumps([paragraph], ensure_ascii=False)})
    letter = compose_all(spec, load_recipients(EXAMPLE / "recipients.csv", spec), only=["570102"])[0]
    spacing = [float(re.search(r"[\d.]+", line.style).group()) for line in paragraph_lines(letter.body[0].runs)
               if line.style]
    assert max(spacing) > 4  # the loose line is there, letter-spaced
    right = (21 - 2) * 72 / 2.54
    from lettergen.pdf.actualtext import strip

    page = page_layout(strip(write_pdf(letter)))[0]  # where the glyphs are, spans removed
    assert max(box[2] for _, box in page) <= right + 0.6


@pytest.mark.parametrize("chunk, words", [
    # a number stuck to the next word takes that word with it, and no more: the rest of the
    # phrase still breaks at its word boundaries (it was one unbreakable 380 pt word)
    ("๕๐๐เร่งรัดการปักหมุดพิกัด", ("๕๐๐เร่งรัดการ", "ปัก", "หมุด", "พิกัด")),
    ("สำนักงานวันศุกร์ที่", ("สำนักงาน", "วัน", "ศุกร์", "ที่")),
    ("ชร๐๐๒๓.๑/ว๑๒๓", ("ชร๐๐๒๓.๑/ว๑๒๓",)),  # a letter number stays whole
    ("ต่างๆ", ("ต่างๆ",)),
])
def test_word_boundaries_of_a_phrase(chunk, words):
    from lettergen.pdf.justify import _words

    assert _words(chunk) == words
