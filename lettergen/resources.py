"""Where the bundled files live: templates/ and fonts/ at the project root."""

from __future__ import annotations

from pathlib import Path

from .errors import ResourceError

ROOT = Path(__file__).resolve().parent.parent
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


def font_paths() -> dict[str, Path]:
    """The bundled PDF font files; a missing one is an error, never a silent fallback."""
    paths = {style: FONTS / name for style, name in PDF_FONT_FILES.items()}
    for path in paths.values():
        if not path.is_file():
            raise ResourceError("ไม่พบไฟล์ฟอนต์ที่ต้องใช้สร้าง PDF", file=path)
    return paths


def template_path(name: str) -> Path:
    path = TEMPLATES / name
    if not path.is_file():
        raise ResourceError("ไม่พบไฟล์แม่แบบ", file=path)
    return path
