"""The one render core: letters (the document model) -> the bytes of each in each format.

``render_letters()`` is called by everything that writes letters: ``render()`` (the
library's entry point), the batch engine's workers (batch.render_chunk), preview, and any
new caller (a web preview is another caller, not a second pipeline). It hands the letters
to the PDF writer (pdf/writer.py, all the letters laid out together) and the DOCX writer
(docx/writer.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from .compose import compose_all
from .model import Letter
from .sheets.recipients import Book
from .spec import Spec
from .stack import roomy

FORMATS = ("pdf", "docx")
DELIVERY = "delivery.pdf"  # the --encrypt copy of a letter, written as NAME.delivery.pdf


@dataclass(frozen=True)
class Rendered:
    letter: Letter
    files: Mapping[str, bytes]  # format -> bytes
    pages: int  # of the PDF; 0 when no PDF was asked for
    signature: Any = None  # signing.keys.Signature of the PDF, when signed


def render(
    spec: Spec, book: Book, *, formats: Sequence[str] = FORMATS,
    only: Iterable[str] | None = None, signer=None,
) -> list[Rendered]:
    """The library's entry point: compose every letter first (so bad input fails before
    any output), then render them all, in memory (signed by ``signer``, when given)."""
    return render_letters(compose_all(spec, book, only), formats, signer=signer)


def render_letters(letters: Sequence[Letter], formats: Sequence[str] = FORMATS, *,
                   rows=None, signer=None) -> list[Rendered]:
    """The one rendering core, used by render(), the batch engine and preview: ``letters``
    as bytes in each format. The PDFs are laid out together (pdf.writer.write_pdfs_with_pages);
    ``rows``, a pdf.placement.RowLibrary that the caller keeps, lends them the rows laid out
    by earlier calls (the web preview's redraw after an edit). With a ``signer`` (a
    signing.Signer) every PDF is signed, the delivery copy too (encrypted first, then signed
    with its password), the visible signature where the letter's kind signs
    (signing.place.signature_place). (The work runs with room on the frame stack: stack.py.)"""
    return roomy(_render_letters, letters, formats, rows, signer)


def _render_letters(letters, formats, rows, signer) -> list[Rendered]:
    pdfs: list[tuple[bytes, int]] = []  # each PDF with its page count
    layouts: list | None = [] if signer is not None else None
    if "pdf" in formats or DELIVERY in formats:
        from .pdf.writer import write_pdfs_with_pages

        pdfs = write_pdfs_with_pages(letters, rows, own_pages=layouts)
    out = []
    for i, letter in enumerate(letters):
        files, signature = {}, None
        place = None
        if signer is not None and pdfs:
            from .signing.place import signature_place

            place = signature_place(letter, layouts[i])
        for fmt in formats:
            if fmt == "pdf":
                files[fmt] = pdfs[i][0]
                if place is not None:
                    files[fmt], signature = signer.sign(pdfs[i][0], place)
            elif fmt == DELIVERY:
                from .pdf.pdfa import encrypt

                files[fmt] = encrypt(pdfs[i][0], letter.delivery_password)
                if place is not None:
                    files[fmt], signed = signer.sign(files[fmt], place,
                                                     password=letter.delivery_password)
                    signature = signature or signed
            elif fmt == "docx":
                from .docx.writer import write_docx

                files[fmt] = write_docx(letter)
            else:
                raise ValueError(f"unknown format {fmt!r}")
        pages = pdfs[i][1] if pdfs else 0
        out.append(Rendered(letter, files, pages, signature))
    return out


def load(formats: Sequence[str] = FORMATS) -> None:
    """Import and load what laying out any letter needs (WeasyPrint, the stylesheet, the
    fonts, the templates, the word lists), before the batch engine forks the workers that
    lay out, so that every one of them shares it."""
    if "pdf" in formats or DELIVERY in formats:
        from .pdf.writer import load as load_pdf

        load_pdf()


def prepare(letters: Sequence[Letter], formats: Sequence[str] = FORMATS, *,
            attachments=None) -> None:
    """Load and lay out, once, what rendering the PDFs of ``letters`` shares with the letters
    like them (fonts, word lists, the step sheet, the lines every letter has): the batch
    engine does this before it forks its PDF workers, so they share it. (DOCX needs no such
    start: its tasks begin before this, in workers of their own.) ``attachments()``, when
    given, is what ``shared_attachments(letters, formats)`` made in another process
    meanwhile, taken instead of laying them out here."""
    if "pdf" in formats or DELIVERY in formats:
        from .pdf.writer import prepare as prepare_pdf

        roomy(prepare_pdf, letters, attachments)


def shared_attachments(letters: Sequence[Letter], formats: Sequence[str] = FORMATS) -> dict:
    """The attachments every one of ``letters`` shares (the step sheet), laid out and
    written (pdf.writer.shared_attachments): the part of ``prepare`` that the batch engine
    has a worker make while it prepares the rest."""
    if "pdf" in formats or DELIVERY in formats:
        from .pdf.writer import shared_attachments as lay_out

        return roomy(lay_out, letters)
    return {}


def check_writers(formats: Sequence[str]) -> None:
    """Refuse, before any output, a library outside its tested versions (lettergen/versions.py):
    WeasyPrint and python-docx (their adapters check at import), and every library that
    makes part of the bytes of the files asked for, the register's XLSX included."""
    from .versions import MAKES_BYTES, check_installed

    names = list(MAKES_BYTES["register"])
    if "pdf" in formats or DELIVERY in formats:
        from .pdf import weasy  # noqa: F401

        names += MAKES_BYTES["pdf"]
    if "docx" in formats:
        from .docx import python_docx  # noqa: F401

        names += MAKES_BYTES["docx"]
    check_installed(names)
