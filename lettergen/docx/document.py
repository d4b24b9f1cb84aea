"""One letter's DOCX while it is written: the document, the font, and the helpers that
add paragraphs and runs with their Thai attributes, or copy blocks made for a letter before.
"""

from __future__ import annotations

import copy

from docx.shared import Cm, Pt

from .. import geometry as g
from ..caches import ByContent
from ..model import Paragraph
from ..links import with_breaks
from .blank import new_letter_document
from .thai_xml import set_thai_run

# Blocks of paragraphs most letters of a run share (body paragraphs, the Garuda band, the
# signature and the owner's footer), built once per process, keyed by the content they are
# made from (caches.ByContent) and the font: their w:p elements.
BLOCKS = ByContent(limit=256)


class LetterDocument:
    def __init__(self, font: str):
        self.font = font
        self.doc = new_letter_document(font)
        self.body = self.doc.element.body  # its last child, w:sectPr, stays last

    def para(self, text: str = "", *, before: float = 0, align=None, indent_cm: float = 0,
             right_cm: float = 0, first_line_cm: float = 0, bold=False, size=g.BODY_PT, color=None):
        """A new paragraph at the end of the body: no space after, single line spacing."""
        paragraph = self.doc.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.space_before, fmt.space_after = Pt(before), Pt(0)
        fmt.line_spacing = 1.0
        if indent_cm:
            fmt.left_indent = Cm(indent_cm)
        if right_cm:
            fmt.right_indent = Cm(right_cm)
        if first_line_cm:
            fmt.first_line_indent = Cm(first_line_cm)
        if align is not None:
            paragraph.alignment = align
        if text:
            self.run(paragraph, text, bold=bold, size=size, color=color)
        return paragraph

    def run(self, paragraph, text: str, *, bold=False, underline=False, size=g.BODY_PT, color=None):
        run = paragraph.add_run(text)
        set_thai_run(run, self.font, size, bold=bold, underline=underline, color=color)
        return run

    def runs(self, paragraph, model: Paragraph, size=g.BODY_PT,
             width_pt: float = g.pt(g.TEXT_WIDTH_CM)) -> None:
        for r in model.runs:
            self.run(paragraph, run_text(r, size, width_pt), bold=r.bold, underline=r.underline,
                     size=size)


    def append(self, elements) -> None:
        """Copies of ``elements`` at the end of the body."""
        for element in elements:
            self.body.insert(len(self.body) - 1, copy.deepcopy(element))

    def added_by(self, build) -> list:
        """Copies of what ``build()`` adds to the end of the body."""
        start = len(self.body) - 1
        build()
        return [copy.deepcopy(e) for e in self.body[start:len(self.body) - 1]]

    def block(self, name: str, source, build) -> None:
        """Paragraphs that ``build(self, source)`` adds to the body, or, when a letter
        before made them from the same content of ``source`` (what ``build`` read of it),
        copies of that letter's. (Only for blocks with no picture: a picture's
        relationship belongs to its own document.)"""
        made, again = BLOCKS.get(name, self.font, source,
                                 lambda view: self.added_by(lambda: build(self, view)))
        if again:
            self.append(made)


def run_text(run, size: float, width_pt: float) -> str:
    """The text a run is written with: a URL or e-mail address longer than its column may
    break after / and before . - ? & @ (a U+200B there); one that fits stays as written."""
    if run.literal and len(run.text) * 0.5 * size > width_pt - 10:
        return with_breaks(run.text)
    return run.text
