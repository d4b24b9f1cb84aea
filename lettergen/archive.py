"""The set as one zip file, to hand on or archive: every file a run wrote, in order.

The zip is reproducible: entries carry the letter's date as their time and a fixed mode, so
the same run gives the same bytes. PDFs and DOCX files are compressed already and are stored;
text (the CSV register) is deflated. File names are UTF-8 (zip's language flag is set for
Thai names, which Windows' and macOS's built-in tools read). It is written under a temporary
name and renamed, like every other file of a run, and is readable by its owner only, since
the letters in it carry passwords.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Iterable

from .files import atomic_file, zip_date_time

ZIP_NAME = "letters.zip"
_COMPRESSED = {".pdf", ".docx", ".xlsx", ".zip", ".png"}
_CHUNK = 1 << 20


def zip_entry(name: str, when: dt.date) -> zipfile.ZipInfo:
    """The entry for ``name``, stamped at midnight of ``when`` (files.zip_date_time) with
    owner read/write permission."""
    info = zipfile.ZipInfo(name, date_time=zip_date_time(when))
    info.external_attr = 0o600 << 16
    stored = Path(name).suffix.lower() in _COMPRESSED
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    return info


def write_zip(path: Path, files: Iterable[Path], when: dt.date) -> Path:
    """Write ``files`` (each by its name only) into the zip at ``path``, atomically."""
    with atomic_file(path) as handle, zipfile.ZipFile(handle, "w") as archive:
        for file in files:
            with open(file, "rb") as source, \
                    archive.open(zip_entry(file.name, when), "w") as target:
                while block := source.read(_CHUNK):
                    target.write(block)
    return path
