"""Each laid-out line of text carries the text that went in (/ActualText), for copy and search.

Thai has no spaces between words, and the justified body lines spread their slack between
the letters and at the word boundaries; text extractors guess word breaks from the gaps
between glyphs, so pdfium and poppler put spaces between Thai words and even inside them,
and a space at a line break is lost (poppler never writes one; pdfium drops it with the
line's trailing space). Here every line of a WeasyPrint document is wrapped, in its page's
content stream, in one marked-content span

    /Span <</ActualText (the line's text)>> BDC  BT ... ET  ...  BT ... ET  EMC

whose text is the line's own (the phrase spaces kept, no space at a Thai word boundary) and,
when the line broke at a space, that space at its end: joining the lines of a paragraph
gives the paragraph back. pdfium and poppler (and Acrobat) read the span's text in place of
the glyphs' and put nothing of their own inside it. The glyphs and their positions are
unchanged, and so is each glyph's own text (its ToUnicode entry), for readers that ignore
/ActualText.

Where a line's text comes from:
- a block whose element has ``data-text`` (a justified body line, lettergen/pdf/justify.py):
  that attribute, exactly;
- any other block of inline content (a table cell, a title, a paragraph): the element's text
  with its white space collapsed as CSS does, shared out over the block's lines; a space the
  line breaks took goes to the end of the line before. A block whose lines do not add up to
  its element's text (generated content, mixed blocks) keeps the glyphs' text.
A text box is found in the content stream by its position: WeasyPrint draws each one as
``BT ... 1 0 0 -1 x y Tm ... ET`` at its baseline. ``strip()`` removes the spans again,
to measure where the glyphs are (pdfium gives a span's characters the span's box).
"""

from __future__ import annotations

import re

from . import weasy

ZERO_WIDTH = "\u200b"  # a break opportunity in a URL (lettergen/links.py): no text of its own
_SPACES = re.compile(r"[ \t\n\r\f]+")


def _key(x: float, y: float) -> tuple[int, int]:
    return round(x * 100), round(y * 100)


def line_texts(page_box) -> dict[tuple[int, int], tuple[int, str]]:
    """Each text box of a laid-out page by its position (``_key`` of its Tm), with the
    number of its line and that line's actual text."""
    found: dict[tuple[int, int], tuple[int, str]] = {}
    for element, lines in weasy.line_blocks(page_box):
        _block(element, lines, found)
    return found


PLACED_TEXTS = "placed-texts"  # a block of texts set apart (pdf/cells.py): marked where placed


def _block(element, lines, found) -> None:
    """The lines of one block: their actual texts, when they can be told. (The lines of a
    block of texts set apart are cut out one by one and marked where they are placed:
    ``wrap_line``.)"""
    if element is None or PLACED_TEXTS in (element.get("class") or "").split():
        return
    given = element.get("data-text")
    if given is not None:
        source = given
    else:
        source = _SPACES.sub(" ", "".join(element.itertext()).replace(ZERO_WIDTH, "")).strip(" ")
    drawn = ["".join(text for text, _, _ in line).replace(ZERO_WIDTH, "") for line in lines]
    texts = split_lines(source, drawn, exact=given is not None)
    if texts is None:
        return
    for line, text in zip(lines, texts):
        number = len(found)
        for _, x, y in line:
            found[_key(x, y)] = (number, text)


def split_lines(source: str, drawn: list[str], exact: bool = False) -> list[str] | None:
    """``source`` shared out over lines whose drawn texts are ``drawn``: each line's text,
    with the spaces its break took at its end; None when they do not add up. With
    ``exact`` (a body line's own text), the one line takes ``source`` whole."""
    if exact:
        return [source] if len(drawn) == 1 else None
    out, k = [], 0
    for text in drawn:
        text = text.strip(" ") if not out else text.rstrip(" ")
        while k < len(source) and source[k] == " " and not text.startswith(" "):
            if out:
                out[-1] += " "
            k += 1
        if not source.startswith(text, k):
            return None
        out.append(text)
        k += len(text)
    if source[k:].strip(" ") or not out:
        return None
    return out


def mark(document, pdf) -> None:
    """Wrap each line of the written ``document`` (WeasyPrint's, laid out) in ``pdf`` (the
    same document written and opened with pikepdf) in its /ActualText span."""
    for page_box, page in zip(weasy.page_boxes(document), pdf.pages):
        lines = line_texts(page_box)
        if lines:
            mark_page(pdf, page, lines)


def mark_page(pdf, page, lines) -> None:
    """Wrap each line's text boxes on ``page`` in its span. WeasyPrint writes one operator
    a line, and the text boxes drawn one after another into one BT ... ET (each from its
    Tm on), closing it where something else is drawn (an underline); so a span opens at
    the line's first Tm (before the BT when that Tm is the BT's first) and closes after
    the line's last text box (after the ET when nothing follows it there). A line whose
    span would not be well nested, or would hold another line's text, keeps the glyphs'
    text; so does a page whose content is not one operator a line (an inline image)."""
    data = page.Contents.read_bytes()
    if b"\nBI" in data or data.startswith(b"BI"):
        return
    ops = data.split(b"\n")
    names = [op.rpartition(b" ")[2] for op in ops]
    spans = _spans(ops, names, lines)
    if not spans:
        return
    opens = {first: text for first, _, text in spans}
    closes = {last for _, last, _ in spans}
    first_shows = {next((i for i in range(first, last + 1) if names[i] == b"TJ"), None)
                   for first, last, _ in spans}
    out = []
    for i, op in enumerate(ops):
        if i in opens:
            out.append(b"/Span <</ActualText <feff" + opens[i].encode("utf-16-be").hex().encode() + b">>> BDC")
        out.append(_first_glyph_apart(op) if i in first_shows else op)
        if i in closes:
            out.append(b"EMC")
    page.Contents = _compressed(pdf, b"\n".join(out))


