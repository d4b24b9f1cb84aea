"""Laid-out rows cut out of a WeasyPrint document and placed on a letter's pages (pikepdf).

The batch document lays out the rows (lettergen/rows.py) one under another on tall pages
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

PX = 0.75  # WeasyPrint's lengths are CSS pixels; a pixel is 3/4 of a point


@dataclass(frozen=True)
class Where:
    """A laid-out row: its page in the batch document, where its border box starts on that
    page (points from the top), and its size."""

    page: int
    offset: float
    box: Box
    paints: bool = True  # False: the row only takes space (WeasyPrint paints no group for it)


def row_geometry(document, count: int) -> list[Where]:
    """Where each of the first ``count`` rows is, from WeasyPrint's box tree
    (html > body > div.row#row-N > the row's element)."""
    found: dict[int, Where] = {}
    for number, page in enumerate(document.pages):
        body = page._page_box.children[0].children[0]
        for row in body.children:
            anchor = row.element.get("id", "") if row.element is not None else ""
            if not anchor.startswith("row-"):
                continue
            element = row.children[0]
            found[int(anchor[4:])] = Where(
                number, (element.position_y + element.margin_top) * PX,
                Box(element.border_height() * PX, element.margin_top * PX, element.margin_bottom * PX),
                _paints(element))
    assert sorted(found) == list(range(count)), "every row is laid out whole on one page"
    return [found[i] for i in range(count)]


def _paints(box) -> bool:
    """Whether WeasyPrint paints anything for ``box``: text, an image, a border or a
    background somewhere inside it."""
    from weasyprint.formatting_structure import boxes

    return _paints_in(box, boxes)


def _paints_in(box, boxes) -> bool:
    if isinstance(box, boxes.TextBox):
        return bool(box.text.strip())
    if isinstance(box, boxes.ReplacedBox):
        return True
    style = box.style
    if any(style[f"border_{side}_width"] and style[f"border_{side}_style"] != "none"
           for side in ("top", "right", "bottom", "left")):
        return True
    if style["background_color"].alpha > 0 or any(image[0] != "none" for image in style["background_image"]):
        return True
    return any(_paints_in(child, boxes) for child in getattr(box, "children", ()))


class RowSheet:
    """Rows laid out together in one WeasyPrint document: their sizes, and once the document
    is written (``attach``), each row as a form XObject, made on first use."""

    def __init__(self, document, rows: Sequence[str]):
        self.document = document
        self.index = {html: i for i, html in enumerate(rows)}
        self.where = row_geometry(document, len(rows))
        self.pdf = None
        self.forms: dict[int, object] = {}

    def __contains__(self, html: str) -> bool:
        return html in self.index

    def box(self, html: str) -> Box:
        return self.where[self.index[html]].box

    def attach(self, pdf) -> None:
        """The written document (a pikepdf.Pdf), to cut the rows from."""
        self.pdf = pdf
        self.document = None  # the layout is no longer needed
        self.heights = {w.page: float(pdf.pages[w.page].mediabox[3]) for w in self.where}

    def form(self, html: str):
        """The row's form XObject, or None for a row that paints nothing."""
        row = self.index[html]
        if row not in self.forms:
            page = self.where[row].page
            rows = [i for i, w in enumerate(self.where) if w.page == page]
            painted = [i for i in rows if self.where[i].paints]
            self.forms.update((i, None) for i in rows)
            for i, content in zip(painted, _cut(self.pdf.pages[page], len(painted))):
                self.forms[i] = self._make(page, content)
        return self.forms[row]

    def _make(self, page: int, content: bytes):
        import pikepdf

        source = self.pdf.pages[page]
        form = pikepdf.Stream(self.pdf, zlib.compress(content))
        form.Filter = pikepdf.Name.FlateDecode
        form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        form.BBox = source.mediabox
        form.Resources = source.Resources
        return self.pdf.make_indirect(form)

    def origin(self, html: str, top: float) -> float:
        """Where the row's page goes (its foot, PDF coordinates) for the row's border box to
        start ``top`` points below the top of an A4 page."""
        where = self.where[self.index[html]]
        return PAGE_HEIGHT - (top - where.offset) - self.heights[where.page]


def place_rows(out, placed) -> None:
    """A page of ``out`` showing rows: ``placed`` is (sheet, row, where its border box
    starts, in points from the page's top), in reading order."""
    import pikepdf

    xobjects = pikepdf.Dictionary()
    content = []
    for k, (sheet, row, top) in enumerate(placed):
        form = sheet.form(row)
        if form is None:
            continue
        name = f"/R{k}"
        xobjects[name] = out.copy_foreign(form)
        content.append(f"q 1 0 0 1 {LEFT:.4f} {sheet.origin(row, top):.4f} cm {name} Do Q")
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=pikepdf.Array([0, 0, round(PAGE_WIDTH, 4), round(PAGE_HEIGHT, 4)]),
        Resources=pikepdf.Dictionary(XObject=xobjects),
        Contents=out.make_stream("\n".join(content).encode("ascii")),
    )
    out.pages.append(pikepdf.Page(page))


def _cut(page, count: int) -> list[bytes]:
    """The content of ``page`` once per row painted on it: the ops outside every row's group
    (the page's transforms and the groups around the rows), the row's own group, and the
    ``Q``s that close what is open. The rows' groups are the first depth of nesting with
    more than one group; on a page with one row, that row is the whole page."""
    import pikepdf

    ops = pikepdf.parse_content_stream(page)
    if count == 1:
        return [pikepdf.unparse_content_stream(ops)]
    push, pop = pikepdf.Operator("q"), pikepdf.Operator("Q")
    depth, groups_at = 0, {}
    for _, operator in ops:
        if operator == push:
            groups_at[depth] = groups_at.get(depth, 0) + 1
            depth += 1
        elif operator == pop:
            depth -= 1
    level = min(d for d, n in groups_at.items() if n > 1)
    assert groups_at[level] == count, f"{count} rows painted as {groups_at[level]} groups"
    frame, rows, depth = [], [], 0  # frame: the ops outside the rows' groups so far
    for op in ops:
        operator = op[1]
        if operator == push and depth == level:
            rows.append((list(frame), []))  # a row's group begins: what is open around it
        inside = depth > level or (operator == push and depth == level)
        depth += (operator == push) - (operator == pop)
        (rows[-1][1] if inside else frame).append(op)
    close = [([], pop)] * level
    return [pikepdf.unparse_content_stream(around + group + close) for around, group in rows]
