"""Letter -> python-docx -> DOCX bytes, from the same document model as the PDF.

The layout is the letter's geometry (lettergen/geometry.py), as in the PDF: A4 and its
margins, the type sizes, body paragraphs with their first-line indent and the space before
them, set Thai Distributed, the urgency mark in red, "- ๒ -" page numbers on continuation
pages of the letter (none on its first page or on the attachments, which are their own
sections). The letter's own pages are written here, its attachments by tables.py, on a
copy of the blank document of blank.py; Thai run attributes: thai_xml.py; python-docx's
internals: python_docx.py.
"""

from __future__ import annotations

import datetime as dt

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from .. import geometry as g
from ..model import LABELS, Letter, Paragraph
from ..thai import arabic_digit_to_thai_digit
from .blank import STATIC_PARTS, blank as _blank, save  # noqa: F401  (STATIC_PARTS, _blank: for tests)
from .document import LetterDocument
from .tables import attachment
from .thai_xml import set_thai_distributed

BODY_PT = g.BODY_PT
RED = "D00000"
URGENT_BAND_CM = 1.8  # the empty Garuda band above an urgency mark (Word sets the mark lower)
AGENCY_TAB_CM = 10.0  # an external letter's head line: the agency's address starts here


def write_docx(letter: Letter) -> bytes:
    """One letter (with its attachments) as DOCX bytes."""
    d = LetterDocument(letter.docx_font)
    if letter.emblem:
        _garuda(d, letter)  # a picture: made in each letter's own document
    else:
        d.block("garuda", letter, _garuda)
    if letter.kind == "external":
        _external_head(d, letter)
    else:
        d.para(f"{LABELS['number']} {letter.number}")
        d.para(f"{LABELS['to']} {letter.addressee}", before=g.PARAGRAPH_BEFORE_PT)
    for paragraph in letter.body:
        d.block("body", paragraph, _body_paragraph)
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


def _garuda(d: LetterDocument, letter) -> None:
    if letter.emblem:
        p = d.para(align=WD_ALIGN_PARAGRAPH.CENTER)
        p.add_run().add_picture(letter.emblem, height=Cm(g.GARUDA_CM))
    else:
        # Pre-printed Garuda paper: keep the band empty.
        p = d.para()
        p.paragraph_format.line_spacing = Cm(URGENT_BAND_CM if letter.urgency else g.GARUDA_CM)
    if letter.urgency:
        d.para(letter.urgency, bold=True, size=g.URGENCY_PT, color=RED)


def _external_head(d: LetterDocument, letter: Letter) -> None:
    before = g.PARAGRAPH_BEFORE_PT
    p = d.para(f"{LABELS['number']} {letter.number}")
    p.paragraph_format.tab_stops.add_tab_stop(Cm(AGENCY_TAB_CM))
    d.run(p, "\t" + letter.agency)
    d.para(letter.date_text, before=before, indent_cm=g.SIGNATURE_INDENT_CM)
    d.para(f"{LABELS['subject']} {letter.subject}", before=before)
    d.para(letter.salutation, before=before)
    if letter.cites:
        d.para(f"{LABELS['cites']} {letter.cites}", before=before)
    for i, item in enumerate(letter.enclosures):
        label = LABELS["enclosures"] if i == 0 else ""
        p = d.para(before=before if i == 0 else 0)
        p.paragraph_format.tab_stops.add_tab_stop(Cm(g.ENCLOSURE_INDENT_CM))
        number = f"{i + 1}. " if len(letter.enclosures) > 1 else ""
        d.run(p, f"{label}\t{arabic_digit_to_thai_digit(number)}{item}")


def _signature_and_owner(d: LetterDocument, letter) -> None:
    center, indent = WD_ALIGN_PARAGRAPH.CENTER, g.SIGNATURE_INDENT_CM
    if letter.kind == "external":
        d.para(letter.closing, before=g.SIGNATURE_BEFORE_PT, indent_cm=indent, align=center)
        d.para(before=0).paragraph_format.line_spacing = Cm(g.SIGN_SPACE_CM)
        d.para(f"({letter.signer_name})", indent_cm=indent, align=center)
        d.para(letter.signer_position, indent_cm=indent, align=center)
    else:
        d.para(letter.agency, before=g.SIGNATURE_BEFORE_PT, indent_cm=indent, align=center)
        d.para().paragraph_format.line_spacing = Cm(g.STAMP_SPACE_CM)
        d.para(letter.date_text, indent_cm=indent, align=center)
    for i, line in enumerate(letter.owner_lines):
        d.para(line, before=g.OWNER_BEFORE_PT if i == 0 else 0)
