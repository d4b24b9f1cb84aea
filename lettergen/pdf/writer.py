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
import datetime as dt
import io
import os
from collections import Counter
from ..caches import cached
from pathlib import Path
from typing import Sequence

import jinja2

from .. import geometry
from ..errors import ResourceError
from ..model import Letter, Section
from .paginate import FIRST_TOP, TOP, page_number_top, paginate
from .actualtext import mark as mark_lines
from .placement import RowLibrary, RowSheet, place_rows
from ..links import breakable, with_breaks
from ..qr import print_width_cm, svg_data_uri
from ..resources import PDF_FONT_FAMILY, TEMPLATES, font_paths, template_path
from . import weasy
from .rows import Row, letter_rows, page_number_row, section_rows


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


def rows_of_letter(letter: Letter) -> list[Row]:
    """The rows of ``letter``'s own pages (pdf/rows.py)."""
    return letter_rows(letter, _parts())


def html(letters: Sequence[Letter] = (), sections: Sequence[Section] = (), *,
         rows: Sequence[str] = (), styled: bool = True) -> str:
    """The HTML of ``rows`` one under another (the batch writer's), then of ``letters`` one
    after another, each with its attachments and starting on a new page, then of standalone
    ``sections``; ``styled``: with the fonts and the stylesheet (a page that can be laid
    out alone), or without (laid out with ``parsed_stylesheet()``)."""
    first = letters[0] if letters else None
    subject = first.subject if first else sections[0].title if sections else ""
    return _environment().get_template("document.html.j2").render(
        rows=rows,
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
                    rows: Sequence[str] = (), emblems: Sequence[str] = ()):
    """The laid-out WeasyPrint document (inspectable: pages, anchors, fonts): ``rows`` one
    under another (showing the Garuda ``emblems``), then ``letters`` (each in one flow) and
    ``sections``."""
    source = html(letters, sections, rows=rows, styled=False)
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


@cached(maxsize=8)
def _shared_pdf(section: Section) -> bytes:
    """A shared attachment rendered once per process and reused by every letter."""
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
    flows, common_rows, own, emblems = _plan(letters)
    if library is None:
        rows = _BatchRows(common_rows, own, emblems)
    else:
        rows = _LibraryRows(library, common_rows + tuple(own), emblems)

    def layout(flow_rows, first_top):
        return paginate([dataclasses.replace(rows.of(row.html).box(row.html),
                                             keep_with_previous=row.keep_with_previous,
                                             repeat=row.repeat) for row in flow_rows], first_top)

    attachments = {}
    try:
        layouts = [[None if isinstance(flow, Section) else layout(*flow) for flow in letter_flows]
                   for letter_flows in flows]
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
                    placed = [(rows.of(flow_rows[p.row].html), flow_rows[p.row].html, p.top) for p in page]
                    if k == 0 and number > 1:  # the letter's own pages are numbered
                        html = _page_number(number)
                        sheet = rows.of(html)
                        placed.insert(0, (sheet, html, page_number_top(sheet.box(html).height)))
                    placements.append(placed)
                parts.append(("rows", placements))
                if k == 0 and own_pages is not None:
                    own_pages.append([[(html, top, sheet.box(html)) for sheet, html, top in placed]
                                    for placed in placements])

            def build(out, parts=parts):
                for kind, part in parts:
                    if kind == "pages":
                        out.pages.extend(part.pages)
                    else:
                        for placed in part:
                            place_rows(out, placed)

            count = sum(len(part) if kind == "rows" else len(part.pages) for kind, part in parts)
            outputs.append((_assemble(letter, build, rows.pdf()), count))
    finally:
        for pdf in attachments.values():
            pdf.close()
        rows.close()
    return outputs


class _BatchRows:
    """Where the rows of one batch are laid out: those every letter has, with the page
    numbers, in the per-process cache (``_shared_rows``); the others in a document of
    their own, laid out now and closed with ``close()``."""

    def __init__(self, common: tuple[str, ...], own: list[str], emblems: tuple[str, ...]):
        self.common, self.emblems = common, emblems
        self.shared = _shared_rows(common, PAGE_NUMBERS, emblems)
        self.own = RowSheet(render_document(rows=own, emblems=emblems), own) if own else None
        if self.own:
            self.own.attach(written(self.own.document))

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


class _LibraryRows:
    """Where the rows of one call with a ``RowLibrary`` are: in the library, the rows it
    lacked laid out now (with the page numbers) in one document that joins it."""

    def __init__(self, library: RowLibrary, rows: tuple[str, ...], emblems: tuple[str, ...]):
        self.library, self.emblems = library, emblems
        library.trim()  # before any lookup: no sheet this call uses is dropped during it
        self.number_pages(PAGE_NUMBERS, rows)

    def number_pages(self, most: int, rows: Sequence[str] = ()) -> None:
        wanted = [*rows, *(_page_number(n) for n in range(2, most + 1))]
        missing = list(dict.fromkeys(html for html in wanted if self.library.find(html) is None))
        if missing:
            sheet = RowSheet(render_document(rows=missing, emblems=self.emblems), missing)
            sheet.attach(written(sheet.document))
            self.library.add(sheet)

    def of(self, html: str) -> RowSheet:
        return self.library.find(html)

    def pdf(self):
        return self.library.newest().pdf

    def close(self) -> None:
        pass  # the library keeps its sheets


