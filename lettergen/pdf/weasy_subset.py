"""One font subsetter for WeasyPrint's PDFs on every machine: HarfBuzz's, from the uharfbuzz
wheel (a dependency of lettergen), never the system's.

WeasyPrint 70 (``weasyprint.pdf.fonts.Font.subset``) subsets an embedded font with Debian's
optional libharfbuzz-subset0 when it can load it (``weasyprint.text.ffi.harfbuzz_subset``),
else with fontTools. The two give different bytes, and the fontTools path is not even the
same from one process to the next, so "same input, same bytes" would hold per machine only.
``install()`` replaces that method with ``subset_font``: the HarfBuzz built into uharfbuzz,
whose version comes with the Python package and not with the system.

WeasyPrint's internals are touched here only (``Font.subset`` and the attributes it reads:
``file_content``, ``index``, ``missing``), which is why weasyprint is pinned to its tested
major version in pyproject.toml.
"""

from __future__ import annotations

import contextlib
from typing import Iterable

# Tables a PDF viewer never reads from an embedded font (the same list WeasyPrint drops):
# glyph substitution and positioning were applied by the layout already.
DROPPED_TABLES = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH",
                  "PCLT", "SVG ")


def subset_font(data: bytes, index: int, glyphs: Iterable[int], *, hinting: bool = False,
                notdef_outline: bool = False) -> bytes:
    """The font ``data`` (face ``index`` of it) cut down to the glyph ids ``glyphs``.

    Glyph ids are kept (the PDF's text refers to them), so the font keeps ``max(glyphs) + 1``
    glyphs, those not used left empty. Unknown tables pass through, CFF fonts lose their
    subroutines (as WeasyPrint asks), hinting goes unless ``hinting``, and the .notdef glyph
    keeps its outline when ``notdef_outline`` (a character the font lacks is drawn with it).
    """
    import uharfbuzz as hb

    face = hb.Face(hb.Blob(data), index)
    request = hb.SubsetInput()
    request.glyph_set.update(sorted(set(glyphs)))
    flags = (hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
             | hb.SubsetFlags.DESUBROUTINIZE)
    if not hinting:
        flags |= hb.SubsetFlags.NO_HINTING
    if notdef_outline:
        flags |= hb.SubsetFlags.NOTDEF_OUTLINE
    request.flags = flags
    request.drop_table_tag_set.update(int.from_bytes(tag.encode("ascii"), "big")
                                      for tag in DROPPED_TABLES)
    subset = hb.subset(face, request)
    if subset is None:
        raise RuntimeError("HarfBuzz could not subset a font of the PDF")
    return subset.blob.data


_EXTRA: dict[str, dict[int, tuple[str, int]]] = {}  # font resource -> glyphs to add (extra_glyphs)


@contextlib.contextmanager
def extra_glyphs(glyphs: dict[str, dict[int, tuple[str, int]]]):
    """While a document is written: the fonts named (by their resource name, WeasyPrint's
    ``Font.hash``) also hold these glyphs, each with its text (its ToUnicode entry, unless
    the document drew it already) and its width: glyphs drawn into the written pages by
    lettergen itself (pdf/weasy_shape.py), which WeasyPrint never saw."""
    _EXTRA.update(glyphs)
    try:
        yield
    finally:
        _EXTRA.clear()


def _subset(self, to_unicode, hinting) -> None:
    """``weasyprint.pdf.fonts.Font.subset``, with ``subset_font`` as the only subsetter (and
    the ``extra_glyphs`` kept)."""
    for glyph, (text, width) in _EXTRA.get(self.hash, {}).items():
        self.to_unicode.setdefault(glyph, text)
        self.widths.setdefault(glyph, width)
        to_unicode.setdefault(glyph, text)
    if not to_unicode:
        return
    self.file_content = subset_font(self.file_content, self.index, to_unicode, hinting=hinting,
                                    notdef_outline=bool(self.missing))


_subset.lettergen = True


def install() -> None:
    """Make WeasyPrint subset every embedded font with ``subset_font`` (once per process;
    ``weasyprint`` must be importable)."""
    from weasyprint.pdf import fonts

    if not getattr(fonts.Font.subset, "lettergen", False):
        fonts.Font.subset = _subset
