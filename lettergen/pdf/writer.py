"""Letters -> rows (HTML from the Jinja2 templates in templates/) -> WeasyPrint -> PDF.

``write_pdfs_with_pages()`` is the writer: each distinct row of a batch of letters laid out
once, the rows placed on each letter's pages (rows.py, paginate.py, placement.py).
``html()`` returns the same rows as one flow per letter, to be inspected or compared with a
golden file, and ``render_document()`` lays that out: the reference the placed rows are
tested against. WeasyPrint may fetch only the bundled fonts
and stylesheet, the spec's emblem, and the data: URIs of the QR codes: nothing else on disk
and nothing on the network. Every font in the laid-out document must be the bundled Sarabun;
a fallback to any other font (a glyph Sarabun lacks) is an error.
"""

from __future__ import annotations

import dataclasses
import io
from collections import Counter
from ..caches import cached
from pathlib import Path
from typing import Callable, Sequence

import jinja2
from markupsafe import Markup

from .. import geometry
from ..errors import InputError, ResourceError
from ..model import Letter, Section
from .paginate import FIRST_TOP, TOP, crossing_the_foot, page_number_top, paginate
from .actualtext import mark as mark_lines
from .pdfa import assemble
from .placement import RowLibrary, RowSheet, place_rows
from . import cells
from ..links import breakable, with_breaks
from ..qr import print_width_cm, svg_data_uri
from ..resources import PDF_FONT_FAMILY, TEMPLATES, font_paths, template_path
from . import weasy, weasy_shape, weasy_subset
from .actualtext import PLACED_TEXTS
from .rows import HEAD, CellText, Frame, Row, letter_rows, page_number_row, section_rows


def _run_classes(run) -> str:
    classes = []
    if run.bold:
        classes.append("b")
    if run.underline:
        classes.append("u")
    if run.literal:
        classes.append("lit")
    return " ".join(classes)


@cached(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )
    env.filters["qr_data_uri"] = svg_data_uri
    env.filters["qr_width_cm"] = print_width_cm
    env.filters["file_uri"] = lambda path: Path(path).resolve().as_uri()
    env.filters["link_breaks"] = with_breaks  # a URL may break after / and before . - ? &
    env.filters["breakable"] = breakable  # a long run with nowhere to break gets places to
    env.globals["run_classes"] = _run_classes
    env.globals["letter_rows"] = rows_of_letter
    env.globals["section_rows"] = lambda section: section_rows(section, _parts())
    env.globals["column_cm"] = geometry.column_cm
    env.globals["body_pt"] = geometry.BODY_PT
    return env


def _parts():
    """The row macros of templates/parts.html.j2."""
    return _environment().get_template("parts.html.j2").module


def rows_of_letter(letter: Letter, placed: bool = False) -> list[Row]:
    """The rows of ``letter``'s own pages (pdf/rows.py); ``placed``: as the writer sets them."""
    return letter_rows(letter, _parts(), placed)


def html(letters: Sequence[Letter] = (), sections: Sequence[Section] = (), *,
         rows: Sequence[str] = (), cells: Sequence[str] = (), styled: bool = True) -> str:
    """The HTML of ``rows`` one under another (the batch writer's), then of the blocks of
    table cells' texts ``cells`` (pdf/cells.py) on pages of their own, then of ``letters``
    one after another, each with its attachments and starting on a new page, then of
    standalone ``sections``; ``styled``: with the fonts and the stylesheet (a page that can
    be laid out alone), or without (laid out with ``parsed_stylesheet()``)."""
    first = letters[0] if letters else None
    subject = first.subject if first else sections[0].title if sections else ""
    return _environment().get_template("document.html.j2").render(
        rows=rows,
        cells=cells,
        letters=letters,
        sections=sections,
        title=first.title if first and len(letters) == 1 else subject,
        author=first.agency if first else "",
        subject=subject,
        fonts=_font_uris(),
        stylesheet=template_path("letter.css").as_uri(),
        styled=styled,
    )


def _font_uris() -> dict[str, str]:
    """The PDF fonts (the patched Sarabun) as file: URIs for the templates' @font-face."""
    return {style: path.as_uri() for style, path in font_paths().items()}


def _allowed_files(letters: Sequence[Letter], emblems: Sequence[str] = ()) -> set[Path]:
    allowed = set(font_paths().values()) | {template_path("letter.css")}
    allowed |= {Path(letter.emblem).resolve() for letter in letters if letter.emblem}
    allowed |= {Path(emblem).resolve() for emblem in emblems}
    return {path.resolve() for path in allowed}


