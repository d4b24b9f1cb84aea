"""Where a letter's visible signature goes: the one place that knows it.

The PDF writer places each letter's rows on its pages (pdf/writer.write_pdfs_with_pages,
``layouts``); the signature row is the block the letter's kind signs in, and geometry.py
gives its inner spaces; the kind's description (kinds.py) says what the block is made of,
and so where its room for signing is:
- a stamped letter (หนังสือประทับตรา): the room left for the agency's stamp and the
  official's initials, under the agency's line and above the date;
- an external letter (หนังสือภายนอก): the room left for the signature, under the closing
  (ขอแสดงความนับถือ) and above the signer's name;
- a memo (บันทึกข้อความ): the room above the signer's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .. import geometry as g
from ..kinds import Space, kind_of

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
    """Where ``letter``'s visible signature goes: the first room its kind's signature block
    leaves (kinds.SignatureBlock: the stamp's room of a stamped letter, the signature's of the
    others), across the block's width. ``pages``: its own pages as the writer placed them,
    per page each row's (html, top in points from the page's top, Box)."""
    signature = kind_of(letter).signature
    room = next((i for i, item in enumerate(signature.items) if isinstance(item, Space)), None)
    if room is None:
        raise ValueError(f"letters of kind {letter.kind!r} leave no room for a signature")
    line = _line_height(pages)
    for number, page in enumerate(pages):
        for html, top, box in page:
            if SIGNATURE_ROW not in html:
                continue
            upper = top + room * line  # under the block's lines before the room (one each)
            lower = upper + g.pt(signature.items[room].cm)
            left = g.pt(g.MARGIN_LEFT_CM + signature.left_cm)
            right = left + g.pt(signature.width_cm)
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
