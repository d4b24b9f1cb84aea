"""The web server that a whole office shares stays responsive and bounded whatever one
browser sends: engine work runs in worker processes stopped at a time limit and held to a
memory limit, SIGTERM always stops the server, logins are paced for the whole server,
sessions are made only for clerks and are capped and expire, files a spec names come from
the workspace only, and any body over the limit gets 413.

Each test runs a real ``lettergen serve`` (tests/web_server.py) with small limits where it
needs them (LETTERGEN_WEB_*), and bounds what it waits for: every request has a timeout,
and the server's processes' memory is measured from /proc."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import hostile_inputs as hostile
from conftest import EXAMPLE
from web_server import Client, Server

JSON = {"Accept": "application/json"}
TOO_LONG = "งานนี้ใช้เวลาเกิน"
TOO_BIG = "งานนี้ใช้หน่วยความจำเกิน"


def process_tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo.extend(children.get(found[-1], []))
    return found


def resident_mb(pid: int) -> float:
    """The summed resident memory of ``pid`` and every process under it."""
    total = 0
    for member in process_tree(pid):
        try:
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total / 2 ** 20


def running(pid: int) -> bool:
    """Whether ``pid`` is a process still running (not gone, not a zombie)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def within(seconds: float, check) -> bool:
    """Whether ``check()`` holds at some moment within ``seconds``, asked every 50 ms: for what
    the system does just after the server answers (a process gone, its memory given back), so
    that a test waits as long as that takes rather than the most it may take."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def session_folders(tmp: Path, workspace: Path | None = None) -> list[str]:
    """The session folders a server whose TMPDIR is ``tmp`` keeps (the visitors' shared
    example among them), and the drafts of the lasting sessions in ``workspace``."""
    drafts = workspace / "drafts" if workspace else None
    return sorted([p.name for scratch in tmp.glob("lettergen-sessions-*") for p in scratch.iterdir()] +
                  ([p.name for p in drafts.iterdir() if p.is_dir()] if drafts and drafts.is_dir() else []))


def poll_while(clerk: Client, busy: threading.Event, path: str = "/letter") -> list[float]:
    """``clerk``'s waits for ``path``, asked again and again while ``busy`` is set."""
    waits = []
    while busy.is_set():
        started = time.perf_counter()
        status, _, _ = clerk.get(path)
        waits.append(time.perf_counter() - started)
        assert status == 200
        time.sleep(0.05)
    return waits


@pytest.fixture
def limited(tmp_path):
    """A server whose engine calls stop after 1 s."""
    server = Server(tmp_path / "ws", env={"LETTERGEN_WEB_TIME_LIMIT": "1"})
    yield server
    server.stop()


def test_a_slow_check_holds_up_no_other_session_and_stops_at_the_time_limit(limited):
    """A big sheet's check (28,818 rows: several seconds' work) in one session: another
    session's letter page and a static file keep answering at once, and the check is
    stopped at the 1 s limit with the Thai message, its worker replaced."""
    slow, other = Client(limited.url), Client(limited.url)
    slow.get("/letter")
    other.get("/letter")
    slow.upload("/recipients/upload", "ใหญ่.csv", hostile.many_rows_sheet(200))
    busy = threading.Event()
    busy.set()
    with ThreadPoolExecutor(2) as pool:
        letter_waits = pool.submit(poll_while, other, busy)
        static_waits = pool.submit(poll_while, other, busy, "/static/app.css")
        started = time.perf_counter()
        status, body, _ = slow.post_json("/letter/update", {"letter.urgency": "ด่วน"})
        took = time.perf_counter() - started
        busy.clear()
        waits = letter_waits.result(timeout=60) + static_waits.result(timeout=60)
    assert status == 200 and TOO_LONG in json.loads(body)["error"]["text"], body
    assert took < 1 + 5  # the limit, and time to say so
    assert waits and max(waits) < 1.0, max(waits)
    # the session works again at once (a fresh worker), with a sheet that fits
    slow.upload("/recipients/upload", "ตัวอย่าง.csv", (EXAMPLE / "recipients.csv").read_bytes())
    status, body, _ = slow.post_json("/letter/update", {"letter.urgency": "ด่วน"})
    assert json.loads(body).get("ok") is True, body


