"""Letter -> python-docx -> DOCX bytes, from the same document model as the PDF.

Layout follows templates/letter.css: A4, margins 3 cm left and 2 cm right, 16 pt, body
paragraphs indented 2.5 cm with 6 pt before and set Thai Distributed, the urgency mark in
red 32 pt, "- ๒ -" page numbers on continuation pages of the letter (none on its first page
or on the attachments, which are their own sections). Thai run attributes: docx_thai.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from functools import lru_cache

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.pkgwriter import PackageWriter
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table as DocxTable

from .. import qr
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
from ..thai import arabic_digit_to_thai_digit
from ..model import LABELS, Letter, Paragraph, QrRow, Section, Table
from ..pdf.urls import with_breaks

BODY_PT = 16
TABLE_PT = 14
URGENCY_PT = 32
TEXT_WIDTH_CM = 16.0
RED = "D00000"

# Shared attachments (the step sheet) built once per process: (section, font) -> XML + pictures.
_SHARED: dict = {}
# Blocks of paragraphs most letters of a run share (body paragraphs, the Garuda band, the
# signature and the owner's footer), built once per process: key -> their w:p elements.
_BLOCKS: dict = {}
# Tables with their head row, built once per process: (font, headers, widths) -> w:tbl.
_TABLE_HEADS: dict = {}


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

    def runs(self, paragraph, model: Paragraph, size=BODY_PT, width_pt: float = TEXT_WIDTH_CM * 72 / 2.54) -> None:
        for r in model.runs:
            text = r.text
            if r.literal and len(text) * 0.5 * size > width_pt - 10:
                # a URL or e-mail address longer than its column may break after / and
                # before . - ? & @ (a U+200B there); one that fits stays as written
                text = with_breaks(text)
            self.run(paragraph, text, bold=r.bold, underline=r.underline, size=size)

    # -- the letter ------------------------------------------------------------------------

    def _block(self, key, build) -> None:
        """Paragraphs that ``build()`` adds to the body, or, when a letter before made them
        under the same ``key``, copies of that letter's. (Only for blocks with no picture:
        a picture's relationship belongs to its own document.)"""
        body = self.doc.element.body
        made = _BLOCKS.get(key)
        if made is not None:
            for element in made:
                body.insert(len(body) - 1, copy.deepcopy(element))  # w:sectPr stays last
            return
        start = len(body) - 1
        build()
        if len(_BLOCKS) >= 256:
            _BLOCKS.clear()
        _BLOCKS[key] = [copy.deepcopy(e) for e in body[start:len(body) - 1]]

    def write(self) -> bytes:
        letter = self.letter
        if letter.emblem:
            self._garuda()
        else:
            self._block(("garuda", self.font, letter.urgency), self._garuda)
        if letter.kind == "external":
            self._external_head()
        else:
            self.para(f"{LABELS['number']} {letter.number}")
            self.para(f"{LABELS['to']} {letter.addressee}", before=6)
        for paragraph in letter.body:
            self._body_paragraph(paragraph)
        self._block(("signature", self.font, letter.kind, letter.agency, letter.date_text,
                     letter.closing, letter.signer_name, letter.signer_position,
                     letter.owner_lines), self._signature_and_owner)
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
        def build():
            p = self.para(before=6, first_line_cm=2.5)
            set_thai_distributed(p)
            self.runs(p, paragraph)

        self._block(("body", self.font, paragraph), build)

    def _garuda(self) -> None:
        letter = self.letter
        if letter.emblem:
            p = self.para(align=WD_ALIGN_PARAGRAPH.CENTER)
            p.add_run().add_picture(letter.emblem, height=Cm(3))
        else:
            # Pre-printed Garuda paper: keep the band empty.
            p = self.para()
            p.paragraph_format.line_spacing = Cm(1.8 if letter.urgency else 3.0)
        if letter.urgency:
            self.para(letter.urgency, bold=True, size=URGENCY_PT, color=RED)

    def _external_head(self) -> None:
        letter = self.letter
        p = self.para(f"{LABELS['number']} {letter.number}")
        p.paragraph_format.tab_stops.add_tab_stop(Cm(10))
        self.run(p, "\t" + letter.agency)
        self.para(letter.date_text, before=6, indent_cm=8)
        self.para(f"{LABELS['subject']} {letter.subject}", before=6)
        self.para(letter.salutation, before=6)
        if letter.cites:
            self.para(f"{LABELS['cites']} {letter.cites}", before=6)
        for i, item in enumerate(letter.enclosures):
            label = LABELS["enclosures"] if i == 0 else ""
            p = self.para(before=6 if i == 0 else 0)
            p.paragraph_format.tab_stops.add_tab_stop(Cm(3))
            number = f"{i + 1}. " if len(letter.enclosures) > 1 else ""
            self.run(p, f"{label}\t{arabic_digit_to_thai_digit(number)}{item}")

    def _signature_and_owner(self) -> None:
        self._signature()
        for i, line in enumerate(self.letter.owner_lines):
            self.para(line, before=24 if i == 0 else 0)

    def _signature(self) -> None:
        letter = self.letter
        center = WD_ALIGN_PARAGRAPH.CENTER
        if letter.kind == "external":
            self.para(letter.closing, before=18, indent_cm=8, align=center)
            self.para(before=0).paragraph_format.line_spacing = Cm(2)
            self.para(f"({letter.signer_name})", indent_cm=8, align=center)
            self.para(letter.signer_position, indent_cm=8, align=center)
        else:
            self.para(letter.agency, before=18, indent_cm=8, align=center)
            self.para().paragraph_format.line_spacing = Cm(2.2)
            self.para(letter.date_text, indent_cm=8, align=center)

    def _attachment(self, section: Section) -> None:
        new = self.doc.add_section(WD_SECTION.NEW_PAGE)
        page_setup(new, self.font, numbered=False)
        key = (section, self.font)
        if section.shared and key in _SHARED:
            self._paste(*_SHARED[key])
            return
        body = self.doc.element.body
        start = len(body) - 1  # the body's own w:sectPr stays last
        self.para(section.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        for table in section.blocks:
            self._table(table)
        if section.shared:
            elements = [copy.deepcopy(e) for e in body[start:len(body) - 1]]
            images = {}
            for element in elements:
                for rid in element.xpath(".//a:blip/@r:embed"):
                    images[rid] = self.doc.part.related_parts[rid].blob
            if len(_SHARED) >= 8:
                _SHARED.clear()
            _SHARED[key] = (elements, images)

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
        widths = [Cm(TEXT_WIDTH_CM * w) for w in model.widths]
        size = TABLE_PT
        key = (self.font, model.headers, model.widths)
        head = _TABLE_HEADS.get(key)
        if head is not None:  # the table and its head row as a letter before made them
            body = self.doc.element.body
            body.insert(len(body) - 1, copy.deepcopy(head))  # the body's w:sectPr stays last
            table = DocxTable(body[len(body) - 2], self.doc._body)
        else:
            table = self.doc.add_table(rows=1, cols=len(model.headers))
            table._tbl.tblStyle_val = TABLE_GRID  # by id: a lookup by name searches all styles
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
                self.run(p, text, bold=True, size=size)
            if len(_TABLE_HEADS) >= 16:
                _TABLE_HEADS.clear()
            _TABLE_HEADS[key] = copy.deepcopy(table._tbl)
        for row in model.rows:
            added = table.add_row()
            set_cant_split(added)
            cells = added.cells
            for cell, blocks, width in zip(cells, row, widths):
                cell.width = width
                self._cell(cell, blocks, size)

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
                self.run(captions, "    ".join(c.caption for c in block.codes), size=14)
            else:
                if block.style == "center":
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                if block.style == "item":
                    p.paragraph_format.space_before = Pt(3)
                self.runs(p, block, size=size, width_pt=cell.width.pt)


@lru_cache(maxsize=4)
def _blank(font: str):
    """python-docx's default document with the Thai font defaults, parsed once per process
    and copied for each letter (a copy takes half the time of reading the template)."""
    document = Document()
    set_default_thai_font(document, font, BODY_PT)
    page_setup(document.sections[0], font, numbered=True)  # the letter's own pages
    return document


def page_setup(section, font: str, numbered: bool) -> None:
    """A4, margins 3 cm left and 2 cm right, a header of its own: for the letter's pages
    (``numbered``) "- ๒ -" from the second page on; empty for an attachment."""
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(1.5), Cm(2.0)
    section.header_distance = Cm(0.8)
    section.header.is_linked_to_previous = False
    section.different_first_page_header_footer = numbered
    header = section.header.paragraphs[0]
    for run in list(header.runs):
        run._r.getparent().remove(run._r)
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


@lru_cache(maxsize=4)
def _static_parts(font: str) -> tuple:
    return tuple(p for p in _blank(font).part.package.parts if str(p.partname) in STATIC_PARTS)


@lru_cache(maxsize=64)
def _static_blob(part) -> bytes:
    """A shared part's bytes, serialized once (nothing changes it)."""
    return part.blob


class _Entries:
    """python-docx's physical package writer, collecting (name, bytes, deflate) for
    docx_zip, which compresses each distinct part once per process."""

    def __init__(self):
        self.entries: list[tuple[str, bytes, bool]] = []

    def write(self, pack_uri, blob: bytes) -> None:
        name = pack_uri.membername
        self.entries.append((name, blob, not name.endswith((".png", ".jpeg", ".jpg"))))


def _save(document, when: dt.datetime) -> bytes:
    # The same steps as python-docx's OpcPackage.save / PackageWriter.write, with our writer;
    # every entry is dated ``when`` (the letter's date), so the same letter gives the same bytes.
    package = document.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    writer = _Entries()
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    for part in parts:  # PackageWriter._write_parts, with the shared parts serialized once
        static = str(part.partname) in STATIC_PARTS
        writer.write(part.partname, _static_blob(part) if static else part.blob)
        if len(part.rels):
            writer.write(part.partname.rels_uri, part.rels.xml)
    return zip_bytes(writer.entries, zip_date_time(when))


def write_docx(letter: Letter) -> bytes:
    """One letter (with its attachments) as DOCX bytes."""
    return _Writer(letter).write()
