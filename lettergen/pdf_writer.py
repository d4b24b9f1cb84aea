"""Letters -> HTML (Jinja2 templates in templates/) -> WeasyPrint -> PDF.

``html()`` returns the page source, to be inspected or compared with a golden file;
``write_pdf()`` lays it out and writes the PDF. WeasyPrint may fetch only the bundled fonts
and stylesheet, the spec's emblem, and the data: URIs of the QR codes: nothing else on disk
and nothing on the network. Every font in the laid-out document must be the bundled Sarabun;
a fallback to any other font (a glyph Sarabun lacks) is an error.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import jinja2

from .errors import ResourceError
from .model import LABELS, Letter
from .qr import print_width_cm, svg_data_uri
from .resources import PDF_FONT_FAMILY, TEMPLATES, font_paths, template_path


def _run_classes(run) -> str:
    classes = []
    if run.bold:
        classes.append("b")
    if run.underline:
        classes.append("u")
    if run.literal:
        classes.append("lit")
    return " ".join(classes)


@lru_cache(maxsize=1)
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
    env.globals["run_classes"] = _run_classes
    env.globals["labels"] = LABELS
    return env


def html(letters: Sequence[Letter]) -> str:
    """The HTML of ``letters``, one after another, each starting on a new page."""
    first = letters[0]
    fonts = {style: path.as_uri() for style, path in font_paths().items()}
    return _environment().get_template("document.html.j2").render(
        letters=letters,
        title=first.title if len(letters) == 1 else first.subject,
        author=first.agency,
        subject=first.subject,
        fonts=fonts,
        stylesheet=template_path("letter.css").as_uri(),
    )


def _allowed_files(letters: Sequence[Letter]) -> set[Path]:
    allowed = set(font_paths().values()) | {template_path("letter.css")}
    allowed |= {Path(letter.emblem).resolve() for letter in letters if letter.emblem}
    return {path.resolve() for path in allowed}


def _fetcher(allowed: set[Path]):
    """A URL fetcher that serves data: URIs and the ``allowed`` files, and refuses the
    rest (other files, the network) so that the rendering stops."""
    from urllib.parse import unquote, urlparse

    URLFetcher = _import_weasyprint().urls.URLFetcher

    class BundledOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://"):
                path = Path(unquote(urlparse(url).path)).resolve()
                if path not in allowed:
                    raise ValueError(f"not a bundled file: {url}")
            elif not url.startswith("data:"):
                raise ValueError(f"not a bundled file: {url}")
            return super().fetch(url, headers)

    return BundledOnly(allowed_protocols=("file", "data"), fail_on_errors=True)


def _import_weasyprint():
    # Without Debian's libharfbuzz-subset0, WeasyPrint subsets fonts with fontTools and
    # warns at import that it will need HarfBuzz later. The output is the same, so the
    # clerk is spared the warning; .ci/run and the README install the library.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        import weasyprint
        import weasyprint.text.fonts  # noqa: F401
    return weasyprint


def render_document(letters: Sequence[Letter]):
    """The laid-out WeasyPrint document of ``letters`` (inspectable: pages, fonts)."""
    weasyprint = _import_weasyprint()
    HTML, FontConfiguration = weasyprint.HTML, weasyprint.text.fonts.FontConfiguration

    source = html(letters)
    font_config = FontConfiguration()
    document = HTML(
        string=source, base_url=str(TEMPLATES) + "/", url_fetcher=_fetcher(_allowed_files(letters))
    ).render(font_config=font_config)
    _check_fonts(document)
    return document


def _check_fonts(document) -> None:
    families = {font.family for font in document.fonts.values()}
    others = sorted(f for f in families if f != PDF_FONT_FAMILY)
    if others:
        raise ResourceError(
            f"ข้อความบางตัวไม่มีในฟอนต์ {PDF_FONT_FAMILY} และถูกแทนด้วยฟอนต์ {', '.join(others)}"
        )


def write_pdf(letter: Letter) -> bytes:
    """One letter (with its attachments) as PDF bytes."""
    return render_document([letter]).write_pdf()