def test_a_greedy_check_stops_at_the_memory_limit_and_the_memory_comes_back(tmp_path):
    """Checking a sheet of 57,618 rows (every letter composed) takes some 130 MB more than
    the worker's start, over its 64 MB limit: the clerk is told in Thai at once, the
    server's processes hold less than 600 MB afterwards, and the session goes on."""
    server = Server(tmp_path / "ws", env={"LETTERGEN_WEB_MEMORY_MB": "64", "LETTERGEN_WEB_TIME_LIMIT": "60"})
    try:
        clerk = Client(server.url)
        clerk.get("/letter")
        clerk.upload("/recipients/upload", "ใหญ่มาก.csv", hostile.many_rows_sheet(400))
        started = time.perf_counter()
        status, body, _ = clerk.post_json("/letter/update", {"letter.urgency": "ด่วน"})
        assert time.perf_counter() - started < 60
        assert status == 200 and TOO_BIG in json.loads(body)["error"]["text"], body
        assert within(0.5, lambda: resident_mb(server.process.pid) < 600), resident_mb(server.process.pid)
        clerk.upload("/recipients/upload", "ตัวอย่าง.csv", (EXAMPLE / "recipients.csv").read_bytes())
        status, body, _ = clerk.post_json("/letter/update", {"letter.urgency": "ด่วน"})
        assert json.loads(body).get("ok") is True, body
    finally:
        server.stop()


def test_sigterm_stops_the_server_within_5_seconds_whatever_runs(tmp_path):
    """A slow check in the engine and a set being made: SIGTERM still ends the server, its
    engine processes and the job's process group within 5 s."""
    server = Server(tmp_path / "ws")
    try:
        maker, slow = Client(server.url), Client(server.url)
        maker.get("/produce")
        status, body = maker.start_set()
        assert status == 200, body
        slow.get("/letter")
        slow.upload("/recipients/upload", "ใหญ่.csv", hostile.many_rows_sheet(200))
        threading.Thread(target=slow.post_json, args=("/letter/update", {"letter.urgency": "ด่วน"}),
                         daemon=True).start()
        time.sleep(1.0)
        family = process_tree(server.process.pid)
        assert len(family) >= 3  # the server, the engine's zygote and workers, the job
        started = time.perf_counter()
        server.process.terminate()
        server.process.wait(30)
        took = time.perf_counter() - started
        assert took < 5.0, took
        assert within(0.2, lambda: not [pid for pid in family if running(pid)]), \
            [pid for pid in family if running(pid)]
    finally:
        server.stop()


PASSWORD = "ขอเข้า-2569"


def login(server: Server) -> Client:
    clerk = Client(server.url)
    clerk.get("/login")
    status, _, _ = clerk.post_form("/login", {"password": PASSWORD})
    assert status == 303
    return clerk


def test_parallel_logins_cannot_beat_the_pacing_of_password_checks(tmp_path):
    """100 wrong passwords sent at once, each from a browser of its own: a handful are
    checked, the others are refused without their password being looked at, and all are
    answered within seconds; the right password then waits its turn and passes."""
    server = Server(tmp_path / "ws", env={"LETTERGEN_PASSWORD": PASSWORD})
    try:
        def attempt(i: int):
            clerk = Client(server.url)
            clerk.get("/login")
            status, body, _ = clerk.post_form("/login", {"password": f"ผิด-{i}"})
            return status, body.decode()

        started = time.perf_counter()
        with ThreadPoolExecutor(100) as pool:
            answers = list(pool.map(attempt, range(100)))
        took = time.perf_counter() - started
        checked = sum("รหัสผ่านไม่ถูกต้อง" in body for _, body in answers)
        refused = [body for status, body in answers if status == 429]
        assert checked + len(refused) == 100
        assert checked <= 12, checked  # 5 free, then 1 + 2 + 4 s of pauses at most in the time
        assert refused and "ต้องรออีก" in refused[0]
        assert took < 30
        deadline = time.monotonic() + 120
        while True:  # the clerk with the password waits the pause out, and gets in
            clerk = Client(server.url)
            clerk.get("/login")
            status, body, head = clerk.post_form("/login", {"password": PASSWORD})
            if status == 303 or time.monotonic() > deadline:
                break
            assert status == 429, status
            time.sleep(2)
        assert status == 303 and head["location"] == "/letter"
    finally:
        server.stop()


