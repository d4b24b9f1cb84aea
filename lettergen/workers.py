"""Worker processes for a run: forked, fed one task at a time and replaced by the run's own
thread, each over a pipe of its own.

Why not multiprocessing.Pool: a worker must die with its run (kill -9 of the run may not
leave a worker writing into the output folder), so each worker asks the kernel for SIGKILL
when the thread that forked it ends (PR_SET_PDEATHSIG). A Pool forks its replacement
workers from its own handler thread, and that thread ends at ``close()``; the kernel then
killed the idle replacements while one of them held the lock of the queue all workers read
from, and ``Pool.terminate`` waited for that lock for ever (runs of 1,000 letters never
ended). Here every worker is forked by the thread that iterates ``imap_unordered`` and that
thread outlives its workers; no lock is shared between workers, so a worker that dies,
however it dies, can block nobody; and a worker whose run is gone reads the end of its pipe
and stops.

The death signal is asked for inside the fork itself (an os.register_at_fork hook, armed
only while the run forks a worker), before any other code of the child runs, so a run killed
at any moment leaves no worker that has not asked for it. The tasks are in memory before the
first fork, so a worker is sent only a task's index.

A ``SideProcess`` is forked and armed the same way, at the start of a run: it makes ready,
on a core the run leaves idle, what the run needs only at its end (the register's XLSX
library), and does that one piece of work when asked. A ``Forked`` process does one piece
of work at once, beside the run (the second half of the check of a run's letters).
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

STOP_SECONDS = 10  # how long a worker told to stop may take to end before it is killed


class WorkerDied(RuntimeError):
    """A worker process ended while it had a task (killed by the system, out of memory)."""


@dataclass
class _Worker:
    process: object  # multiprocessing.Process
    conn: object  # this side of the worker's pipe
    light_only: bool  # forked before ``prepare``: takes only the light tasks
    aside_only: bool = False  # forked to make the aside, then to end
    done: int = 0  # tasks finished
    task: int | None = None  # the index of the task it is working on


def imap_unordered(function: Callable, tasks: Sequence, jobs: int, *,
                   light: Sequence[int] = (), prepare: Callable | None = None,
                   aside: Callable[[], object] | None = None,
                   start: Callable[[], None] | None = None,
                   tasks_per_worker: int = 10) -> Iterator[tuple[int, object]]:
    """(index, ``function(tasks[index])``) for every task, as each finishes, computed in
    worker processes.

    The ``light`` tasks need nothing that ``start`` and ``prepare`` make, so they start at
    once, in ``jobs - 1`` workers (``jobs`` if every task is light), forked before anything
    else, while this process runs ``start()`` and then ``prepare()``; then ``jobs`` more
    workers are forked, which share what those made with this process and take the other
    tasks first, then what is left of the light ones. With an ``aside`` (a part of the
    preparation whose result pickles), a worker of its own, forked after ``start()`` (which
    makes what the aside needs as well as ``prepare``), makes ``aside()`` and ends, while this
    process runs ``prepare(take)``: ``take()`` is that result, waited for. (``start`` and the
    aside are for the tasks that are not light: without such tasks neither is made.) A worker
    is replaced after ``tasks_per_worker`` tasks, so memory stays flat. An error in a task
    is raised here (the other workers are killed first); so is WorkerDied."""
    import multiprocessing
    from multiprocessing.connection import wait

    heavy = [i for i in range(len(tasks)) if i not in set(light)]
    queues = {True: [i for i in light], False: heavy}  # light_only -> the tasks it takes
    for queue in queues.values():
        queue.reverse()  # popped from the end: in order
    context = multiprocessing.get_context("fork")
    workers: list[_Worker] = []
    left = len(tasks)
    def next_task(worker: _Worker) -> int | None:
        if worker.aside_only:  # the aside first, then the word to stop
            return _ASIDE if worker.task is None else None
        if queues[False] and not worker.light_only:
            return queues[False].pop()
        return queues[True].pop() if queues[True] else None

    def fork(light_only: bool, aside_only: bool = False) -> None:
        others = [w.conn for w in workers]
        process, mine = _start(context, _serve, (others, function, tasks, aside), "lettergen-worker")
        worker = _Worker(process, mine, light_only, aside_only)
        workers.append(worker)
        feed(worker)

    def feed(worker: _Worker) -> None:
        """The worker's next task, or the word to stop (it then ends of itself)."""
        worker.task = next_task(worker) if worker.done < tasks_per_worker else None
        try:
            worker.conn.send(worker.task)
        except OSError:  # it died: noticed by its sentinel
            pass

    def pending(light_only: bool) -> bool:
        return bool(queues[True] or (queues[False] and not light_only))

    try:
        # Everything made so far (the planned rows above all) is kept out of the garbage
        # collector's sight, so that the workers' collections do not write to those pages
        # and copy them: the workers share them with this process instead of each a copy.
        gc.freeze()
        if queues[True]:
            for _ in range(min(len(queues[True]), max(1, jobs - 1) if heavy else jobs)):
                fork(light_only=True)
        if heavy:
            early = []
            if start is not None:
                early += _while_light_work(start, None, workers, feed)
                gc.freeze()
            if aside is not None:
                fork(light_only=True, aside_only=True)
            if prepare is not None:
                early += _while_light_work(prepare, aside, workers, feed)
                gc.freeze()
            for _ in range(min(len(heavy), jobs)):
                fork(light_only=False)
            for index, result in early:
                left -= 1
                yield index, result
        while left:
            # a worker with a task: its reply, or its end; a worker told to stop: its end
            ready = set(wait([w.conn for w in workers if w.task is not None]
                             + [w.process.sentinel for w in workers]))
            for worker in list(workers):
                if worker.conn in ready and worker.task is not None:
                    index, result = _reply(worker)
                    if index == _ASIDE:  # made, but not taken by prepare: nothing to yield
                        feed(worker)
                        continue
                    worker.done += 1
                    left -= 1
                    feed(worker)
                    yield index, result
                elif worker.process.sentinel in ready:
                    worker.process.join()
                    if worker.task is not None:
                        raise _died(worker)
                    workers.remove(worker)
                    worker.conn.close()
                    if worker.done >= tasks_per_worker and pending(worker.light_only):
                        fork(worker.light_only)  # its replacement, forked by this thread
        for worker in workers:
            worker.process.join(STOP_SECONDS)
    finally:
        for worker in workers:  # an error, or the caller stopped: no worker goes on
            if worker.process.exitcode is None:
                worker.process.kill()
            worker.process.join()
            worker.conn.close()
        gc.unfreeze()  # a library caller's objects are collected again afterwards


