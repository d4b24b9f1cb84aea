"""Writing files: atomically, the one date rule for every zip lettergen writes, and where
output may go (a path given for it that cannot be written is bad input: exit 2).

Every file of a run is written under a temporary name in its folder and renamed into place,
so a file that exists is complete. Three kinds of zip are written (a letter's DOCX package,
the register's XLSX, the set's letters.zip); each entry is dated by ``zip_date_time``, so
the same letter gives the same bytes, whatever its date.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError

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


# --- where output may go ----------------------------------------------------------------------


def output_problem(path: Path, *, folder: bool) -> str | None:
    """Why ``path`` cannot be written, as a folder (made with its parents) or as a file, in
    Thai; None when nothing stands in the way. Nothing is made or written."""
    path = Path(path)
    if folder and path.exists() and not path.is_dir():
        return "เป็นไฟล์ที่มีอยู่แล้ว ไม่ใช่โฟลเดอร์"
    if not folder and path.is_dir():
        return "เป็นโฟลเดอร์ ไม่ใช่ไฟล์"
    nearest = path if folder else path.parent
    while not nearest.exists() and not nearest.is_symlink() and nearest != nearest.parent:
        nearest = nearest.parent
    if not nearest.is_dir():
        return f"{nearest} เป็นไฟล์ ไม่ใช่โฟลเดอร์ จึงสร้าง{'โฟลเดอร์' if folder else 'ไฟล์'}ในนั้นไม่ได้"
    if not os.access(nearest, os.W_OK | os.X_OK):
        return f"ไม่มีสิทธิ์เขียนในโฟลเดอร์ {nearest}"
    try:  # what access() cannot tell (a system folder that refuses even its administrator)
        fd, probe = tempfile.mkstemp(dir=nearest, prefix=".lettergen-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return f"เขียนในโฟลเดอร์ {nearest} ไม่ได้ ({_reason(exc)})"
    return None


def check_output(path: Path, *, folder: bool, option: str = "--out") -> None:
    """Refuse (InputError naming ``path``) an output path that cannot be written."""
    problem = output_problem(path, folder=folder)
    if problem:
        raise InputError(f"{problem}; เลือก{'โฟลเดอร์' if folder else 'ไฟล์'}อื่นสำหรับผลลัพธ์ ({option})",
                         file=path)


def output_error(exc: OSError, path: Path, *, folder: bool = True) -> InputError:
    """An OSError met making or writing ``path`` as the input error it is (the path given
    for the output), in Thai: what the check could not foresee (a system folder that
    refuses even its administrator, a disk full)."""
    what = "สร้างหรือเขียนโฟลเดอร์ผลลัพธ์นี้ไม่ได้" if folder else "เขียนไฟล์ผลลัพธ์นี้ไม่ได้"
    return InputError(f"{what} ({_reason(exc)}); เลือก{'โฟลเดอร์' if folder else 'ไฟล์'}อื่นสำหรับผลลัพธ์ (--out)",
                      file=path)


def _reason(exc: OSError) -> str:
    return {errno.EACCES: "ไม่มีสิทธิ์", errno.EPERM: "ไม่มีสิทธิ์", errno.EROFS: "เป็นที่เก็บแบบอ่านอย่างเดียว",
            errno.ENOSPC: "ที่เก็บข้อมูลเต็ม", errno.EEXIST: "มีไฟล์ชื่อนี้อยู่แล้ว",
            errno.ENOTDIR: "ส่วนหนึ่งของเส้นทางเป็นไฟล์ ไม่ใช่โฟลเดอร์",
            errno.EISDIR: "เป็นโฟลเดอร์ ไม่ใช่ไฟล์"}.get(exc.errno, exc.strerror or type(exc).__name__)


def make_folder(path: Path, mode: int = 0o700) -> None:
    """``path`` made with its parents, or an InputError saying why it cannot be."""
    try:
        Path(path).mkdir(parents=True, exist_ok=True, mode=mode)
    except OSError as exc:
        raise output_error(exc, path) from None
