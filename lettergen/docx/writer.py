"""Letter -> python-docx -> DOCX bytes, from the same document model as the PDF.

The letter's own pages are what its kind describes (kinds.py): the band (the Garuda,
floating at its place, a memo's title, the urgency mark in red on the band's foot), the head
lines with their labels, tab stops and form 29's dotted lines (tab leaders), the body
paragraphs set Thai Distributed with their first-line indent, the signature block centred
where the kind says, and the owner's footer. Every measure is geometry.py's or the kind's,
as in the PDF. "- ๒ -" page numbers on continuation pages of the letter (none on its first
page or on the attachments, which are their own sections). The attachments are written by
tables.py, on a copy of the blank document of blank.py; Thai run attributes and the floating
Garuda: thai_xml.py; python-docx's internals: python_docx.py.
"""

from __future__ import annotations

import datetime as dt

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Cm

from .. import geometry as g
from ..kinds import Space, head_lines, kind_of, signature_lines
from ..model import Letter, Paragraph
from .blank import STATIC_PARTS, blank as _blank, save  # noqa: F401  (STATIC_PARTS, _blank: for tests)
from .document import LetterDocument
from .tables import attachment
from .thai_xml import float_picture, set_thai_distributed

BODY_PT = g.BODY_PT
RED = "D00000"


def write_docx(letter: Letter) -> bytes:
    """One letter (with its attachments) as DOCX bytes."""
    d = LetterDocument(letter.docx_font)
    if letter.emblem:
        _band(d, letter)  # a picture: made in each letter's own document
    else:
        d.block("band", letter, _band)
    _head(d, letter)
    for paragraph in letter.body:
        d.block("body", paragraph, _body_paragraph)
    # the rule of the PDF's pages (pdf/rows.py): the signature never stands alone on a page,
    # the body's last lines go with it (Word's widow control keeps two of them)
    d.doc.paragraphs[-1].paragraph_format.keep_with_next = True
    d.block("signature", letter, _signature_and_owner)
    for section in letter.attachments:
        attachment(d, section)
    return save(d.doc, _properties(d.doc, letter))


def _properties(doc, letter: Letter) -> dt.datetime:
    """The document's properties, dated at the letter's date, which is returned."""
    props = doc.core_properties
    props.title, props.subject, props.author = letter.title, letter.subject, letter.agency
    props.language, props.revision = "th-TH", 1
    props.last_modified_by = letter.agency
    when = dt.datetime.combine(letter.date, dt.time())
    props.created = props.modified = when
    return when


def _body_paragraph(d: LetterDocument, paragraph: Paragraph) -> None:
    """A Thai-distributed body paragraph. Most are the same in every letter of a run: the
    first letter's XML is kept and copied into the others (LetterDocument.block)."""
    p = d.para(before=g.PARAGRAPH_BEFORE_PT, first_line_cm=g.FIRST_LINE_INDENT_CM)
    set_thai_distributed(p)
    d.runs(p, paragraph)


def _band(d: LetterDocument, letter) -> None:
    """The band (kinds.Band), as high as in the PDF: room of a fixed height, then the line
    on its foot (the title, the urgency mark) at its natural height; the Garuda floats at
    the top of the room, so it moves no text."""
    band = kind_of(letter).band
    foot = [size for size, text in ((band.title_pt, band.title), (g.URGENCY_PT, letter.urgency)) if text]
    foot_cm = max(foot, default=0) * g.LINE_EM / g.PT_PER_CM
    room = d.para()
    room.paragraph_format.line_spacing = Cm(max(band.height_cm - foot_cm, 0.01))
    if letter.emblem:
        run = room.add_run()
        run.add_picture(letter.emblem, height=Cm(band.height_cm))
        float_picture(run, band.emblem_align)
    if not foot:
        return
    p = d.para()
    stops = p.paragraph_format.tab_stops
    if letter.urgency and band.urgency_align == "left":
        d.run(p, letter.urgency, bold=True, size=g.URGENCY_PT, color=RED)
    if band.title:
        stops.add_tab_stop(Cm(g.TEXT_WIDTH_CM / 2), WD_TAB_ALIGNMENT.CENTER)
        d.run(p, "\t")
        d.run(p, band.title, bold=True, size=band.title_pt)
    if letter.urgency and band.urgency_align == "right":
        stops.add_tab_stop(Cm(g.TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
        d.run(p, "\t")
        d.run(p, letter.urgency, bold=True, size=g.URGENCY_PT, color=RED)


def _head(d: LetterDocument, letter: Letter) -> None:
    """The head lines (kinds.HeadLine): a paragraph each, hanging from the start of its last
    cell (so a wrapped line starts under that cell's text, as in the PDF), a tab stop at
    each cell's start, and a tab leader of dots after a dotted cell (form 29)."""
    after_band = g.BAND_AFTER_CM * g.PT_PER_CM
    for i, (line, cells, first) in enumerate(head_lines(letter)):
        before = line.before_pt if first else 0
        p = d.para(before=max(before, after_band) if i == 0 else before,
                   indent_cm=cells[-1].start_cm, first_line_cm=cells[0].start_cm - cells[-1].start_cm)
        stops = p.paragraph_format.tab_stops
        for previous, cell in zip(cells, cells[1:]):
            leader = WD_TAB_LEADER.DOTS if previous.part.dotted else WD_TAB_LEADER.SPACES
            stops.add_tab_stop(Cm(cell.start_cm), WD_TAB_ALIGNMENT.LEFT, leader)
        if cells[-1].part.dotted:
            stops.add_tab_stop(Cm(g.TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        for j, cell in enumerate(cells):
            if j:
                d.run(p, "\t")
            if cell.label:
                d.run(p, cell.label, bold=cell.part.label_bold, size=cell.part.label_pt)
            if cell.text:
                d.run(p, f" {cell.text}" if cell.label else cell.text)
        if cells[-1].part.dotted:
            d.run(p, "\t")


def _signature_and_owner(d: LetterDocument, letter) -> None:
    """The signature block (kinds.SignatureBlock): each line centred on its centre, the room for
    the signature or the stamp an exact height; then the owner's footer."""
    kind = kind_of(letter)
    signature = kind.signature
    lines = signature_lines(letter)
    for i, item in enumerate(lines):
        before = signature.before_pt if i == 0 else 0
        if isinstance(item, Space):
            p = d.para(before=before)
            p.paragraph_format.line_spacing = Cm(item.cm)
        else:
            p = d.para(item, before=before, indent_cm=signature.left_cm, right_cm=signature.right_cm,
                       align=WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.keep_with_next = i < len(lines) - 1  # one block, as in the PDF
    if kind.owner_footer:
        for i, line in enumerate(letter.owner_lines):
            d.para(line, before=g.OWNER_BEFORE_PT if i == 0 else 0)

