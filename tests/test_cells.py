"""Table rows set as texts placed into frames (lettergen/pdf/cells.py) against the table laid
out whole: the same glyphs at the same places, the same rules, the same text copied out."""

from __future__ import annotations

import dataclasses

import pytest
from markupsafe import Markup

from conftest import require_tool, same_drawing, same_layout
from lettergen.model import Paragraph, Run

NAMES = (
    "เทศบาลตำบลท่าสาย",
    "องค์การบริหารส่วนตำบลแม่ยาวเหนือ วันศุกร์ที่ น้ำ ที่ สำนักงาน",  # two lines
    "องค์การบริหารส่วนตำบลบ้านดอนหนองเวียงศรีดงไชยคำงามใหม่หลวงทองแก้วเหนือใต้ยาวลอตาลสันทรายหนองป่าก่อ",
    "A & B <c> \"d\"  สำนักงาน   ๑๒๓",  # markup characters, runs of spaces
    "น้ำ",
)
USERNAMES = (
    "demo570103",
    "https://citizensurvey.info.go.th/login?user=demo570104&next=/report/2561/form",  # a link
    "user_with_a_very_long_name_that_has_no_break_marks_at_all_0123456789",
    "u",
    "ผู้ใช้๗",
)
PASSWORDS = ("FAKE-8u2e", "", "p a s s", "FAKE" + "x" * 60, "7")  # (one that breaks right after
# a "-" copies out without it: pdfium and poppler take the line for a hyphenated word)


def cell(text, style="plain", literal=False, bold=False):
    return (Paragraph((Run(text, bold=bold, literal=literal),), style),)


def letter_with(example, rows):
    _, _, letters = example
    letter = letters[0]
    credentials = letter.attachments[0]
    table = dataclasses.replace(credentials.blocks[0], rows=tuple(rows))
    return dataclasses.replace(letter, attachments=(dataclasses.replace(credentials, blocks=(table,)),)
                               + letter.attachments[1:])


