"""Everything lettergen takes from WeasyPrint, in one module: the adapter to its internals.

lettergen relies on more of WeasyPrint than its documented API, and those parts change
between major versions without notice:
- ``HTML._ua_stylesheets``: the letters' own user-agent stylesheet (templates/ua.css);
- ``urls.URLFetcher``: the fetcher that serves the bundled files only (WeasyPrint 68 on);
- ``page._page_box`` and ``formatting_structure.boxes``, with computed-style keys such as
  ``border_top_width``: where each row of a batch document was laid out, and whether it
  paints anything;
- the shape of its page content: each element that is its own stacking context painted as
  one ``q ... Q`` group, which is how a laid-out row is cut out of its page.

So the installed version is checked when this module is imported, against the major
version the test suite ran on (lettergen/versions.py, as pinned in pyproject.toml). A
WeasyPrint upgrade starts here: raise its range there, run the tests (tests/test_paginate.py compares the
placed rows with WeasyPrint's own layout), fix what they find in this module, and move the
pin in pyproject.toml.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sys
import warnings
from ..caches import cached
from pathlib import Path

from .. import versions

PX = 0.75  # WeasyPrint's lengths are CSS pixels; a pixel is 3/4 of a point


def check_version(version: str) -> None:
    """Refuse a WeasyPrint outside the tested range (lettergen/versions.py): its internals,
    which this module uses, may have changed, and a letter laid out wrongly must never be
    written."""
    versions.check("weasyprint", version, "WeasyPrint")


def installed_version() -> str:
    return versions.installed("weasyprint", "WeasyPrint")


check_version(installed_version())


def import_weasyprint():
    """The weasyprint module, imported on first use (it is heavy), with its font subsetter
    replaced by the uharfbuzz wheel's HarfBuzz (weasy_subset.py), so that the PDFs are the
    same bytes whether or not Debian's libharfbuzz-subset0 is installed."""
    # Without libharfbuzz-subset0 WeasyPrint warns at import that it will subset with
    # fontTools; lettergen never lets it, so the clerk is spared the warning.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        try:
            with _libraries_by_their_names_only():
                import weasyprint
                import weasyprint.text.fonts  # noqa: F401
        except OSError:  # a library the loader finds only by searching as a compiler does
            for name in [name for name in sys.modules if name.split(".")[0] == "weasyprint"]:
                del sys.modules[name]
            import weasyprint
            import weasyprint.text.fonts  # noqa: F401
    from .weasy_subset import install

    install()
    return weasyprint


@contextlib.contextmanager
def _libraries_by_their_names_only():
    """While WeasyPrint loads its libraries (GObject, Pango, HarfBuzz, fontconfig), on Linux:
    cffi asks the dynamic loader for each name WeasyPrint tries, and when the loader does
    not know a name it falls back on ``ctypes.util.find_library``, which runs ldconfig, then
    gcc and ld, for it. On Debian 12 that was 214 processes and 0.45 s of the 0.73 s that
    importing WeasyPrint took, in every process that lays out a letter; and a run killed in
    the meantime left an orphaned gcc behind. Here the fallback answers "not found" at once,
    and WeasyPrint goes on to the next name of its list, which holds each library's own
    file name (libpango-1.0.so.0 ...), the one the loader then finds as it would have."""
    if not sys.platform.startswith("linux"):
        yield
        return
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = search


@cached(maxsize=1)
def letter_html_class(ua_stylesheet: str):
    """WeasyPrint's HTML with ``ua_stylesheet`` (a file) as its user-agent stylesheet: the
    defaults of the elements a letter is made of, not of all HTML (a quarter of a row's
    layout time). WeasyPrint reads its user-agent stylesheets from ``HTML._ua_stylesheets``."""
    weasyprint = import_weasyprint()
    stylesheet = weasyprint.CSS(filename=ua_stylesheet)

    class LetterHTML(weasyprint.HTML):
        def _ua_stylesheets(self, *args, **kwargs):
            return [stylesheet]

    return LetterHTML


