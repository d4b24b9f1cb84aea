"""Many letters: render them all and write the set into an output folder.

Every letter is composed (and so every input checked) before the first byte is written.
Each file is written under a temporary name in the output folder and renamed into place,
so a file that exists is complete.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .compose import FORMATS, compose_all, render_letters
from .filenames import unique_stems
from .recipients import Book
from .spec import Spec


@dataclass(frozen=True)
class RunResult:
    out_dir: Path
    letters: int
    files: tuple[Path, ...]


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(
    spec: Spec, book: Book, out_dir: str | Path, *, formats: Sequence[str] = FORMATS,
    only: Sequence[str] | None = None, stderr=sys.stderr,
) -> RunResult:
    """Render every letter of ``spec`` + ``book`` into ``out_dir``."""
    letters = compose_all(spec, book, only)  # all checks happen here, before any output
    if spec.emblem is None and "pdf" in formats:
        print(
            "หมายเหตุ: ไม่ได้กำหนดตราครุฑ (letter.emblem) จึงเว้นที่ว่าง ๓ ซม. "
            "ไว้สำหรับพิมพ์ลงกระดาษที่มีตราครุฑ",
            file=stderr,
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    stems = unique_stems([(letter.key, letter.recipient_name) for letter in letters])
    written = []
    for stem, rendered in zip(stems, render_letters(letters, formats)):
        for fmt, data in rendered.files.items():
            path = out / f"{stem}.{fmt}"
            write_atomic(path, data)
            written.append(path)
    return RunResult(out_dir=out, letters=len(letters), files=tuple(written))
