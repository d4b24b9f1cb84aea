"""Laid-out rows cut out of a WeasyPrint document and placed on a letter's pages (pikepdf).

The batch document lays out the rows (pdf/rows.py) one under another on tall pages
(templates/letter.css, ``@page row``), each in a ``div.row`` that is its own stacking
context, so WeasyPrint paints each row as one ``q ... Q`` group of the page's content. A
row becomes a form XObject holding the page's outer graphics state and that group only: its
text, and nothing of the rows around it (so text copied out of the PDF is each row's once).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Sequence

from .paginate import LEFT, PAGE_HEIGHT, PAGE_WIDTH, Box
from .weasy import laid_out_rows, row_groups


@dataclass(frozen=True)
class Where:
    """A laid-out row: its page in the batch document, where its border box starts on that
    page (points from the top), and its size."""

    page: int
    offset: float
    box: Box
    paints: bool = True  # False: the row only takes space (WeasyPrint paints no group for it)


def row_geometry(document, count: int) -> list[Where]:
    """Where each of the first ``count`` rows is (weasy.laid_out_rows)."""
    found = {n: Where(page, top, Box(height, margin_top, margin_bottom), paints)
             for n, page, top, height, margin_top, margin_bottom, paints in laid_out_rows(document)}
    assert sorted(found) == list(range(count)), "every row is laid out whole on one page"
    return [found[i] for i in range(count)]


class RowSheet:
    """Rows laid out together in one WeasyPrint document: their sizes, and once the document
    is written (``attach``), each row as a form XObject, made on first use; and the table
    cells' texts laid out in it after the rows (``texts``, a cells.CellTexts), if any."""

    def __init__(self, document, rows: Sequence[str], texts=None):
        self.document = document
        self.index = {html: i for i, html in enumerate(rows)}
        self.where = row_geometry(document, len(rows))
        self.texts = texts
        self.pdf = None
        self.forms: dict[int, object] = {}

    def __contains__(self, row) -> bool:
        return row in self.index or (self.texts is not None and row in self.texts)

    def box(self, html: str) -> Box:
        return self.where[self.index[html]].box

    def attach(self, pdf) -> None:
        """The written document (a pikepdf.Pdf), to cut the rows from."""
        self.pdf = pdf
        self.document = None  # the layout is no longer needed
        self.heights = {w.page: float(pdf.pages[w.page].mediabox[3]) for w in self.where}
        if self.texts is not None:
            self.texts.attach(pdf)

    def form(self, html: str):
        """The row's form XObject, or None for a row that paints nothing."""
        row = self.index[html]
        if row not in self.forms:
            page = self.where[row].page
            rows = [i for i, w in enumerate(self.where) if w.page == page]
            painted = [i for i in rows if self.where[i].paints]
            self.forms.update((i, None) for i in rows)
            groups = row_groups(self.pdf.pages[page], len(painted)) if painted else []
            for i, content in zip(painted, groups):
                self.forms[i] = self._make(page, content)
        return self.forms[row]

    def _make(self, page: int, content: bytes):
        import pikepdf

        source = self.pdf.pages[page]
        form = pikepdf.Stream(self.pdf, zlib.compress(content))
        form.Filter = pikepdf.Name.FlateDecode
        form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        # The whole width of the letter's page, not only the text column the row was laid
        # out in: what a row paints past the column's edges (a table's right-hand rule,
        # which a collapsed border puts half a rule past the table's width; the left of a
        # glyph such as ไ) shows in the margin, as in WeasyPrint's layout of the letter.
        form.BBox = pikepdf.Array([round(-LEFT, 4), 0, round(PAGE_WIDTH - LEFT, 4), source.mediabox[3]])
        form.Resources = source.Resources
        return self.pdf.make_indirect(form)

    def origin(self, html: str, top: float) -> float:
        """Where the row's page goes (its foot, PDF coordinates) for the row's border box to
        start ``top`` points below the top of an A4 page."""
        where = self.where[self.index[html]]
        return PAGE_HEIGHT - (top - where.offset) - self.heights[where.page]

    def draw(self, page: "PageBuilder", html: str, top: float, text: bool = True) -> None:
        """The row on ``page``, its border box ``top`` points below the page's top (a row
        that holds no ``text``: a table row's frame, pdf/cells.py)."""
        form = self.form(html)
        if form is not None:
            page.form(form, LEFT, self.origin(html, top), text)