def bundled_only_fetcher(allowed: set[Path], served: dict[str, str]):
    """A URL fetcher that serves data: URIs, the ``allowed`` files and the stylesheets in
    ``served`` (file: URI -> CSS made in memory, in place of the file), and refuses the
    rest (other files, the network) so that the rendering stops."""
    from urllib.parse import unquote, urlparse

    urls = import_weasyprint().urls

    class BundledOnly(urls.URLFetcher):
        def fetch(self, url, headers=None):
            if url in served:
                return urls.URLFetcherResponse(url, served[url], {"Content-Type": "text/css"})
            if url.startswith("file://"):
                path = Path(unquote(urlparse(url).path)).resolve()
                if path not in allowed:
                    raise ValueError(f"not a bundled file: {url}")
            elif not url.startswith("data:"):
                raise ValueError(f"not a bundled file: {url}")
            return super().fetch(url, headers)

    return BundledOnly(allowed_protocols=("file", "data"), fail_on_errors=True)


class ParsedStylesheet:
    """A stylesheet parsed once, and the font configuration its ``@font-face`` rules loaded
    the fonts into. Documents laid out with it share both: parsing the letter's stylesheet
    and loading its four fonts took 80 to 100 ms of every document, which is most of the
    layout of the few rows a preview redraws after an edit."""

    def __init__(self, css: str, base_url: str, fetcher):
        weasyprint = import_weasyprint()
        self.fonts = weasyprint.text.fonts.FontConfiguration()
        self.css = weasyprint.CSS(string=css, base_url=base_url, url_fetcher=fetcher,
                                  font_config=self.fonts)
        # WeasyPrint removes the fonts' temporary folder when the configuration is collected;
        # this one lives as long as the process, and at interpreter shutdown that removal
        # fails (its module is gone) with a message on stderr. So it is removed at exit.
        atexit.register(_remove_font_folder, self.fonts, os.getpid())


def _remove_font_folder(fonts, owner: int) -> None:
    """(A forked worker that ran the exit handlers must leave its parent's fonts alone.)"""
    folder, fonts._folder = getattr(fonts, "_folder", None), None
    if folder and os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


def render(html_class, source: str, base_url: str, fetcher, stylesheet: ParsedStylesheet | None = None):
    """``source`` laid out: WeasyPrint's Document (pages, anchors, fonts), with
    ``stylesheet`` after the document's own styles (a ``source`` that links no stylesheet
    of its own is styled by it alone)."""
    weasyprint = import_weasyprint()
    document = html_class(string=source, base_url=base_url, url_fetcher=fetcher)
    if stylesheet is None:
        return document.render(font_config=weasyprint.text.fonts.FontConfiguration())
    return document.render(stylesheets=[stylesheet.css], font_config=stylesheet.fonts)


def font_families(document) -> set[str]:
    """The families of every font the laid-out ``document`` uses."""
    return {font.family for font in document.fonts.values()}


def laid_out_rows(document):
    """Each row of a batch document (html > body > div.row[data-row=N] > the row's element)
    as (N, page index, top of its border box in points from the page's top, border-box
    height, margin top, margin bottom (points), whether it paints anything), from
    WeasyPrint's box tree. (A data attribute, not an id: WeasyPrint turns an id into a
    declaration of the element's own, and an element with declarations of its own shares its
    computed style with no other, nor do its descendants: every row's style was computed
    afresh, a quarter of a credentials row's layout time.)"""
    for number, page in enumerate(document.pages):
        body = page._page_box.children[0].children[0]
        for row in body.children:
            index = row.element.get("data-row") if row.element is not None else None
            if index is None:
                continue
            element = row.children[0]
            yield (int(index), number, (element.position_y + element.margin_top) * PX,
                   element.border_height() * PX, element.margin_top * PX,
                   element.margin_bottom * PX, _paints(element))


