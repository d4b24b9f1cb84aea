"""Where the bundled files live: templates/, fonts/ and examples/ inside the package, found
through importlib.resources, so an installed lettergen (a wheel, ``pip install .``) finds them
where pip put them, as a clone does."""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import ResourceError


def _package_folder() -> Path:
    """The folder of the installed package. WeasyPrint and Jinja2 read the templates and
    fonts as files, so the package must be installed as files (as pip does), not zipped."""
    folder = resources.files(__package__)
    if not isinstance(folder, Path):
        raise ResourceError("lettergen ต้องติดตั้งเป็นไฟล์ในโฟลเดอร์ (เช่น pip install) "
                            "ไม่ใช่อยู่ในไฟล์ zip", file=str(folder))
    return folder.resolve()


ROOT = _package_folder()
TEMPLATES = ROOT / "templates"
FONTS = ROOT / "fonts"
EXAMPLES = ROOT / "examples"

PDF_FONT_FAMILY = "Sarabun"
PDF_FONT_FILES = {
    "regular": "Sarabun-Regular.ttf",
    "bold": "Sarabun-Bold.ttf",
    "italic": "Sarabun-Italic.ttf",
    "bold_italic": "Sarabun-BoldItalic.ttf",
}


def bundled_font_paths() -> dict[str, Path]:
    """The bundled PDF font files; a missing one is an error, never a silent fallback."""
    paths = {style: FONTS / name for style, name in PDF_FONT_FILES.items()}
    for path in paths.values():
        if not path.is_file():
            raise ResourceError("ไม่พบไฟล์ฟอนต์ที่ต้องใช้สร้าง PDF", file=path)
    return paths


@lru_cache(maxsize=1)
def font_paths() -> dict[str, Path]:
    """The font files the PDFs use: the bundled ones patched by fontfix.py so that text
    copied out of the PDF is right. Built once and kept in a cache folder named after the
    sources' hashes, so a new font or a new patch makes new files."""
    sources = bundled_font_paths()
    # fontfix (and fontTools with it) is imported only to patch: a run whose patched fonts
    # are cached starts without it.
    digest = hashlib.sha256((ROOT / "pdf" / "fontfix.py").read_bytes())
    for path in sources.values():
        digest.update(path.read_bytes())
    folder = cache_dir() / "fonts" / digest.hexdigest()[:16]
    paths = {style: folder / path.name for style, path in sources.items()}
    if all(path.is_file() for path in paths.values()):
        return paths
    from .pdf import fontfix

    folder.mkdir(parents=True, exist_ok=True)
    for style, source in sources.items():
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".ttf")
        os.close(fd)
        try:
            fontfix.patch_font(str(source), tmp)
            os.replace(tmp, paths[style])  # another process may do the same: both are equal
        finally:
            Path(tmp).unlink(missing_ok=True)
    return paths


def cache_dir() -> Path:
    """$LETTERGEN_CACHE, else $XDG_CACHE_HOME/lettergen, else ~/.cache/lettergen."""
    if os.environ.get("LETTERGEN_CACHE"):
        return Path(os.environ["LETTERGEN_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lettergen"


def template_path(name: str) -> Path:
    path = TEMPLATES / name
    if not path.is_file():
        raise ResourceError("ไม่พบไฟล์แม่แบบ", file=path)
    return path