class RowLibrary:
    """Row sheets laid out by earlier calls of the writer, kept for later ones
    (pdf.writer.write_pdfs_with_pages): the web preview, which lays out one letter after
    each edit, then lays out only the rows the edit changed, and another recipient's letter
    only the rows that differ. At most ``keep`` sheets are kept: those used least recently
    go first, at the start of a call (``trim``), never during one."""

    def __init__(self, keep: int = 8):
        self.keep = keep
        self.sheets: list[RowSheet] = []  # the least recently used first

    def find(self, html: str) -> RowSheet | None:
        for sheet in reversed(self.sheets):
            if html in sheet:
                if sheet is not self.sheets[-1]:
                    self.sheets.remove(sheet)
                    self.sheets.append(sheet)
                return sheet
        return None

    def add(self, sheet: RowSheet) -> None:
        self.sheets.append(sheet)

    def newest(self) -> RowSheet:
        return self.sheets[-1]

    def trim(self) -> None:
        while len(self.sheets) > self.keep:
            self.sheets.pop(0).pdf.close()

    def __len__(self) -> int:
        return len(self.sheets)


class PageBuilder:
    """A page of a letter being put together, in reading order: forms placed one by one,
    and pieces of text cut out of one written document (cells.CellTexts) that come one
    after another (frames between them, which hold no text, aside) gathered into one form,
    drawn where the first of them comes."""

    def __init__(self, out):
        self.out = out
        self.row = 0  # the number of the row being placed: its form is /R<row>
        self.xobjects = {}  # name -> the form, copied into ``out``
        self.content: list = []  # bytes, or (source, pieces) gathered into one form
        self.gathering = None  # the (source, pieces) the next pieces may join

    def form(self, form, x: float, y: float, text: bool = True) -> None:
        """The current row's form XObject (of another PDF), its page's foot at (x, y); one
        that holds ``text`` ends the gathering of pieces (the text stays in reading order)."""
        name = f"/R{self.row}"
        self.xobjects[name] = self.out.copy_foreign(form)
        self.content.append(f"q 1 0 0 1 {x:.4f} {y:.4f} cm {name} Do Q".encode("ascii"))
        if text:
            self.gathering = None

    def text(self, source, pieces) -> None:
        """``pieces`` (content of their own, already in this page's coordinates) cut out of
        ``source`` (a cells.CellTexts: drawn with the resources of its written document,
        which no piece of another document may share: each subsets the fonts its own way)."""
        if self.gathering is None or self.gathering[0] is not source:
            self.gathering = (source, [])
            self.content.append(self.gathering)
        self.gathering[1].extend(pieces)

    def page(self):
        import pikepdf

        content = []
        for item in self.content:
            if isinstance(item, bytes):
                content.append(item)
                continue
            source, pieces = item
            form = pikepdf.Stream(self.out, zlib.compress(b"\n".join(pieces)))
            form.Filter = pikepdf.Name.FlateDecode
            form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
            form.BBox = pikepdf.Array([0, 0, round(PAGE_WIDTH, 4), round(PAGE_HEIGHT, 4)])
            form.Resources = self.out.copy_foreign(source.resources)
            name = f"/T{len(self.xobjects)}"
            self.xobjects[name] = self.out.make_indirect(form)
            content.append(f"{name} Do".encode("ascii"))
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=pikepdf.Array([0, 0, round(PAGE_WIDTH, 4), round(PAGE_HEIGHT, 4)]),
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(self.xobjects)),
            Contents=self.out.make_stream(b"\n".join(content)),
        )
        return pikepdf.Page(page)


def place_rows(out, placed) -> None:
    """A page of ``out`` showing rows: ``placed`` is (sheet, row, where its border box
    starts, in points from the page's top), in reading order; a sheet is anything that can
    ``draw(page, row, top)`` a row on a PageBuilder (a RowSheet, cells.TableRows)."""
    page = PageBuilder(out)
    for k, (sheet, row, top) in enumerate(placed):
        page.row = k
        sheet.draw(page, row, top)
    out.pages.append(page.page())