_ASIDE = -1  # the index that asks the worker forked for it for the ``aside`` of imap_unordered


def _while_light_work(prepare: Callable, aside: Callable[[], object] | None,
                      workers: list[_Worker], feed) -> list:
    """``prepare()`` (``prepare(take)`` with an ``aside``) in this thread while another keeps
    the light workers fed: each reply taken and the worker given its next task (``feed``),
    so they work through the light tasks instead of waiting, one task done, for ``prepare``
    to end (it takes about a second, a light task a tenth of that); and the aside's result,
    from the worker forked for it, handed to ``take()``. That thread forks nothing: a worker told to stop is replaced by
    this one afterwards, as always. Returns the (index, result) of the tasks finished
    meanwhile; an error in one of them, or a worker that died, is raised here."""
    import threading
    from multiprocessing.connection import wait

    stop_reader, stop_writer = os.pipe()
    finished: list = []
    failed: list[BaseException] = []
    made: dict = {}  # "aside" -> its result, once its worker sent it
    arrived = threading.Event()  # the aside's result, or an error, is here

    def serve() -> None:
        try:
            while True:
                waiting = [w for w in workers if w.task is not None]
                ready = set(wait([stop_reader, *(w.conn for w in waiting)]))
                if stop_reader in ready:
                    return
                for worker in waiting:
                    if worker.conn in ready:
                        _take_reply(worker, finished, made, feed)
                        if "aside" in made:
                            arrived.set()
        except BaseException as error:  # raised by the run's own thread
            failed.append(error)
            arrived.set()

    def take():
        arrived.wait()
        if failed:
            raise failed[0]
        return made["aside"]

    feeder = threading.Thread(target=serve, name="lettergen-feed-light", daemon=True)
    feeder.start()
    try:
        if aside is not None:
            prepare(take)
        else:
            prepare()
    finally:
        os.write(stop_writer, b"x")
        feeder.join()
        os.close(stop_reader)
        os.close(stop_writer)
    if failed:
        raise failed[0]
    return finished


def _reply(worker: _Worker):
    """The worker's reply to its task: (index, result); its error, or WorkerDied when it
    ended without one, raised."""
    try:
        index, result, error = worker.conn.recv()
    except (EOFError, OSError):
        raise _died(worker) from None
    if error is not None:
        raise error
    return index, result


