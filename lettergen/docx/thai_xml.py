"""The raw WordprocessingML that python-docx has no friendly API for, in one place.

Word draws Thai with the complex-script slot of a run's properties: w:rFonts/@w:cs for the
font, w:szCs for the size, w:bCs for bold, and w:lang/@w:bidi for the language. Without
them Word falls back to another font and size for the Thai characters. Body paragraphs are
set "Thai Distributed" (w:jc="thaiDistribute"), as clerks set them in Word.
"""

from __future__ import annotations

import copy
from ..caches import cached

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from .python_docx import element

THAI_LANG = "th-TH"


def _child(parent, tag: str):
    """The first child ``tag`` of ``parent``, created when missing (schema order kept by
    python-docx's get_or_add_* where available)."""
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        parent.append(element)
    return element


def set_thai_run(run, font: str, size_pt: float, bold: bool = False,
                 underline: bool = False, color: str | None = None) -> None:
    """Give ``run`` the Latin and complex-script font, size, weight and Thai language.
    ``run`` must be new (no properties yet): its w:rPr is a copy of a cached one."""
    element(run).insert(0, copy.deepcopy(_run_properties(font, size_pt, bold, underline, color)))


@cached(maxsize=64)
def _run_properties(font: str, size_pt: float, bold: bool, underline: bool, color: str | None):
    # Children in the order the schema (and Word) requires: rFonts, b, bCs, color, sz,
    # szCs, u, lang.
    rpr = OxmlElement("w:rPr")
    fonts = _append(rpr, "w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), font)
    half_points = str(round(size_pt * 2))
    if bold:
        _append(rpr, "w:b")
        _append(rpr, "w:bCs")
    if color:
        _append(rpr, "w:color", val=color)
    _append(rpr, "w:sz", val=half_points)
    _append(rpr, "w:szCs", val=half_points)
    if underline:
        _append(rpr, "w:u", val="single")
    lang = _append(rpr, "w:lang", val=THAI_LANG)
    lang.set(qn("w:bidi"), THAI_LANG)
    return rpr


def _append(parent, tag: str, **attrs):
    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), value)
    parent.append(element)
    return element


def set_thai_distributed(paragraph) -> None:
    """w:jc="thaiDistribute" on ``paragraph`` (python-docx's enum has no such value)."""
    ppr = element(paragraph).get_or_add_pPr()
    jc = ppr.find(qn("w:jc"))
    if jc is None:
        jc = OxmlElement("w:jc")
        ppr.append(jc)
    jc.set(qn("w:val"), "thaiDistribute")


def set_default_thai_font(document, font: str, size_pt: float) -> None:
    """The document defaults (w:docDefaults) in the Thai font, so empty paragraphs and
    anything without direct formatting match."""
    styles = document.styles.element
    defaults = _child(styles, "w:docDefaults")
    rpr_default = _child(defaults, "w:rPrDefault")
    rpr = _child(rpr_default, "w:rPr")
    for child in list(rpr):
        rpr.remove(child)
    fonts = _append(rpr, "w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), font)
    half_points = str(round(size_pt * 2))
    _append(rpr, "w:sz", val=half_points)
    _append(rpr, "w:szCs", val=half_points)
    lang = _append(rpr, "w:lang", val=THAI_LANG)
    lang.set(qn("w:bidi"), THAI_LANG)
    normal = document.styles["Normal"].element
    npr = normal.find(qn("w:rPr"))
    if npr is not None:
        normal.remove(npr)


def add_page_number_field(paragraph, font: str, size_pt: float) -> None:
    """"- ๒ -": a PAGE field between dashes; the digits are Thai by the section's page
    number format (``set_thai_page_numbers``), which Word and LibreOffice both honour."""
    def run(text: str | None = None):
        r = paragraph.add_run(text)
        set_thai_run(r, font, size_pt)
        return r

    run("- ")
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    element(run()).append(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    element(run()).append(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    element(run()).append(separate)
    run("๒")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    element(run()).append(end)
    run(" -")


def set_thai_page_numbers(section) -> None:
    """Page numbers of ``section`` in Thai digits: w:pgNumType/@w:fmt="thaiNumbers"."""
    sect_pr = element(section)
    pg = sect_pr.find(qn("w:pgNumType"))
    if pg is None:
        pg = OxmlElement("w:pgNumType")
        # w:pgNumType comes after w:pgMar (and w:paperSrc, w:pgBorders, w:lnNumType).
        anchor = next((sect_pr.find(qn(t)) for t in ("w:lnNumType", "w:pgBorders", "w:paperSrc",
                                                      "w:pgMar") if sect_pr.find(qn(t)) is not None), None)
        if anchor is not None:
            anchor.addnext(pg)
        else:
            sect_pr.append(pg)
    pg.set(qn("w:fmt"), "thaiNumbers")


def set_cant_split(row) -> None:
    """Keep a table row on one page (as the PDF does: tr { break-inside: avoid })."""
    trpr = element(row).get_or_add_trPr()
    _append(trpr, "w:cantSplit")


def set_repeat_header(row) -> None:
    """Repeat a table's header row on every page it spans."""
    trpr = element(row).get_or_add_trPr()
    _append(trpr, "w:tblHeader", val="true")


def shade_cell(cell, fill: str) -> None:
    tcpr = element(cell).get_or_add_tcPr()
    shd = _append(tcpr, "w:shd", val="clear", color="auto")
    shd.set(qn("w:fill"), fill)


def float_picture(run, align: str) -> None:
    """The picture python-docx put in ``run`` (in the line, w:drawing/wp:inline) taken out
    of the line: anchored at the top of its paragraph, at the ``align`` ("center", "left")
    of the margins, the text not wrapped around it. So the Garuda stands in its band as in
    the PDF, and the band's lines keep their own heights (kinds.Band)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    drawing = element(run).find(qn("w:drawing"))
    inline = drawing.find(qn("wp:inline"))
    anchor = parse_xml(
        f'<wp:anchor {nsdecls("wp")} distT="0" distB="0" distL="0" distR="0" simplePos="0" '
        'relativeHeight="0" behindDoc="1" locked="0" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="margin"><wp:align>{align}</wp:align></wp:positionH>'
        '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        '</wp:anchor>')
    # the schema's order: extent, effectExtent, the wrapping, docPr, cNvGraphicFramePr, graphic
    for tag in ("wp:extent", "wp:effectExtent"):
        child = inline.find(qn(tag))
        if child is not None:
            anchor.append(child)
    anchor.append(parse_xml(f'<wp:wrapNone {nsdecls("wp")}/>'))
    for child in list(inline):
        anchor.append(child)
    drawing.replace(inline, anchor)
