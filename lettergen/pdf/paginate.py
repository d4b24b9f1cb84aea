"""Rows onto pages: where each row of a letter's own pages goes (pure arithmetic, points).

The page and its margins are the letter's geometry (lettergen/geometry.py): the text starts
FIRST_TOP from the top on the first page (the Garuda band) and TOP on the others, whose
number stands centred above the text, PAGE_NUMBER_GAP_CM above the text area.
Rows follow one another like blocks in CSS: the margins between two rows collapse (the
larger positive one plus the more negative one), and a row that starts a continuation page
loses its top margin. A row that would cross the text area's foot goes to the next page, and
takes along the rows before it that keep with it (``keep_with_previous``); if every row on
the page keeps with the one before, the page breaks where the row did not fit. A row taller
than a page holds cannot be placed whole anywhere (``crossing_the_foot``): the writer stops
with an input error rather than cut it off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .. import geometry as g

PAGE_WIDTH = g.pt(g.PAGE_WIDTH_CM)
PAGE_HEIGHT = g.pt(g.PAGE_HEIGHT_CM)
LEFT = g.pt(g.MARGIN_LEFT_CM)
FIRST_TOP = g.pt(g.FIRST_TOP_CM)
TOP = g.pt(g.TOP_CM)
BOTTOM = g.pt(g.MARGIN_BOTTOM_CM)
PAGE_NUMBER_BOTTOM = TOP - g.pt(g.PAGE_NUMBER_GAP_CM)  # the foot of the page number's line


@dataclass(frozen=True)
class Box:
    """A laid-out row's size: its border box height and its vertical margins, in points;
    and how it keeps with others."""

    height: float
    margin_top: float = 0.0
    margin_bottom: float = 0.0
    keep_with_previous: bool = False
    repeat: bool = False  # a table's head: shown again at the top of each following page


@dataclass(frozen=True)
class Placed:
    row: int  # index into the rows
    top: float  # the row's border-box top, in points from the page's top edge


def collapse(above: float, below: float) -> float:
    """The space two adjoining vertical margins leave, as CSS collapses them: the largest
    positive one plus the most negative one."""
    return max(above, below, 0.0) + min(above, below, 0.0)


def paginate(boxes: Sequence[Box], first_top: float = FIRST_TOP) -> list[list[Placed]]:
    """The rows of each page, in order, with their positions. The text of the first page
    starts ``first_top`` from the top (a letter's first page: FIRST_TOP; an attachment:
    TOP); a table's head (``repeat``) is placed again above the rows that follow it on
    each next page."""
    pages: list[list[Placed]] = []
    start = 0
    head = None  # the last table head placed
    foot = PAGE_HEIGHT - BOTTOM
    while start < len(boxes):
        first_page = not pages
        y = first_top if first_page else TOP
        page: list[Placed] = []
        above = None
        if not first_page and head is not None and not boxes[start].repeat:
            page.append(Placed(head, y))
            y += boxes[head].height
            above = boxes[head]
        lead = len(page)  # the repeated head does not count as the page's content
        end = start
        while end < len(boxes):
            box = boxes[end]
            if above is not None:
                gap = collapse(above.margin_bottom, box.margin_top)
            else:
                gap = box.margin_top if first_page else 0.0
            if len(page) > lead and y + gap + box.height > foot:
                break
            page.append(Placed(end, y + gap))
            y += gap + box.height
            above = box
            end += 1
        if end < len(boxes):
            cut = end
            while cut > start + 1 and boxes[cut].keep_with_previous:
                cut -= 1
            if cut == start + 1 and boxes[cut].keep_with_previous:
                cut = end  # nothing allowed on this page: break where the row did not fit
            page = page[:lead + cut - start]
            end = cut
        pages.append(page)
        head = max((i for i in range(end) if boxes[i].repeat), default=head)
        start = end
    return pages


def crossing_the_foot(boxes: Sequence[Box], pages: list[list[Placed]]) -> int | None:
    """The first row that ``paginate`` had to place across the text area's foot: a row
    taller than a page holds, alone on its page (it would be cut off at the foot); None if
    every row fits."""
    foot = PAGE_HEIGHT - BOTTOM
    for page in pages:
        for placed in page:
            if placed.top + boxes[placed.row].height > foot + 0.01:
                return placed.row
    return None


def page_number_top(height: float) -> float:
    """Where the page number's row goes on a continuation page (its foot on the line
    PAGE_NUMBER_GAP_CM above the text area)."""
    return PAGE_NUMBER_BOTTOM - height