def _take_reply(worker: _Worker, finished: list, made: dict, feed) -> None:
    """A worker's reply taken (its task's result into ``finished``, the aside's into
    ``made``) and the worker fed its next task; an error in it raised."""
    index, result = _reply(worker)
    if index == _ASIDE:
        made["aside"] = result
    else:
        worker.done += 1
        finished.append((index, result))
    feed(worker)


def _died(worker: _Worker) -> WorkerDied:
    worker.process.join(STOP_SECONDS)
    return WorkerDied(f"a worker process ended while making task {worker.task} "
                      f"(exit code {worker.process.exitcode})")


def _serve(conn, others, function, tasks, aside=None) -> None:
    """A worker: tasks' indexes in, (index, result, error) out, until told to stop or until
    the run's end of the pipe is closed (the run is gone). Ctrl-C is the run's to handle:
    it kills its workers."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for other in others:  # the other workers' pipes, inherited: not this worker's to hold
        other.close()
    while True:
        try:
            index = conn.recv()
        except (EOFError, OSError):
            return
        if index is None:
            return
        try:
            reply = (index, aside() if index == _ASIDE else function(tasks[index]), None)
        except BaseException as error:  # sent to the run, which raises it
            reply = (index, None, _portable(error))
        conn.send(reply)


def _portable(error: BaseException) -> BaseException:
    """``error`` itself if it survives pickling, else an internal error that names it."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")


class SideProcess:
    """A process of the run's own, forked at once and dying with it as its workers do (named
    SIDE_NAME), that runs ``ready()`` (an import, say) while the run goes on, then, asked
    once (``call``), computes ``function(*args)`` and ends: work that the run would do
    itself at its end, begun on a core the run leaves idle while it checks its letters.
    Forked only from a process whose one thread is the caller's (a fork among threads can
    copy a lock another thread holds); otherwise, or where there is no fork, ``call`` says
    so with WorkerDied and the caller does the work itself."""

    def __init__(self, ready: Callable[[], None]):
        self.asked = False  # a call sent, its answer not yet taken
        self.process, self.conn = _fork_aside(_serve_side, (ready,))

    def call(self, function: Callable, *args):
        """``function(*args)`` computed in the side process; its error raised here, or
        WorkerDied if there is no side process, the call cannot be sent to it (a function
        that does not pickle), or it ended without an answer."""
        if self.process is None:
            raise WorkerDied("no side process")
        from multiprocessing.connection import wait

        try:
            request = pickle.dumps((function, args))
        except Exception as error:
            raise WorkerDied(f"the call cannot be sent to the side process: {error}") from None
        try:
            self.asked = True
            self.conn.send_bytes(request)
            wait([self.conn, self.process.sentinel])
            result, error = self.conn.recv()
            self.asked = False
        except (EOFError, OSError):
            raise WorkerDied(f"the side process ended (exit code {self.process.exitcode})") from None
        if error is not None:
            raise error
        return result

    def close(self) -> None:
        """Told to stop if it was not asked (it ends of itself once it answered); killed at
        once if it was asked and its answer was not taken (the run stopped waiting: Ctrl-C,
        say; it would wait to hand its answer over), or if it does not end in STOP_SECONDS."""
        if self.process is None:
            return
        if self.asked:
            self.process.kill()
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(STOP_SECONDS)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
        self.conn.close()

    def __enter__(self) -> "SideProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _fork_aside(target: Callable, args: tuple) -> tuple:
    """(process, pipe) of ``target`` forked now as a side process (``_start``), or (None,
    None) where it may not be: from a process with more than one thread (a fork can copy a
    lock another thread holds: the web app's), where there is no fork, from a daemon (which
    may have no children), or when the system has no memory or process left for it."""
    import multiprocessing
    import threading

    if (threading.active_count() != 1 or "fork" not in multiprocessing.get_all_start_methods()
            or multiprocessing.current_process().daemon):
        return None, None
    try:
        return _start(multiprocessing.get_context("fork"), target, args, "lettergen-side")
    except (OSError, AssertionError):
        return None, None


