"""How well the PDF body paragraphs are justified, measured on the glyphs themselves.

    python benchmarks/measure_justify.py [PDF ...]        (default: render the demo's letters)
    python benchmarks/measure_justify.py --plain           the demo's letters with plain CSS
                                                           text-align: justify, for comparison

For every page, pdfium's character boxes are grouped into lines (same baseline), read from
a copy of the PDF without its /ActualText spans (lettergen/pdf/actualtext.py: pdfium gives
a span's characters the span's box, not their glyphs'). A body
paragraph is a line starting 2.5 cm in from the left margin (the first-line indent) and the
lines after it that start at the margin, up to the next indented line or a vertical jump.
For the non-final lines of those paragraphs it reports
  - flush: the share whose last glyph ends within 1 pt of the right margin (goal >= 97 %);
  - widest gap: the largest distance between the advance box of a glyph and the next one
    on a flush line (goal <= 8 pt at 16 pt type).
Run by hand; the numbers go into the README.
"""

from __future__ import annotations

import sys
import tempfile
import unicodedata
from pathlib import Path

LEFT = 3 / 2.54 * 72
RIGHT = LEFT + 16 / 2.54 * 72
INDENT = 2.5 / 2.54 * 72
TOLERANCE = 1.0


def page_lines(page):
    import pypdfium2.raw as raw

    text = page.get_textpage()
    glyphs = []
    for i in range(text.count_chars()):
        ch = text.get_text_range(i, 1)
        if not ch or ch.isspace() or raw.FPDFText_IsGenerated(text.raw, i):
            continue
        if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue  # marks sit on their base letter
        left, bottom, right, _ = text.get_charbox(i, loose=True)
        glyphs.append((round(bottom, 1), left, right, ch))
    lines: dict[float, list] = {}
    for bottom, left, right, ch in glyphs:  # glyphs within 4 pt of a baseline share its line
        key = next((b for b in lines if abs(b - bottom) < 4), bottom)
        lines.setdefault(key, []).append((left, right, ch))
    return [sorted(lines[b]) for b in sorted(lines, reverse=True)]


def paragraphs(lines):
    current, out = None, []
    for line in lines:
        start = line[0][0]
        if abs(start - (LEFT + INDENT)) < 2:
            current = [line]
            out.append(current)
        elif current is not None and abs(start - LEFT) < 3:
            current.append(line)
        elif start > LEFT + INDENT + 40 and len(line) < 8:
            continue  # the page number of a continuation page: the paragraph goes on
        else:
            current = None
    return out


def measure(paths):
    import pypdfium2 as pdfium

    from lettergen.pdf.actualtext import strip

    flush = total = 0
    widest = 0.0
    for path in paths:
        doc = pdfium.PdfDocument(strip(Path(path).read_bytes()))
        lines = [line for page in doc for line in page_lines(page)]
        doc.close()
        for paragraph in paragraphs(lines):
            for line in paragraph[:-1]:
                total += 1
                if abs(line[-1][1] - RIGHT) <= TOLERANCE:
                    flush += 1
                    gaps = [b[0] - a[1] for a, b in zip(line, line[1:])]
                    widest = max(widest, max(gaps, default=0.0))
    return flush, total, widest


def render_plain(folder: Path) -> list[Path]:
    """The demo's letters with the body paragraphs set by CSS justify alone."""
    from markupsafe import Markup, escape

    from lettergen.pdf import writer as pdf_writer
    from lettergen.compose import compose_all
    from lettergen.sheets.recipients import load_recipients
    from lettergen.resources import EXAMPLES
    from lettergen.spec import load_spec

    spec = load_spec(EXAMPLES / "chiang-rai-2561" / "letter.toml")
    letters = compose_all(spec, load_recipients(spec.recipients.file, spec))
    from lettergen.pdf import rows

    from lettergen.pdf.justify import LineMarkup

    # each paragraph one row of one block, set by CSS alone
    rows.paragraph_lines = lambda runs: (LineMarkup(
        Markup("".join(str(escape(r.text)) for r in runs)), "first",
        "white-space: normal; text-align-last: start; word-spacing: 0"),)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, data in enumerate(pdf_writer.write_pdfs(letters)):
        paths.append(folder / f"{i:02d}.pdf")
        paths[-1].write_bytes(data)
    return paths


def main():
    args = sys.argv[1:]
    if args == ["--plain"]:
        paths = render_plain(Path(tempfile.mkdtemp()) / "plain")
        args = None
    paths = [Path(p) for p in args] if args else (paths if args is None else [])
    if not paths:
        from lettergen.cli import main as cli

        out = Path(tempfile.mkdtemp()) / "demo"
        cli(["demo", "--out", str(out)])
        paths = sorted(out.glob("*.pdf"))
    flush, total, widest = measure(paths)
    print(f"{len(paths)} PDFs, {total} non-final body lines: flush {flush}/{total} = "
          f"{100 * flush / max(total, 1):.1f} %, widest gap on flush lines {widest:.2f} pt")


if __name__ == "__main__":
    main()