def _fetcher(allowed: set[Path]):
    return weasy.bundled_only_fetcher(allowed, {template_path("letter.css").as_uri(): stylesheet()})


@cached(maxsize=1)
def stylesheet() -> str:
    """templates/letter.css rendered with the letter's geometry (geometry.css_values): what
    WeasyPrint reads at the stylesheet's address."""
    source = template_path("letter.css").read_text(encoding="utf-8")
    return jinja2.Template(source, undefined=jinja2.StrictUndefined).render(geometry.css_values())


@cached(maxsize=1)
def parsed_stylesheet() -> weasy.ParsedStylesheet:
    """The fonts' @font-face rules (templates/fonts.css.j2) and the letter's stylesheet,
    parsed and the fonts loaded once per process, for every document laid out here."""
    faces = _environment().get_template("fonts.css.j2").render(fonts=_font_uris())
    return weasy.ParsedStylesheet(faces + "\n" + stylesheet(), str(TEMPLATES) + "/",
                                  _fetcher(_allowed_files(())))


def _letter_html():
    """WeasyPrint's HTML with templates/ua.css as its user-agent stylesheet (weasy.py)."""
    return weasy.letter_html_class(str(template_path("ua.css")))


def render_document(letters: Sequence[Letter] = (), sections: Sequence[Section] = (), *,
                    rows: Sequence[str] = (), cells: Sequence[str] = (), emblems: Sequence[str] = ()):
    """The laid-out WeasyPrint document (inspectable: pages, anchors, fonts): ``rows`` one
    under another (showing the Garuda ``emblems``), the blocks of cell texts ``cells``, then
    ``letters`` (each in one flow) and ``sections``."""
    source = html(letters, sections, rows=rows, cells=cells, styled=False)
    document = weasy.render(_letter_html(), source, str(TEMPLATES) + "/",
                            _fetcher(_allowed_files(letters, emblems)), parsed_stylesheet())
    _check_fonts(document)
    return document


def write_report_pdf(template: str, **context) -> bytes:
    """A report page from one of templates/ (the bundled fonts only, like the letters)."""
    source = _environment().get_template(template).render(fonts=_font_uris(), **context)
    document = weasy.render(weasy.import_weasyprint().HTML, source, str(TEMPLATES) + "/",
                            _fetcher(_allowed_files(())))
    _check_fonts(document)
    return document.write_pdf()


def _check_fonts(document) -> None:
    families = weasy.font_families(document)
    others = sorted(f for f in families if f != PDF_FONT_FAMILY)
    if others:
        raise ResourceError(
            f"ข้อความบางตัวไม่มีในฟอนต์ {PDF_FONT_FAMILY} และถูกแทนด้วยฟอนต์ {', '.join(others)}"
        )


_MADE_ELSEWHERE: dict = {}  # a shared attachment laid out by another process (``prepare``)


@cached(maxsize=8)
def _shared_pdf(section: Section) -> bytes:
    """A shared attachment rendered once per process and reused by every letter."""
    if section in _MADE_ELSEWHERE:
        return _MADE_ELSEWHERE.pop(section)
    with written(render_document(sections=[section])) as pdf:
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()


def write_pdfs(letters: Sequence[Letter]) -> list[bytes]:
    """Many letters as one PDF each (see ``write_pdfs_with_pages``)."""
    return [pdf for pdf, _ in write_pdfs_with_pages(letters)]


PAGE_NUMBERS = 9  # continuation-page numbers laid out with the shared rows (more when needed)


