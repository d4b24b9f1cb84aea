"""The engine as the server calls it: in worker processes of its own, never on the server's
event loop, each call stopped at a time limit and each worker held to a memory limit.

A session's calls go to a worker of its own (its caches, the sheet read and the letters
laid out, stay there between calls), forked from a warm zygote (``engine_process``). At
most ``Limits.workers`` workers live at once: a new session's worker replaces the one idle
longest. A call still running at ``Limits.seconds`` is stopped by killing its worker
(a thread cannot be stopped, a process can, and with it all the memory it took); the
session's next call gets a fresh worker. A worker that grew past ``Limits.retire_mb``
(a big sheet read, say) is replaced once its calls are answered, so the server's memory
comes back down after any request.

Every failure of the engine itself reaches the page as ``EngineStopped``, an InputError
with a Thai message, shown where the input's own errors are shown.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from ..errors import InputError

TOO_LONG = ("งานนี้ใช้เวลาเกิน {seconds:g} วินาที จึงหยุดไว้: ข้อความหรือรายชื่อผู้รับอาจยาวหรือใหญ่เกินไป "
            "แก้แล้วลองอีกครั้ง")
TOO_BIG = ("งานนี้ใช้หน่วยความจำเกิน {mb} MB จึงหยุดไว้: ไฟล์รายชื่อผู้รับหรือข้อความอาจใหญ่เกินไป "
           "แก้แล้วลองอีกครั้ง")
STOPPED = "งานนี้หยุดกลางคัน (อาจใช้หน่วยความจำเกินกำหนด): ลองอีกครั้ง หรือแจ้งผู้ดูแล"
INTERNAL = "เกิดข้อผิดพลาดภายในของ lettergen ({kind}): ลองอีกครั้ง หรือแจ้งผู้ดูแล"
BUSY = "เครื่องกำลังทำงานของผู้ใช้คนอื่นเต็มกำลังอยู่: รอสักครู่แล้วลองอีกครั้ง"


class EngineStopped(InputError):
    """The engine did not finish a call: past the time or memory limit, or it failed."""


@dataclass(frozen=True)
class Limits:
    seconds: float = 30.0  # a call's time limit
    memory_mb: int = 1024  # how much a worker's address space may grow past its start
    workers: int = 4  # worker processes at most (sessions beyond share by taking turns)
    retire_mb: int = 400  # a worker resident past this is replaced after its calls
    idle_seconds: float = 900.0  # a worker unused this long ends (its session gets another)


@dataclass(eq=False)
class _EngineWorker:
    key: str
    pid: int
    conn: object  # multiprocessing.connection.Connection
    pending: dict = field(default_factory=dict)  # call number -> (future, timer)
    last_used: float = field(default_factory=time.monotonic)
    retire: bool = False
    dead: bool = False
    why: str = STOPPED  # what its calls still running are told when it ends
    sending: threading.Lock = field(default_factory=threading.Lock)


class Engine:
    def __init__(self, limits: Limits = Limits(), warm: bool = True, log=None):
        self.limits, self.warm = limits, warm
        self.log = log or sys.stderr
        self.workers: dict[str, _EngineWorker] = {}
        self.numbers = itertools.count(1)
        self.zygote: subprocess.Popen | None = None
        self.warming: asyncio.Future | None = None  # the zygote's first "ready", awaited once
        self.control: socket.socket | None = None
        self.forking = threading.Lock()
        self.choosing: asyncio.Lock | None = None
        self.freed: asyncio.Event | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def launch(self) -> None:
        """Start the zygote, not waiting for it: ``lettergen serve`` calls this before it
        loads the web app's own code, so that the two load side by side."""
        if self.control is not None:
            self.control.close()
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-m", "lettergen.web.engine_process", str(theirs.fileno()),
                   str(self.limits.memory_mb * 1024 * 1024)] + ([] if self.warm else ["--no-warm"])
        self.zygote = subprocess.Popen(command, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        theirs.close()
        self.control = ours

    async def start(self) -> None:
        """Start the zygote unless launched already (from the event loop's thread), without
        waiting for it to be warm: the server answers pages meanwhile, and the first call
        that needs a worker waits for the zygote (``_worker_for``)."""
        self.loop = asyncio.get_running_loop()
        self.choosing, self.freed = asyncio.Lock(), asyncio.Event()
        if self.zygote is None or self.zygote.poll() is not None:
            self.launch()
        self.warming = asyncio.ensure_future(self._warmed())

    async def _warmed(self) -> bool:
        """Whether the zygote said it is ready (False: it died first, or the server is
        stopping); never raises, so that a server stopped while it warms says nothing."""
        try:
            await self._ready()
            return True
        except (RuntimeError, OSError):
            return False

    async def _zygote_ready(self) -> None:
        """The zygote started with the server is warm, or, if it died, a new one is."""
        warming, self.warming = self.warming, None
        if warming is not None and not await warming and self.zygote.poll() is None:
            self.zygote.kill()
            self.zygote.wait()
        if self.zygote.poll() is not None:  # it died (the system killed it): a new one
            self.launch()
            await self._ready()

    async def _ready(self) -> None:
        from starlette.concurrency import run_in_threadpool

        if await run_in_threadpool(self.control.recv, 1) != b"R":
            raise RuntimeError("the engine's process did not start")

    async def call(self, key: str, name: str, files, *args):
        """``tasks.OPS[name](session, *args)`` in the worker of session ``key``, whose files
        are ``files``; its value, or its InputError raised here, or EngineStopped."""
        for attempt in range(2):
            worker = await self._worker_for(key)
            number = next(self.numbers)
            future = self.loop.create_future()
            timer = self.loop.call_later(self.limits.seconds, self._overdue, worker, number)
            worker.pending[number] = (future, timer)
            worker.last_used = time.monotonic()
            try:
                with worker.sending:
                    worker.conn.send((number, name, files, args))
                break
            except OSError:  # the worker had ended (killed from outside) before its reader saw it
                if attempt == 0:  # the call never reached it: a new worker takes it
                    worker.pending.pop(number, None)
                    timer.cancel()
                self._dead(worker)
        try:
            kind, value, resident = await future
        finally:
            worker.pending.pop(number, None)
            timer.cancel()
            worker.last_used = time.monotonic()
            self._after_call(worker)
        if resident > self.limits.retire_mb * 1024 * 1024:
            worker.retire = True
            self._after_call(worker)
        if kind == "ok":
            return value
        if kind == "input":
            raise value
        if kind == "memory":
            worker.why = TOO_BIG.format(mb=self.limits.memory_mb)
            self._kill(worker)
            raise EngineStopped(worker.why)
        print(f"lettergen: ข้อผิดพลาดภายใน ({value}) ในงาน {name}", file=self.log, flush=True)
        raise EngineStopped(INTERNAL.format(kind=value))

    async def _worker_for(self, key: str) -> _EngineWorker:
        from starlette.concurrency import run_in_threadpool

        async with self.choosing:
            self._sweep()
            worker = self.workers.get(key)
            if worker is not None and not worker.dead and not worker.retire:
                return worker
            deadline = time.monotonic() + self.limits.seconds
            while len(self.workers) >= self.limits.workers:
                idle = sorted((w for w in self.workers.values() if not w.pending), key=lambda w: w.last_used)
                if idle:
                    self._kill(idle[0])
                    break
                self.freed.clear()
                try:
                    await asyncio.wait_for(self.freed.wait(), max(0.0, deadline - time.monotonic()))
                except asyncio.TimeoutError:
                    raise EngineStopped(BUSY) from None
                self._sweep()
            await self._zygote_ready()
            worker = await run_in_threadpool(self._fork, key)
            self.workers[key] = worker
            threading.Thread(target=self._read, args=(worker,), daemon=True,
                             name=f"lettergen-engine-{worker.pid}").start()
            return worker

    def _fork(self, key: str) -> _EngineWorker:
        from multiprocessing.connection import Connection

        with self.forking:
            self.control.sendall(b"F")
            messages, fds, _, _ = socket.recv_fds(self.control, 8, 1)
        if not fds:
            raise EngineStopped(INTERNAL.format(kind="EngineGone"))
        return _EngineWorker(key=key, pid=int.from_bytes(messages, "little"), conn=Connection(fds[0]))

    def _read(self, worker: _EngineWorker) -> None:
        """The worker's answers, handed to the calls waiting for them (a thread per worker)."""
        try:
            while True:
                try:
                    number, kind, value, resident = worker.conn.recv()
                except Exception:  # EOF: the worker ended (killed, out of memory)
                    self.loop.call_soon_threadsafe(self._dead, worker)
                    return
                self.loop.call_soon_threadsafe(self._settle, worker, number, (kind, value, resident))
        except RuntimeError:  # the event loop has closed: the server is stopping
            return

    def _settle(self, worker: _EngineWorker, number: int, answer) -> None:
        future, _ = worker.pending.get(number, (None, None))
        if future is not None and not future.done():
            future.set_result(answer)

    def _overdue(self, worker: _EngineWorker, number: int) -> None:
        """A call ran past the time limit: its worker is killed, and the session's other
        calls in it, stopped with it, are told the same reason."""
        worker.why = TOO_LONG.format(seconds=self.limits.seconds)
        future, _ = worker.pending.get(number, (None, None))
        if future is not None and not future.done():
            future.set_exception(EngineStopped(worker.why))
        self._kill(worker)

    def _dead(self, worker: _EngineWorker) -> None:
        worker.dead = True
        for future, _ in list(worker.pending.values()):
            if not future.done():
                future.set_exception(EngineStopped(worker.why))
        self._forget(worker)

    def _after_call(self, worker: _EngineWorker) -> None:
        if worker.retire and not worker.pending:
            self._kill(worker)
        if self.freed is not None and not worker.pending:
            self.freed.set()

    def _sweep(self) -> None:
        now = time.monotonic()
        for worker in list(self.workers.values()):
            if worker.dead or (not worker.pending and now - worker.last_used > self.limits.idle_seconds):
                self._kill(worker)

    def _kill(self, worker: _EngineWorker) -> None:
        if not worker.dead:
            worker.dead = True
            try:
                os.kill(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._forget(worker)

    def _forget(self, worker: _EngineWorker) -> None:
        if self.workers.get(worker.key) is worker:
            del self.workers[worker.key]
        if self.freed is not None:
            self.freed.set()

    def end(self, key: str) -> None:
        """The session ``key`` ended: its worker goes (called from the event loop)."""
        worker = self.workers.get(key)
        if worker is not None:
            self._kill(worker)

    def stop(self) -> None:
        """Every engine process killed at once, whatever it is doing."""
        for worker in list(self.workers.values()):
            self._kill(worker)
        if self.control is not None:
            self.control.close()
        if self.zygote is not None and self.zygote.poll() is None:
            self.zygote.kill()
            self.zygote.wait()

    def pids(self) -> list[int]:
        return [worker.pid for worker in self.workers.values()]