def test_a_password_file_others_can_read_is_warned_of(tmp_path):
    password = tmp_path / "password"
    password.write_text(PASSWORD + "\n", encoding="utf-8")
    for mode, warned in ((0o644, True), (0o600, False)):
        password.chmod(mode)
        server = Server(tmp_path / f"ws-{mode:o}", extra=["--password-file", str(password)])
        server.stop()
        assert ("คำเตือน" in server.text() and f"chmod 600 {password}" in server.text()) == warned, server.text()
        assert PASSWORD not in server.text()


def test_requests_without_a_cookie_make_no_session_and_sessions_are_capped_and_expire(tmp_path):
    """500 requests without a cookie make no folder (visitors see the shared example); a
    clerk's first change makes one (its draft, in the workspace); past the cap of 2 a third
    clerk is told to wait; a session idle for 2 s ends at the next request (its worker
    goes, and its place), its draft is kept for its browser to come back to."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    workspace = tmp_path / "ws"
    server = Server(workspace, env={"TMPDIR": str(scratch), "LETTERGEN_WEB_SESSIONS": "2",
                                    "LETTERGEN_WEB_IDLE_SECONDS": "2"})
    try:
        with ThreadPoolExecutor(10) as pool:
            statuses = list(pool.map(lambda _: Client(server.url).get("/letter")[0], range(500)))
        assert statuses == [200] * 500
        assert session_folders(scratch, workspace) == ["example"]
        first, second, third = Client(server.url), Client(server.url), Client(server.url)
        for clerk in (first, second, third):
            clerk.get("/letter")
        assert first.post_json("/letter/update", {"letter.urgency": "ด่วน"})[0] == 200
        assert second.upload("/recipients/upload", "ของคนที่สอง.csv", hostile.example_lines()[0].encode() + b"\n")[0] == 200
        assert len(session_folders(scratch, workspace)) == 3
        status, body, _ = third.post_json("/letter/update", {"letter.urgency": "ด่วน"})
        assert status == 503 and "ครบ 2 คน" in json.loads(body)["error"]
        time.sleep(3)  # both lasting sessions are idle past the limit
        assert third.post_json("/letter/update", {"letter.urgency": "ด่วน"})[0] == 200
        assert len(session_folders(scratch, workspace)) == 4  # the example and three drafts
        # the second clerk comes back: its draft with it (there is room: the first one ended)
        assert "ของคนที่สอง.csv".encode() in second.get("/recipients")[1]
    finally:
        server.stop()


def emblem_error(clerk: Client, emblem: str) -> str:
    """The letter page's message after a letter naming ``emblem`` is uploaded."""
    import html
    import re

    clerk.upload("/letter/upload", "letter.toml", hostile.emblem_letter(emblem))
    page = clerk.get("/letter")[1].decode()
    found = re.search(r'id="form-error"[^>]*>(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else page


@pytest.mark.parametrize("outside", ["/etc/passwd", "/etc/no-such-file",
                                     "../../usr/share/pixmaps/debian-logo.png", "../../usr/share/pixmaps/no-such.png"])
def test_a_spec_uploaded_to_the_server_names_no_file_outside_the_workspace(shared_server, outside):
    """Whether the file exists or not, the answer is the same refusal at letter.emblem: it
    tells nothing of the server's files and embeds none of them."""
    clerk = Client(shared_server.url)
    clerk.get("/letter")
    shown = emblem_error(clerk, outside)
    assert f"ไฟล์ที่ระบุต้องเป็นชื่อไฟล์ในพื้นที่ทำงาน เช่น \"garuda.png\" ไม่ใช่ตำแหน่ง \"{outside}\"" in shown, shown
    assert shown.startswith("ตราครุฑ: ")  # the field on the page, not the spec key
    answer = json.loads(clerk.get("/preview/api", headers=JSON)[1])
    assert "error" in answer and answer["error"]["key"] == "letter.emblem"


def test_an_emblem_in_the_workspaces_letters_folder_is_used(tmp_path):
    from PIL import Image

    server = Server(tmp_path / "ws")
    try:
        Image.new("RGB", (60, 60), "black").save(server.workspace / "letters" / "garuda.png")
        clerk = Client(server.url)
        clerk.get("/letter")
        clerk.upload("/letter/upload", "letter.toml", hostile.emblem_letter("garuda.png"))
        answer = json.loads(clerk.get("/preview/api", headers=JSON)[1])
        assert "version" in answer, answer
        pdf = clerk.get(f"/preview/{answer['version']}/letter.pdf")[1]
        assert b"/Subtype /Image" in pdf
    finally:
        server.stop()


def chunked_post(server: Server, clerk: Client, path: str, content_type: str, head: bytes, size: int):
    """POST ``head`` and ``size`` more bytes, chunked (no Content-Length); (status, body)."""
    host, port = server.url.removeprefix("http://").split(":")
    cookie = "; ".join(f"{c.name}={c.value}" for c in clerk.jar)
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
                      f"X-CSRF-Token: {clerk.csrf}\r\nAccept: application/json\r\nContent-Type: {content_type}\r\n"
                      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode())
        piece = b"x" * 65536
        try:
            sock.sendall(f"{len(head):x}\r\n".encode() + head + b"\r\n")
            for _ in range(size // len(piece)):
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered (before the body's end): read it
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            else:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer.partition(b"\r\n\r\n")[2]


def test_a_body_over_the_limit_gets_413_however_it_is_sent(tmp_path):
    from web_server import raw_post

    server = Server(tmp_path / "ws")
    try:
        clerk = Client(server.url)
        clerk.get("/recipients")
        started = time.perf_counter()
        head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        status, body = chunked_post(server, clerk, "/recipients/upload", "multipart/form-data; boundary=b",
                                    head, 25 * 2 ** 20)
        assert status == 413 and json.loads(body)["error"] == "ไฟล์ใหญ่เกินไป: อัปโหลดได้ไม่เกิน 20 MB ต่อครั้ง"
        status, body = chunked_post(server, clerk, "/letter/update", "application/json", b'{"a": "', 3 * 2 ** 20)
        assert status == 413 and "ส่งได้ไม่เกิน 2 MB" in json.loads(body)["error"]
        cookie = "; ".join(f"{c.name}={c.value}" for c in clerk.jar)
        status, body = raw_post(server.url, "/letter/update", {
            "Cookie": cookie, "X-CSRF-Token": clerk.csrf, "Accept": "application/json",
            "Content-Type": "application/json"}, b'{"a": "' + b"x" * (3 * 2 ** 20) + b'"}')
        assert status == 413 and "ส่งได้ไม่เกิน 2 MB" in json.loads(body)["error"]
        assert time.perf_counter() - started < 30
        assert resident_mb(server.process.pid) < 600
        assert clerk.post_json("/letter/update", {"letter.urgency": "ด่วน"})[0] == 200
    finally:
        server.stop()
    assert "ข้อผิดพลาดภายใน" not in server.text()


def test_jobs_belong_to_the_office_and_only_to_those_logged_in(tmp_path):
    """A set one clerk makes is listed for, and can be fetched by, every clerk who logged in
    (the README says why); a browser that did not log in gets nothing."""
    server = Server(tmp_path / "ws", env={"LETTERGEN_PASSWORD": PASSWORD})
    try:
        maker, colleague, stranger = login(server), login(server), Client(server.url)
        maker.get("/produce")
        status, body = maker.start_set()
        job = json.loads(body)["job"]
        assert f'data-run="{job}"' in colleague.get("/produce")[1].decode()
        assert colleague.get(f"/jobs/{job}", headers=JSON)[0] == 200
        assert stranger.get(f"/jobs/{job}", headers=JSON)[0] == 401
        status, _, head = stranger.get(f"/jobs/{job}/zip", follow=False)
        assert status == 303 and head["location"] == "/login"
        colleague.request("POST", f"/jobs/{job}/cancel", b"", {**JSON, "X-CSRF-Token": colleague.csrf})
        assert json.loads(maker.get(f"/jobs/{job}", headers=JSON)[1])["state"] in ("cancelled", "done")
    finally:
        server.stop()


def engine_zygote(server: Server) -> int:
    """The pid of the server's engine zygote (its child running engine_process)."""
    found = [pid for pid in process_tree(server.process.pid)
             if b"engine_process" in Path(f"/proc/{pid}/cmdline").read_bytes()
             and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1] == str(server.process.pid)]
    assert len(found) == 1, found
    return found[0]


def test_the_engine_comes_back_when_its_processes_are_killed(tmp_path):
    """The system may kill the engine's processes (out of memory): the next call starts
    them again, and the page works on. (The workers, orphaned when their zygote dies, leave
    the server's process tree at once but die a moment later, of their parent-death signal:
    the pause lets them; a call that reached one still alive would be told it stopped.)"""
    import signal

    server = Server(tmp_path / "ws")
    try:
        clerk = Client(server.url)
        clerk.get("/letter")
        assert clerk.post_json("/letter/update", {"letter.urgency": "ด่วน"})[0] == 200
        os.kill(engine_zygote(server), signal.SIGKILL)  # the workers are its children
        time.sleep(0.5)
        assert not [pid for pid in process_tree(server.process.pid)[1:] if running(pid)]  # workers too
        started = time.perf_counter()
        status, body, _ = clerk.post_json("/letter/update", {"letter.urgency": "ด่วนมาก"})
        assert status == 200 and json.loads(body).get("ok") is True, body
        assert time.perf_counter() - started < 30
    finally:
        server.stop()


def test_pages_are_answered_while_the_engine_warms_and_a_zygote_dead_before_it_is_warm_is_replaced(tmp_path):
    """The server says it is ready while the engine's zygote still lays out the example
    (about a second of CPU): a page that needs no layout is answered meanwhile, here with
    the zygote stopped outright, and a zygote killed then is started again by the first
    call that needs it."""
    import signal

    server = Server(tmp_path / "ws")
    try:
        zygote = engine_zygote(server)
        os.kill(zygote, signal.SIGSTOP)
        clerk = Client(server.url)
        status, body, _ = clerk.get("/office")
        assert status == 200 and "อีเมล".encode() in body
        os.kill(zygote, signal.SIGKILL)
        status, body, _ = clerk.get("/letter")
        assert status == 200 and b'id="letter-form"' in body
        status, body, _ = clerk.post_json("/letter/update", {"letter.urgency": "ด่วน"})
        assert status == 200 and json.loads(body).get("ok") is True, body
        assert engine_zygote(server) != zygote
    finally:
        server.stop()
    assert "Traceback" not in server.text() and "Error" not in server.text()


def test_the_engine_dies_with_a_server_killed_outright(tmp_path):
    import signal

    server = Server(tmp_path / "ws")
    clerk = Client(server.url)
    clerk.get("/letter")
    assert clerk.post_json("/letter/update", {"letter.urgency": "ด่วน"})[0] == 200
    family = process_tree(server.process.pid)
    assert len(family) >= 3  # the server, the engine's zygote, the session's worker
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(10)
    deadline = time.monotonic() + 5
    while [pid for pid in family if running(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in family if running(pid)] == []
    server.stop()


def test_the_limits_an_administrator_may_set_are_the_readmes_and_checked(tmp_path):
    import re

    from lettergen.web.serve import LIMIT_VARIABLES

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The web server\n", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"LETTERGEN_WEB_[A-Z_]+", section)) == set(LIMIT_VARIABLES)
    result = subprocess.run([sys.executable, "-m", "lettergen", "serve", "--workspace", str(tmp_path / "ws")],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "LETTERGEN_WEB_TIME_LIMIT": "ครึ่งนาที"})
    assert result.returncode == 2
    assert "LETTERGEN_WEB_TIME_LIMIT ต้องเป็นตัวเลขไม่น้อยกว่า 0.1" in result.stderr


def test_a_call_to_a_worker_that_ended_before_the_server_saw_it_goes_to_a_new_one(tmp_path):
    """A worker killed from outside (out of memory) while the server had not yet read its
    end: the next call, which never reached it, is made by a new worker rather than told
    "stopped midway". The server's event loop is kept busy (a blocking wait) between the
    kill and the call, so the worker's end is not yet seen, every time."""
    import asyncio
    import signal

    from lettergen.web.engine import Engine
    from lettergen.web.state import Files

    files = Files(folder=tmp_path / "session", sheet=None, tracking=None, workspace=None)
    files.folder.mkdir()

    async def scene():
        engine = Engine(warm=False)
        await engine.start()
        try:
            assert "<svg" in await engine.call("clerk", "qr_code", files, "https://example.go.th/1")
            (worker,) = engine.workers.values()
            os.kill(worker.pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            # until the worker is gone and its end of the socket closed (the kernel closes it
            # a moment after the process ends), blocking: the event loop does not run the
            # news of the reader thread meanwhile
            while (running(worker.pid) or not select.select([worker.conn.fileno()], [], [], 0)[0]) \
                    and time.monotonic() < deadline:
                time.sleep(0.01)
            assert not worker.dead  # the server has not taken in its end yet
            assert "<svg" in await engine.call("clerk", "qr_code", files, "https://example.go.th/2")
            assert worker.dead and engine.workers["clerk"] is not worker
        finally:
            engine.stop()

    asyncio.run(scene())