def write_pdfs_with_pages(letters: Sequence[Letter], library: RowLibrary | None = None, *,
                          own_pages: list | None = None) -> list[tuple[bytes, int]]:
    """Many letters as one PDF each, with its page count.

    A letter's own pages, and the pages of an attachment made for it alone (its
    credentials), are rows (pdf/rows.py), each distinct row laid out once:
    - the rows every one of ``letters`` has (the body lines every recipient shares, the
      attachment's title and table head) and the page numbers, in a document cached per
      process under that set of rows, so the next batch of the same letter reuses it;
    - the other rows in one document for ``letters`` (fonts subset once, styles parsed once).
    pdf/paginate.py places each letter's rows on its pages, and its PDF is put
    together from those rows; attachments shared by every letter (the step sheet) are
    laid out once per process and their pages copied. Both documents depend on
    ``letters`` only, so the same letters give the same bytes whatever was rendered before.

    With a ``library`` (rows laid out by earlier calls, kept by the caller: the web
    preview's), a row found there is taken from it, and only the others are laid out, in
    one document added to it. The pages look the same, but the bytes then depend on what
    was laid out before (a font is subset per document), so the batch engine passes none.

    ``own_pages``, when given, receives per letter its own pages as placed: per page, each row's
    (html, top in points from the page's top, paginate.Box), the page number first on a
    continuation page (where a signature goes: lettergen/signing/place.py)."""
    import pikepdf

    if not letters:
        return []
    flows, common_rows, own, texts, emblems = _plan(letters)
    if library is None:
        rows = _BatchRows(common_rows, own, texts, emblems)
    else:
        rows = _LibraryRows(library, common_rows + tuple(own), texts, emblems)

    def layout(letter, flow_rows, first_top):
        boxes = [dataclasses.replace(rows.box(row), keep_with_previous=row.keep_with_previous,
                                     repeat=row.repeat) for row in flow_rows]
        pages = paginate(boxes, first_top)
        too_tall = crossing_the_foot(boxes, pages)
        if too_tall is not None:
            raise InputError(f"หนังสือถึง{_start_of(letter.recipient_name)}: ข้อความ "
                             f"\"{_start_of(_row_text(flow_rows[too_tall]))}\" ยาวเกินกว่าจะพิมพ์ลงในหนึ่งหน้า "
                             "จึงจะถูกตัดที่ท้ายหน้า; ตัดข้อความให้สั้นลง (หรือตรวจว่าวางข้อความผิดช่อง)")
        return pages

    attachments = {}
    try:
        layouts = [[None if isinstance(flow, Section) else layout(letter, *flow) for flow in letter_flows]
                   for letter, letter_flows in zip(letters, flows)]
        rows.number_pages(max(len(letter_layouts[0]) for letter_layouts in layouts))
        outputs = []
        for letter, letter_flows, letter_layouts in zip(letters, flows, layouts):
            parts = []  # ("rows", [placed rows per page]) or ("pages", pdf)
            for k, (flow, pages) in enumerate(zip(letter_flows, letter_layouts)):
                if isinstance(flow, Section):  # shared by every letter: its pages as laid out once
                    if flow not in attachments:
                        attachments[flow] = pikepdf.open(io.BytesIO(_shared_pdf(flow)))
                    parts.append(("pages", attachments[flow]))
                    continue
                flow_rows = flow[0]
                placements = []
                for number, page in enumerate(pages, start=1):
                    placed = [(*rows.drawn(flow_rows[p.row]), p.top) for p in page]
                    if k == 0 and number > 1:  # the letter's own pages are numbered
                        html = _page_number(number)
                        sheet = rows.of(html)
                        placed.insert(0, (sheet, html, page_number_top(sheet.box(html).height)))
                    placements.append(placed)
                parts.append(("rows", placements))
                if k == 0 and own_pages is not None:  # a head line set as its text: no HTML
                    own_pages.append([[(getattr(html, "html", html) or "", top, sheet.box(html))
                                       for sheet, html, top in placed] for placed in placements])

            def build(out, parts=parts):
                for kind, part in parts:
                    if kind == "pages":
                        out.pages.extend(part.pages)
                    else:
                        for placed in part:
                            place_rows(out, placed)

            count = sum(len(part) if kind == "rows" else len(part.pages) for kind, part in parts)
            outputs.append((assemble(letter, build, rows.pdf()), count))
    finally:
        for pdf in attachments.values():
            pdf.close()
        rows.close()
    return outputs


class _Rows:
    """What both kinds of rows of a call share: a row's size and what draws it."""

    def drawn(self, row: Row) -> tuple:
        """(what draws ``row``, the row as it knows it): a table row set as texts, the
        call's TableRows; any other row, the sheet that laid it out, and its HTML."""
        if row.cells is not None:
            return self.tables, row
        return self.of(row.html), row.html

    def box(self, row: Row):
        drawer, key = self.drawn(row)
        return drawer.box(key)


class _BatchRows(_Rows):
    """Where the rows of one batch are laid out: those every letter has, with the page
    numbers, in the per-process cache (``_shared_rows``); the others, and the texts of the
    table rows set as texts, in a document of their own, laid out now and closed with
    ``close()``."""

    def __init__(self, common: tuple[str, ...], own: list[str], texts: list[CellText],
                 emblems: tuple[str, ...]):
        self.common, self.emblems = common, emblems
        self.shared = _shared_rows(common, PAGE_NUMBERS, emblems)
        self.own = _own_sheet(own, texts, emblems) if own or texts else None
        self.tables = cells.TableRows(lambda text: self.own, _frame)

    def of(self, html: str) -> RowSheet:
        return self.shared if html in self.shared else self.own

    def number_pages(self, most: int) -> None:
        """Page numbers up to ``most``: a letter of more pages than usual needs more."""
        if most > PAGE_NUMBERS:
            self.shared = _shared_rows(self.common, most, self.emblems)

    def pdf(self):
        return (self.own or self.shared).pdf

    def close(self) -> None:
        if self.own:
            self.own.pdf.close()


