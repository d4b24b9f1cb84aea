"""A page of a PDF as PNG, for a quick look (pdfium, no external programs)."""

from __future__ import annotations

import io


def pdf_page_png(pdf: bytes, page: int = 1, dpi: int = 100) -> bytes:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        if not 1 <= page <= len(document):
            raise IndexError(f"หนังสือมี {len(document)} หน้า ไม่มีหน้า {page}")
        bitmap = document[page - 1].render(scale=dpi / 72)
        out = io.BytesIO()
        bitmap.to_pil().save(out, format="PNG")
        return out.getvalue()
    finally:
        document.close()
