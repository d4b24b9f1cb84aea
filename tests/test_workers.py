"""The run's worker processes (lettergen/workers.py): every task done once, workers replaced
as often as asked, errors and dead workers raised instead of waited for, no worker left
behind; and whole runs that replace workers many times, which must end."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import EXAMPLE, ROOT
from lettergen.errors import InputError
from lettergen.workers import WORKER_NAME, WorkerDied, imap_unordered

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def new_children(before: set[int]) -> set[int]:
    """This process's living children that were not there ``before`` (other tests' servers
    may be running too)."""
    return set(children_of(os.getpid())) - before


def children_of(pid: int) -> list[int]:
    """Living (not zombie) child processes of ``pid``, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("jobs", [2, 3])
def test_every_task_is_done_once_and_workers_are_replaced_as_asked(jobs):
    before = set(children_of(os.getpid()))
    prepared = []
    tasks = list(range(30))
    light = [i for i in tasks if i % 3 == 0]

    def work(task):
        return task * task, os.getpid(), bool(prepared)

    results = dict(imap_unordered(work, tasks, jobs, light=light,
                                  prepare=lambda: prepared.append(True), tasks_per_worker=2))
    assert sorted(results) == tasks
    assert all(results[i][0] == i * i for i in tasks)
    per_worker: dict[int, int] = {}
    for _, pid, _ in results.values():
        per_worker[pid] = per_worker.get(pid, 0) + 1
    assert max(per_worker.values()) <= 2  # replaced after two tasks
    assert len(per_worker) >= 15
    assert os.getpid() not in per_worker
    # the tasks that are not light ran in workers forked after prepare(), which they share
    assert all(results[i][2] for i in tasks if i not in light)
    assert prepared == [True]  # prepared once, in this process
    assert not new_children(before)


@linux_only
@pytest.mark.timeout(60)
def test_a_worker_is_named_once_it_will_die_with_its_run():
    """A worker takes the name WORKER_NAME only after it has armed its death signal and seen
    its run alive (the kill -9 tests tell an armed worker from a child forked a moment before
    the kill by it), and the run keeps its own name."""
    own = Path("/proc/self/comm").read_bytes()

    def work(task):
        return Path("/proc/self/comm").read_bytes().rstrip(b"\n")

    names = dict(imap_unordered(work, list(range(4)), 2, light=[0], tasks_per_worker=1))
    assert set(names.values()) == {WORKER_NAME}
    assert Path("/proc/self/comm").read_bytes() == own


