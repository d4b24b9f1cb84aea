"""Where a letter's visible signature goes: the one place that knows it.

The PDF writer places each letter's rows on its pages (pdf/writer.write_pdfs_with_pages,
``layouts``); the signature row is the block the letter's kind signs in, and geometry.py
gives its inner spaces. Today's kinds:
- a stamped letter (หนังสือประทับตรา): the room left for the agency's stamp and the
  official's initials, under the agency's line and above the date;
- an external letter (หนังสือภายนอก): the room left for the signature, under the closing
  (ขอแสดงความนับถือ) and above the signer's name.
When a letter kind describes where its signature goes, this function reads that description
instead; an unknown kind is an error naming it, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .. import geometry as g

PAGE_HEIGHT = g.pt(g.PAGE_HEIGHT_CM)
SIGNATURE_ROW = 'class="signature'  # the signature block's row (templates/parts.html.j2)
BODY_ROW = '<p class="body'  # a line of a body paragraph: one line of body text


@dataclass(frozen=True)
class Place:
    """A rectangle on one page of a letter's PDF: the page (0 = the first) and the box in
    PDF points from the page's bottom left corner (x0, y0, x1, y1)."""

    page: int
    box: tuple[float, float, float, float]

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


def signature_place(letter, pages: Sequence[Sequence[tuple]]) -> Place:
    """Where ``letter``'s visible signature goes. ``pages``: its own pages as the writer
    placed them, per page each row's (html, top in points from the page's top, Box)."""
    line = _line_height(pages)
    for number, page in enumerate(pages):
        for html, top, box in page:
            if SIGNATURE_ROW not in html:
                continue
            if letter.kind == "stamped":  # the stamp's room: above the date line, the block's last
                lower = top + box.height - line
                upper = lower - g.pt(g.STAMP_SPACE_CM)
            elif letter.kind == "external":  # the signature's room: under the closing's line
                upper = top + line
                lower = upper + g.pt(g.SIGN_SPACE_CM)
            else:
                raise ValueError(f"no place for a signature is known for letters of kind {letter.kind!r}")
            left = g.pt(g.MARGIN_LEFT_CM + g.SIGNATURE_INDENT_CM)
            right = left + g.pt(g.SIGNATURE_WIDTH_CM)
            return Place(number, (round(left, 2), round(PAGE_HEIGHT - lower, 2),
                                  round(right, 2), round(PAGE_HEIGHT - upper, 2)))
    raise ValueError(f"letter {letter.key} has no signature block on its pages")


def _line_height(pages: Sequence[Sequence[tuple]]) -> float:
    """The height of one line of body text, as laid out: a body line's row."""
    for page in pages:
        for html, _, box in page:
            if html.startswith(BODY_ROW):
                return box.height
    raise ValueError("a letter without a line of body text: no line to measure")