def tricky_rows(count: int):
    """Rows with names of one, two and three lines, a link and a long username that break,
    an empty password, markup characters and runs of spaces, and a row laid out whole (a
    bold name)."""
    rows = []
    for i in range(count):
        rows.append((cell(f"{i + 1}".translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")), "center"),
                     cell(NAMES[i % len(NAMES)], bold=i == 7),
                     cell(USERNAMES[i % len(USERNAMES)], literal=True),
                     cell(PASSWORDS[(i // 2) % len(PASSWORDS)], literal=True)))
    return rows


def test_cell_texts_stand_where_the_table_laid_out_whole_sets_them(example):
    """A list on one page: the same glyphs at the same places and the same rules as
    WeasyPrint laying out the whole letter in one flow."""
    from lettergen.pdf.actualtext import strip
    from lettergen.pdf.writer import render_document, write_pdf

    letter = letter_with(example, tricky_rows(8))
    reference = render_document([letter]).write_pdf()
    placed = write_pdf(letter)
    same_layout(strip(placed), reference)
    same_drawing(placed, reference)


def test_a_no_break_space_in_a_name_is_a_character_of_it(example):
    """Names copied from a web page or typed in Excel often hold a no-break space (or an em
    space): a character of the text, which CSS does not collapse. Before, the lines laid
    out did not add up to the text and the run ended in an internal error. The letter is
    the one WeasyPrint lays out whole, and the names copy out with their spaces."""
    from lettergen.pdf.actualtext import strip
    from lettergen.pdf.writer import render_document, write_pdf
    from test_copy_text import pdfium_pages

    names = ("เทศบาลตำบล\u00a0ท่าสาย", "องค์การบริหารส่วนตำบล\u2003แม่ยาว\u00a0เหนือ วันศุกร์ที่ สำนักงาน",
             "สำนักงาน\u00a0\u00a0น้ำ")
    rows = [(cell(f"{i + 1}", "center"), cell(name), cell(f"user{i}", literal=True),
             cell(f"FAKE-{i}", literal=True)) for i, name in enumerate(names)]
    letter = letter_with(example, rows)
    reference = render_document([letter]).write_pdf()
    placed = write_pdf(letter)
    same_layout(strip(placed), reference)
    same_drawing(placed, reference)
    text = "".join(pdfium_pages(placed))
    assert "เทศบาลตำบล\u00a0ท่าสาย" in text or "เทศบาลตำบล ท่าสาย" in text


@pytest.fixture(scope="module")
def over_pages(example):
    """A list of 40 such rows, over two pages with its head repeated: as placed, and with
    every row laid out whole as a table of its own (as before pdf/cells.py)."""
    from lettergen import caches
    from lettergen.pdf import rows as pdf_rows
    from lettergen.pdf.writer import write_pdf

    letter = letter_with(example, tricky_rows(40))
    caches.clear()
    placed = write_pdf(letter)
    caches.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_rows, "table_row", lambda table, cells: None)
        whole = write_pdf(letter)
    caches.clear()
    return letter, placed, whole


def test_a_list_over_pages_is_what_the_rows_laid_out_whole_give(over_pages):
    """The same glyphs at the same places, the same rules and the same text copied out by
    pdfium as with every row laid out as a table of its own."""
    from lettergen.pdf.actualtext import strip
    from test_copy_text import pdfium_pages

    _, placed, whole = over_pages
    assert len(pdfium_pages(placed)) > 4  # the list runs over two pages
    same_layout(strip(placed), strip(whole))
    same_drawing(placed, whole)
    assert pdfium_pages(placed) == pdfium_pages(whole)


@pytest.mark.parametrize("extractor", ["pdfium", pytest.param("poppler", marks=pytest.mark.optional_tools)])
def test_every_cell_copies_out_verbatim(over_pages, extractor):
    """Each cell's text, its lines joined, as it went in (white space collapsed): a link
    over eight lines, a name over three, a password with spaces. (Laid out whole, a row's
    first and last cells had no /ActualText span, and poppler read "p a s s" as "pass".)"""
    from test_copy_text import joined, pdfium_pages, poppler_pages

    if extractor == "poppler":
        require_tool("pdftotext")
    letter, placed, _ = over_pages
    text = joined((pdfium_pages if extractor == "pdfium" else poppler_pages)(placed))
    cells = [" ".join(paragraph.text.split()) for row in letter.attachments[0].blocks[0].rows
             for (paragraph,) in row[1:]]
    assert "p a s s" in cells and USERNAMES[1] in cells and NAMES[2] in cells
    for cell_text in cells:
        assert cell_text in text, cell_text


def test_a_row_of_plain_single_paragraph_cells_is_set_as_texts():
    from lettergen.model import QrCode, QrRow, Table
    from lettergen.pdf.rows import table_row

    table = Table(("a", "b"), (), (0.5, 0.5), "credentials")
    row = table_row(table, (cell(" ๑ ", "center"), cell("a \n\t b", literal=True)))
    assert row is not None
    assert row.frame.styles == ("center", "plain")
    assert [c.html for c in row.cells] == [Markup("๑"), Markup("a b")]
    assert [c.literal for c in row.cells] == [False, True]
    link = table_row(table, (cell("๑"), cell("https://a.example/b/c", literal=True))).cells[1]
    assert "\u200b" in link.html  # the link's break marks, as in its cell
    assert table_row(table, (cell("๑"), cell(""))).cells[1] is None  # an empty cell
    for not_plain in (cell("x", bold=True), cell("x", style="item"), cell("a\u00adb"),
                      cell("a\u200db"), (Paragraph((Run("x"),), "plain"),) * 2,
                      (QrRow((QrCode("https://a.example/", "a"),)),),
                      (Paragraph((Run("x"), Run("y", literal=True)), "plain"),)):
        assert table_row(table, (cell("๑"), not_plain)) is None  # laid out whole


def test_lines_that_do_not_add_up_to_their_texts_are_an_error():
    from lettergen.pdf.cells import CellTexts
    from lettergen.pdf.rows import CellText, Frame

    frame = Frame("credentials", (1.0,), ("plain",))
    texts = [CellText(frame, 0, False, Markup("น้ำ ที่")), CellText(frame, 0, False, Markup("b"))]
    line = lambda text: (0, 0.0, 17.5, 0.0, [(text, 0.0, 0.0)])  # noqa: E731
    found = CellTexts.__new__(CellTexts)
    found.lines = {}
    found._share_out(texts, [line("น้ำ "), line("ที่"), line("b")])
    assert [len(found.lines[t]) for t in texts] == [2, 1]
    assert [l.text for l in found.lines[texts[0]]] == ["น้ำ ", "ที่"]  # the space the break took
    with pytest.raises(ValueError):
        CellTexts._share_out(found, texts, [line("น้ำ"), line("c")])


@pytest.mark.parametrize("overrides", [
    {"letter.kind": "stamped"},
    {"letter.kind": "external", "sender.signer_name": "นายสมชาย ใจดี",
     "sender.signer_position": "ผู้ว่าราชการจังหวัดเชียงราย",
     "letter.enclosures": '["บัญชีชื่อผู้ใช้และรหัสผ่าน 1 ฉบับ", "คู่มือการใช้งาน 1 ชุด"]'},
], ids=["stamped", "external"])
def test_head_lines_stand_where_the_letter_laid_out_whole_sets_them(example, overrides):
    """Head lines of one part set as their texts in their frames: a long addressee (or
    salutation) over several lines (วันศุกร์ที่ น้ำ ที่ สำนักงาน), the enclosures numbered
    from their place, the date from its own: the same glyphs and places as WeasyPrint laying
    out the whole letter. (A longer one, whose letter's second page then starts with a
    paragraph's first line, shows that line 6 pt lower in WeasyPrint's flow than the
    placed rows do: so before the texts were set apart too, pdf/paginate.py.)"""
    from lettergen.compose import compose_all
    from lettergen.pdf import rows as pdf_rows
    from lettergen.pdf.actualtext import strip
    from lettergen.pdf.writer import _own_sheet, _plan, render_document, rows_of_letter, write_pdf
    from lettergen.spec import load_spec

    from conftest import EXAMPLE

    _, book, _ = example
    name = "องค์การบริหารส่วนตำบลทดสอบ วันศุกร์ที่ น้ำ ที่ สำนักงาน " * 2
    texts = {"variants.direct.addressee": name.strip()}  # ถึง, in a stamped letter
    if overrides["letter.kind"] == "external":
        texts = {"letter.salutation": "เรียน " + name.strip()}
    spec = load_spec(EXAMPLE / "letter.toml", {**overrides, **texts})
    (letter,) = compose_all(spec, book, ["570102"])
    rows = rows_of_letter(letter, placed=True)
    placed = [row for row in rows if row.cells is not None and row.cells.frame.name == pdf_rows.HEAD]
    assert len(placed) >= 2 and all(row.html is None for row in placed)
    flows, common, own, texts, emblems = _plan([letter])
    sheet = _own_sheet(own, texts, emblems)
    addressee = next(text for text in texts if "ทดสอบ" in text.html)
    assert len(sheet.texts.lines[addressee]) >= 2
    reference = render_document([letter]).write_pdf()
    assembled = write_pdf(letter)
    same_layout(strip(assembled), reference)
    same_drawing(assembled, reference)
    # the reference lays out the head lines whole: their HTML (rows_of_letter not placed)
    assert all(row.html is not None for row in rows_of_letter(letter) if row.cells is not None)