class _LibraryRows(_Rows):
    """Where the rows of one call with a ``RowLibrary`` are: in the library, the rows and
    cell texts it lacked laid out now (with the page numbers) in one document that joins it."""

    def __init__(self, library: RowLibrary, rows: tuple[str, ...], texts: list[CellText],
                 emblems: tuple[str, ...]):
        self.library, self.emblems = library, emblems
        library.trim()  # before any lookup: no sheet this call uses is dropped during it
        self.number_pages(PAGE_NUMBERS, rows, texts)
        self.tables = cells.TableRows(library.find, _frame)

    def number_pages(self, most: int, rows: Sequence[str] = (), texts: Sequence[CellText] = ()) -> None:
        wanted = [*rows, *(_page_number(n) for n in range(2, most + 1))]
        missing = list(dict.fromkeys(html for html in wanted if self.library.find(html) is None))
        missing_texts = [text for text in texts if self.library.find(text) is None]
        if missing or missing_texts:
            self.library.add(_own_sheet(missing, missing_texts, self.emblems))

    def of(self, html: str) -> RowSheet:
        return self.library.find(html)

    def pdf(self):
        return self.library.newest().pdf

    def close(self) -> None:
        pass  # the library keeps its sheets


def _plan(letters: Sequence[Letter]):
    """What ``letters`` are made of (``_flows``), their rows split into those every letter
    has (shared; not those most have: that set would change from batch to batch, and so
    would the cached document) and the others, the distinct texts of their table rows set
    as texts (laid out with the others), and the emblems they show."""
    flows = [_flows(letter) for letter in letters]
    emblems = tuple(sorted({letter.emblem for letter in letters if letter.emblem}))
    placed = [[row for flow in letter_flows if not isinstance(flow, Section) for row in flow[0]]
              for letter_flows in flows]
    rows = [[row.html for row in letter_rows if row.cells is None] for letter_rows in placed]
    in_letters = Counter(html for letter_rows in rows for html in set(letter_rows))
    common = len(letters) if len(letters) > 1 else 2
    every = list(dict.fromkeys(html for letter_rows in rows for html in letter_rows))
    common_rows = tuple(html for html in every if in_letters[html] >= common)
    own = [html for html in every if in_letters[html] < common]
    texts = list(dict.fromkeys(text for letter_rows in placed for row in letter_rows
                               if row.cells is not None for text in row.cells.cells if text))
    return flows, common_rows, own, texts, emblems


def load() -> None:
    """WeasyPrint imported, the stylesheet parsed, the fonts loaded, the templates compiled and
    the word lists read: what every document laid out in this process needs first."""
    from ..dictionary import short_words, thai_dictionary

    _letter_html()
    parsed_stylesheet()
    _parts()
    thai_dictionary()
    short_words()


def prepare(letters: Sequence[Letter], attachments: Callable[[], dict] | None = None) -> None:
    """Lay out now what ``write_pdfs_with_pages(letters)`` takes from the per-process
    caches (the shared rows, the shared attachments), and load the word lists and fonts:
    done before forking workers, it is done once for all of them. ``attachments()``, when
    given, is ``shared_attachments(letters)`` made by another process meanwhile (the batch
    engine's: batch._map), taken last, rather than laid out here."""
    _, common_rows, _, texts, emblems = _plan(letters)
    _shared_rows(common_rows, PAGE_NUMBERS, emblems)
    for frame in dict.fromkeys(text.frame for text in texts):
        _frame(frame, 1)
    for style, literal in dict.fromkeys((text.style, text.literal) for text in texts):
        _shaper(style, literal)
    if attachments is not None:
        for section, pdf in attachments().items():
            _MADE_ELSEWHERE[section] = pdf
            _shared_pdf(section)  # kept, unless this process had laid it out already
            _MADE_ELSEWHERE.pop(section, None)
    shared_attachments(letters)


def shared_attachments(letters: Sequence[Letter]) -> dict[Section, bytes]:
    """The attachments every one of ``letters`` has (the step sheet), each laid out and
    written as a PDF (the bytes whose pages every letter copies)."""
    shared = (s for letter in letters for s in letter.attachments if s.shared)
    return {section: _shared_pdf(section) for section in dict.fromkeys(shared)}


