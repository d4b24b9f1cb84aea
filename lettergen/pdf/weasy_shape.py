"""A table cell's text (or a head line's) broken into lines, shaped and drawn as WeasyPrint
does it, without WeasyPrint's layout: the part of the adapter to WeasyPrint (weasy.py) that
reaches into Pango and HarfBuzz.

WeasyPrint spends about 0.3 ms on each cell text of a credentials list (its boxes, Pango's
line layout and its glyph loop in Python), most of a district letter's time. A text in one
font needs none of the boxes:
- where its lines break is what WeasyPrint's own line splitting finds (``Shaper.first_line``:
  ``split_first_line``, called as its inline layout calls it for a text at the start of a
  line, with the computed style of a probe text of the same kind of block), line after
  line, until what is left is one line for certain;
- each line is drawn from a layout of its own text (WeasyPrint lays out the first line's
  text again before drawing it), which Pango shapes with HarfBuzz, and draws glyph by glyph
  from the shaped glyphs' ids, advances and offsets. Here the same HarfBuzz (the system's,
  the one Pango loaded) shapes the line with the font object Pango itself shapes with
  (``pango_font_get_hb_font``) and the buffer settings Pango gives it (Pango 1.50,
  ``pango_hb_shape``: the direction, the item's script and language, cluster level
  "monotone characters"), and ``draw`` writes the glyphs as ``draw_first_line`` of
  WeasyPrint 70 does (weasyprint/draw/text.py): the same ``TJ`` operands, the same text
  rise for a mark set apart.

Used only for lines of one script (Thai, or Latin, with spaces, digits and ASCII
punctuation), no break mark, no glyph the font lacks, narrower than their cell. The writer
checks, in every document, that a text of each kind broken and drawn this way is what
WeasyPrint breaks and draws for it (pdf/writer.py), and the tests compare many
(tests/test_shaping.py).
"""

from __future__ import annotations

import unicodedata
from array import array
from dataclasses import dataclass

FROM_UNITS = 1 / 1024  # Pango units per CSS pixel: 1024
_EMPTY = 0x0FFFFFFF  # PANGO_GLYPH_EMPTY: a glyph that draws nothing (HarfBuzz's invisible)

_CDEF = """
typedef struct hb_buffer_t hb_buffer_t;
typedef struct hb_font_t hb_font_t;
typedef const struct hb_language_impl_t *hb_language_t;
typedef struct { uint32_t codepoint; uint32_t mask; uint32_t cluster; uint32_t var1; uint32_t var2; } hb_glyph_info_t;
typedef struct { int32_t x_advance; int32_t y_advance; int32_t x_offset; int32_t y_offset; uint32_t var; } hb_glyph_position_t;
hb_buffer_t *hb_buffer_create (void);
void hb_buffer_destroy (hb_buffer_t *buffer);
void hb_buffer_clear_contents (hb_buffer_t *buffer);
void hb_buffer_set_direction (hb_buffer_t *buffer, int direction);
void hb_buffer_set_script (hb_buffer_t *buffer, uint32_t script);
void hb_buffer_set_language (hb_buffer_t *buffer, hb_language_t language);
void hb_buffer_set_cluster_level (hb_buffer_t *buffer, int cluster_level);
void hb_buffer_set_flags (hb_buffer_t *buffer, int flags);
void hb_buffer_set_invisible_glyph (hb_buffer_t *buffer, uint32_t invisible);
void hb_buffer_add_utf8 (hb_buffer_t *buffer, const char *text, int text_length, unsigned int item_offset, int item_length);
hb_language_t hb_language_from_string (const char *str, int len);
uint32_t hb_script_from_string (const char *str, int len);
void hb_shape (hb_font_t *font, hb_buffer_t *buffer, const void *features, unsigned int num_features);
hb_glyph_info_t *hb_buffer_get_glyph_infos (hb_buffer_t *buffer, unsigned int *length);
hb_glyph_position_t *hb_buffer_get_glyph_positions (hb_buffer_t *buffer, unsigned int *length);
typedef struct { void *shape_engine; void *lang_engine; void *font; uint8_t level; uint8_t gravity;
                 uint8_t flags; uint8_t script; const char *language; void *extra_attrs; } PangoAnalysis;
typedef struct { int offset; int length; int num_chars; PangoAnalysis analysis; } PangoItem;
"""
_LTR = 4  # HB_DIRECTION_LTR
_MONOTONE_CHARACTERS = 1  # HB_BUFFER_CLUSTER_LEVEL_MONOTONE_CHARACTERS, as Pango asks
_BOT_EOT = 1 | 2  # a paragraph's own text: each cell text is one (white-space: pre-line)


