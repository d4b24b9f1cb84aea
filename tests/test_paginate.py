"""Rows onto pages: the paginator's rules, and its pages against WeasyPrint's own layout of
the same rows in one flow (the whole-letter document)."""

from __future__ import annotations

import dataclasses

import pytest

from conftest import same_drawing, same_layout, same_look
from lettergen.pdf.paginate import (BOTTOM, FIRST_TOP, PAGE_HEIGHT, TOP, Box, collapse, page_number_top,
                                paginate)

LINE = 20.8  # a 16 pt line at line-height 1.3
FOOT = PAGE_HEIGHT - BOTTOM


def lines(n: int, margin_top: float = 6.0) -> list[Box]:
    """A paragraph of ``n`` lines, with the keep rules of lettergen/rows.py."""
    return [Box(LINE, margin_top if i == 0 else 0.0, 0.0, i == 1 or (i > 0 and i == n - 1))
            for i in range(n)]


def tops(pages):
    return [[round(p.top, 3) for p in page] for page in pages]


def test_rows_stack_with_the_larger_margin_between_them():
    boxes = [Box(85.0, 0.0, 8.5), Box(LINE, 0.0), Box(LINE, 6.0), Box(30.0, 18.0, 2.0), Box(10.0, 1.0)]
    (page,) = paginate(boxes)
    assert [round(p.top, 3) for p in page] == pytest.approx([
        FIRST_TOP, FIRST_TOP + 85 + 8.5, FIRST_TOP + 85 + 8.5 + LINE + 6,
        FIRST_TOP + 85 + 8.5 + 2 * LINE + 6 + 18, FIRST_TOP + 85 + 8.5 + 2 * LINE + 6 + 18 + 30 + 2,
    ], abs=1e-3)