def marks_left(folder: Path, tasks, bound: float = 30) -> list:
    """The tasks whose marks are in ``folder`` once all of them are, or once ``bound``
    seconds have passed (a bound against a hang only: nothing here is timed)."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline and not all((folder / str(i)).exists() for i in tasks):
        time.sleep(0.01)
    return [i for i in tasks if (folder / str(i)).exists()]


@pytest.mark.timeout(90)
def test_light_tasks_go_on_one_after_another_while_this_process_prepares(tmp_path):
    """The light worker is given its next task as soon as it finishes one, while prepare()
    still runs: here prepare() waits for the marks of every light task, which it would wait
    for in vain if the light worker had to wait for prepare() to end to be given its second."""
    before = set(children_of(os.getpid()))
    light = [0, 1, 2, 3, 4, 5]
    seen = []

    def work(task):
        (tmp_path / str(task)).write_text("ทำแล้ว", encoding="utf-8")
        return task, os.getpid()

    results = dict(imap_unordered(work, list(range(9)), 2, light=light,
                                  prepare=lambda: seen.extend(marks_left(tmp_path, light))))
    assert seen == light
    assert sorted(results) == list(range(9))
    assert len({results[i][1] for i in light}) == 1  # one light worker (jobs - 1) did them all
    assert not new_children(before)


@pytest.mark.timeout(90)
def test_a_light_worker_told_to_stop_while_this_process_prepares_is_replaced_after(tmp_path):
    before = set(children_of(os.getpid()))
    light = list(range(6))

    def work(task):
        (tmp_path / str(task)).write_text("ทำแล้ว", encoding="utf-8")
        return task, os.getpid()

    # the first light worker stops after two tasks, while prepare() waits for their marks
    results = dict(imap_unordered(work, list(range(10)), 2, light=light, tasks_per_worker=2,
                                  prepare=lambda: marks_left(tmp_path, light[:2])))
    assert sorted(results) == list(range(10))
    per_worker: dict[int, int] = {}
    for _, pid in results.values():
        per_worker[pid] = per_worker.get(pid, 0) + 1
    assert max(per_worker.values()) <= 2
    assert not new_children(before)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("light", [[0, 1, 2], []])
def test_the_aside_is_made_by_a_worker_of_its_own_after_start_and_handed_to_prepare(light):
    """The aside is made in a worker forked for it after start() (whose work it shares),
    which does no task; prepare() takes its result. The light workers were forked before
    start(): they do not share its work."""
    before = set(children_of(os.getpid()))
    taken = []
    started = []

    def work(task):
        return os.getpid(), bool(started)

    results = dict(imap_unordered(work, list(range(6)), 2, light=light,
                                  start=lambda: started.append(True),
                                  prepare=lambda take: taken.append(take()),
                                  aside=lambda: ("สำนักงาน", os.getpid(), bool(started))))
    assert sorted(results) == list(range(6))
    (word, maker, maker_started), = taken
    assert word == "สำนักงาน" and maker_started
    assert maker != os.getpid() and maker not in {pid for pid, _ in results.values()}
    assert all(results[i][1] for i in range(6) if i not in light)
    assert started == [True]
    assert not new_children(before)


@pytest.mark.timeout(60)
def test_an_error_in_the_aside_is_raised_here_and_no_worker_is_left():
    before = set(children_of(os.getpid()))

    def aside():
        raise InputError("ไม่มีฟอนต์", file="letter.toml")

    with pytest.raises(InputError, match="ไม่มีฟอนต์"):
        list(imap_unordered(lambda task: task, list(range(6)), 2, light=[0, 1, 2],
                            prepare=lambda take: take(), aside=aside))
    assert not new_children(before)


@pytest.mark.timeout(60)
def test_a_light_worker_that_dies_while_this_process_prepares_is_an_error_not_a_wait(tmp_path):
    before = set(children_of(os.getpid()))

    def work(task):
        (tmp_path / str(task)).write_text("ทำแล้ว", encoding="utf-8")
        if task == 1:
            os._exit(3)  # its second light task: while prepare() waits for its mark
        return task

    with pytest.raises(WorkerDied, match="exit code 3"):
        list(imap_unordered(work, list(range(6)), 2, light=[0, 1, 2],
                            prepare=lambda: marks_left(tmp_path, [0, 1])))
    assert not new_children(before)


@pytest.mark.timeout(60)
def test_an_error_in_a_task_is_raised_here_and_no_worker_is_left():
    before = set(children_of(os.getpid()))
    def work(task):
        if task == 7:
            raise InputError("ค่าไม่ถูกต้อง", file="ผู้รับ.csv", row=9)
        time.sleep(0.01)
        return task

    with pytest.raises(InputError) as caught:
        list(imap_unordered(work, list(range(40)), 2, tasks_per_worker=3))
    assert str(caught.value) == "ผู้รับ.csv, แถว 9: ค่าไม่ถูกต้อง"
    assert not new_children(before)


@pytest.mark.timeout(60)
def test_a_worker_that_dies_is_an_error_not_a_wait():
    before = set(children_of(os.getpid()))
    def work(task):
        if task == 5:
            os._exit(3)  # as the out-of-memory killer would end it
        return task

    with pytest.raises(WorkerDied, match="exit code 3"):
        list(imap_unordered(work, list(range(12)), 2, tasks_per_worker=2))
    assert not new_children(before)


@pytest.mark.timeout(60)
def test_a_caller_that_stops_early_leaves_no_worker():
    before = set(children_of(os.getpid()))
    def work(task):
        time.sleep(0.05)
        return task

    results = imap_unordered(work, list(range(20)), 2, tasks_per_worker=2)
    next(results)
    results.close()
    assert not new_children(before)


@linux_only
@pytest.mark.timeout(60)
def test_workers_forked_by_a_thread_that_is_not_the_main_one_finish():
    """The kernel's death signal is tied to the thread that forked a worker: a run made in
    another thread (a library caller, a server) replaces its workers from that thread, which
    outlives them."""
    outcome = {}

    def run():
        outcome["results"] = sorted(r for _, r in imap_unordered(
            lambda task: task + 1, list(range(16)), 2, light=[0, 1, 2, 3], tasks_per_worker=1))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(50)
    assert not thread.is_alive(), "the run did not end"
    assert outcome["results"] == list(range(1, 17))


@linux_only
@pytest.mark.timeout(60)
def test_a_worker_whose_run_is_gone_stops():
    """A worker dies with the thread that forked it (PR_SET_PDEATHSIG): here a whole run,
    killed with SIGKILL in the middle, leaves no worker behind."""
    script = (
        "import time\n"
        "from lettergen.workers import imap_unordered\n"
        "def work(task):\n"
        "    time.sleep(30)\n"
        "for _ in imap_unordered(work, list(range(6)), 2, light=[0, 1], tasks_per_worker=1):\n"
        "    pass\n"
    )
    run = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=ENV)
    try:
        deadline = time.monotonic() + 30
        while len(children_of(run.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = children_of(run.pid)
        assert len(workers) >= 2, "the workers did not start"
    finally:
        run.kill()
        run.wait()
    deadline = time.monotonic() + 20
    while (alive := [pid for pid in workers if Path(f"/proc/{pid}").exists()
                     and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:3]]) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive, f"workers of the killed run live on: {alive}"


# --- whole runs that replace their workers often -------------------------------------------

RUN_REPLACING_WORKERS = (
    "import sys\n"
    "import lettergen.batch\n"
    "lettergen.batch.CHUNKS_PER_WORKER = 1  # every worker replaced after each chunk\n"
    "from lettergen.cli import command\n"
    "sys.argv[0] = 'lettergen'\n"
    "sys.exit(command())\n"
)


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.suffix in (".pdf", ".docx")}


@pytest.fixture(scope="module")
def reference(demo_dir):
    return digests(demo_dir)


@pytest.mark.timeout(240)
@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_a_run_that_replaces_its_workers_after_every_chunk_ends(jobs, reference, tmp_path):
    """The demo's 20 letters are 3 chunks, each a DOCX task and a PDF task, so with one task
    per worker a run of two jobs forks 6 workers, most of them replacements. Before the
    workers were the run's own, such a run never ended (the pool's terminate waited for a
    lock that a worker killed by its death signal held). It ends, with the same files as
    the demo made with the usual settings."""
    out = tmp_path / "out"
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", RUN_REPLACING_WORKERS, "render",
                             str(EXAMPLE / "letter.toml"), "--out", str(out), "--jobs", str(jobs)],
                            cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=200)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert digests(out) == reference
    assert not (out / ".incomplete").exists()
    # the summary's time is the whole command's, and so never more than the time around it
    summary = result.stdout.strip().splitlines()[0]
    seconds = float(summary.split(" ใน ")[1].split()[0])
    assert seconds <= elapsed + 0.05, (summary, elapsed)


@pytest.mark.timeout(120)
def test_the_summary_counts_from_the_start_of_the_command(tmp_path):
    """A command that spends a second and a half between loading lettergen and starting its
    work reports that time in its summary line: the count starts when lettergen is loaded,
    not when the run begins."""
    script = ("import time, sys\n"
              "from lettergen.cli import command\n"
              "time.sleep(1.5)\n"
              "sys.argv[0] = 'lettergen'\n"
              "sys.exit(command())\n")
    result = subprocess.run([sys.executable, "-c", script, "render", str(EXAMPLE / "letter.toml"),
                             "--out", str(tmp_path / "out"), "--format", "docx", "--only", "5701"],
                            cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=100)
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip().splitlines()[0]
    assert float(summary.split(" ใน ")[1].split()[0]) >= 1.5, summary


def _side_reply(value):
    """What a side process is asked to compute (module level: it is sent by name)."""
    return value, os.getpid(), Path("/proc/self/comm").read_bytes().rstrip(b"\n"), sys.modules.get("wave") is not None


def _side_refuses(value):
    raise InputError(f"ไม่รับ {value}")


@linux_only
@pytest.mark.timeout(60)
def test_a_side_process_makes_ready_computes_one_call_and_ends(alone_in_its_process):
    """Forked at once, it runs ``ready()`` (here an import) before it is asked; asked, it
    answers with the function's value, computed in it under its own name; then it ends, and
    no child is left."""
    from lettergen.workers import SIDE_NAME, SideProcess

    before = set(children_of(os.getpid()))
    assert "wave" not in sys.modules  # what ready() imports, in the side process only
    with SideProcess(lambda: __import__("wave")) as side:
        value, pid, name, imported = side.call(_side_reply, "ทะเบียน")
        assert (value, name, imported) == ("ทะเบียน", SIDE_NAME, True)
        assert pid != os.getpid() and pid == side.process.pid
    assert side.process.exitcode == 0
    assert "wave" not in sys.modules
    assert not new_children(before)


@pytest.mark.timeout(60)
def test_an_error_in_a_side_process_is_raised_here_and_a_call_it_cannot_take_is_said(alone_in_its_process):
    """An error of the function comes back as itself; a function that cannot be sent (a
    local one, as a test's stand-in is) is WorkerDied, so the caller makes it itself."""
    from lettergen.workers import SideProcess

    with SideProcess(lambda: None) as side:
        with pytest.raises(InputError, match="ไม่รับ ๑"):
            side.call(_side_refuses, "๑")
    with SideProcess(lambda: None) as side:
        with pytest.raises(WorkerDied, match="cannot be sent"):
            side.call(lambda: 1)
        assert side.call(_side_reply, 2)[0] == 2  # still there to be asked


@pytest.mark.timeout(60)
def test_no_side_process_is_forked_beside_another_thread_and_the_call_says_so():
    """A fork among threads could copy a lock another thread holds: with a second thread
    running there is no side process, and the caller is told to do the work itself."""
    from lettergen.workers import SideProcess

    before = set(children_of(os.getpid()))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with SideProcess(lambda: None) as side:
            assert side.process is None and not new_children(before)
            with pytest.raises(WorkerDied):
                side.call(_side_reply, 1)
    finally:
        stop.set()
        other.join()


@linux_only
@pytest.mark.timeout(60)
def test_a_side_process_never_asked_ends_when_closed_and_one_that_dies_is_said(alone_in_its_process):
    """(That it dies with a run killed with SIGKILL: the kill -9 tests, tests/test_safety.py.)"""
    from lettergen.workers import SideProcess

    before = set(children_of(os.getpid()))
    with SideProcess(lambda: None):
        pass
    assert not new_children(before)
    side = SideProcess(lambda: None)
    side.process.kill()
    side.process.join()
    with pytest.raises(WorkerDied):
        side.call(_side_reply, 1)
    side.close()
    assert not new_children(before)


def _side_sleeps(seconds):
    time.sleep(seconds)
    return b"x" * 8_000_000  # more than a pipe holds: it waits to hand it over


@linux_only
@pytest.mark.timeout(60)
def test_a_side_process_whose_answer_is_not_waited_for_is_ended_at_once(alone_in_its_process):
    """Ctrl-C while the run waits for its answer: closing it does not wait STOP_SECONDS for
    a process that would wait to hand over an answer nobody reads."""
    import signal

    from lettergen.workers import STOP_SECONDS, SideProcess

    before = set(children_of(os.getpid()))
    side = SideProcess(lambda: None)
    threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    with pytest.raises(KeyboardInterrupt):
        side.call(_side_sleeps, 0.5)
    started = time.monotonic()
    side.close()
    assert time.monotonic() - started < STOP_SECONDS / 2
    assert not new_children(before)


def test_no_side_process_in_a_daemonic_process_nor_when_the_fork_fails(monkeypatch):
    """A daemonic process may have no children, and a fork may fail (no memory, no process
    left): there is then no side process, and the caller is told to do the work itself."""
    import multiprocessing

    from lettergen.workers import SideProcess

    def no_fork(self):
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", no_fork)
    side = SideProcess(lambda: None)
    assert side.process is None
    with pytest.raises(WorkerDied):
        side.call(_side_reply, 1)
    side.close()
    monkeypatch.undo()
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "daemon", property(lambda self: True))
    assert SideProcess(lambda: None).process is None
