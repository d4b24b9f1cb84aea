"""The blank DOCX a letter starts from, and its bytes at the end.

python-docx's default document with the Thai font defaults and the letter's page
(geometry.py) is parsed once per process; each letter is a copy of it that shares the
parts no letter changes (styles, theme, settings...), and those parts are serialized once.
"""

from __future__ import annotations

import copy
import datetime as dt

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from .. import geometry as g
from ..caches import cached
from ..files import zip_date_time
from . import python_docx
from .package_zip import zip_bytes
from .thai_xml import add_page_number_field, set_default_thai_font, set_thai_page_numbers

# Parts of python-docx's default document that a letter leaves as they are, by name.
STATIC_PARTS = {
    "/word/styles.xml", "/word/stylesWithEffects.xml", "/word/settings.xml",
    "/word/webSettings.xml", "/word/fontTable.xml", "/word/theme/theme1.xml",
    "/word/numbering.xml", "/docProps/app.xml", "/docProps/thumbnail.jpeg",
}


@cached(maxsize=4)
def blank(font: str):
    """python-docx's default document with the Thai font defaults, parsed once per process
    and copied for each letter (a copy takes half the time of reading the template)."""
    document = Document()
    set_default_thai_font(document, font, g.BODY_PT)
    page_setup(document.sections[0], font, numbered=True)  # the letter's own pages
    return document


def new_letter_document(font: str):
    """A copy of ``blank(font)`` for one letter. The parts a letter never changes are
    shared with the blank document, not copied: deepcopy takes them from its memo."""
    memo = {id(part): part for part in _static_parts(font)}
    return copy.deepcopy(blank(font), memo)  # its first section set up for the letter


def page_setup(section, font: str, numbered: bool) -> None:
    """The page and margins of geometry.py, a header of its own: for the letter's pages
    (``numbered``) "- ๒ -" from the second page on; empty for an attachment.

    As in the PDF, the text of a first page starts FIRST_TOP_CM from the top (the Garuda's
    band) and of any other page TOP_CM, with the page number's line PAGE_NUMBER_GAP_CM above
    it: the section's top margin is FIRST_TOP_CM, and the header (none on a letter's first
    page) is one line that ends PAGE_NUMBER_GAP_CM above TOP_CM, plus that gap as space
    after it; Word and LibreOffice start the text below a header that reaches past the
    margin."""
    section.page_width, section.page_height = Cm(g.PAGE_WIDTH_CM), Cm(g.PAGE_HEIGHT_CM)
    section.left_margin, section.right_margin = Cm(g.MARGIN_LEFT_CM), Cm(g.MARGIN_RIGHT_CM)
    section.top_margin, section.bottom_margin = Cm(g.FIRST_TOP_CM), Cm(g.MARGIN_BOTTOM_CM)
    section.header_distance = Cm(g.TOP_CM - g.PAGE_NUMBER_GAP_CM - g.line_cm())
    section.header.is_linked_to_previous = False
    section.different_first_page_header_footer = numbered
    header = section.header.paragraphs[0]
    for run in list(header.runs):
        python_docx.element(header).remove(python_docx.element(run))
    header.paragraph_format.space_before = Cm(0)
    header.paragraph_format.space_after = Cm(g.PAGE_NUMBER_GAP_CM)
    header.paragraph_format.line_spacing = 1.0
    if numbered:
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_page_number_field(header, font, g.BODY_PT)
        set_thai_page_numbers(section)


def attachment_section(document, font: str) -> None:
    """A new section at the end of ``document`` for an attachment, on new pages with no page
    number (``page_setup``, not ``numbered``). The first in a process is set up so; the
    others are copies of its XML, with a header part of their own holding a copy of its
    header (python_docx.add_header): python-docx's setters and its new header part took a
    sixth of a letter's DOCX time."""
    from docx.oxml.ns import qn

    section = document.add_section(WD_SECTION.NEW_PAGE)
    made = _attachment_section_made(font)
    if not made:
        page_setup(section, font, numbered=False)
        made += [copy.deepcopy(python_docx.element(section)),
                 copy.deepcopy(python_docx.header_element(section))]
        return
    sect, header = made
    rid = python_docx.add_header(document, copy.deepcopy(header))
    new = python_docx.element(section)
    new.attrib.clear()
    new.attrib.update(sect.attrib)
    new[:] = [copy.deepcopy(child) for child in sect]
    for reference in new.iterchildren(qn("w:headerReference")):
        reference.set(qn("r:id"), rid)


@cached(maxsize=4)
def _attachment_section_made(font: str) -> list:
    """[the w:sectPr, the w:hdr] of the first attachment's section set up in this process."""
    return []


@cached(maxsize=4)
def _static_parts(font: str) -> tuple:
    return tuple(p for p in blank(font).part.package.parts if str(p.partname) in STATIC_PARTS)


@cached(maxsize=64)
def _static_blob(part) -> bytes:
    """A shared part's bytes, serialized once (nothing changes it)."""
    return part.blob


def save(document, when: dt.datetime) -> bytes:
    """The DOCX bytes, the shared parts serialized once; every entry is dated ``when`` (the
    letter's date), so the same letter gives the same bytes."""
    def blob_of(part) -> bytes:
        return _static_blob(part) if str(part.partname) in STATIC_PARTS else part.blob

    return zip_bytes(python_docx.package_entries(document, blob_of), zip_date_time(when))