class Forked:
    """``function(*args)`` computed in a process forked now, which dies with the run as its
    workers do, while this process goes on: ``result()`` waits for it and raises its error.
    The arguments are not pickled (the child has them, forked), only the result, which is
    sent back. Where no process may be forked (``_fork_aside``), or it ended without an
    answer, ``result()`` raises WorkerDied and the caller does the work itself. Leaving the
    ``with`` block kills a child whose result was not taken (this process stopped at an
    error of its own, say)."""

    def __init__(self, function: Callable, *args):
        self.process, self.conn = _fork_aside(_serve_once, (function, args))
        self.answered = False

    def result(self):
        if self.process is None:
            raise WorkerDied("no process could be forked")
        from multiprocessing.connection import wait

        try:
            wait([self.conn, self.process.sentinel])
            result, error = self.conn.recv()
        except (EOFError, OSError):
            raise WorkerDied(f"the forked process ended (exit code {self.process.exitcode})") from None
        self.answered = True
        if error is not None:
            raise error
        return result

    def __enter__(self) -> "Forked":
        return self

    def __exit__(self, *exc) -> None:
        if self.process is None:
            return
        if self.answered:  # it ends of itself once it answered
            self.process.join(STOP_SECONDS)
        if self.process.exitcode is None:
            self.process.kill()
        self.process.join()
        self.conn.close()


def _serve_once(conn, function: Callable, args: tuple) -> None:
    _as_side_process()
    _answer(conn, function, args)


SIDE_NAME = b"lettergen-side"  # a side process's name once it will die with its run


def _serve_side(conn, ready: Callable[[], None]) -> None:
    _as_side_process()
    try:
        ready()
    except Exception:  # not ready: the call makes it again, and fails there if it must
        pass
    try:
        request = conn.recv()
    except (EOFError, OSError):
        return
    if request is not None:
        _answer(conn, *request)


def _as_side_process() -> None:
    """What a side process (SideProcess, Forked) does first: Ctrl-C is the run's, which ends
    it; it takes its name."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _named is not None:
        _named(SIDE_NAME)


def _answer(conn, function: Callable, args: tuple) -> None:
    """``function(*args)``, or its error, sent to the run, which raises the error; a result
    that does not pickle is sent as WorkerDied (the run then does the work itself)."""
    try:
        reply = (function(*args), None)
    except BaseException as error:
        reply = (None, _portable(error))
    try:
        conn.send(reply)
    except Exception as error:
        conn.send((None, WorkerDied(f"the result cannot be sent: {error}")))


def _start(context, target: Callable, args: tuple, name: str) -> tuple:
    """(a process forked now to run ``target(its end of a pipe, *args)``, this end): armed
    inside the fork to die with the run (``_die_with_run``), as every process of a run is."""
    global _forking_for
    mine, theirs = context.Pipe()
    process = context.Process(target=target, daemon=True, name=name, args=(theirs, *args))
    _forking_for = os.getpid()
    try:
        process.start()
    except BaseException:
        mine.close()
        raise
    finally:
        _forking_for = None
        theirs.close()
    return process, mine


_forking_for: int | None = None  # the run's pid while it forks one of its workers


def _set_death_signal():
    """Linux's prctl(PR_SET_PDEATHSIG, SIGKILL) as a function without arguments, looked up
    in the run before it forks, so that the child does as little as possible before it
    calls it; elsewhere None."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import functools
    import signal

    pr_set_pdeathsig = 1
    return functools.partial(ctypes.CDLL(None, use_errno=True).prctl, pr_set_pdeathsig,
                             signal.SIGKILL, 0, 0, 0)


_arm = _set_death_signal()

WORKER_NAME = b"lettergen-work"  # the process's name (ps, top) once it will die with its run


def _set_name():
    """prctl(PR_SET_NAME, name) as a function of the name (Linux), else None."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    pr_set_name = 15
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    return lambda name: prctl(pr_set_name, ctypes.c_char_p(name), 0, 0, 0)


_named = _set_name()


def _die_with_run(parent: int) -> None:
    """What a worker does first, inside the fork itself (os.register_at_fork), before any
    other code of the child runs: arrange to die with the run. On Linux the kernel sends the
    worker SIGKILL when the thread that forked it ends (the thread iterating imap_unordered,
    which outlives its workers while the run is alive), so a run killed with SIGKILL leaves
    no worker writing into its staging folder. If the run died before this took effect, the
    worker's parent is no longer ``parent`` and it ends here."""
    if _arm is not None and _arm() != 0:
        os._exit(1)  # a worker that cannot die with its run does not start
    if os.getppid() != parent:
        os._exit(1)
    # Only now does it take its own name: a child still named as its run (for the moment
    # between the fork and the lines above) has not armed its death signal yet, and ends at
    # the check above if its run is gone.
    if _named is not None:
        _named(WORKER_NAME)


def _after_fork_in_child() -> None:
    if _forking_for is not None:
        _die_with_run(_forking_for)


os.register_at_fork(after_in_child=_after_fork_in_child)
