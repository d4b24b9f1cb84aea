"""A letter's attachments in its DOCX: each on pages of its own, a title and tables whose
cells hold paragraphs and QR codes. The step sheet, the same in every letter, is built
once per process and pasted into the others with its pictures."""

from __future__ import annotations

import copy
import io

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .. import geometry as g
from .. import qr
from ..caches import ByContent, cached
from ..model import Paragraph, QrRow, Section, Table
from . import python_docx
from .blank import attachment_section
from .document import LetterDocument, run_text
from .thai_xml import set_cant_split, set_repeat_header, shade_cell

TABLE_GRID = "TableGrid"  # the id of python-docx's "Table Grid" style
HEAD_FILL = "EEEEEE"
QR_GAP = "    "  # between QR codes set side by side, and between their captions

# Built once per process, keyed by the content they are made from and the font: shared
# attachments (the step sheet) as XML and pictures; tables with their head row (w:tbl).
SHARED = ByContent(limit=8)
TABLE_HEADS = ByContent(limit=16)


def attachment(d: LetterDocument, section: Section) -> None:
    """``section`` on new pages, in a section of the document with no page numbers."""
    attachment_section(d.doc, d.font)
    if not section.shared:
        _blocks(d, section)
        return

    def make(view):  # the attachment, and its XML and pictures kept for the next letters
        elements = d.added_by(lambda: _blocks(d, view))
        images = {rid: d.doc.part.related_parts[rid].blob
                  for element in elements for rid in element.xpath(".//a:blip/@r:embed")}
        return elements, images

    made, again = SHARED.get("attachment", d.font, section, make)
    if again:
        _paste(d, *made)


def _blocks(d: LetterDocument, section) -> None:
    d.para(section.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for table in section.blocks:
        _table(d, table)


def _paste(d: LetterDocument, elements, images) -> None:
    """A shared attachment built for an earlier letter: its XML copied, its pictures added
    to this document and their relationship ids rewritten."""
    new_ids = {old: d.doc.part.get_or_add_image(io.BytesIO(blob))[0] for old, blob in images.items()}
    for element in elements:
        element = copy.deepcopy(element)
        for blip in element.xpath(".//a:blip"):
            blip.set(qn("r:embed"), new_ids[blip.get(qn("r:embed"))])
        d.body.insert(len(d.body) - 1, element)


def _table(d: LetterDocument, model: Table) -> None:
    """The table: its head row as a letter before made it (the same headers and column
    widths), or made now; then its rows."""
    head, again = TABLE_HEADS.get("table head", d.font, model, lambda view: _table_head(d, view))
    if again:
        d.append([head])
    table = python_docx.table_over(d.doc, d.body[len(d.body) - 2])
    widths = [Cm(g.column_cm(w)) for w in model.widths]
    made = _rows_made(d.font, tuple(model.widths))  # the first row of each shape, as built
    for row in model.rows:
        shape = _shape(row)
        if shape in made:  # the same XML, but for its texts
            python_docx.element(table).append(_with_texts(made[shape], row, widths))
            continue
        added = table.add_row()
        set_cant_split(added)
        for cell, blocks, width in zip(added.cells, row, widths):
            cell.width = width
            _cell(d, cell, blocks)
        if shape is not None:
            made[shape] = copy.deepcopy(python_docx.element(added))


@cached(maxsize=16)
def _rows_made(font: str, widths: tuple[float, ...]) -> dict:
    """The rows built so far in this process in a table of these column widths and this font,
    by shape (``_shape``): a row's XML holds nothing else of its letter but its texts
    (no picture, no relationship), so a letter's row is a copy of another's of its shape.
    (The letter of one LAO has a table of one row, of the shape of every other's.)"""
    return {}


def _shape(row) -> tuple | None:
    """What a row's XML is made of but its texts: per cell, per paragraph its style and per
    run its look and whether it has text (an empty run has no w:t); None for a row with a
    QR code or a tab or line break in a text (python-docx writes those as elements)."""
    shape = []
    for blocks in row:
        if not all(isinstance(block, Paragraph) for block in blocks):
            return None
        if any(c in run.text for block in blocks for run in block.runs for c in "\t\n\r"):
            return None
        shape.append(tuple((block.style, tuple((run.bold, run.underline, bool(run.text))
                                                for run in block.runs)) for block in blocks))
    return tuple(shape)


def _with_texts(made, row, widths):
    """A copy of the row ``made`` (of the same shape as ``row``) holding ``row``'s texts, as
    python-docx writes a run's text (white space at either end kept: xml:space)."""
    tr = copy.deepcopy(made)
    texts = [run_text(run, g.TABLE_PT, width.pt) for blocks, width in zip(row, widths)
             for block in blocks for run in block.runs if run.text]
    elements = tr.findall(".//" + qn("w:t"))
    assert len(elements) == len(texts), "a row of the same shape has as many texts"
    for element, text in zip(elements, texts):
        element.text = text
        if len(text.strip()) < len(text):
            element.set(qn("xml:space"), "preserve")
        else:
            element.attrib.pop(qn("xml:space"), None)
    return tr


def _table_head(d: LetterDocument, model) -> object:
    """A new table with its head row, at the end of the body; its XML, kept."""
    widths = [Cm(g.column_cm(w)) for w in model.widths]
    table = d.doc.add_table(rows=1, cols=len(model.headers))
    python_docx.set_table_style_id(table, TABLE_GRID)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths):  # w:gridCol, which LibreOffice reads
        column.width = width
    header = table.rows[0]
    set_repeat_header(header)
    for cell, text, width in zip(header.cells, model.headers, widths):
        cell.width = width
        shade_cell(cell, HEAD_FILL)
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        d.run(p, text, bold=True, size=g.TABLE_PT)
    return copy.deepcopy(python_docx.element(table))


def _cell(d: LetterDocument, cell, blocks) -> None:
    for i, block in enumerate(blocks):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        if isinstance(block, QrRow):
            _qr_row(d, cell, p, block)
            continue
        if block.style == "center":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if block.style == "item":
            p.paragraph_format.space_before = Pt(g.ITEM_BEFORE_PT)
        d.runs(p, block, size=g.TABLE_PT, width_pt=cell.width.pt)


def _qr_row(d: LetterDocument, cell, p, block: QrRow) -> None:
    """QR codes side by side in paragraph ``p``, their captions in a paragraph below."""
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, code in enumerate(block.codes):
        if i:
            d.run(p, QR_GAP, size=g.TABLE_PT)
        p.add_run().add_picture(io.BytesIO(qr.png(code.url)), width=Cm(qr.print_width_cm(code.url)))
    captions = cell.add_paragraph()
    captions.alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.run(captions, QR_GAP.join(c.caption for c in block.codes), size=g.TABLE_PT)
