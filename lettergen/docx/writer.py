"""Letter -> python-docx -> DOCX bytes, from the same document model as the PDF.

The layout is the letter's geometry (lettergen/geometry.py), as in the PDF: A4 and its
margins, the type sizes, body paragraphs with their first-line indent and the space before
them, set Thai Distributed, the urgency mark in red, "- ๒ -" page numbers on continuation
pages of the letter (none on its first page or on the attachments, which are their own
sections). Thai run attributes: thai_xml.py; python-docx's internals: python_docx.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import io

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .. import qr
from . import python_docx
from .package_zip import zip_bytes, zip_date_time
from .thai_xml import (
    add_page_number_field,
    set_cant_split,
    set_default_thai_font,
    set_repeat_header,
    set_thai_distributed,
    set_thai_page_numbers,
    set_thai_run,
    shade_cell,
)
from .. import geometry as g
from ..caches import ByContent, cached
from ..thai import arabic_digit_to_thai_digit
from ..model import LABELS, Letter, Paragraph, QrRow, Section, Table

BODY_PT, TABLE_PT, URGENCY_PT = g.BODY_PT, g.TABLE_PT, g.URGENCY_PT
RED = "D00000"
URGENT_BAND_CM = 1.8  # the empty Garuda band above an urgency mark (Word sets the mark lower)
AGENCY_TAB_CM = 10.0  # an external letter's head line: the agency's address starts here

# Built once per process and copied into the letters like them, each keyed by the content
# it is made from (caches.ByContent) and the font: shared attachments (the step sheet) as
# XML and pictures; blocks of paragraphs most letters of a run share (body paragraphs, the
# Garuda band, the signature and the owner's footer); tables with their head row.
_SHARED = ByContent(limit=8)
_BLOCKS = ByContent(limit=256)
_TABLE_HEADS = ByContent(limit=16)


class _Writer:
    def __init__(self, letter: Letter):
        self.letter = letter
        self.font = letter.docx_font
        blank = _blank(self.font)
        # The parts a letter never changes (styles, theme, settings...) are shared with
        # the blank document, not copied: deepcopy takes them from its memo as they are.
        memo = {id(part): part for part in _static_parts(self.font)}
        self.doc = copy.deepcopy(blank, memo)  # its first section set up for the letter

    # -- helpers ---------------------------------------------------------------------------

    def para(self, text: str = "", *, before: float = 0, align=None, indent_cm: float = 0,
             first_line_cm: float = 0, bold=False, size=BODY_PT, color=None, container=None):
        paragraph = (container or self.doc).add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.space_before, fmt.space_after = Pt(before), Pt(0)
        fmt.line_spacing = 1.0
        if indent_cm:
            fmt.left_indent = Cm(indent_cm)
        if first_line_cm:
            fmt.first_line_indent = Cm(first_line_cm)
        if align is not None:
            paragraph.alignment = align
        if text:
            self.run(paragraph, text, bold=bold, size=size, color=color)
        return paragraph

    def run(self, paragraph, text: str, *, bold=False, underline=False, size=BODY_PT, color=None):
        run = paragraph.add_run(text)
        set_thai_run(run, self.font, size, bold=bold, underline=underline, color=color)
        return run

    def runs(self, paragraph, model: Paragraph, size=BODY_PT) -> None:
        for r in model.runs:
            self.run(paragraph, r.text, bold=r.bold, underline=r.underline, size=size)

    # -- the letter ------------------------------------------------------------------------

    def _block(self, name: str, source, build) -> None:
        """Paragraphs that ``build(source)`` adds to the body, or, when a letter before
        made them from the same content of ``source`` (what ``build`` read of it), copies
        of that letter's. (Only for blocks with no picture: a picture's relationship
        belongs to its own document.)"""
        body = self.doc.element.body

        def make(view):
            start = len(body) - 1
            build(view)
            return [copy.deepcopy(e) for e in body[start:len(body) - 1]]

        made, again = _BLOCKS.get(name, self.font, source, make)
        if again:
            for element in made:
                body.insert(len(body) - 1, copy.deepcopy(element))  # w:sectPr stays last

    def write(self) -> bytes:
        letter = self.letter
        if letter.emblem:
            self._garuda(letter)
        else:
            self._block("garuda", letter, self._garuda)
        if letter.kind == "external":
            self._external_head()
        else:
            self.para(f"{LABELS['number']} {letter.number}")
            self.para(f"{LABELS['to']} {letter.addressee}", before=g.PARAGRAPH_BEFORE_PT)
        for paragraph in letter.body:
            self._body_paragraph(paragraph)
        self._block("signature", letter, self._signature_and_owner)
        for section in letter.attachments:
            self._attachment(section)
        props = self.doc.core_properties
        props.title, props.subject, props.author = letter.title, letter.subject, letter.agency
        props.language, props.revision = "th-TH", 1
        props.last_modified_by = letter.agency
        when = dt.datetime.combine(letter.date, dt.time())
        props.created = props.modified = when
        return _save(self.doc, when)

    def _body_paragraph(self, paragraph: Paragraph) -> None:
        """A Thai-distributed body paragraph. Most are the same in every letter of a run:
        the first letter's XML is kept and copied into the others."""
        def build(paragraph):
            p = self.para(before=g.PARAGRAPH_BEFORE_PT, first_line_cm=g.FIRST_LINE_INDENT_CM)
            set_thai_distributed(p)
            self.runs(p, paragraph)

        self._block("body", paragraph, build)

    def _garuda(self, letter) -> None:
        if letter.emblem:
            p = self.para(align=WD_ALIGN_PARAGRAPH.CENTER)
            p.add_run().add_picture(letter.emblem, height=Cm(g.GARUDA_CM))
        else:
            # Pre-printed Garuda paper: keep the band empty.
            p = self.para()
            p.paragraph_format.line_spacing = Cm(URGENT_BAND_CM if letter.urgency else g.GARUDA_CM)
        if letter.urgency:
            self.para(letter.urgency, bold=True, size=URGENCY_PT, color=RED)

    def _external_head(self) -> None:
        letter = self.letter
        p = self.para(f"{LABELS['number']} {letter.number}")
        p.paragraph_format.tab_stops.add_tab_stop(Cm(AGENCY_TAB_CM))
        self.run(p, "\t" + letter.agency)
        self.para(letter.date_text, before=g.PARAGRAPH_BEFORE_PT, indent_cm=g.SIGNATURE_INDENT_CM)
        self.para(f"{LABELS['subject']} {letter.subject}", before=g.PARAGRAPH_BEFORE_PT)
        self.para(letter.salutation, before=g.PARAGRAPH_BEFORE_PT)
        if letter.cites:
            self.para(f"{LABELS['cites']} {letter.cites}", before=g.PARAGRAPH_BEFORE_PT)
        for i, item in enumerate(letter.enclosures):
            label = LABELS["enclosures"] if i == 0 else ""
            p = self.para(before=g.PARAGRAPH_BEFORE_PT if i == 0 else 0)
            p.paragraph_format.tab_stops.add_tab_stop(Cm(g.ENCLOSURE_INDENT_CM))
            number = f"{i + 1}. " if len(letter.enclosures) > 1 else ""
            self.run(p, f"{label}\t{arabic_digit_to_thai_digit(number)}{item}")

    def _signature_and_owner(self, letter) -> None:
        self._signature(letter)
        for i, line in enumerate(letter.owner_lines):
            self.para(line, before=g.OWNER_BEFORE_PT if i == 0 else 0)

    def _signature(self, letter) -> None:
        center, indent = WD_ALIGN_PARAGRAPH.CENTER, g.SIGNATURE_INDENT_CM
        if letter.kind == "external":
            self.para(letter.closing, before=g.SIGNATURE_BEFORE_PT, indent_cm=indent, align=center)
            self.para(before=0).paragraph_format.line_spacing = Cm(g.SIGN_SPACE_CM)
            self.para(f"({letter.signer_name})", indent_cm=indent, align=center)
            self.para(letter.signer_position, indent_cm=indent, align=center)
        else:
            self.para(letter.agency, before=g.SIGNATURE_BEFORE_PT, indent_cm=indent, align=center)
            self.para().paragraph_format.line_spacing = Cm(g.STAMP_SPACE_CM)
            self.para(letter.date_text, indent_cm=indent, align=center)

    def _attachment(self, section: Section) -> None:
        new = self.doc.add_section(WD_SECTION.NEW_PAGE)
        page_setup(new, self.font, numbered=False)
        if not section.shared:
            self._attachment_blocks(section)
            return
        body = self.doc.element.body

        def make(view):  # the attachment, and its XML and pictures kept for the next letters
            start = len(body) - 1  # the body's own w:sectPr stays last
            self._attachment_blocks(view)
            elements = [copy.deepcopy(e) for e in body[start:len(body) - 1]]
            images = {rid: self.doc.part.related_parts[rid].blob
                      for element in elements for rid in element.xpath(".//a:blip/@r:embed")}
            return elements, images

        made, again = _SHARED.get("attachment", self.font, section, make)
        if again:
            self._paste(*made)

    def _attachment_blocks(self, section) -> None:
        self.para(section.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        for table in section.blocks:
            self._table(table)

    def _paste(self, elements, images) -> None:
        """A shared attachment built for an earlier letter: its XML copied, its pictures
        added to this document and their relationship ids rewritten."""
        new_ids = {old: self.doc.part.get_or_add_image(io.BytesIO(blob))[0]
                   for old, blob in images.items()}
        body = self.doc.element.body
        for element in elements:
            element = copy.deepcopy(element)
            for blip in element.xpath(".//a:blip"):
                blip.set(qn("r:embed"), new_ids[blip.get(qn("r:embed"))])
            body.insert(len(body) - 1, element)

    def _table(self, model: Table) -> None:
        """The table: its head row as a letter before made it (the same headers and column
        widths), or made now; then its rows."""
        body = self.doc.element.body
        head, again = _TABLE_HEADS.get("table head", self.font, model, self._table_head)
        if again:
            body.insert(len(body) - 1, copy.deepcopy(head))  # the body's w:sectPr stays last
        table = python_docx.table_over(self.doc, body[len(body) - 2])
        widths = [Cm(g.column_cm(w)) for w in model.widths]
        for row in model.rows:
            added = table.add_row()
            set_cant_split(added)
            for cell, blocks, width in zip(added.cells, row, widths):
                cell.width = width
                self._cell(cell, blocks, TABLE_PT)

    def _table_head(self, model):
        """A new table with its head row, at the end of the body; its XML, kept."""
        widths = [Cm(g.column_cm(w)) for w in model.widths]
        table = self.doc.add_table(rows=1, cols=len(model.headers))
        python_docx.set_table_style_id(table, TABLE_GRID)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths):  # w:gridCol, which LibreOffice reads
            column.width = width
        header = table.rows[0]
        set_repeat_header(header)
        for cell, text, width in zip(header.cells, model.headers, widths):
            cell.width = width
            shade_cell(cell, "EEEEEE")
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.run(p, text, bold=True, size=TABLE_PT)
        return copy.deepcopy(python_docx.element(table))

    def _cell(self, cell, blocks, size) -> None:
        first = True
        for block in blocks:
            p = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            p.paragraph_format.space_after = Pt(0)
            if isinstance(block, QrRow):
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for i, code in enumerate(block.codes):
                    if i:
                        self.run(p, "    ", size=size)
                    p.add_run().add_picture(io.BytesIO(qr.png(code.url)), width=Cm(qr.print_width_cm(code.url)))
                captions = cell.add_paragraph()
                captions.alignment = WD_ALIGN_PARAGRAPH.CENTER
                self.run(captions, "    ".join(c.caption for c in block.codes), size=TABLE_PT)
            else:
                if block.style == "center":
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                if block.style == "item":
                    p.paragraph_format.space_before = Pt(3)
                self.runs(p, block, size=size)


