"""Rows onto pages: the paginator's rules, and its pages against WeasyPrint's own layout of
the same rows in one flow (the whole-letter document)."""

from __future__ import annotations

import pytest

from lettergen.paginate import BOTTOM, FIRST_TOP, PAGE_HEIGHT, TOP, Box, page_number_top, paginate

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


def test_page_number_sits_above_the_text_area():
    assert page_number_top(LINE) + LINE == pytest.approx(TOP - 0.4 * 72 / 2.54)


def page_layout(data: bytes) -> list[tuple[list, list]]:
    """Each page's text segments (their boxes, top to bottom) and its
    lines of text (sorted: the painting order of an absolutely placed row, the urgency
    mark, may differ), from pdfium."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in doc:
            text = page.get_textpage()
            boxes = sorted((text.get_rect(i) for i in range(text.count_rects())),
                           key=lambda box: (-round(box[3], 1), box[0]))
            pages.append((boxes, sorted(line.strip() for line in text.get_text_range().splitlines())))
        return pages
    finally:
        doc.close()


EXTERNAL = {"letter.kind": "external", "sender.signer_name": "นายสมชาย ใจดี",
            "sender.signer_position": "ผู้ว่าราชการจังหวัดเชียงราย",
            "letter.enclosures": '["บัญชีชื่อผู้ใช้และรหัสผ่าน 1 ฉบับ"]'}


@pytest.mark.parametrize("which", ["district circular", "direct letter", "external letter"])
def test_placed_rows_match_weasyprint_laying_out_the_whole_letter(example, which):
    """The letter's own pages built from rows have the same pages, the same text and the
    same positions (within 0.01 pt) as WeasyPrint's layout of the rows in one flow."""
    from lettergen.compose import compose_all
    from lettergen.pdf_writer import render_document, write_pdf
    from lettergen.spec import load_spec

    from conftest import EXAMPLE

    spec, book, letters = example
    if which == "external letter":
        letters = compose_all(load_spec(EXAMPLE / "letter.toml", EXTERNAL), book, ["570102"])
    letter = letters[-1] if which == "direct letter" else letters[0]
    reference = render_document([letter]).write_pdf()
    assembled = write_pdf(letter)
    expected, got = page_layout(reference), page_layout(assembled)
    assert len(got) == len(expected) >= 4
    for number, (page_expected, page_got) in enumerate(zip(expected, got), start=1):
        assert page_got[1] == page_expected[1], f"the text of page {number}"
        assert len(page_got[0]) == len(page_expected[0])
        for box_got, box_expected in zip(page_got[0], page_expected[0]):
            assert box_got == pytest.approx(box_expected, abs=0.01), f"page {number}"
    # the continuation page carries its number: "- ๒ -"
    assert "- ๒ -" in got[1][1]
