"""URL -> QR code: an SVG (vector, for the PDF) and a PNG (for the DOCX).

Error correction M, a quiet zone of 4 modules, encoded as bytes so the URL comes back
exactly. The printed size (at least 2 cm) is set by the writers.
"""

from __future__ import annotations

import base64
import io
from .caches import cached

QUIET_ZONE = 4
SYMBOL_WIDTH_CM = 2.2  # the code itself, quiet zone excluded: at least 2 cm printed


@cached(maxsize=256)
def matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """The modules of ``url``'s QR code, quiet zone included (True = dark)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, box_size=1)
    code.add_data(url.encode("utf-8"))
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


@cached(maxsize=256)
def svg(url: str) -> str:
    """An SVG of the code: one path, one unit square per dark module."""
    rows = matrix(url)
    size = len(rows)
    parts = []
    for y, row in enumerate(rows):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h{start - x}z")
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/></svg>'
    )


def print_width_cm(url: str) -> float:
    """The printed width of the image, quiet zone included, that makes the symbol itself
    ``SYMBOL_WIDTH_CM`` wide."""
    modules = len(matrix(url))
    return round(SYMBOL_WIDTH_CM * modules / (modules - 2 * QUIET_ZONE), 2)


def svg_data_uri(url: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg(url).encode("ascii")).decode("ascii")


@cached(maxsize=256)
def png(url: str, pixels_per_module: int = 10) -> bytes:
    """A PNG of the code for the DOCX, crisp at 10 px a module."""
    from PIL import Image

    rows = matrix(url)
    size = len(rows)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in rows for dark in row])
    image = image.resize((size * pixels_per_module,) * 2, Image.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