@cached(maxsize=4)
def _blank(font: str):
    """python-docx's default document with the Thai font defaults, parsed once per process
    and copied for each letter (a copy takes half the time of reading the template)."""
    document = Document()
    set_default_thai_font(document, font, BODY_PT)
    page_setup(document.sections[0], font, numbered=True)  # the letter's own pages
    return document


def page_setup(section, font: str, numbered: bool) -> None:
    """The page and margins of geometry.py, a header of its own: for the letter's pages
    (``numbered``) "- ๒ -" from the second page on; empty for an attachment."""
    section.page_width, section.page_height = Cm(g.PAGE_WIDTH_CM), Cm(g.PAGE_HEIGHT_CM)
    section.left_margin, section.right_margin = Cm(g.MARGIN_LEFT_CM), Cm(g.MARGIN_RIGHT_CM)
    section.top_margin, section.bottom_margin = Cm(g.FIRST_TOP_CM), Cm(g.MARGIN_BOTTOM_CM)
    section.header_distance = Cm(g.DOCX_HEADER_CM)
    section.header.is_linked_to_previous = False
    section.different_first_page_header_footer = numbered
    header = section.header.paragraphs[0]
    for run in list(header.runs):
        python_docx.element(header).remove(python_docx.element(run))
    if numbered:
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_page_number_field(header, font, BODY_PT)
        set_thai_page_numbers(section)


