"""Same input, same bytes, on any machine: the PDFs' fonts are subset by the HarfBuzz of the
uharfbuzz wheel (lettergen/pdf/weasy_subset.py), whether or not Debian's libharfbuzz-subset0
is there for WeasyPrint to find."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, uses_optional

# Renders three letters of the example in a fresh interpreter and prints, as JSON, whether
# WeasyPrint found the system's subsetting library and the sha256 of each PDF.
RENDER_SCRIPT = r"""
import hashlib, json, sys
from lettergen import load_recipients, load_spec, render
from lettergen.pdf.weasy import import_weasyprint as _import_weasyprint

_import_weasyprint()
import weasyprint.text.ffi as ffi

spec = load_spec(sys.argv[1])
book = load_recipients(sys.argv[2], spec)
hashes = {r.letter.key: hashlib.sha256(r.files["pdf"]).hexdigest()
          for r in render(spec, book, formats=("pdf",), only=["5701", "570102", "570101"])}
print(json.dumps({"system_subsetter": ffi.harfbuzz_subset is not None, "pdf": hashes}))
"""


def hide_system_subsetter(env: dict, folder: Path) -> dict:
    """``env`` in which the dynamic loader finds an empty libharfbuzz-subset.so.0 first (on
    LD_LIBRARY_PATH): loading it fails, so WeasyPrint runs as on a machine without it."""
    folder.mkdir(exist_ok=True)
    (folder / "libharfbuzz-subset.so.0").write_bytes(b"")
    paths = [str(folder)] + [p for p in env.get("LD_LIBRARY_PATH", "").split(":") if p]
    return {**env, "LD_LIBRARY_PATH": ":".join(paths)}


def render_in_fresh_process(env: dict) -> dict:
    example = ROOT / "lettergen" / "examples" / "chiang-rai-2561"
    result = subprocess.run(
        [sys.executable, "-c", RENDER_SCRIPT, str(example / "letter.toml"),
         str(example / "recipients.csv")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.optional_tools
def test_pdfs_are_the_same_bytes_with_and_without_the_system_subsetter(tmp_path):
    uses_optional("libharfbuzz-subset0")  # compared with it when it is installed
    base = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    # different hash seeds, so that an order taken from a set or dict of strings shows up
    visible = render_in_fresh_process({**base, "PYTHONHASHSEED": "1"})
    hidden = render_in_fresh_process(
        hide_system_subsetter({**base, "PYTHONHASHSEED": "2"}, tmp_path / "hide"))
    assert hidden["system_subsetter"] is False  # the hiding worked
    assert len(hidden["pdf"]) == 3
    assert visible["pdf"] == hidden["pdf"]
    if not visible["system_subsetter"]:
        pytest.skip("libharfbuzz-subset0 is not installed or is hidden: "
                    "compared two processes without it")


def test_subset_font_keeps_glyph_ids_and_their_outlines():
    from fontTools.ttLib import TTFont
    import io

    from lettergen.pdf.weasy_subset import subset_font
    from lettergen.resources import bundled_font_paths

    data = bundled_font_paths()["regular"].read_bytes()
    original = TTFont(io.BytesIO(data))
    order = original.getGlyphOrder()
    sara_am = original.getBestCmap()[ord("ำ")]
    used = sorted({order.index(original.getBestCmap()[ord(c)]) for c in "สำนักงาน"})
    cut = TTFont(io.BytesIO(subset_font(data, 0, used)))
    assert len(cut.getGlyphOrder()) == max(used) + 1  # ids kept, none after the last used
    assert len(subset_font(data, 0, used)) < len(data) / 4
    original_glyf, cut_glyf = original["glyf"], cut["glyf"]
    for gid in used:
        name_before, name_after = order[gid], cut.getGlyphOrder()[gid]
        before, after = original_glyf[name_before], cut_glyf[name_after]
        assert before.getCoordinates(original_glyf)[0] == after.getCoordinates(cut_glyf)[0], gid
    unused = next(g for g in range(1, max(used)) if g not in used)
    assert cut_glyf[cut.getGlyphOrder()[unused]].numberOfContours == 0  # left empty
    assert "GSUB" not in cut and "GPOS" not in cut
    assert order.index(sara_am) in used


def test_subset_font_is_the_same_bytes_every_time():
    from lettergen.pdf.weasy_subset import subset_font
    from lettergen.resources import bundled_font_paths

    data = bundled_font_paths()["bold"].read_bytes()
    assert subset_font(data, 0, [3, 40, 77, 120]) == subset_font(data, 0, {120, 77, 40, 3})
