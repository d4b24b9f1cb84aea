"""Thai distributed justification for the PDF's body paragraphs (Word's "Thai Distributed").

Thai is written without spaces between words, so CSS ``text-align: justify`` (which stretches
only spaces) leaves most lines ragged and opens holes at the few phrase spaces. Here a body
paragraph is laid out the way Word's thaiDistribute sets it:

1. ``pieces()`` cuts the runs into words (PyThaiNLP's newmm between Thai letters only, so
   numbers, dates, URLs, Latin words and punctuation stay whole) and the spaces between them;
2. every piece is measured with HarfBuzz on the bundled font, exactly as Pango will shape it;
3. ``fit()`` chooses the line breaks over the whole paragraph (least squares of the gaps);
4. ``paragraph_lines()`` writes each line as a block of its own (a ``p.body``), with a real
   space at every Thai word boundary. The paragraph's negative ``word-spacing`` gives those
   spaces no width of their own, the phrase spaces keep theirs (``span.sp``), and
   ``text-align-last: justify`` spreads each line's slack over all of them (not on the
   paragraph's last line, ``.end``). A line whose gaps would still be too wide also
   gets a small ``letter-spacing`` (never inside a consonant + SARA AM group, ``span.nz``).

The inserted spaces are real characters, so text copied out of the PDF has spaces between
Thai words; apart from whitespace it is the text that went in. The sizes (type, column
width, first-line indent) are the letter's geometry (lettergen/geometry.py), which
templates/letter.css is rendered with too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from ..caches import cached

from markupsafe import Markup, escape

from .. import geometry
from ..dictionary import short_words
from ..model import Run
from ..resources import font_paths
from ..thai import word_tokenize
from ..links import link_parts

FONT_SIZE_PT = float(geometry.BODY_PT)
COLUMN_PT = geometry.pt(geometry.TEXT_WIDTH_CM)
INDENT_PT = geometry.pt(geometry.FIRST_LINE_INDENT_CM)
SAFETY_PT = 0.6  # kept free on every line against rounding in the layout engine
GAP_GOAL_PT = 1.2  # extra width a word boundary takes before letters are spaced out too
GAP_MAX_PT = 6.5  # a line whose gaps would need more than this is a poor break
SARA_AM_DRIFT_PT = 0.0  # SARA AM groups are kept unspaced on every letter-spaced line
SOFT_BREAK_COST = 30.0  # a line break inside a compound costs as much as a 5.5 pt gap
LINK_BREAK_COST = 1e4  # one inside a URL, as much as a gap past GAP_MAX_PT: only where needed

_THAI_LETTERS = re.compile(r"^[\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e45\u0e47-\u0e4e]+$")
_SARA_AM_GROUP = re.compile(r"[\u0e01-\u0e2e][\u0e31-\u0e3a\u0e47-\u0e4e]*\u0e33")


@dataclass(frozen=True)
class Piece:
    text: str
    kind: str  # "word", "space" (a phrase space), "join" (a Thai word boundary) or
    # "soft" (a boundary inside a long dictionary compound: a line breaks there only at a cost)
    # or "link" (a place a URL or e-mail address may break, lettergen/links.py, or where
    # a word wider than a line is cut: it takes no width and has no text, and a line breaks
    # there at a cost, with no hyphen)
    width: float  # points
    classes: str = ""


@cached(maxsize=4)
def _font(style: str):
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(font_paths()[style])))
    font = hb.Font(face)
    return font, face.upem


@cached(maxsize=65536)
def text_width(text: str, bold: bool = False, size: float = FONT_SIZE_PT) -> float:
    """Width in points of ``text`` shaped with the bundled Sarabun, as Pango shapes it."""
    import uharfbuzz as hb

    font, upem = _font("bold" if bold else "regular")
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(font, buffer, {})
    return sum(p.x_advance for p in buffer.glyph_positions) * size / upem


def _classes(run: Run) -> str:
    return " ".join(c for c, on in (("b", run.bold), ("u", run.underline), ("lit", run.literal)) if on)


def pieces(runs: tuple[Run, ...]) -> list[Piece]:
    """Words, phrase spaces and Thai word boundaries of a paragraph, measured."""
    out: list[Piece] = []
    for run in runs:
        classes = _classes(run)
        if run.literal:  # a URL, kept whole but where it may break; a username: one word
            for i, part in enumerate(_link_parts(run.text, run.bold)):
                if i:
                    out.append(Piece("", "link", 0.0, classes))
                out.append(Piece(part, "word", text_width(part, run.bold), classes))
            continue
        for chunk in re.split(r"( +)", run.text):
            if chunk:
                out += _chunk_pieces(chunk, run.bold, classes)
    return out


@cached(maxsize=65536)
def _chunk_pieces(chunk: str, bold: bool, classes: str) -> tuple[Piece, ...]:
    """The pieces of a phrase, or of the spaces between two. (Cached: the phrases of a
    paragraph that names the recipient are the same in every letter but one or two.)"""
    if chunk.startswith(" "):
        return (Piece(chunk, "space", text_width(" ", bold) * len(chunk), classes),)
    out = []
    for i, word in enumerate(_words(chunk)):
        if i:
            out.append(Piece(" ", "join", 0.0, classes))
        parts = _compound_parts(word) if text_width(word, bold) > COMPOUND_PT else [word]
        for j, part in enumerate(parts):
            if j:
                out.append(Piece(" ", "soft", 0.0, classes))
            # A word wider than a line (no real one is) is cut where the line is full, as a
            # link's part is, rather than run past the margin.
            cuts = _cut_to_room(part, bold, ROOM_PT) if text_width(part, bold) > ROOM_PT else [part]
            for k, cut in enumerate(cuts):
                if k:
                    out.append(Piece("", "link", 0.0, classes))
                out.append(Piece(cut, "word", text_width(cut, bold), classes))
    return tuple(out)


COMPOUND_PT = 3 * FONT_SIZE_PT  # words wider than this may be split into their parts
ROOM_PT = COLUMN_PT - INDENT_PT - 2 * SAFETY_PT  # a part wider than a first line is cut


@cached(maxsize=8192)
def _compound_parts(word: str) -> list[str]:
    """"องค์กรปกครองส่วนท้องถิ่น" -> องค์กร, ปกครอง, ส่วน, ท้อง, ถิ่น; parts shorter than two
    letters are joined to their neighbour, and a word with no good parts stays whole."""
    if not _THAI_LETTERS.match(word):
        return [word]
    from pythainlp.tokenize import word_tokenize as tokenize

    parts: list[str] = []
    for part in tokenize(word, custom_dict=short_words(), engine="newmm"):
        if parts and (_clusters(part) < 2 or _clusters(parts[-1]) < 2):
            parts[-1] += part
        else:
            parts.append(part)
    return parts if "".join(parts) == word else [word]


def _link_parts(text: str, bold: bool) -> list[str]:
    """A link's parts (lettergen/links.py); a part wider than a first line (a long
    identifier in it) is cut where the line is full, as a last resort."""
    parts = []
    for part in link_parts(text):
        parts += _cut_to_room(part, bold, ROOM_PT) if text_width(part, bold) > ROOM_PT else [part]
    return parts


def _cut_to_room(text: str, bold: bool, room: float) -> list[str]:
    """``text`` cut into pieces at most ``room`` wide, each as long as fits, between its
    letters (never between a letter and its marks). The letters' widths come from one
    shaping of the whole text, and each piece is measured once more (and shortened in
    the rare case kerning widened it): time in proportion to the text, where measuring
    every prefix took 12 s for a link of 10,000 letters."""
    starts, widths = _cluster_widths(text, bold)
    pieces: list[str] = []
    begin = 0
    while begin < len(starts):
        width, end = widths[begin], begin + 1
        while end < len(starts) and width + widths[end] <= room:
            width += widths[end]
            end += 1
        piece = text[starts[begin]:starts[end] if end < len(starts) else len(text)]
        while end - begin > 1 and text_width(piece, bold) > room:
            end -= 1
            piece = text[starts[begin]:starts[end]]
        pieces.append(piece)
        begin = end
    return pieces


def _cluster_widths(text: str, bold: bool, size: float = FONT_SIZE_PT) -> tuple[list[int], list[float]]:
    """Where each cluster (a letter with its marks) of ``text`` starts, and its width in
    points, from one shaping of the whole text."""
    import uharfbuzz as hb

    font, upem = _font("bold" if bold else "regular")
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(font, buffer, {})
    starts: list[int] = []
    widths: list[float] = []
    for info, position in zip(buffer.glyph_infos, buffer.glyph_positions):
        if not starts or info.cluster != starts[-1]:
            starts.append(info.cluster)
            widths.append(0.0)
        widths[-1] += position.x_advance * size / upem
    return starts, widths


def _words(chunk: str) -> tuple[str, ...]:
    """``chunk`` (no spaces) cut at Thai word boundaries only: a boundary needs Thai letters
    on both sides, so "๐๐๒๓.๑/ว", "(กพร.)", "Smartphone" and "ๆ" stay attached. (Called
    through _chunk_pieces, whose cache holds the result with the widths.)"""
    if not any("\u0e01" <= ch <= "\u0e4e" for ch in chunk):
        return (chunk,)
    words: list[str] = []
    for token in word_tokenize(chunk):
        if words and _THAI_LETTERS.match(words[-1][-1]) and _THAI_LETTERS.match(token[0]) \
                and _THAI_LETTERS.match(token):
            words.append(token)
        elif words:
            words[-1] += token
        else:
            words.append(token)
    # a boundary is kept only between two pure-Thai-letter words: a word with a digit or a
    # sign in it ("๕๐๐เร่ง") takes the next word with it, and no more ("๕๐๐เร่งรัด" | "การ"...)
    merged: list[str] = []
    pure_before = False
    for word in words:
        pure = bool(_THAI_LETTERS.match(word))
        if merged and not (pure and pure_before):
            merged[-1] += word
        else:
            merged.append(word)
        pure_before = pure
    return tuple(merged)


@dataclass(frozen=True)
class JustifiedLine:
    pieces: tuple[Piece, ...]
    slack: float  # points the justification must spread
    gaps: int  # spaces and word boundaries inside the line
    last: bool
    taken: str = ""  # the text of the break that ends the line (a phrase space, or "")


CANNOT = float("inf")  # the cost of a line that cannot be set


def line_cost(slack: float, gaps: int, empty: bool, last: bool) -> float:
    """What a line costs when it leaves ``slack`` points to spread over its ``gaps``: the
    square of each gap's widening; a line too long cannot be set (infinite; a line holding
    one piece wider than the column, 1e9), the paragraph's last line is free, a line with no
    gap to widen costs 1e6 and more, a gap wider than GAP_MAX_PT 1e4 more."""
    if slack < 0:
        return CANNOT if gaps or not empty else 1e9
    if last:
        return 0.0
    if gaps == 0:
        return 1e6 + slack * slack
    gap = slack / gaps
    return gap * gap + (1e4 if gap > GAP_MAX_PT else 0.0)


def fit(items: list[Piece], first_width: float, width: float) -> list[JustifiedLine]:
    """Break ``items`` into lines, minimising the sum of ``line_cost`` (the last line is
    free). A break falls on a space or a word boundary, which then disappears."""
    n = len(items)
    breaks = [i for i, p in enumerate(items) if p.kind != "word"] + [n]
    soft = {k: SOFT_BREAK_COST if items[i].kind == "soft" else LINK_BREAK_COST
            for k, i in enumerate(breaks[:-1]) if items[i].kind in ("soft", "link")}
    starts = [0] + [b + 1 for b in breaks[:-1]]
    # best[k]: least cost of setting items[:breaks[k]] ending a line there
    best: dict[int, tuple[float, int]] = {-1: (0.0, -1)}
    widths, counts = [0.0], [0]  # running totals: the width and the gaps of items[:i]
    for p in items:
        widths.append(widths[-1] + p.width)
        counts.append(counts[-1] + (p.kind not in ("word", "link")))
    targets = (width - SAFETY_PT, first_width - SAFETY_PT)  # other lines, the first line
    cost_of = line_cost  # (a local name: this loop runs for every candidate line)
    for k, end in enumerate(breaks):
        last = end == n
        extra = soft.get(k, 0.0)
        end_width, end_count = widths[end], counts[end]
        chosen = None
        for j in range(k - 1, -2, -1):  # the line starts after break j
            start = starts[j + 1]
            slack = targets[j == -1] - (end_width - widths[start])
            if slack < -width:  # already far too long: earlier starts only get longer
                break
            cost = cost_of(slack, end_count - counts[start], start == end, last)
            if cost == CANNOT:  # cannot be set; nor can any earlier start, but the first
                if j < k - 1:
                    break
                continue
            prior = best.get(j)
            if prior is None:
                continue
            option = (prior[0] + cost + extra, j)
            if chosen is None or option < chosen:
                chosen = option
        if chosen is None:  # a single piece wider than the line: it gets a line of its own
            chosen = (best.get(k - 1, (0.0, -1))[0] + 1e9, k - 1)
        best[k] = chosen
    return _chosen_lines(items, best, breaks, starts, targets)


def _chosen_lines(items, best, breaks, starts, targets) -> list[JustifiedLine]:
    """The lines ``fit`` chose, first to last, each with its slack summed piece by piece."""
    lines: list[JustifiedLine] = []
    n = len(items)
    k = len(breaks) - 1
    while k >= 0:
        j = best[k][1]
        start = starts[j + 1] if j >= 0 else 0
        end = breaks[k]
        slack = targets[j == -1] - sum(p.width for p in items[start:end])
        gaps = sum(p.kind in ("space", "join", "soft") for p in items[start:end])
        taken = items[end].text if end < n and items[end].kind == "space" else ""
        lines.append(JustifiedLine(tuple(items[start:end]), slack, gaps, end == n, taken))
        k = j
    return lines[::-1]


def _clusters(text: str) -> int:
    """Places where Pango adds letter-spacing: base characters, not marks."""
    return sum(1 for ch in text if unicodedata.category(ch) not in ("Mn", "Me"))


def _last_cluster(text: str) -> tuple[str, str]:
    """``text`` split before its last letter (with its marks and a SARA AM after it)."""
    match = _LAST_CLUSTER.search(text)
    return (text[:match.start()], match.group()) if match else ("", text)


_LAST_CLUSTER = re.compile(r"[^\u0e31\u0e33-\u0e3a\u0e47-\u0e4e][\u0e31\u0e33-\u0e3a\u0e47-\u0e4e]*$")


def _line_html(line: JustifiedLine, first: bool) -> LineMarkup:
    letter_spacing = 0.0
    if not line.last and line.slack > line.gaps * GAP_GOAL_PT:
        # Like Word's Thai Distributed: most of the slack goes between the letters; the
        # word boundaries take a little, and justify gives them whatever is left.
        spare = line.slack - line.gaps * GAP_GOAL_PT
        clusters = sum(_clusters(p.text) for p in line.pieces if p.kind == "word") - 1
        if clusters > 0:
            letter_spacing = (0.9 if line.gaps else 1.0) * spare / clusters
            # Pango spaces out the spaces too (and half a spacing more where a span of
            # unspaced letters begins), and justify can only widen them: on a very loose
            # line (few boundaries, much slack) the letters and spaces together take at most
            # the slack, or the line would run past the margin and be cut off.
            spaces = sum(len(p.text) for p in line.pieces if p.kind != "word")
            letter_spacing = min(letter_spacing, line.slack / (clusters + spaces + 1))
    parts = []
    for i, piece in enumerate(line.pieces):
        if piece.kind == "link":
            continue
        text = str(escape(piece.text))
        if piece.kind == "word" and letter_spacing > SARA_AM_DRIFT_PT:
            if i == len(line.pieces) - 1:  # no spacing after the line's last letter
                head, tail = _last_cluster(piece.text)
                text = (_SARA_AM_GROUP.sub(lambda m: f'<span class="nz">{m.group()}</span>', str(escape(head)))
                        + f'<span class="nz">{escape(tail)}</span>')
            else:
                text = _SARA_AM_GROUP.sub(lambda m: f'<span class="nz">{m.group()}</span>', text)
        if piece.kind == "space":
            text = f'<span class="sp">{text}</span>'
        if piece.classes and piece.kind != "join":
            text = f'<span class="{piece.classes}">{text}</span>'
        parts.append(text)
    return LineMarkup(
        Markup("".join(parts)),
        ("first" if first else "") + (" end" if line.last else ""),
        f"letter-spacing: {letter_spacing:.3f}pt" if letter_spacing else "",
        line_text(line),
    )


def line_text(line: JustifiedLine) -> str:
    """The text a line stands for, as copied out of the PDF (lettergen/pdf/actualtext.py):
    its words and phrase spaces, nothing at a Thai word boundary, and the space its break
    took, so that the lines of a paragraph joined give the paragraph."""
    return "".join(p.text for p in line.pieces if p.kind in ("word", "space")) + line.taken


@dataclass(frozen=True)
class LineMarkup:
    """One line of a body paragraph for templates/parts.html.j2: its escaped markup, the
    classes of its block (first: the indented first line; end: the paragraph's last, not
    spread) and its style (the letter-spacing)."""

    html: Markup
    classes: str
    style: str
    text: str = ""  # the line's own text (no space at a Thai word boundary)


@cached(maxsize=256)
def paragraph_lines(runs: tuple[Run, ...], first_indent: bool = True) -> tuple[LineMarkup, ...]:
    """Each line of a Thai-distributed body paragraph (each goes in a <p class="body"> of
    its own). Cached for the paragraphs a run's letters share; one that names its
    recipient is laid out once, so the cache is kept small: a worker's memory then does
    not grow with every letter it renders (16 chunks of 64: 15 MB, now 8 MB)."""
    lines = fit(pieces(runs), COLUMN_PT - (INDENT_PT if first_indent else 0.0), COLUMN_PT)
    return tuple(_line_html(line, i == 0 and first_indent) for i, line in enumerate(lines))


def line_report(runs: tuple[Run, ...]) -> list[JustifiedLine]:
    """The lines ``paragraph_lines`` sets, for tests and measurements."""
    return fit(pieces(runs), COLUMN_PT - INDENT_PT, COLUMN_PT)
