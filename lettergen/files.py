"""Writing files: atomically, and the one date rule for every zip lettergen writes.

Every file of a run is written under a temporary name in its folder and renamed into place,
so a file that exists is complete. Three kinds of zip are written (a letter's DOCX package,
the register's XLSX, the set's letters.zip); each entry is dated by ``zip_date_time``, so
the same letter gives the same bytes, whatever its date.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

ZIP_EARLIEST = dt.datetime(1980, 1, 1)
ZIP_LATEST = dt.datetime(2107, 12, 31, 23, 59, 58)  # a zip's date field ends in 2107


@contextmanager
def atomic_file(path: Path, mode: int = 0o600):
    """A file handle to write ``path`` through: a temporary file in the same folder, renamed
    into place (with ``mode``) when the block ends, removed if it fails."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    with atomic_file(path, mode) as handle:
        handle.write(data)


def zip_date_time(when: dt.datetime | dt.date) -> tuple[int, int, int, int, int, int]:
    """``when`` (a date: its midnight) as a zip entry's (year, month, day, hour, minute,
    second). A zip holds 1980 to 2107 only: an earlier time becomes 1 January 1980, a later
    one the last second 2107 can hold."""
    if not isinstance(when, dt.datetime):
        when = dt.datetime.combine(when, dt.time())
    return min(max(when.replace(tzinfo=None), ZIP_EARLIEST), ZIP_LATEST).timetuple()[:6]


def dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    """The (time, date) fields of a zip entry for (year, month, day, hour, minute, second)."""
    year, month, day, hour, minute, second = date_time
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day