def cell_boxes(document, number: int) -> list[tuple[float, float, float]]:
    """The boxes that hold texts (``data-cell``: a table row's cells, a head line) in row
    ``number`` of a batch document: each as (the left of its content box, the top of its
    content box below the top of the row's border box, both in points; the width of its
    content box in CSS pixels, as laid out)."""
    from weasyprint.formatting_structure import boxes

    for page in document.pages:
        body = page._page_box.children[0].children[0]
        for row in body.children:
            if row.element is not None and row.element.get("data-row") == str(number):
                element = row.children[0]
                top = element.position_y + element.margin_top
                found, seen = [], set()
                for box in element.descendants():  # a holder's own box comes first
                    holder = box.element if isinstance(box, boxes.BlockContainerBox) else None
                    if holder is not None and holder.get("data-cell") is not None \
                            and id(holder) not in seen:
                        seen.add(id(holder))
                        found.append((box.content_box_x() * PX, (box.content_box_y() - top) * PX,
                                      box.width))
                return found
    raise LookupError(f"no row {number}")


def block_lines(document, class_name: str) -> list[list[tuple]]:
    """The lines of each block of class ``class_name`` (a ``p``), in document order, a block
    that runs over pages taken whole: per line (its page's index, the top of the line box
    in points, its height in points, the left of the block's content box in points, its
    text boxes as (text, x, y) where WeasyPrint draws them: the operands of their ``Tm``)."""
    from weasyprint.formatting_structure import boxes

    found: dict[int, list] = {}

    def walk(box, number):
        element = box.element
        if (isinstance(box, boxes.BlockBox) and element is not None
                and class_name in (element.get("class") or "").split()):
            lines = found.setdefault(id(element), [])
            for line in box.children:
                if isinstance(line, boxes.LineBox):
                    texts = [(tb.text, tb.position_x, tb.position_y + tb.baseline)
                             for tb in line.descendants() if isinstance(tb, boxes.TextBox)]
                    lines.append((number, line.position_y * PX, line.height * PX,
                                  box.content_box_x() * PX, texts))
            return
        for child in getattr(box, "children", ()):
            walk(child, number)

    for number, page in enumerate(document.pages):
        walk(page._page_box, number)
    return list(found.values())


# What a page's content does outside its text objects, as WeasyPrint writes it: operators
# that set the graphics state (kept for every line cut out) and those that paint (dropped).
_STATE = {b"cm", b"gs", b"rg", b"RG", b"g", b"G", b"k", b"K", b"cs", b"CS", b"sc", b"scn",
          b"SC", b"SCN", b"w", b"J", b"j", b"M", b"d", b"ri", b"i"}
_PAINT = {b"m", b"l", b"c", b"v", b"y", b"h", b"re", b"S", b"s", b"f", b"F", b"f*", b"B",
          b"B*", b"b", b"b*", b"n", b"sh", b"Do", b"BDC", b"BMC", b"EMC"}
_TEXT_STATE = (b"Tf", b"Ts")  # the font and the rise: set inside text objects, kept by q/Q