def test_a_row_that_would_cross_the_foot_starts_the_next_page_without_its_margin():
    room = int((FOOT - FIRST_TOP) // LINE)
    boxes = [Box(LINE, 0.0)] * room + [Box(LINE, 6.0)]
    pages = paginate(boxes)
    assert [len(p) for p in pages] == [room, 1]
    assert pages[1][0].top == pytest.approx(TOP)  # margin truncated at the top of a page
    assert pages[0][-1].top + LINE <= FOOT


def test_no_single_line_is_left_at_the_foot_of_a_page():
    room = int((FOOT - FIRST_TOP) // LINE)
    # a paragraph whose first line alone would still fit: it moves whole to the next page
    boxes = [Box(LINE, 0.0)] * (room - 1) + lines(5, margin_top=0.0)
    pages = paginate(boxes)
    assert [len(p) for p in pages] == [room - 1, 5]


def test_no_single_line_is_left_at_the_head_of_a_page():
    room = int((FOOT - FIRST_TOP) // LINE)
    # all but the last line would fit: the last two lines go over together
    boxes = [Box(LINE, 0.0)] * (room - 4) + lines(5, margin_top=0.0)
    pages = paginate(boxes)
    assert [len(p) for p in pages] == [room - 1, 2]


def test_the_signature_takes_the_last_two_lines_along():
    room = int((FOOT - FIRST_TOP) // LINE)
    signature = Box(4 * LINE, 18.0, 0.0, keep_with_previous=True)
    boxes = [Box(LINE, 0.0)] * (room - 10) + lines(10, margin_top=0.0) + [signature]
    pages = paginate(boxes)
    assert len(pages) == 2
    assert [p.row for p in pages[1]] == [len(boxes) - 3, len(boxes) - 2, len(boxes) - 1]


def test_a_page_of_rows_that_all_keep_together_breaks_where_it_must():
    boxes = [Box(LINE, 0.0)] + [Box(LINE, 0.0, 0.0, True)] * 60
    pages = paginate(boxes)
    assert sum(len(p) for p in pages) == 61
    assert all(p[-1].top + LINE <= FOOT + 1e-6 for p in pages)
    assert len(pages) == 2


def test_a_table_head_comes_again_at_the_top_of_each_next_page():
    title, head = Box(40.0, 0.0, 10.0), Box(30.0, 0.0, 0.0, True, repeat=True)
    row = Box(22.0, -0.75, 0.0)
    boxes = [title, head, dataclasses.replace(row, keep_with_previous=True)] + [row] * 59
    pages = paginate(boxes, first_top=TOP)
    assert len(pages) == 2
    assert [p.row for p in pages[0][:3]] == [0, 1, 2]
    assert pages[0][1].top == pytest.approx(TOP + 40 + 10)
    assert pages[0][2].top == pytest.approx(TOP + 40 + 10 + 30 - 0.75)  # rules overlap
    assert pages[1][0].row == 1 and pages[1][0].top == pytest.approx(TOP)  # the head again
    assert pages[1][1].top == pytest.approx(TOP + 30 - 0.75)
    assert sorted({p.row for page in pages for p in page}) == list(range(len(boxes)))


def test_margins_collapse_like_css():
    assert collapse(10.0, -0.75) == pytest.approx(9.25)
    assert collapse(0.0, -0.75) == pytest.approx(-0.75)
    assert collapse(6.0, 18.0) == 18.0
    assert collapse(-2.0, -0.75) == -2.0


def test_page_number_sits_above_the_text_area():
    assert page_number_top(LINE) + LINE == pytest.approx(TOP - 0.4 * 72 / 2.54)


EXTERNAL = {"letter.kind": "external", "sender.signer_name": "นายสมชาย ใจดี",
            "sender.signer_position": "ผู้ว่าราชการจังหวัดเชียงราย",
            "letter.enclosures": '["บัญชีชื่อผู้ใช้และรหัสผ่าน 1 ฉบับ"]'}


MEMO = {"letter.kind": "memo", "sender.signer_name": "นายสมชาย ใจดี",
        "sender.signer_position": "ท้องถิ่นจังหวัดเชียงราย", "letter.urgency": ""}


@pytest.mark.parametrize("which", ["district circular", "direct letter", "external letter", "memo"])
def test_placed_rows_match_weasyprint_laying_out_the_whole_letter(example, which):
    """The letter built from rows (its credentials list set as texts in frames) has the same
    pages, the same text and the same positions (within 0.01 pt), and the same rules, as
    WeasyPrint's layout of the rows in one flow."""
    from lettergen.compose import compose_all
    from lettergen.pdf.actualtext import strip
    from lettergen.pdf.writer import render_document, write_pdf
    from lettergen.spec import load_spec

    from conftest import EXAMPLE

    spec, book, letters = example
    if which == "external letter":
        letters = compose_all(load_spec(EXAMPLE / "letter.toml", EXTERNAL), book, ["570102"])
    if which == "memo":
        letters = compose_all(load_spec(EXAMPLE / "letter.toml", MEMO), book, ["570102"])
    letter = letters[-1] if which == "direct letter" else letters[0]
    reference = render_document([letter]).write_pdf()
    assembled = write_pdf(letter)
    same_layout(strip(assembled), reference)  # the glyphs, the lines' text spans removed
    same_drawing(assembled, reference)
    same_look(assembled, reference)  # nothing the rows paint is clipped: a table's right rule
    # the continuation page carries its number: "- ๒ -"
    from test_batch import pdf_pages_text

    assert "- ๒ -" in pdf_pages_text(assembled)[1]


def test_a_long_credentials_list_runs_on_with_its_head_repeated(example):
    """A district with more LAOs than a page holds: the list runs over to the next page,
    which starts with the table's head, and every LAO is there once."""
    from lettergen.model import Paragraph, Run
    from lettergen.pdf.writer import write_pdf

    from test_batch import pdf_pages_text

    _, _, letters = example
    letter = letters[0]
    credentials = letter.attachments[0]
    table = credentials.blocks[0]
    rows = tuple((
        (Paragraph((Run(str(i)),), "center"),),
        (Paragraph((Run(f"องค์การบริหารส่วนตำบลทดสอบ{i}"),), "plain"),),
        (Paragraph((Run(f"user{i:03d}", literal=True),), "plain"),),
        (Paragraph((Run(f"FAKE-{i:03d}", literal=True),), "plain"),),
    ) for i in range(1, 61))
    long_list = dataclasses.replace(credentials, blocks=(dataclasses.replace(table, rows=rows),))
    letter = dataclasses.replace(letter, attachments=(long_list,) + letter.attachments[1:])
    pages = pdf_pages_text(write_pdf(letter))
    own = len(pdf_pages_text(write_pdf(dataclasses.replace(letter, attachments=()))))
    listing = [text for text in pages[own:] if "FAKE-" in text]
    assert len(listing) >= 2
    for text in listing:
        assert "ลำดับ" in text and "(Password)" in text  # the head on every page of the list
    found = [f"FAKE-{i:03d}" for i in range(1, 61) if any(f"FAKE-{i:03d}" in t for t in listing)]
    assert len(found) == 60
    assert sum(text.count("FAKE-") for text in listing) == 60


def test_a_row_taller_than_a_page_is_found_not_cut_off():
    """paginate places it alone on a page, across the foot; crossing_the_foot names it."""
    from lettergen.pdf.paginate import crossing_the_foot

    boxes = [Box(20), Box(PAGE_HEIGHT), Box(20)]
    pages = paginate(boxes)
    assert crossing_the_foot(boxes, pages) == 1
    fitting = [Box(20)] * 80
    assert crossing_the_foot(fitting, paginate(fitting)) is None


def test_a_credentials_row_taller_than_a_page_stops_the_letter_with_an_input_error(example):
    """A name pasted into its cell by mistake, 2,000 characters (the most a cell may hold):
    its row would run off the foot of the page, so the letter is refused with a message
    that says whose letter and which text, never written with the name cut off."""
    from lettergen.errors import InputError
    from lettergen.pdf.writer import write_pdf
    from test_cells import cell, letter_with

    name = ("องค์การบริหารส่วนตำบล" + "วันศุกร์ที่น้ำสำนักงาน" * 100)[:2000]
    rows = [(cell("๑", "center"), cell(name), cell("demo1", literal=True), cell("FAKE-1", literal=True))]
    letter = letter_with(example, rows)
    with pytest.raises(InputError, match="องค์การบริหารส่วนตำบลวันศุกร์ที่.*ยาวเกินกว่าจะพิมพ์ลงในหนึ่งหน้า") as raised:
        write_pdf(letter)
    assert letter.recipient_name in str(raised.value)
    short = letter_with(example, [(cell("๑", "center"), cell(name[:300]), cell("demo1", literal=True),
                                   cell("FAKE-1", literal=True))])
    assert write_pdf(short)[:5] == b"%PDF-"  # a long name that fits a page is written