TABLE_GRID = "TableGrid"  # the id of python-docx's "Table Grid" style

# Parts of python-docx's default document that a letter leaves as they are, by name.
STATIC_PARTS = {
    "/word/styles.xml", "/word/stylesWithEffects.xml", "/word/settings.xml",
    "/word/webSettings.xml", "/word/fontTable.xml", "/word/theme/theme1.xml",
    "/word/numbering.xml", "/docProps/app.xml", "/docProps/thumbnail.jpeg",
}


@cached(maxsize=4)
def _static_parts(font: str) -> tuple:
    return tuple(p for p in _blank(font).part.package.parts if str(p.partname) in STATIC_PARTS)


@cached(maxsize=64)
def _static_blob(part) -> bytes:
    """A shared part's bytes, serialized once (nothing changes it)."""
    return part.blob


def _save(document, when: dt.datetime) -> bytes:
    """The DOCX bytes, the shared parts serialized once; every entry is dated ``when`` (the
    letter's date), so the same letter gives the same bytes."""
    def blob_of(part) -> bytes:
        return _static_blob(part) if str(part.partname) in STATIC_PARTS else part.blob

    return zip_bytes(python_docx.package_entries(document, blob_of), zip_date_time(when))


def write_docx(letter: Letter) -> bytes:
    """One letter (with its attachments) as DOCX bytes."""
    return _Writer(letter).write()