def _plan(letters: Sequence[Letter]):
    """What ``letters`` are made of (``_flows``), their rows split into those every letter
    has (shared; not those most have: that set would change from batch to batch, and so
    would the cached document) and the others, and the emblems they show."""
    flows = [_flows(letter) for letter in letters]
    emblems = tuple(sorted({letter.emblem for letter in letters if letter.emblem}))
    rows = [[row.html for flow in letter_flows if not isinstance(flow, Section) for row in flow[0]]
            for letter_flows in flows]
    in_letters = Counter(html for letter_rows in rows for html in set(letter_rows))
    common = len(letters) if len(letters) > 1 else 2
    every = list(dict.fromkeys(html for letter_rows in rows for html in letter_rows))
    common_rows = tuple(html for html in every if in_letters[html] >= common)
    own = [html for html in every if in_letters[html] < common]
    return flows, common_rows, own, emblems


def prepare(letters: Sequence[Letter]) -> None:
    """Lay out now what ``write_pdfs_with_pages(letters)`` takes from the per-process
    caches (the shared rows, the shared attachments), and load the word lists and fonts:
    done before forking workers, it is done once for all of them."""
    _, common_rows, _, emblems = _plan(letters)
    _shared_rows(common_rows, PAGE_NUMBERS, emblems)
    for section in {s for letter in letters for s in letter.attachments if s.shared}:
        _shared_pdf(section)


def _flows(letter: Letter) -> list:
    """What a letter's PDF is made of, in order: its own pages, then each attachment; each
    as (rows, where the first page's text starts), or, for an attachment shared by every
    letter, the Section itself (laid out whole, once)."""
    parts = _parts()
    flows: list = [(rows_of_letter(letter), FIRST_TOP)]
    for section in letter.attachments:
        flows.append(section if section.shared else (section_rows(section, parts), TOP))
    return flows


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


def written(document):
    """``document`` written as PDF/A-3u and opened with pikepdf, each line of text in it
    carrying its own text (lettergen/pdf/actualtext.py)."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(document.write_pdf(pdf_variant="pdf/a-3u")))
    mark_lines(document, pdf)
    return pdf


def _assemble(letter: Letter, build, batch) -> bytes:
    """One letter's PDF/A-3u, its pages made by ``build(out)``: the batch's output intent
    (sRGB), the letter's own metadata, dated for the same bytes on every run."""
    import pikepdf

    out = pikepdf.new()
    build(out)
    out.Root.Lang = pikepdf.String("th")
    out.Root.OutputIntents = pikepdf.Array([_copy(out, intent) for intent in batch.Root.OutputIntents])
    when = document_date(letter)
    pdf_date = when.strftime("D:%Y%m%d%H%M%S+07'00'")
    out.docinfo["/Title"] = letter.title
    out.docinfo["/Author"] = letter.agency
    out.docinfo["/Subject"] = letter.subject
    out.docinfo["/Producer"] = "lettergen"
    out.docinfo["/CreationDate"] = pdf_date
    out.docinfo["/ModDate"] = pdf_date
    metadata = pikepdf.Stream(out, _xmp(letter, when).encode("utf-8"))
    metadata.Type, metadata.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
    out.Root.Metadata = metadata
    buffer = io.BytesIO()
    # The page and font streams come compressed from WeasyPrint; the metadata stream must
    # stay unfiltered for PDF/A, so nothing more is compressed here.
    out.save(buffer, deterministic_id=True, compress_streams=False, min_version="1.7",
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def _copy(out, item):
    """``item`` from another PDF into ``out``: direct containers rebuilt, indirect objects
    (the ICC profile stream) copied across."""
    import pikepdf

    if isinstance(item, pikepdf.Dictionary) and not item.is_indirect:
        return pikepdf.Dictionary({k: _copy(out, v) for k, v in item.items()})
    if isinstance(item, pikepdf.Array) and not item.is_indirect:
        return pikepdf.Array([_copy(out, v) for v in item])
    if isinstance(item, pikepdf.Object) and item.is_indirect:
        return out.copy_foreign(item)
    return item


def document_date(letter: Letter) -> dt.datetime:
    """The creation date written into the PDF: SOURCE_DATE_EPOCH when set (reproducible
    builds), else the letter's own date at midnight, Thai time."""
    thai_time = dt.timezone(dt.timedelta(hours=7))
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), thai_time)
    return dt.datetime.combine(letter.date, dt.time(), thai_time)


def _xmp(letter: Letter, when: dt.datetime) -> str:
    from xml.sax.saxutils import escape as x

    stamp = when.isoformat()
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="3" pdfaid:conformance="U"/>
<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" pdf:Producer="lettergen"/>
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="{stamp}" xmp:ModifyDate="{stamp}" xmp:MetadataDate="{stamp}"/>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{x(letter.title)}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{x(letter.agency)}</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{x(letter.subject)}</rdf:li></rdf:Alt></dc:description>
<dc:language><rdf:Bag><rdf:li>th</rdf:li></rdf:Bag></dc:language>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def write_pdf(letter: Letter) -> bytes:
    """One letter (with its attachments) as PDF bytes."""
    return write_pdfs([letter])[0]


def encrypt(pdf: bytes, password: str) -> bytes:
    """The delivery copy of a letter: AES-256 encrypted, opened with ``password``. (The
    archive copy stays unencrypted PDF/A: PDF/A forbids encryption.)"""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        buffer = io.BytesIO()
        document.save(buffer, encryption=pikepdf.Encryption(user=password, owner=password, R=6))
        return buffer.getvalue()


def concatenate(paths) -> bytes:
    """One PDF of all ``paths`` in order, for a single print job. A signed letter's visible
    signature is printed as part of its page (its signature field does not travel: the print
    job is not a signed document)."""
    import pikepdf

    out = pikepdf.new()
    sources = []
    try:
        for path in paths:
            source = pikepdf.open(path)
            sources.append(source)
            if "/AcroForm" in source.Root:
                source.flatten_annotations("print")
                if "/AcroForm" in source.Root:
                    del source.Root.AcroForm
            out.pages.extend(source.pages)
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return buffer.getvalue()
    finally:
        for source in sources:
            source.close()