def wrap_line(ops: list[bytes], text: str) -> list[bytes]:
    """One line's text object (``BT`` ... ``ET``, one operator an item) in its span, as
    ``mark_page`` wraps a line: its first glyph drawn apart; a line of no text, or ending
    in "-", keeps the glyphs' text."""
    if not text.strip(" ") or text.rstrip(" ").endswith("-"):
        return ops
    first = next((i for i, op in enumerate(ops) if op.endswith(b" TJ")), None)
    ops = [_first_glyph_apart(op) if i == first else op for i, op in enumerate(ops)]
    return [b"/Span <</ActualText <feff" + text.encode("utf-16-be").hex().encode() + b">>> BDC",
            *ops, b"EMC"]


_FIRST_GLYPH = re.compile(rb"^\[<([0-9a-fA-F]{4})([0-9a-fA-F]*)>(.*)\] TJ$")


def _first_glyph_apart(op: bytes) -> bytes:
    """A line's first TJ as two: its first glyph alone, then the rest. It draws the same;
    pdfium, which takes a line for the one before it continued when their text objects'
    boxes overlap (Thai marks stacked high, in a table cell's close lines), sees the
    line start with a text object of one glyph, and breaks the line there."""
    match = _FIRST_GLYPH.match(op)
    if not match:
        return op
    first, more, rest = match.groups()
    rest = (b"<" + more + b">" if more else b"") + rest
    if b"<" not in rest:
        return op  # one glyph only
    return b"[<" + first + b">] TJ\n[" + rest + b"] TJ"


def _spans(ops, names, lines) -> list[tuple[int, int, str]]:
    """(index of the first op in the span, of the last, the text) for each line."""
    boxes = []  # [line or None, index of its Tm, index of its last op, first in its BT, last in its BT]
    bt = None
    for i, name in enumerate(names):
        if name == b"BT":
            bt, first_in_bt = i, True
        elif name == b"Tm" and bt is not None:
            operands = ops[i].split()
            line = lines.get(_key(float(operands[4]), float(operands[5])))
            if boxes and boxes[-1][4] is None:
                boxes[-1][2], boxes[-1][4] = i - 1, False
            boxes.append([line, i, None, first_in_bt, None])
            first_in_bt = False
        elif name == b"ET" and bt is not None:
            if boxes and boxes[-1][4] is None:
                boxes[-1][2], boxes[-1][4] = i, True
            bt = None
    by_line: dict[int, list[int]] = {}
    for k, box in enumerate(boxes):
        if box[0] is not None:
            by_line.setdefault(box[0][0], []).append(k)
    spans = []
    for number, indexes in by_line.items():
        first, last = boxes[indexes[0]], boxes[indexes[-1]]
        if last[2] is None:
            continue
        if any(b[0] is None or b[0][0] != number for b in boxes[indexes[0]:indexes[-1] + 1]):
            continue  # another line's text, or text of its own, between
        text = first[0][1]
        if not text.strip(" ") or text.rstrip(" ").endswith("-"):
            continue  # pdfium takes a span that ends in "-" for a hyphenated word, and drops it
        start = _bt_before(names, first[1]) if first[3] else first[1]
        if _nested(names, start, last[2]):
            spans.append((start, last[2], text))
    return spans


def _bt_before(names, i: int) -> int:
    while names[i] != b"BT":
        i -= 1
    return i


_OPENS = {b"q": b"q", b"BT": b"BT", b"BDC": b"BDC", b"BMC": b"BDC"}
_CLOSES = {b"Q": b"q", b"ET": b"BT", b"EMC": b"BDC"}


def _nested(names, first: int, last: int) -> bool:
    """Whether names[first..last] are well nested: as many q as Q, BT as ET, BDC/BMC as
    EMC, none closed before it is opened."""
    depth = {b"q": 0, b"BT": 0, b"BDC": 0}
    for name in names[first:last + 1]:
        if name in _OPENS:
            depth[_OPENS[name]] += 1
        elif name in _CLOSES:
            depth[_CLOSES[name]] -= 1
            if depth[_CLOSES[name]] < 0:
                return False
    return not any(depth.values())


def _compressed(pdf, data: bytes):
    import zlib

    import pikepdf

    stream = pikepdf.Stream(pdf, zlib.compress(data))
    stream.Filter = pikepdf.Name.FlateDecode
    return stream


def strip(data: bytes) -> bytes:
    """``data`` (a PDF) without its /ActualText spans, page and form contents alike: what
    the glyphs alone say, and where they are."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and (obj.get("/Subtype") == pikepdf.Name.Form):
                _strip_stream(pdf, obj)
        for page in pdf.pages:
            ops = pikepdf.parse_content_stream(page)
            page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(_without_spans(ops)))
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()


def _strip_stream(pdf, stream) -> None:
    import pikepdf

    ops = pikepdf.parse_content_stream(stream)
    stream.write(pikepdf.unparse_content_stream(_without_spans(ops)))


def _without_spans(ops):
    import pikepdf

    out, open_spans = [], []
    for operands, operator in ops:
        name = str(operator)
        if name == "BDC":
            ours = len(operands) == 2 and isinstance(operands[1], pikepdf.Dictionary) \
                and "/ActualText" in operands[1]
            open_spans.append(ours)
            if ours:
                continue
        elif name == "BMC":
            open_spans.append(False)
        elif name == "EMC" and open_spans:
            if open_spans.pop():
                continue
        out.append((operands, operator))
    return out
