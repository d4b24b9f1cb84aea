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

The rules that keep rows together, as in a typed letter:
- a paragraph never leaves a single line at the foot or the head of a page (its second
  line and its last line keep with the line before);
- the signature keeps with the last line of the text before it, so it never stands alone
  on a page.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from .justify import paragraph_lines
from ..kinds import head_lines, kind_of, signature_lines
from ..model import Letter, Section
from ..thai import arabic_digit_to_thai_digit


@dataclass(frozen=True)
class Row:
    html: Markup
    keep_with_previous: bool = False  # no page break between this row and the one before
    repeat: bool = False  # a table's head: shown again at the top of each following page


def letter_rows(letter: Letter, parts) -> list[Row]:
    """The rows of ``letter``'s own pages (not its attachments), top to bottom. ``parts`` is
    the macro module of templates/parts.html.j2."""
    kind = kind_of(letter)
    rows = [Row(parts.band(letter, kind.band))]
    for line, cells, first in head_lines(letter):
        rows.append(Row(parts.head_line(cells, line.before_pt if first else 0)))
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


def section_rows(section: Section, parts) -> list[Row]:
    """The rows of an attachment set for one letter (the credentials): its title, then for
    each table its head (kept with the title and the first row, and repeated at the top of
    every following page) and its rows."""
    rows = [Row(parts.section_title(section))]
    for table in section.blocks:
        rows.append(Row(parts.table_head(table), keep_with_previous=True, repeat=True))
        for i, cells in enumerate(table.rows):
            rows.append(Row(parts.table_row(table, cells), keep_with_previous=i == 0))
    return rows


def page_number_row(page: int, parts) -> Row:
    """The number at the top of a continuation page: "- ๒ -"."""
    return Row(parts.page_number(f"- {arabic_digit_to_thai_digit(str(page))} -"))