def text_pieces(content: bytes, wanted) -> dict:
    """Each text box of a written page whose ``Tm`` is at a position in ``wanted`` (the key
    of its operands, ``key(x, y)``) as a content stream of its own: (the graphics state it
    is drawn in, as ``q`` ops ``Q``... opened; its text object, ``BT``, its ``Tm``, the font and
    rise in effect, its glyphs, ``ET``; the ``Q``s that close the state). WeasyPrint writes
    one operator a line; a text box is its ``Tm`` and what follows it up to the next ``Tm``
    or the end of the text object. A page whose content is not of that shape is an error."""
    levels = [([], {})]  # per q level: its state operators, and the text state set in it
    pieces, current, in_text = {}, None, False

    def text_state():
        state = {}
        for _, set_here in levels:
            state.update(set_here)
        return [state[name] for name in _TEXT_STATE if name in state]

    def close():
        if current is not None:
            prefix, ops = current
            pieces[prefix[0]] = (prefix[1], ops + [b"ET"], [b"Q"] * prefix[2])

    for op in content.split(b"\n"):
        name = op.rpartition(b" ")[2]
        if not op:
            continue
        if not in_text:
            if name == b"q":
                levels.append(([], {}))
            elif name == b"Q":
                levels.pop()
            elif name in _STATE:
                levels[-1][0].append(op)
            elif name == b"BT":
                in_text = True
            elif name not in _PAINT:
                raise ValueError(f"unexpected operator in a page of cell texts: {op[:40]!r}")
            continue
        if name in (b"ET", b"Tm"):
            close()
            current = None
            if name == b"ET":
                in_text = False
                continue
            operands = op.split()
            place = key(float(operands[4]), float(operands[5]))
            if place in wanted:
                state = [b"q" + b"\n" + b"\n".join(ops) if ops else b"q" for ops, _ in levels]
                current = ((place, state, len(levels)), [b"BT", op, *text_state()])
        elif name in _TEXT_STATE:
            levels[-1][1][name] = op
            if current is not None:
                current[1].append(op)
        elif name in (b"TJ", b"Tj"):
            if current is not None:
                current[1].append(op)
        else:
            raise ValueError(f"unexpected operator in a text object: {op[:40]!r}")
    return pieces


def font_glyphs(resources) -> dict[str, set[int]]:
    """The glyph ids each font of a written page's ``resources`` (pikepdf) has a width for,
    by its resource name (WeasyPrint's ``Font.hash``): the glyphs its subset holds. (A
    CIDFont's /W: ``first [w1 w2 ...]`` or ``first last w``.)"""
    import pikepdf

    found = {}
    for name, font in (resources.get("/Font") or {}).items():
        glyphs: set[int] = set()
        widths = list(font.DescendantFonts[0].get("/W", [])) if "/DescendantFonts" in font else []
        k = 0
        while k < len(widths):
            first = int(widths[k])
            if isinstance(widths[k + 1], pikepdf.Array):
                glyphs.update(range(first, first + len(widths[k + 1])))
                k += 2
            else:
                glyphs.update(range(first, int(widths[k + 1]) + 1))
                k += 3
        found[str(name)[1:]] = glyphs
    return found


def key(x: float, y: float) -> tuple[int, int]:
    """A text box's place, as the operands of its ``Tm`` (CSS pixels), to 1/100."""
    return round(x * 100), round(y * 100)


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


def row_groups(page, count: int) -> list[bytes]:
    """The content of a written page (pikepdf) once per row painted on it: the ops outside
    every row's group (the page's transforms and the groups around the rows), the row's own
    group, and the ``Q``s that close what is open. WeasyPrint paints each row (its own
    stacking context) as one ``q ... Q`` group; the rows' groups are the first depth of
    nesting with more than one group; on a page with one row, that row is the whole page."""
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


def page_boxes(document) -> list:
    """The root box of each laid-out page of ``document``."""
    return [page._page_box for page in document.pages]


def line_blocks(page_box) -> list[tuple[object, list[list[tuple[str, float, float]]]]]:
    """The blocks of a laid-out page that hold lines of text, in order: each as its element
    (None for the page's html and body) and, per line, its text boxes as (text, x, the
    baseline's y): what /ActualText spans are made from (actualtext.py)."""
    from weasyprint.formatting_structure import boxes

    def text_boxes(box):
        if isinstance(box, boxes.TextBox):
            yield box
        for child in getattr(box, "children", ()):
            if not isinstance(child, boxes.LineBox):
                yield from text_boxes(child)

    found = []

    def walk(box):
        children = getattr(box, "children", ())
        lines = [child for child in children if isinstance(child, boxes.LineBox)]
        if not lines:
            for child in children:
                walk(child)
            return
        element = None if box.element_tag in ("html", "body") else box.element
        found.append((element, [[(tb.text, tb.position_x, tb.position_y + tb.baseline)
                                 for tb in text_boxes(line)] for line in lines]))

    walk(page_box)
    return found