_HARFBUZZ: tuple = ()


def _harfbuzz():
    """(cffi, the HarfBuzz library WeasyPrint's Pango uses), found once per process."""
    global _HARFBUZZ
    if _HARFBUZZ:
        return _HARFBUZZ
    import cffi

    from weasyprint.text import ffi as weasy_ffi

    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    harfbuzz = ffi.dlopen(_loaded_file(weasy_ffi, weasy_ffi.harfbuzz, "hb_face_get_upem"))
    _HARFBUZZ = (ffi, harfbuzz)
    return _HARFBUZZ


def _loaded_file(weasy_ffi, library, symbol: str) -> str:
    """The file of the library that holds ``symbol`` as WeasyPrint loaded it (by one of the
    names it tries): opened again by that file, the loader hands back the same library, the
    one Pango shapes with."""
    import ctypes

    class DlInfo(ctypes.Structure):
        _fields_ = [("fname", ctypes.c_char_p), ("fbase", ctypes.c_void_p),
                    ("sname", ctypes.c_char_p), ("saddr", ctypes.c_void_p)]

    address = int(weasy_ffi.ffi.cast("uintptr_t", weasy_ffi.ffi.addressof(library, symbol)))
    info = DlInfo()
    if not ctypes.CDLL(None).dladdr(ctypes.c_void_p(address), ctypes.byref(info)):
        raise OSError(f"the library of {symbol} that WeasyPrint loaded cannot be found")
    return info.fname.decode()


# PangoScript (GLib's GUnicodeScript, a stable enumeration) of the scripts shaped here, as
# HarfBuzz's ISO 15924 tags; a line of each in a probe block tells Pango's font and language
SCRIPTS = {0: "Zyyy", 25: "Latn", 38: "Thai"}
PROBES = {"Thai": "ก", "Latn": "a", "Zyyy": "1"}


def _script(text: str) -> str | None:
    """The ISO 15924 tag Pango's itemizer gives a text of one script ("Thai", "Latn", or
    "Zyyy" for digits and punctuation alone), or None for a text this module leaves to
    WeasyPrint (other characters, a mixture, or one that starts with a mark)."""
    thai = latin = False
    for c in text:
        o = ord(c)
        if 0x0E01 <= o <= 0x0E5B:
            thai = True
        elif 0x20 <= o < 0x7F:
            latin = latin or c.isalpha()
        else:
            return None
    if thai and latin or not text or unicodedata.category(text[0]) == "Mn":
        return None
    return "Thai" if thai else "Latn" if latin else "Zyyy"


class Face:
    """A Pango font as Pango shapes a script in it: its HarfBuzz font, script and language,
    its size (CSS pixels), the name of its font resource in WeasyPrint's PDF, and the widths
    of its glyphs there (1/1000 of the size)."""

    def __init__(self, pango_font, script: str, language: bytes):
        from weasyprint.pdf.fonts import Font
        from weasyprint.text import ffi as weasy_ffi
        from weasyprint.text.fonts import get_pango_font_key

        ffi, harfbuzz = _harfbuzz()
        self.pango_font = pango_font
        self.hb_font = ffi.cast("hb_font_t *", int(weasy_ffi.ffi.cast(
            "uintptr_t", weasy_ffi.pango.pango_font_get_hb_font(pango_font))))
        self.script = harfbuzz.hb_script_from_string(script.encode("ascii"), 4)
        self.language = harfbuzz.hb_language_from_string(language, -1)
        _, description, self.font_size = get_pango_font_key(pango_font)
        self.name = Font(pango_font, description, self.font_size).hash
        self.widths: dict[int, int] = {}

    def width_of(self, gid: int) -> int:
        """The glyph's width in the PDF's font, as WeasyPrint takes it from Pango."""
        width = self.widths.get(gid)
        if width is None:
            from weasyprint.text.ffi import ffi, pango

            ink, logical = ffi.new("PangoRectangle *"), ffi.new("PangoRectangle *")
            pango.pango_font_get_glyph_extents(self.pango_font, gid, ink, logical)
            width = self.widths[gid] = round(logical.width * 1000 * FROM_UNITS / self.font_size)
        return width


