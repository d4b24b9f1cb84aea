"""The engine's processes, apart from the server's: ``python -m lettergen.web.engine_process
FD MEMORY_BYTES [--no-warm]``.

This process (the zygote) loads the engine once (WeasyPrint, the fonts, the bundled
example's first preview: ``work.warm``), then, for each byte the server sends on the
socket FD, forks a worker and hands the server the worker's pid and its end of a new
socket pair. Forked from a warm process, a worker is ready at once and shares the
engine's memory with the zygote until it writes to it.

A worker runs the calls the server sends it (``tasks.OPS``, by name) on a session's files,
a few at a time in threads (a page's images are drawn while the next edit is checked),
each answer tagged with its call's number and the worker's resident memory. Its address
space is limited (``resource.setrlimit(RLIMIT_AS)``): an input that takes more fails with
MemoryError, which the worker reports. A worker dies with the zygote (the kernel's
parent-death signal) and the zygote ends when the server's end of its socket closes, so
no engine process outlives the server; the server kills a worker itself at a call's time
limit.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading


def main(argv: list[str]) -> int:
    fd, memory = int(argv[0]), int(argv[1])
    control = socket.socket(fileno=fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers
    from . import tasks, work  # noqa: F401  (the engine, loaded before the first fork)

    if "--no-warm" not in argv:
        try:
            work.warm()
        except Exception:  # a failed warm-up only makes the first preview slower
            pass
    control.sendall(b"R")
    zygote = os.getpid()
    while True:
        try:
            asked = control.recv(64)
        except OSError:
            asked = b""
        if not asked:  # the server is gone: so are the workers (their death signal)
            return 0
        for _ in asked:
            mine, theirs = socket.socketpair()
            pid = os.fork()
            if pid == 0:
                control.close()
                mine.close()
                _worker(theirs, zygote, memory)  # never returns
            theirs.close()
            socket.send_fds(control, [pid.to_bytes(8, "little")], [mine.fileno()])
            mine.close()


def _worker(sock: socket.socket, zygote: int, memory: int) -> None:
    """A worker: calls in, answers out, until the server closes its end."""
    try:
        _die_with_parent(zygote)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _LIBC.mallopt(-8, 1)  # M_ARENA_MAX: the threads share one heap, within the limit
        if memory > 0:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (address_space() + memory, resource.RLIM_INFINITY))
        _serve(sock)
    finally:
        os._exit(0)


def _serve(sock: socket.socket) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from multiprocessing.connection import Connection

    conn = Connection(sock.detach())
    sending = threading.Lock()
    sessions: dict = {}
    pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="lettergen-engine")
    while True:
        try:
            call = conn.recv()
        except (EOFError, OSError):
            return
        number, name, files, _ = call
        session = _session(sessions, files)  # made here, in one thread
        if name == "edit_letter":  # the edits before it are followed (tasks.edit_letter)
            session.newest_edit = number
        pool.submit(_answer, conn, sending, session, call)


def _session(sessions: dict, files):
    """The session the call's ``files`` are of, made at its first call, its files renewed."""
    from .work import WorkSession

    session = sessions.get(files.folder)
    if session is None:
        session = sessions[files.folder] = WorkSession(files)
    session.files = files
    return session


def _answer(conn, sending: threading.Lock, session, call) -> None:
    """Run one call and send its answer: ("ok", value), ("input", InputError), ("memory",
    None) or ("internal", the error's kind; never its message, which may quote a cell)."""
    from ..errors import InputError
    from .tasks import OPS
    from .work import CALL

    number, name, _, args = call
    CALL.set(number)
    try:
        answer = ("ok", OPS[name](session, *args))
    except InputError as exc:
        answer = ("input", exc)
    except MemoryError:
        answer = ("memory", None)
    except Exception as exc:
        answer = ("internal", type(exc).__name__)
    try:
        with sending:
            conn.send((number, *answer, _resident()))
    except MemoryError:
        with sending:
            conn.send((number, "memory", None, _resident()))
    except Exception as exc:  # an answer that cannot be sent (pickled)
        with sending:
            conn.send((number, "internal", type(exc).__name__, _resident()))


def address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _resident() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _die_with_parent(parent: int) -> None:
    """Ask the kernel for SIGKILL when the zygote ends; end now if it has ended already."""
    pr_set_pdeathsig = 1
    _LIBC.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(0)


def _libc():
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


_LIBC = _libc()  # looked up once, before any fork (prctl and mallopt: Linux's C library)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
