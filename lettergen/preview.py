"""A page of a PDF as PNG, for a quick look (pdfium, no external programs)."""

from __future__ import annotations

import io


def pdf_page_png(pdf: bytes, page: int = 1, dpi: int = 100, *, quick: bool = False) -> bytes:
    """Page ``page`` of ``pdf`` drawn at ``dpi``, as PNG (see ``png``)."""
    return png(pdf_page_image(pdf, page, dpi), quick=quick)


def pdf_page_image(pdf: bytes, page: int = 1, dpi: int = 100):
    """Page ``page`` of ``pdf`` drawn at ``dpi`` by pdfium, as a PIL image. pdfium is not
    made for threads: a caller with threads draws under a lock (the web app's), and makes
    the PNG outside it."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        if not 1 <= page <= len(document):
            raise IndexError(f"หนังสือมี {len(document)} หน้า ไม่มีหน้า {page}")
        return document[page - 1].render(scale=dpi / 72).to_pil()
    finally:
        document.close()


def png(image, *, quick: bool = False) -> bytes:
    """``image`` as PNG. ``quick``: compressed at zlib's fastest level, for a page shown once
    on screen (the web preview): a page at 90 dpi then takes about 40 ms to compress
    instead of 65 to 90, for a file about a quarter larger."""
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1 if quick else 6)
    return out.getvalue()
