"""The letter's geometry, once: page, margins, type sizes, indents, spacing, table columns.

Every writer reads it from here: templates/letter.css (rendered with these values, see
``css_values``), pagination (pdf/paginate.py), Thai justification (pdf/justify.py), the
kinds' descriptions (kinds.py: where each head line's parts start) and the DOCX writer
(docx/writer.py). To change a margin or a size, change it here; the PDF and the DOCX
follow. Lengths are in centimetres (``_CM``) or points (``_PT``), as the Regulation on
Correspondence gives them; horizontal places are measured from the left margin.
"""

from __future__ import annotations

PT_PER_CM = 72 / 2.54

# The page: A4, and the letter's margins (Regulation on Correspondence B.E. 2526).
PAGE_SIZE = "A4"
PAGE_WIDTH_CM = 21.0
PAGE_HEIGHT_CM = 29.7
MARGIN_LEFT_CM = 3.0
MARGIN_RIGHT_CM = 2.0
MARGIN_BOTTOM_CM = 2.0
FIRST_TOP_CM = 1.5  # the first page: the Garuda band starts here
TOP_CM = 2.5  # continuation pages and attachments: the text starts here
PAGE_NUMBER_GAP_CM = 0.4  # "- ๒ -" stands this far above the text area
TEXT_WIDTH_CM = PAGE_WIDTH_CM - MARGIN_LEFT_CM - MARGIN_RIGHT_CM  # 16 cm

# Type: Sarabun in the PDF, the office font in the DOCX.
BODY_PT = 16
TABLE_PT = 14
URGENCY_PT = 32  # ด่วนที่สุด and the like: red, bold, at least 32 pt
MEMO_TITLE_PT = 29  # บันทึกข้อความ, bold (form 29)
MEMO_LABEL_PT = 20  # ส่วนราชการ, ที่, วันที่, เรื่อง on a memo, bold
QR_CAPTION_PT = 13  # under a QR code in the PDF (the DOCX sets it at TABLE_PT)
SPACE_EM = 0.243  # the width of Sarabun's space, in em (tests/test_architecture.py measures it)
# A line of text is 1.3 em high in both writers: Sarabun's own single line (its ascender
# 1.068 em plus descender 0.232 em, which Word and LibreOffice use for single spacing; the
# PDF's stylesheet sets it). tests/test_architecture.py reads it from the font.
LINE_EM = 1.3

# The blocks of a letter.
GARUDA_CM = 3.0  # the emblem's height, or the empty band on pre-printed Garuda paper
MEMO_BAND_CM = 1.5  # a memo's Garuda (at the left) and the band its title stands in
BAND_AFTER_CM = 0.3  # between the band and the first head line
FIRST_LINE_INDENT_CM = 2.5  # a body paragraph's first line
PARAGRAPH_BEFORE_PT = 6  # before a head line (ถึง, เรื่อง, ...) and each body paragraph
SIGNATURE_BEFORE_PT = 18
OWNER_BEFORE_PT = 24  # the owner's footer (ส่วนราชการเจ้าของเรื่อง, โทร.)
DATE_AT_CM = 8.0  # an external letter's date line, a memo's วันที่
ADDRESS_AT_CM = 9.5  # an external letter's agency and address, beside its ที่
ENCLOSURE_INDENT_CM = 3.5  # an external letter's enclosures (สิ่งที่ส่งมาด้วย), after the label
SIGNATURE_CENTRE_CM = 11.0  # the signature block's lines are centred here
SIGNATURE_WIDTH_CM = 8.0  # and wrap within this width (from 7 cm to 15 cm)
STAMP_SPACE_CM = 2.2  # room for the stamp, under a stamped letter's agency
SIGN_SPACE_CM = 2.0  # room for the signature, above the signer's name
ITEM_BEFORE_PT = 3  # in a table cell: before a numbered sub-item, and between paragraphs
DOTS_RAISE_PT = 0  # a dotted line (form 29) stands this far above its line's baseline
MARK_ROOM_PT = 8  # the PDF cuts a dotted line at its cell's edge, this far above the text

# Table columns, as fractions of the text width.
CREDENTIALS_COLUMNS = (0.1, 0.44, 0.23, 0.23)  # ลำดับ, อปท., username, password
STEPS_COLUMNS = (0.12, 0.46, 0.42)  # ขั้นตอน, รายการ, ช่องทาง / QR Code


def pt(cm: float) -> float:
    """``cm`` centimetres in points."""
    return cm * PT_PER_CM


def column_cm(fraction: float) -> float:
    """The width of a table column that takes ``fraction`` of the text width."""
    return fraction * TEXT_WIDTH_CM


def line_cm(size_pt: float = BODY_PT) -> float:
    """The height of a line of ``size_pt`` type (LINE_EM), in centimetres."""
    return size_pt * LINE_EM / PT_PER_CM


def body_word_spacing_pt() -> float:
    """The body lines' word-spacing (pdf/justify.py): minus one space, so the spaces put at
    Thai word boundaries have no width of their own."""
    return -SPACE_EM * BODY_PT


def css_values() -> dict[str, str]:
    """The values templates/letter.css is rendered with, as CSS lengths."""
    def cm(value: float) -> str:
        return f"{value:g}cm"

    def points(value: float) -> str:
        return f"{value:g}pt"

    return {
        "page_size": PAGE_SIZE,
        "margin": " ".join(cm(v) for v in (TOP_CM, MARGIN_RIGHT_CM, MARGIN_BOTTOM_CM, MARGIN_LEFT_CM)),
        "first_top": cm(FIRST_TOP_CM),
        "page_number_gap": cm(PAGE_NUMBER_GAP_CM),
        "text_width": cm(TEXT_WIDTH_CM),
        "body_size": points(BODY_PT),
        "table_size": points(TABLE_PT),
        "urgency_size": points(URGENCY_PT),
        "qr_caption_size": points(QR_CAPTION_PT),
        "line_height": f"{LINE_EM:g}",
        "band_after": cm(BAND_AFTER_CM),
        "dots_raise": points(DOTS_RAISE_PT),
        "mark_room": points(MARK_ROOM_PT),
        "item_before": points(ITEM_BEFORE_PT),
        "first_line_indent": cm(FIRST_LINE_INDENT_CM),
        "paragraph_before": points(PARAGRAPH_BEFORE_PT),
        "signature_before": points(SIGNATURE_BEFORE_PT),
        "owner_before": points(OWNER_BEFORE_PT),
        "body_word_spacing": f"{body_word_spacing_pt():.3f}pt",
    }
