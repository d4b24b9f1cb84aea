"""Table rows set as texts placed into frames: a credentials list without a table laid out
for each of its rows.

WeasyPrint lays out a table row (each is a table of its own, pdf/rows.py) in about 4 ms, most
of it the table's boxes rather than its text, and a district letter's list of 55 LAOs was laid
out afresh for every district letter and every preview of one. So a table row whose cells
each hold one paragraph of plain text (rows.TableRow) is set in two parts:
- its frame: the row's table with every cell empty but for ``n`` lines of nothing, which has
  the row's rules and height; laid out once per process for each number of lines ``n``
  (pdf/writer.py, ``_frame``), with each cell's content box measured (``FrameSheet``);
- its cells' texts: every distinct text of a batch laid out once, in the batch's own
  document after its rows, one block per kind of cell (its width, to the CSS pixel as the
  frame laid it out, its alignment, literal or not), each text starting a line of its own
  (``blocks``; templates/parts.html.j2, ``cell_texts``): a dozen boxes for a column of texts
  rather than a table for each row. Each text's lines are found in the laid-out block
  (``CellTexts``), cut out of the written page (pdf/weasy.py, ``text_pieces``) and placed
  where its cell's lines go, each line in its /ActualText span as every other line is
  (pdf/actualtext.py, ``wrap_line``).
A text of one script (Thai, or Latin: a username, a password) is not laid out at all
(``set_apart``): it is broken into lines where WeasyPrint breaks it (the same function of
WeasyPrint's line layout, pdf/weasy_shape.py ``Shaper.first_line``; one line when it fits), and
each line is shaped and drawn from its glyphs where a line of one text of its block and
font, laid out by WeasyPrint, stands (``ShapedLine``): the lines of a block all have one
height, and start at its left (centred ones are moved by half the difference of their
widths). That one text, one of one line and one of several in each block, is also broken
and drawn the same way, and the document is refused (``CellTexts.drawn_alike``) unless
WeasyPrint broke it into the same lines, drew their glyphs the same, and its font holds
every glyph drawn so; the writer then lays out every text (pdf/writer.py). Half of a
district letter's PDF time was its cell texts' layout, and the two-line names of its
องค์การบริหารส่วนตำบล were most of what was left of it. A head line of one part (its label
in the line's own face, then its text: "ที่ ชร ๐๐๒๓.๑/...", set as a text in a frame too) is
shaped as the two text boxes WeasyPrint draws it in, when it takes one line; its like has
the same label. The number's and the addressee's lines of a letter to each LAO had been a
tenth of its PDF time.
A row is as tall as its tallest cell's text: the frame of that many lines. The glyphs land
where the table laid out whole puts them: tests/test_paginate.py compares the placed rows
with WeasyPrint's layout of the whole letter, glyph by glyph, and the rules too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Sequence

from markupsafe import Markup

from .actualtext import PLACED_TEXTS, ZERO_WIDTH, split_lines, wrap_line
from .paginate import LEFT, PAGE_HEIGHT, Box
from .placement import PageBuilder, RowSheet
from .rows import CellText, Row
from . import weasy, weasy_shape


@dataclass(frozen=True)
class FrameSheet:
    """A frame laid out: the sheet holding its one row (``html``), and each cell's content
    box: (left, top below the row's border box, in points; width in CSS pixels)."""

    sheet: RowSheet
    html: str
    cells: tuple[tuple[float, float, float], ...]

    @property
    def box(self) -> Box:
        return self.sheet.box(self.html)


@dataclass(frozen=True)
class CutLine:
    """One laid-out line of a cell's text: its page in the document, the top of its line box
    (points from the page's top) and its height, the left of its block's content box, the
    places of its text boxes (weasy.key) and its actual text."""

    page: int
    top: float
    height: float
    left: float
    keys: tuple
    text: str


@dataclass(frozen=True)
class ShapedLine:
    """A line of a cell text drawn from its glyphs where the line ``like`` stands (a line in
    the same font of a text of its block laid out by WeasyPrint, of the same label), ``shift``
    CSS pixels to the right of it: per text box of the line, its glyphs' operators
    (weasy_shape.draw), drawn where the like's box of that place is; ``text`` is its actual
    text."""

    like: CutLine
    shift: float
    ops: tuple[tuple[bytes, ...], ...]
    text: str

    page = property(lambda self: self.like.page)
    top = property(lambda self: self.like.top)
    height = property(lambda self: self.like.height)
    left = property(lambda self: self.like.left)
    keys = property(lambda self: self.like.keys)


FIT = 0.01  # CSS pixels: a text shaped this close to its cell's width is laid out instead
_LABELLED = re.compile(r'<span class="label">([^<>]+)</span>([^<>]*)')  # a head line's, in its face


def set_apart(laid_out: Sequence[tuple[tuple, list]], shaper: Callable) -> tuple[list, dict]:
    """The ``blocks`` with the texts that need no layout taken out: those that
    ``shaper(style, literal)`` (a weasy_shape.Shaper, or None) shapes line by line, as one
    line narrower than their block, or, wider, broken where WeasyPrint breaks them
    (``_shaped_lines``) into lines each narrower than it; but for the first text with a line
    in each face, of one line and of several, laid out by WeasyPrint as the others' ``like``
    for the lines of that face (so that ``CellTexts.drawn_alike`` checks the breaking too).
    A head line's text with its label in the text's own face (a label of its own size or
    weight is laid out) is taken when it fits one line: WeasyPrint draws the label and the
    text after it as two text boxes, each shaped and drawn here as one; its like has the
    same label, so that the text after it starts where the like's does.
    Returns (the blocks left, {text: ((its like, the like's line, the line's text boxes,
    each a weasy_shape.Shaped) for each of its lines)}), the likes among those texts too
    (each its own like)."""
    left, shaped = [], {}
    for (width, style, literal), texts in laid_out:
        shapes = shaper(style, literal)
        kept, likes = [], {}
        for text in texts:
            lines = _shaped_lines(shapes, text, width) if shapes is not None else None
            if lines is None:
                kept.append(text)
                continue
            label = _box_texts(text)[0] if len(lines[0]) > 1 else None
            kinds = [(tuple(box.face for box in line), label, len(lines) > 1) for line in lines]
            if any(kind not in likes for kind in kinds):
                for number, kind in enumerate(kinds):
                    likes.setdefault(kind, (text, number))
                kept.append(text)
                shaped[text] = tuple((text, number, line) for number, line in enumerate(lines))
            else:
                shaped[text] = tuple((*likes[kind], line) for kind, line in zip(kinds, lines))
        left.append(((width, style, literal), kept))
    return left, shaped


def _shaped_lines(shapes, text: CellText, width: float) -> tuple | None:
    """The text shaped line by line, each line a tuple of its text boxes shaped
    (weasy_shape.Shaped; one but for a labelled head line: ``_box_texts``) and narrower than
    ``width`` by ``FIT``: the whole text when it is so narrow, or else its first line as
    WeasyPrint breaks it (``Shaper.first_line``), then the same for what is left. None if a
    line cannot be shaped so, or a text is so close to the width that it may or may not take
    one line, or a labelled one takes more than one, or it has break marks (a link's, a long
    run's: WeasyPrint breaks there, and draws each as an empty glyph of its own)."""
    boxes = _box_texts(text)
    if boxes is None or ZERO_WIDTH in text.html:
        return None  # WeasyPrint draws a break mark as a glyph of its own: laid out
    if "<" in text.html:  # a labelled head line: one line, or laid out
        shaped = tuple(shapes.shape(box) for box in boxes)
        if None in shaped or sum(box.width for box in shaped) > width - FIT:
            return None
        return (shaped,) if split_lines(source(text), ["".join(boxes)]) else None
    lines, rest = [], source(text)
    for _ in range(len(rest)):
        shaped = shapes.shape(rest)
        if shaped is None or width - FIT < shaped.width <= width + FIT:
            return None
        if shaped.width <= width:
            lines.append((shaped,))
            return tuple(lines) if split_lines(source(text), [line[0].text for line in lines]) else None
        first, rest = shapes.first_line(rest, width)
        shaped = shapes.shape(first)
        if rest is None or not first or " " in (first[0], rest[:1]) or shaped is None \
                or shaped.width > width - FIT:
            return None  # Pango found otherwise, or a space at a line's start
        lines.append((shaped,))
    return None


def _box_texts(text: CellText) -> tuple[str, ...] | None:
    """The texts of the text boxes WeasyPrint makes of a holder's text on a line: a cell's
    text, one; a head line's label (in a span of no style of its own: in the text's face)
    and what follows it, two (one for a label alone); None for any other markup."""
    html = str(text.html)
    if "<" not in html:
        return (source(text),)
    found = _LABELLED.fullmatch(html)
    if found is None:
        return None
    label, after = (Markup(part).unescape() for part in found.groups())
    return (label, after) if after else (label,)


def blocks(texts: Sequence[CellText], width: Callable[[CellText], float]) -> list[tuple[tuple, list]]:
    """``texts`` (distinct) in blocks of the cells that set them alike: (the block's width in
    CSS pixels, style, literal), with its texts in order. ``width(text)``: its cell's."""
    found: dict[tuple, list] = {}
    for text in texts:
        found.setdefault((width(text), text.style, text.literal), []).append(text)
    return list(found.items())


def source(text: CellText) -> str:
    """What a holder's text says, as its lines' actual texts add up to it (no markup, no
    break marks): found once per text."""
    return text.said


class CellTexts:
    """The cell texts laid out in a document, in ``blocks`` (as ``blocks`` made them): each
    text's lines, and, once the document is written (``attach``), each line as a piece of
    content of its own."""

    def __init__(self, document, laid_out: Sequence[tuple[tuple, list]], shaped: dict | None = None):
        found = weasy.block_lines(document, PLACED_TEXTS)
        assert len(found) == len(laid_out), "every block of cell texts is laid out"
        self.lines: dict[CellText, tuple] = {}
        for (_, texts), lines in zip(laid_out, found):
            self._share_out(texts, lines)
        self.shaped = shaped or {}  # text -> ((its like, the like's line, its boxes), ...): set_apart's
        # a like broken otherwise than set_apart found: nothing drawn from it (drawn_alike)
        self.broken_alike = all(len(self.lines[text]) == len(lines)
                                for text, lines in self.shaped.items() if lines[0][0] is text)
        for text, lines in self.shaped.items() if self.broken_alike else ():
            if lines[0][0] is text:
                continue  # a like: laid out
            actual = split_lines(source(text), ["".join(box.text for box in boxes) for _, _, boxes in lines])
            self.lines[text] = tuple(
                ShapedLine(self.lines[like][number], self._shift(text, like, number, boxes),
                           tuple(tuple(weasy_shape.draw(box)) for box in boxes), said)
                for (like, number, boxes), said in zip(lines, actual))
        self.pdf = None
        self.pieces: dict[int, dict] = {}  # page -> its lines' pieces, cut on first use
        self.states: dict[tuple, tuple] = {}  # a like's line and box -> how it was drawn (_like_state)
        self.heights: dict[int, float] = {}  # page -> its height (page_height), read once

    def _share_out(self, texts: list[CellText], lines: list) -> None:
        """Each text takes the lines that add up to it: every text starts a line."""
        drawn = ["".join(text for text, _, _ in line[4]).replace(ZERO_WIDTH, "") for line in lines]
        k = 0
        for text in texts:
            said = source(text)
            for m in range(1, len(lines) - k + 1):
                split = split_lines(said, drawn[k:k + m])
                if split is not None:
                    break
            else:
                raise ValueError(f"the lines of a cell's text do not add up to it: {said!r}")
            self.lines[text] = tuple(
                CutLine(page, top, height, left, tuple(weasy.key(x, y) for _, x, y in boxes), actual)
                for (page, top, height, left, boxes), actual in zip(lines[k:k + m], split))
            k += m
        assert k == len(lines), "every line of a block belongs to one of its texts"

    def _shift(self, text: CellText, like: CellText, number: int, boxes) -> float:
        """How far right of its like's line a shaped line goes: a centred one by half the
        difference of their widths."""
        if text.style != "center":
            return 0
        return (sum(box.width for box in self.shaped[like][number][2]) - sum(box.width for box in boxes)) / 2

    def __contains__(self, text) -> bool:
        return text in self.lines

    def attach(self, pdf) -> None:
        self.pdf = pdf
        self.resources = pdf.pages[0].Resources  # one dictionary for every page of a document

    @cached_property
    def glyphs(self) -> dict[str, dict[int, tuple[str, int]]]:
        """The glyphs the shaped texts draw, per font resource: what the written document's
        fonts must hold besides WeasyPrint's own (weasy_subset.extra_glyphs); found once,
        for the writing and for ``drawn_alike``."""
        found: dict[str, dict] = {}
        for lines in self.shaped.values():
            for _, _, boxes in lines:
                for shape in boxes:
                    found.setdefault(shape.face.name, {}).update(weasy_shape.glyphs_of(shape))
        return found

    def drawn_alike(self) -> bool:
        """Whether WeasyPrint broke each ``like`` into the lines ``set_apart`` found and drew
        each as weasy_shape draws it (the same glyph operators, line for line), and the
        written fonts hold every glyph drawn so."""
        if not self.broken_alike:
            return False
        for text, lines in self.shaped.items():
            if lines[0][0] is not text:
                continue
            for line, (_, _, boxes) in zip(self.lines[text], lines):
                if len(line.keys) != len(boxes):
                    return False
                drawn = [op for op in self.piece(line).split(b"\n")
                         if op.endswith((b" TJ", b" Ts"))]
                ours = b"\n".join(wrap_line([op for box in boxes
                                             for op in (b"BT", *weasy_shape.draw(box), b"ET")], line.text))
                if drawn != [op for op in ours.split(b"\n") if op.endswith((b" TJ", b" Ts"))]:
                    return False
        held = weasy.font_glyphs(self.resources)
        return all(set(glyphs) <= held.get(name, set()) for name, glyphs in self.glyphs.items())

    def piece(self, line) -> bytes:
        """The line as content of its own, in its page's coordinates, in its span."""
        if isinstance(line, ShapedLine):
            return self._shaped_piece(line)
        if line.page not in self.pieces:
            wanted = {key for lines in self.lines.values() for each in lines if each.page == line.page
                      for key in each.keys}
            content = self.pdf.pages[line.page].Contents.read_bytes()
            self.pieces[line.page] = weasy.text_pieces(content, wanted)
        cut = [self.pieces[line.page][key] for key in line.keys]
        state, ends = cut[0][0], cut[0][2]
        assert all(c[0] == state for c in cut), "a line's text boxes are drawn in one state"
        text = wrap_line([op for c in cut for op in c[1]], line.text)
        return b"\n".join([*state, *text, *ends])

    def _shaped_piece(self, line: ShapedLine) -> bytes:
        """A shaped line as content of its own: in its like's graphics state, each text box
        in the font of the like's box of its place, its text matrix moved by its shift."""
        ops = []
        for box, box_ops in enumerate(line.ops):
            state, font, x, y, ends = self._like_state(line.like, box)
            ops += [b"BT", weasy_shape.tm(x + line.shift, y), *font, *box_ops, b"ET"]
        state, *_, ends = self._like_state(line.like, 0)
        return b"\n".join([*state, *wrap_line(ops, line.text), *ends])

    def _like_state(self, like: CutLine, box: int) -> tuple:
        """(graphics state, font operator, x, y of the text matrix, closing operators) of a
        text box of a like's line as WeasyPrint drew it: found once for all the lines drawn
        in its place."""
        found = self.states.get((like, box))
        if found is None:
            self.piece(like)  # its page cut
            state, ops, ends = self.pieces[like.page][like.keys[box]]
            font = [op for op in ops if op.endswith(b" Tf")][-1:]
            x, y = (float(v) for v in next(op for op in ops if op.endswith(b" Tm")).split()[4:6])
            found = self.states[like, box] = (state, font, x, y, ends)
        return found

    def page_height(self, page: int) -> float:
        """The page's height, read from the written document once per page (every line drawn
        asks for its page's: some 2,000 a district chunk)."""
        height = self.heights.get(page)
        if height is None:
            height = self.heights[page] = float(self.pdf.pages[page].mediabox[3])
        return height


class TableRows:
    """The table rows of a batch set as texts in frames: ``find(text)`` is the sheet (a
    RowSheet with CellTexts) that laid out a cell's text, ``frame(frame, lines)`` the frame
    of that many lines (a ``FrameSheet``)."""

    def __init__(self, find: Callable[[CellText], RowSheet], frame: Callable):
        self.find, self.frame = find, frame

    def _frame(self, row: Row) -> FrameSheet:
        lines = max((len(self.find(text).texts.lines[text]) for text in row.cells.cells if text),
                    default=1)
        return self.frame(row.cells.frame, lines)

    def box(self, row: Row) -> Box:
        return self._frame(row).box

    def draw(self, page: PageBuilder, row: Row, top: float) -> None:
        """The row's frame, then each cell's lines where the cell sets them: from the top of
        its content box down, the left of each line's block at the left of the cell's."""
        frame = self._frame(row)
        frame.sheet.draw(page, frame.html, top, text=False)
        for text, (left, cell_top, _) in zip(row.cells.cells, frame.cells):
            if text is None:
                continue
            texts = self.find(text).texts
            pieces, below = [], top + cell_top
            for line in texts.lines[text]:
                dx = LEFT + left - line.left
                dy = PAGE_HEIGHT - below + line.top - texts.page_height(line.page)
                pieces.append(b"q 1 0 0 1 %.4f %.4f cm\n%s\nQ" % (dx, dy, texts.piece(line)))
                below += line.height
            page.text(texts, pieces)