@dataclass(frozen=True, eq=False)
class Shaped:
    """A text shaped in one face: the text, its glyphs, and its width in CSS pixels. Each
    glyph as Pango keeps it: (its id, advance, x and y offsets in Pango units, the text it
    stands for: its cluster's, "" for the second glyph of a cluster), a plain tuple, as a
    district letter's list makes some ten thousand of them."""

    face: Face
    glyphs: tuple[tuple[int, int, int, int, str], ...]
    width: float
    text: str


class Shaper:
    """The faces of a kind of cell text (a block of them: its size, weight, language), found
    in a laid-out probe block of that kind holding a line of each script (``PROBES``), kept
    for the process: breaks a text into lines as WeasyPrint does, shapes each as Pango shapes
    a line of it, and draws it as WeasyPrint does."""

    def __init__(self, document, class_name: str):
        from types import SimpleNamespace

        self.document = document  # what keeps the Pango fonts alive
        self.faces = {}
        self.style = None  # the computed style of the probe's text: how its lines break
        for pango_font, script, language, style in _first_runs(document, class_name):
            tag = SCRIPTS.get(script)
            if tag is not None and tag not in self.faces:
                self.faces[tag] = Face(pango_font, tag, language)
            self.style = self.style or style
        self.context = SimpleNamespace(dictionaries={})  # what split_first_line may keep

    def first_line(self, text: str, width: float) -> tuple[str, str | None]:
        """The text of the first line WeasyPrint makes of ``text`` at the start of a block
        ``width`` CSS pixels wide, and the text the next line resumes with (None: it all
        fits): what its inline layout finds (``split_text_box`` calls ``split_first_line``,
        and draws the first line from a layout of that line's own text)."""
        from weasyprint.text.line_break import split_first_line

        data = text.encode("utf-8")
        _, length, resume, *_ = split_first_line(text, self.style, self.context, width, 0)
        return data[:length].decode("utf-8"), None if resume is None else data[resume:].decode("utf-8")

    def shape(self, text: str) -> Shaped | None:
        """``text`` shaped as Pango shapes a line of it; None if it is not of one script this
        module shapes, or the font lacks a glyph of it."""
        face = self.faces.get(_script(text))
        if face is None:
            return None
        ffi, harfbuzz = _HARFBUZZ or _harfbuzz()
        # a buffer of this call's own: the web app's engine lays out in several threads
        buffer = harfbuzz.hb_buffer_create()
        try:
            return self._shape(face, text, ffi, harfbuzz, buffer)
        finally:
            harfbuzz.hb_buffer_destroy(buffer)

    @staticmethod
    def _shape(face: Face, text: str, ffi, harfbuzz, buffer) -> Shaped | None:
        data = text.encode("utf-8")
        harfbuzz.hb_buffer_set_direction(buffer, _LTR)
        harfbuzz.hb_buffer_set_script(buffer, face.script)
        harfbuzz.hb_buffer_set_language(buffer, face.language)
        harfbuzz.hb_buffer_set_cluster_level(buffer, _MONOTONE_CHARACTERS)
        harfbuzz.hb_buffer_set_flags(buffer, _BOT_EOT)
        harfbuzz.hb_buffer_set_invisible_glyph(buffer, _EMPTY)
        harfbuzz.hb_buffer_add_utf8(buffer, data, len(data), 0, len(data))
        harfbuzz.hb_shape(face.hb_font, buffer, ffi.NULL, 0)
        count = ffi.new("unsigned int *")
        infos = harfbuzz.hb_buffer_get_glyph_infos(buffer, count)
        positions = harfbuzz.hb_buffer_get_glyph_positions(buffer, count)
        n = count[0]
        # both arrays of five 32-bit fields a glyph, read at once rather than field by field
        info, position = array("I"), array("i")
        info.frombytes(ffi.buffer(infos, 20 * n))
        position.frombytes(ffi.buffer(positions, 20 * n))
        ids, clusters = info[0::5], [*info[2::5], len(data)]
        if 0 in ids:
            return None  # a character the font lacks: WeasyPrint's to draw (or refuse)
        advances = position[0::5]
        glyphs = tuple(zip(ids, advances, position[2::5], [-y for y in position[3::5]],
                           [data[clusters[i]:clusters[i + 1]].decode("utf-8", "replace")
                            for i in range(n)]))
        width = sum(advances)
        return Shaped(face, glyphs, width * FROM_UNITS, text)


