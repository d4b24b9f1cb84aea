"""justify.fit against an exhaustive search, both costing lines with justify.line_cost."""

from __future__ import annotations

import itertools
import random

import pytest

from lettergen.pdf.justify import SAFETY_PT, SOFT_BREAK_COST, Piece, fit, line_cost


def exhaustive(items, first_width, width):
    """The least total cost over every way to break ``items`` at its gaps."""
    gaps = [i for i, p in enumerate(items) if p.kind != "word"]
    best = None
    for chosen in itertools.product((False, True), repeat=len(gaps)):
        cuts = [g for g, on in zip(gaps, chosen) if on]
        starts, ends = [0] + [c + 1 for c in cuts], cuts + [len(items)]
        total = 0.0
        for n, (start, end) in enumerate(zip(starts, ends)):
            pieces = items[start:end]
            slack = (first_width if n == 0 else width) - SAFETY_PT - sum(p.width for p in pieces)
            total += line_cost(slack, sum(p.kind != "word" for p in pieces), start == end,
                               end == len(items))
            total += SOFT_BREAK_COST if end < len(items) and items[end].kind == "soft" else 0.0
        if best is None or total < best:
            best = total
    return best


def total_cost(items, lines):
    """The cost ``fit``'s lines add up to, with the soft breaks they take; and a check that
    the lines are the items in order, each break piece dropped."""
    total, at = 0.0, 0
    for line in lines:
        assert list(line.pieces) == items[at:at + len(line.pieces)]
        at += len(line.pieces)
        total += line_cost(line.slack, line.gaps, not line.pieces, line.last)
        if not line.last:
            assert items[at].kind != "word"  # a line ends at a gap, which disappears
            total += SOFT_BREAK_COST if items[at].kind == "soft" else 0.0
            at += 1
    assert at == len(items)
    return total


@pytest.mark.parametrize("seed", range(25))
def test_fit_finds_the_cheapest_breaks(seed):
    rng = random.Random(seed)
    items = []
    for i in range(rng.randint(4, 11)):
        if i:
            kind = rng.choice(["join", "join", "space", "soft"])
            items.append(Piece(" ", kind, 4.0 if kind == "space" else 0.0))
        items.append(Piece("ก" * rng.randint(1, 5), "word", rng.uniform(10, 60)))
    lines = fit(items, 90.0, 110.0)
    assert total_cost(items, lines) == pytest.approx(exhaustive(items, 90.0, 110.0))


def test_line_cost():
    assert line_cost(-1.0, 3, False, False) == float("inf")
    assert line_cost(-1.0, 0, True, False) == 1e9  # one piece wider than the line
    assert line_cost(5.0, 2, False, True) == 0.0  # the last line is free
    assert line_cost(4.0, 2, False, False) == 4.0
    assert line_cost(3.0, 0, False, False) == 1e6 + 9.0


@pytest.mark.parametrize("text", [
    "ขอให้ " + "a" * 3000,  # a word wider than a line: no real one is, but a cell may hold one
    "ดูที่ https://example.go.th/" + "ab" * 1500,  # a link whose one part is wider than a line
    "ส่งที่ " + "ไทย" * 400 + "x" * 1000 + "@example.go.th",
])
def test_a_part_wider_than_a_line_is_cut_where_the_line_is_full(text):
    """Nothing runs past the margin, and the lines' text joined is the paragraph: the part
    is cut between letters (never between a letter and its marks), with no hyphen."""
    from lettergen.pdf.justify import COLUMN_PT, INDENT_PT, line_report, line_text, text_width
    from lettergen.templating import to_runs

    lines = line_report(to_runs(text))
    assert "".join(line_text(line) for line in lines) == text
    for i, line in enumerate(lines):
        room = COLUMN_PT - (INDENT_PT if i == 0 else 0.0)
        words = [p for p in line.pieces if p.kind == "word"]
        assert sum(text_width(p.text) for p in words) <= room, i
        assert all(not ("\u0e31" <= p.text[0] <= "\u0e3a" or "\u0e47" <= p.text[0] <= "\u0e4e")
                   for p in words)
    assert len(lines) > 10
