"""The versions of each library lettergen is tested with, in one place, and the check that
refuses the others.

pyproject.toml's ranges are these (tests/test_architecture.py compares them), and
requirements.lock holds the versions inside them the suite last ran with. Each range starts
at the release the suite ran on. It ends:
- for a library whose internals an adapter uses (WeasyPrint: pdf/weasy.py; python-docx:
  docx/python_docx.py), where the adapter's check says;
- for a library that makes part of the bytes written (the words a line breaks at, the glyph
  advances, the subset fonts, the PDF's objects, the QR images, the XLSX), at its next minor
  release: a new one may change the files, and with them the register's sha256 sums, so it
  is taken only after the tests have run on it;
- for the others, at the next major release (for a 0.x library, the next minor one), which
  may change the API.

The libraries that make bytes are checked when a run starts (``check_installed``, through
rendering.check_writers): an untested one is an input error (exit 2, one Thai line saying
what to install) before anything is written. Raising a range: install the new version, run
the whole suite, then change it here and in pyproject.toml and refresh requirements.lock.
"""

from __future__ import annotations

import re
from importlib import metadata

from .errors import ResourceError

# distribution -> (the lowest version tested, the first version not tested)
TESTED: dict[str, tuple[str, str]] = {
    "jinja2": ("3.1", "4"),
    "weasyprint": ("70", "71"),
    "python-docx": ("1.2", "2"),
    "qrcode": ("8.2", "8.3"),
    "pillow": ("13.0", "13.1"),
    "pythainlp": ("5.4", "5.5"),
    "uharfbuzz": ("0.57", "0.58"),
    "fonttools": ("4.68", "4.69"),
    "openpyxl": ("3.1", "3.2"),
    "pypdfium2": ("5.15", "6"),
    "pikepdf": ("10.18", "10.19"),
    "rich": ("15.0", "16"),
    "starlette": ("1.10", "2"),
    "uvicorn": ("0.54", "0.55"),
    "python-multipart": ("0.0.34", "0.1"),
    "tomli-w": ("1.2", "2"),
    "pyhanko": ("0.38", "0.39"),
    "cryptography": ("50.0", "51"),
}

# What makes the bytes of the files a run writes, by the format it makes them for.
MAKES_BYTES = {
    "pdf": ("weasyprint", "pythainlp", "uharfbuzz", "fonttools", "pikepdf", "qrcode"),
    "docx": ("python-docx", "qrcode", "pillow"),
    "register": ("openpyxl",),
}


def version_tuple(version: str) -> tuple[int, ...]:
    """"70.2.1" -> (70, 2, 1); a part's leading digits only ("1.2.0rc1" -> (1, 2, 0))."""
    numbers = []
    for part in version.split("."):
        digits = re.match(r"\d*", part).group()
        numbers.append(int(digits) if digits else 0)
    return tuple(numbers)


def requirement(name: str) -> str:
    """The range as pip reads it: "weasyprint>=70,<71"."""
    low, high = TESTED[name]
    return f"{name}>={low},<{high}"


def tested(name: str, version: str) -> bool:
    low, high = TESTED[name]
    return version_tuple(low) <= version_tuple(version) < version_tuple(high)


def check(name: str, version: str, label: str | None = None) -> None:
    """Refuse ``version`` of ``name`` outside its tested range, with one Thai line that
    says which versions work and how to install one."""
    if tested(name, version):
        return
    low, high = TESTED[name]
    label = label or name
    if version_tuple(high) == (version_tuple(low)[0] + 1,) and len(version_tuple(low)) == 1:
        which = f"รุ่น {low}.x"
    else:
        which = f"รุ่น {low} ขึ้นไปแต่ต่ำกว่า {high}"
    raise ResourceError(
        f"lettergen ใช้ได้กับ {label} {which} ที่ทดสอบแล้วเท่านั้น แต่เครื่องนี้ติดตั้งรุ่น {version}: "
        f"ติดตั้งรุ่นที่ถูกต้องด้วย pip install \"{requirement(name)}\""
    )


def installed(name: str, label: str | None = None) -> str:
    """The installed version of ``name``; a ResourceError when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        raise ResourceError(f"ไม่พบ {label or name} ที่ lettergen ใช้: ติดตั้งด้วย "
                            f"pip install \"{requirement(name)}\"") from None


def check_installed(names) -> None:
    """Refuse an untested installed version of any of ``names``."""
    for name in dict.fromkeys(names):
        check(name, installed(name))
