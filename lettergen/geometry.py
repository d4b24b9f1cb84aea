"""The letter's geometry, once: page, margins, type sizes, indents, spacing, table columns.

Every writer reads it from here: templates/letter.css (rendered with these values, see
``css_values``), pagination (pdf/paginate.py), Thai justification (pdf/justify.py) and the
DOCX writer (docx/writer.py). To change a margin or a size, change it here; the PDF and
the DOCX follow. Lengths are in centimetres (``_CM``) or points (``_PT``), as the
Regulation on Correspondence gives them.
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
DOCX_HEADER_CM = 0.8  # where Word puts that header line, from the top edge
TEXT_WIDTH_CM = PAGE_WIDTH_CM - MARGIN_LEFT_CM - MARGIN_RIGHT_CM  # 16 cm

# Type: Sarabun in the PDF, the office font in the DOCX.
BODY_PT = 16
TABLE_PT = 14
URGENCY_PT = 32  # ด่วนที่สุด and the like: red, bold, at least 32 pt
QR_CAPTION_PT = 13  # under a QR code in the PDF (the DOCX sets it at TABLE_PT)
SPACE_EM = 0.243  # the width of Sarabun's space, in em (tests/test_architecture.py measures it)

# The blocks of a letter.
GARUDA_CM = 3.0  # the emblem's height, or the empty band on pre-printed Garuda paper
FIRST_LINE_INDENT_CM = 2.5  # a body paragraph's first line
PARAGRAPH_BEFORE_PT = 6  # before a head line (ถึง, เรื่อง, ...) and each body paragraph
SIGNATURE_BEFORE_PT = 18
OWNER_BEFORE_PT = 24  # the owner's footer (ส่วนราชการเจ้าของเรื่อง, โทร.)
SIGNATURE_INDENT_CM = 8.0  # the signature block and the date line of an external letter
SIGNATURE_WIDTH_CM = 6.0  # the signature block's column (its lines centred in it)
ENCLOSURE_INDENT_CM = 3.0  # an external letter's list of enclosures (สิ่งที่ส่งมาด้วย)
STAMP_SPACE_CM = 2.2  # room for the stamp, under a stamped letter's agency
SIGN_SPACE_CM = 2.0  # room for the signature, under an external letter's closing

# Table columns, as fractions of the text width.
CREDENTIALS_COLUMNS = (0.1, 0.44, 0.23, 0.23)  # ลำดับ, อปท., username, password
STEPS_COLUMNS = (0.12, 0.46, 0.42)  # ขั้นตอน, รายการ, ช่องทาง / QR Code


def pt(cm: float) -> float:
    """``cm`` centimetres in points."""
    return cm * PT_PER_CM


def column_cm(fraction: float) -> float:
    """The width of a table column that takes ``fraction`` of the text width."""
    return fraction * TEXT_WIDTH_CM


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
        "garuda": cm(GARUDA_CM),
        "first_line_indent": cm(FIRST_LINE_INDENT_CM),
        "paragraph_before": points(PARAGRAPH_BEFORE_PT),
        "signature_before": points(SIGNATURE_BEFORE_PT),
        "owner_before": points(OWNER_BEFORE_PT),
        "signature_indent": cm(SIGNATURE_INDENT_CM),
        "signature_width": cm(SIGNATURE_WIDTH_CM),
        "enclosure_indent": cm(ENCLOSURE_INDENT_CM),
        "stamp_space": cm(STAMP_SPACE_CM),
        "sign_space": cm(SIGN_SPACE_CM),
        "body_word_spacing": f"{body_word_spacing_pt():.3f}pt",
    }
