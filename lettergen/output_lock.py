"""One run at a time per output folder.

``output_lock(folder)`` holds an exclusive ``flock`` on ``folder/.incomplete/.lock`` while a
run writes there, with the holder's pid and start time written in the file. A second run into
the same folder (another command, or another job of the web app in this same process) gets an
``OutputBusyError`` at once, which names that pid and time (exit 2), or with ``wait=True``
waits its turn. The kernel drops the lock of a process that dies, however it dies, so a
folder is never left locked: the next run takes it over.

The lock file lives in the staging folder that a run writes into anyway, and is removed when
the run ends, so a finished folder holds the letters only and a killed run leaves
``.incomplete/`` only. Removing it is safe because a run that has waited for the lock checks,
once it holds it, that the file is still the one at that path, and starts over otherwise.
Worker processes forked while the lock is held close their copy of it at once, so that only
the run itself holds the lock.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from .errors import InputError

STAGING = ".incomplete"  # batch.STAGING: the folder a run writes into until the set is complete
LOCK_NAME = ".lock"

# (folder, thread) -> [fd, depth]: the locks this process holds, so that the same thread may
# take the lock of a folder again (run() around write_set()), while another thread may not.
_held: dict[tuple[str, int], list[int]] = {}
_held_guard = threading.Lock()


class OutputBusyError(InputError):
    """Another run is writing into the output folder."""


def lock_path(folder: str | Path) -> Path:
    return Path(folder) / STAGING / LOCK_NAME


@contextmanager
def output_lock(folder: str | Path, *, wait: bool = False,
                waiting: Callable[[str], None] | None = None):
    """Hold the output folder ``folder`` for this run (created 0700 with its staging folder
    when missing). ``waiting(message)`` is told once, in Thai, when ``wait`` makes it wait."""
    folder = Path(folder)
    key = (str(folder.resolve()), threading.get_ident())
    with _held_guard:
        if key in _held:
            _held[key][1] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held[key][1] -= 1
        return
    created = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        fd = _acquire(folder, wait, waiting)
    except BaseException:
        _remove_empty(created)
        raise
    with _held_guard:
        _held[key] = [fd, 1]
    try:
        yield
    finally:
        with _held_guard:
            del _held[key]
        try:
            os.unlink(lock_path(folder))  # still held: nobody else has it at this path
        except FileNotFoundError:
            pass
        # an empty staging folder goes (a run that finished, or stopped before writing),
        # and so do the folders this run created, if it wrote nothing into them
        _remove_empty([folder / STAGING, *created])
        os.close(fd)  # releases the lock


def _remove_empty(folders) -> None:
    for empty in folders:
        try:
            empty.rmdir()
        except OSError:
            pass


def _acquire(folder: Path, wait: bool, waiting) -> int:
    """The lock, the folder made if it is missing. A folder that cannot be made or written
    (a file of that name, no permission) is an InputError naming it, before anything else."""
    from .files import output_error

    told = False
    while True:
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            (folder / STAGING).mkdir(exist_ok=True, mode=0o700)
        except OSError as exc:
            raise output_error(exc, folder) from None
        path = lock_path(folder)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except FileNotFoundError:  # the run that held it just removed the staging folder
            continue
        except OSError as exc:
            raise output_error(exc, folder) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder_text(fd)
                if not wait:
                    raise OutputBusyError(
                        f"มี lettergen อีกงานหนึ่งกำลังเขียนโฟลเดอร์นี้อยู่ ({holder}) "
                        "จึงไม่เริ่มงานนี้ซ้อน; รอให้งานนั้นเสร็จ หรือสั่งใหม่พร้อม --wait เพื่อรอต่อคิว",
                        file=folder) from None
                if waiting and not told:
                    waiting(f"รอโฟลเดอร์ {folder}: มี lettergen อีกงานหนึ่งกำลังเขียนอยู่ ({holder})")
                    told = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            if not _same_file(fd, path):  # the holder finished and removed it: start over
                os.close(fd)
                continue
            _record_holder(fd)
            return fd
        except BaseException:
            try:
                os.close(fd)
            except OSError:
                pass
            raise


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _record_holder(fd: int) -> None:
    started = dt.datetime.now().astimezone().replace(microsecond=0)
    data = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                       "since": started.isoformat()}).encode() + b"\n"
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def holder(folder: str | Path) -> dict | None:
    """What the lock file of ``folder`` says of its holder (pid, host, since), if anything."""
    try:
        return json.loads(lock_path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _holder_text(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        since = dt.datetime.fromisoformat(info["since"])
        return f"pid {info['pid']} เริ่มเมื่อ {since:%Y-%m-%d %H:%M:%S}"
    except (OSError, ValueError, KeyError, TypeError):
        return "ยังไม่ได้บันทึกว่าเป็นโพรเซสใด"  # the holder has not written it yet


def _close_in_child() -> None:
    """In a process forked while locks are held (a worker): let go of them, so that only the
    run holds its folder."""
    global _held_guard
    _held_guard = threading.Lock()  # another thread of the parent may have held it
    for fd, _ in _held.values():
        try:
            os.close(fd)
        except OSError:
            pass
    _held.clear()


os.register_at_fork(after_in_child=_close_in_child)