def _flows(letter: Letter) -> list:
    """What a letter's PDF is made of, in order: its own pages, then each attachment; each
    as (rows, where the first page's text starts), or, for an attachment shared by every
    letter, the Section itself (laid out whole, once)."""
    parts = _parts()
    flows: list = [(rows_of_letter(letter, placed=True), FIRST_TOP)]
    for section in letter.attachments:
        flows.append(section if section.shared else (section_rows(section, parts, placed=True), TOP))
    return flows


def _start_of(text: str, most: int = 60) -> str:
    """A text as a message quotes it: its first ``most`` characters, "…" after them."""
    return text if len(text) <= most else text[:most] + "…"


def _row_text(row: Row) -> str:
    """What a row says (a table row set as texts: its longest cell's), for a message."""
    if row.cells is not None:
        return max((text.said for text in row.cells.cells if text), key=len, default="")
    return Markup(row.html).striptags()


def _page_number(page: int) -> str:
    return page_number_row(page, _parts()).html


@cached(maxsize=4)
def _shared_rows(rows: tuple[str, ...], pages: int, emblems: tuple[str, ...]) -> RowSheet:
    """``rows`` and the numbers of continuation pages 2 to ``pages``, laid out and written
    once per process: the rows every letter of a batch has."""
    import pikepdf

    rows = rows + tuple(_page_number(n) for n in range(2, pages + 1))
    document = render_document(rows=rows, emblems=emblems)
    sheet = RowSheet(document, rows)
    sheet.attach(written(document))
    return sheet


def _own_sheet(rows: list[str], texts: Sequence[CellText], emblems, shaping: bool = True) -> RowSheet:
    """``rows`` and the cell ``texts`` laid out in one document and written: a RowSheet. The
    texts that need no layout are broken into lines, shaped and drawn into it (pdf/cells.py,
    ``set_apart``), unless WeasyPrint breaks or draws one of them otherwise: then, or
    without ``shaping``, every text is laid out."""
    laid_out = cells.blocks(texts, lambda text: _frame(text.frame, 1).cells[text.column][2])
    shaped = {}
    if shaping:
        laid_out, shaped = cells.set_apart(laid_out, _shaper)
    blocks = [_parts().placed_texts(style, literal, width, [text.html for text in in_block])
              for (width, style, literal), in_block in laid_out]
    document = render_document(rows=rows, cells=blocks, emblems=emblems)
    texts_laid_out = cells.CellTexts(document, laid_out, shaped) if texts else None
    with weasy_subset.extra_glyphs(texts_laid_out.glyphs if shaped else {}):
        pdf = written(document)
    sheet = RowSheet(document, rows, texts_laid_out)
    sheet.attach(pdf)
    if shaped and not texts_laid_out.drawn_alike():
        pdf.close()
        return _own_sheet(rows, texts, emblems, shaping=False)
    return sheet


@cached(maxsize=8)
def _shaper(style: str, literal: bool) -> weasy_shape.Shaper | None:
    """What shapes the cell texts of a block of ``style`` (a head line's too), found in a
    probe block laid out once per process (pdf/weasy_shape.py); None where it cannot be."""
    probe = _parts().placed_texts(style, literal, 1000, list(weasy_shape.PROBES.values()))
    try:
        return weasy_shape.Shaper(render_document(cells=[probe]), PLACED_TEXTS)
    except OSError:  # HarfBuzz not found as WeasyPrint loaded it: every text laid out
        return None


_ROOM_ABOVE = Markup('<div style="height: 12pt"></div>')


@cached(maxsize=16)
def _frame(frame: Frame, lines: int) -> cells.FrameSheet:
    """The frame of a table row whose tallest cell holds ``lines`` lines (pdf/cells.py),
    laid out and written once per process."""
    html = (_parts().head_frame if frame.name == HEAD else _parts().table_frame)(frame, lines)
    rows = [_ROOM_ABOVE, html]  # a row's rules reach above it: not cut off by the page's edge
    document = render_document(rows=rows)
    boxes = weasy.cell_boxes(document, 1)
    sheet = RowSheet(document, rows)
    sheet.attach(written(document))
    return cells.FrameSheet(sheet, html, tuple(boxes))


def written(document):
    """``document`` written as PDF/A-3u and opened with pikepdf, each line of text in it
    carrying its own text (lettergen/pdf/actualtext.py)."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(document.write_pdf(pdf_variant="pdf/a-3u")))
    mark_lines(document, pdf)
    return pdf


def write_pdf(letter: Letter) -> bytes:
    """One letter (with its attachments) as PDF bytes."""
    return write_pdfs([letter])[0]
