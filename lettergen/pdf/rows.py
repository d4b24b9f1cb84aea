"""A letter's own pages as rows: the blocks, top to bottom, that its pages are made of.

A row is one block that never breaks across pages: the band (the Garuda, a memo's title), a
head line (ที่, เรียน, อ้างถึง...), one line of a body paragraph, the signature, the owner's
footer, each as the letter's kind describes it (kinds.py); in an
attachment made for one letter (the credentials), its title, its table's head and each
table row. Each row is
HTML from templates/parts.html.j2. The PDF writer lays out every distinct row once and
places the rows on the pages (pdf/paginate.py); the whole-letter document
(templates/letter.html.j2) is the same rows in one flow, which WeasyPrint paginates by
itself with the same rules (the ``keep`` class: no page break before this row).

A table row whose cells each hold one paragraph of plain text (the credentials), and a head
line of one part, also say what they hold (``TableRow``): the writer lays out each distinct
text once and places it into the row's frame, the row with its texts left out, laid out once
per number of lines (pdf/cells.py); their HTML is the reference that way of setting them is
tested against.

The rules that keep rows together, as in a typed letter:
- a paragraph never leaves a single line at the foot or the head of a page (its second
  line and its last line keep with the line before);
- the signature keeps with the last line of the text before it, so it never stands alone
  on a page.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from markupsafe import Markup, escape

from .justify import paragraph_lines
from ..kinds import head_lines, kind_of, signature_lines
from ..links import breakable, with_breaks
from ..model import Letter, Paragraph, Section, Table
from ..thai import arabic_digit_to_thai_digit


HEAD = "head-line"  # the name of a head line's frame


@dataclass(frozen=True)
class Frame:
    """A row with its texts left out: a table row (the table's name, its column widths and
    each cell's class, its paragraph's style), or a head line of one part (named HEAD: the
    space above it and where it starts; its text is set as a head line, style "head")."""

    name: str
    widths: tuple[float, ...] = ()
    styles: tuple[str, ...] = ("head",)
    before: float = 0.0
    start_cm: float = 0.0


@dataclass(frozen=True)
class CellText:
    """The text of one holder of a ``Frame`` (a cell, a head line), as it sets it: ``html`` is
    the text escaped, its white space collapsed as CSS collapses it, with a link's break
    marks (a head line's label in its span); ``literal`` (usernames, passwords, links) may
    break anywhere."""

    frame: Frame
    column: int
    literal: bool
    html: Markup

    @property
    def style(self) -> str:
        return self.frame.styles[self.column]

    @cached_property
    def said(self) -> str:
        """What it says, as its lines' actual texts add up to it: no markup, no break marks,
        its white space as CSS collapses it (a no-break space or an em space is a character
        of the text, as WeasyPrint draws it, not white space to collapse)."""
        text = _COLLAPSED.sub(" ", _TAG.sub("", str(self.html))).strip(" ")
        return Markup(text).unescape().replace(ZERO_WIDTH, "")


@dataclass(frozen=True)
class TableRow:
    """What a table row's cells hold, each a ``CellText`` (None: an empty cell)."""

    frame: Frame
    cells: tuple[CellText | None, ...]


@dataclass(frozen=True)
class Row:
    html: Markup | None  # None: a table row set as texts by the PDF writer (section_rows)
    keep_with_previous: bool = False  # no page break between this row and the one before
    repeat: bool = False  # a table's head: shown again at the top of each following page
    cells: TableRow | None = None  # a table row set as texts in a frame (pdf/cells.py)


def letter_rows(letter: Letter, parts, placed: bool = False) -> list[Row]:
    """The rows of ``letter``'s own pages (not its attachments), top to bottom. ``parts`` is
    the macro module of templates/parts.html.j2. ``placed``: for the PDF writer, which sets
    a head line of one part as its text in its frame (its HTML left out: None)."""
    kind = kind_of(letter)
    rows = [Row(parts.band(letter, kind.band))]
    for line, cells, first in head_lines(letter):
        before = line.before_pt if first else 0
        texts = head_row(cells, before, parts)
        html = None if placed and texts is not None else parts.head_line(cells, before)
        rows.append(Row(html, cells=texts))
    for paragraph in letter.body:
        lines = paragraph_lines(paragraph.runs)
        for i, line in enumerate(lines):
            keep = i == 1 or (i > 0 and i == len(lines) - 1)
            classes = ("body" if i == 0 else "body cont") + (" keep" if keep else "")
            rows.append(Row(parts.body_line(line, classes), keep))
    rows.append(Row(parts.signature(kind.signature, signature_lines(letter), True),
                    keep_with_previous=True))
    if kind.owner_footer:
        rows.append(Row(parts.owner(letter)))
    return rows


def section_rows(section: Section, parts, placed: bool = False) -> list[Row]:
    """The rows of an attachment set for one letter (the credentials): its title, then for
    each table its head (kept with the title and the first row, and repeated at the top of
    every following page) and its rows. ``placed``: for the PDF writer, which sets a table
    row of plain cells as texts in its frame (its HTML left out: None)."""
    rows = [Row(parts.section_title(section))]
    for table in section.blocks:
        rows.append(Row(parts.table_head(table), keep_with_previous=True, repeat=True))
        for i, cells in enumerate(table.rows):
            texts = table_row(table, cells)
            html = None if placed and texts is not None else parts.table_row(table, cells)
            rows.append(Row(html, keep_with_previous=i == 0, cells=texts))
    return rows


_COLLAPSED = re.compile(r"[ \t\n\r\f]+")  # the white space CSS collapses to one space
_TAG = re.compile(r"<[^>]*>")  # a holder's markup: a head line's label in its span
ZERO_WIDTH = "\u200b"  # a link's break mark (links.py), the one format character allowed
_UNSAFE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # controls, format and unassigned characters


def head_row(cells, before: float, parts) -> TableRow | None:
    """A head line of one part (no dotted line) as its text, of printable characters only;
    otherwise None, and the line is laid out whole."""
    if len(cells) != 1 or cells[0].part.dotted:
        return None
    frame = Frame(HEAD, before=float(before), start_cm=float(cells[0].start_cm))
    html = Markup(_COLLAPSED.sub(" ", str(parts.cell_text(cells[0]))).strip(" "))
    if not _printable(html.striptags()):
        return None
    return TableRow(frame, (CellText(frame, 0, False, html) if html else None,))


def _printable(text: str) -> bool:
    return not any(unicodedata.category(c) in _UNSAFE and c != ZERO_WIDTH for c in text)


def table_row(table: Table, cells) -> TableRow | None:
    """The row's cells as texts, when each cell is one paragraph ("center" or "plain") of
    plain runs (not bold, not underlined), all literal or none, of printable characters
    only; otherwise None, and the row is laid out whole."""
    if not all(len(cell) == 1 and isinstance(cell[0], Paragraph) for cell in cells):
        return None
    paragraphs = [cell[0] for cell in cells]
    if any(p.style not in ("center", "plain") for p in paragraphs):
        return None
    frame = Frame(table.name, tuple(table.widths), tuple(p.style for p in paragraphs))
    texts = []
    for column, paragraph in enumerate(paragraphs):
        runs = paragraph.runs
        if any(run.bold or run.underline for run in runs) or len({run.literal for run in runs}) > 1:
            return None
        literal = bool(runs) and runs[0].literal
        # each run as the template's runs() sets it: a link's break marks, then a mark every
        # so many characters of a long run with nowhere to break (links.breakable)
        text = _COLLAPSED.sub(" ", "".join(breakable(with_breaks(r.text) if r.literal else r.text)
                                           for r in runs)).strip(" ")
        if not _printable(text):
            return None
        texts.append(CellText(frame, column, literal, Markup(escape(text))) if text else None)
    return TableRow(frame, tuple(texts))


def page_number_row(page: int, parts) -> Row:
    """The number at the top of a continuation page: "- ๒ -"."""
    return Row(parts.page_number(f"- {arabic_digit_to_thai_digit(str(page))} -"))