def draw(shaped: Shaped) -> list[bytes]:
    """The glyphs' operators (``TJ``, and ``Ts`` around a mark set apart), as WeasyPrint's
    ``draw_first_line`` writes one run of a line in one font."""
    ops: list[bytes] = []
    face = shaped.face
    size = face.font_size
    string = "<"
    for gid, advance, x_offset, y_offset, _ in shaped.glyphs:
        if gid == _EMPTY:
            string += f">{-advance / size}<"
            continue
        offset = x_offset / size
        rise = y_offset / 1000
        if rise:
            string = string[:-1] if string[-1] == "<" else string + ">"
            if string:
                ops.append(b"[" + string.encode("ascii") + b"] TJ")
            ops.append(_number(-rise) + b" Ts")
            string = f"{-offset}" if offset else ""
            string += f"<{gid:04x}>"
            ops.append(b"[" + string.encode("ascii") + b"] TJ")
            ops.append(b"0 Ts")
            string = "<"
        else:
            if offset:
                string += f">{-offset}<"
            string += f"{gid:04x}"
        kerning = face.width_of(gid) + offset - advance * 1000 * FROM_UNITS / size
        if kerning:
            string += f">{int(kerning)}<"
    string = string[:-1] if string[-1] == "<" else string + ">"
    ops.append(b"[" + string.encode("ascii") + b"] TJ")
    return ops


def glyphs_of(shaped: Shaped) -> dict[int, tuple[str, int]]:
    """The glyphs ``shaped`` draws, each with its text and its width: what the PDF's font
    (resource ``shaped.face.name``) must hold for them (weasy_subset.extra_glyphs)."""
    face = shaped.face
    return {gid: (text, face.width_of(gid)) for gid, _, _, _, text in shaped.glyphs if gid != _EMPTY}


def _first_runs(document, class_name: str) -> list:
    """(the Pango font, script, language, and the text's computed style) of the first run of
    each line of text in the blocks of class ``class_name`` of the laid-out ``document``."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.ffi import ffi, pango

    own = _harfbuzz()[0]
    found = []

    def walk(box, inside):
        element = box.element
        inside = inside or (isinstance(box, boxes.BlockBox) and element is not None
                            and class_name in (element.get("class") or "").split())
        if inside and isinstance(box, boxes.TextBox) and box.text.strip():
            box.pango_layout.reactivate(box.style)  # as WeasyPrint does before drawing it
            line = pango.pango_layout_get_line_readonly(box.pango_layout.layout, 0)
            # Pango 1.50's PangoItem (WeasyPrint's declaration of it reads no script)
            item = own.cast("PangoItem *", int(ffi.cast("uintptr_t", line.runs.data.item)))
            found.append((line.runs.data.item.analysis.font, item.analysis.script,
                          own.string(item.analysis.language), box.style))
        for child in getattr(box, "children", ()):
            walk(child, inside)

    for page in document.pages:
        walk(page._page_box, False)
    return found


def tm(x: float, y: float) -> bytes:
    """A text matrix as WeasyPrint writes it: 1 0 0 -1 x y Tm."""
    return b"1 0 0 -1 " + _number(x) + b" " + _number(y) + b" Tm"


def _number(value: float) -> bytes:
    """A number as pydyf writes it (``pydyf._to_bytes``): an integral float as an integer,
    any other with six decimals, its trailing zeros dropped."""
    if value.is_integer():
        return str(int(value)).encode("ascii")
    return f"{value:f}".rstrip("0").encode("ascii")
