"""The web server under hostile but small inputs (python benchmarks/bench_web_hostile.py).

Starts ``lettergen serve`` with a password, logs in two clerks, and while one of them sends
the inputs of the table of issue 21 one after another (a long word, a huge template output,
a long loop, a 60,000-letter name, a far cell, a shared-strings bomb, a 2.6-million-column
CSV, a spec naming files elsewhere on the server, a 25 MB chunked upload), and then 100
parallel wrong logins and 5,000 requests without a cookie, the other clerk polls the letter
page (its own check included) and a static file. Printed: for each input, its own answer
(time and status) and the worst wait of the polling clerk meanwhile; the server's memory
(the summed resident size of its processes: server, engine zygote and workers) at its
peak and a second after; at the end, the time SIGTERM takes to stop the server while a
hostile request runs. Goal: the polling clerk never waits 1 s; memory back under 600 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import hostile_inputs as hostile  # noqa: E402
from web_server import Client, Server  # noqa: E402

PASSWORD = "ทดสอบ-2569"
JSON = {"Accept": "application/json"}


def tree(pid: int) -> list[int]:
    """``pid`` and every process under it."""
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
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def resident_mb(pid: int) -> float:
    total = 0
    for member in tree(pid):
        try:
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total / 2 ** 20


class Watch:
    """The polling clerk's waits and the server's memory, sampled in threads, by input."""

    def __init__(self, server: Server, poller: Client):
        self.server, self.poller = server, poller
        self.label, self.waits, self.peaks = "start", {}, {}
        self.running = True
        self.threads = [threading.Thread(target=self._poll, daemon=True),
                        threading.Thread(target=self._memory, daemon=True)]
        for thread in self.threads:
            thread.start()

    def _poll(self) -> None:
        while self.running:
            for path in ("/letter", "/static/app.css"):
                started = time.perf_counter()
                status, _, _ = self.poller.get(path)
                wait = time.perf_counter() - started
                assert status == 200, (path, status)
                self.waits.setdefault((self.label, path), []).append(wait)
            time.sleep(0.05)

    def _memory(self) -> None:
        while self.running:
            label = self.label
            self.peaks[label] = max(self.peaks.get(label, 0.0), resident_mb(self.server.process.pid))
            time.sleep(0.1)

    def stop(self) -> None:
        self.running = False
        for thread in self.threads:
            thread.join()


def login(server: Server) -> Client:
    clerk = Client(server.url)
    clerk.get("/login")
    status, _, _ = clerk.post_form("/login", {"password": PASSWORD})
    assert status == 303, status
    clerk.get("/letter")
    return clerk


def answer_text(body: bytes) -> str:
    """What a clerk reads of an answer: a JSON error, a page's alert, or "ok"."""
    import html
    import re

    if not body.lstrip().startswith((b"<", b"{")):
        return body.decode("utf-8", "replace")[:150]  # this script's own summary
    try:
        value = json.loads(body)
    except ValueError:
        alerts = [" ".join(html.unescape(re.sub(r"<[^>]+>", "", found)).split())
                  for found in re.findall(r'role="alert"[^>]*>(.*?)</p>', body.decode("utf-8", "replace"), re.S)]
        return next((alert for alert in alerts if alert), "ok (no error shown)")[:150]
    error = value.get("error") if isinstance(value, dict) else None
    if isinstance(error, dict):
        error = error.get("text")
    return (str(error) if error else "ok")[:150]


def edit(clerk: Client, form: dict):
    return clerk.post_json("/letter/update", form)


def sheet(clerk: Client, name: str, data: bytes):
    clerk.upload("/recipients/upload", name, data)
    return clerk.get("/recipients")


def letter(clerk: Client, data: bytes):
    clerk.upload("/letter/upload", "letter.toml", data)
    return clerk.get("/letter")


def chunked_upload(server: Server, clerk: Client, size: int = 25 * 2 ** 20):
    """A 25 MB multipart body sent chunked, without Content-Length."""
    import socket

    host, port = server.url.removeprefix("http://").split(":")
    cookie = "; ".join(f"{c.name}={c.value}" for c in clerk.jar)
    with socket.create_connection((host, int(port)), timeout=120) as sock:
        sock.sendall((f"POST /recipients/upload HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
                      f"X-CSRF-Token: {clerk.csrf}\r\nAccept: application/json\r\n"
                      "Content-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n"
                      "Connection: close\r\n\r\n").encode())
        head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        piece = b"x" * 65536
        try:
            sock.sendall(f"{len(head):x}\r\n".encode() + head + b"\r\n")
            for _ in range(size // len(piece)):
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer.partition(b"\r\n\r\n")[2], {}


def parallel_logins(server: Server, count: int = 100):
    """``count`` wrong passwords at once, each from a browser of its own."""
    def attempt(i: int):
        clerk = Client(server.url)
        clerk.get("/login")
        status, body, _ = clerk.post_form("/login", {"password": f"ผิด-{i}"})
        return status, body.decode()

    with ThreadPoolExecutor(count) as pool:
        results = list(pool.map(attempt, range(count)))
    checked = sum("รหัสผ่านไม่ถูกต้อง" in body for _, body in results)
    refused = sum(status == 429 for status, _ in results)
    return 200, f"{checked} checked (wrong), {refused} refused at once (429)".encode(), {}


def cookieless(server: Server, count: int = 5000):
    before = {p for p in Path(tempfile.gettempdir()).glob("lettergen-sessions-*/*")}

    def one(_):
        return Client(server.url).get("/letter")[0]

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(one, range(count)))
    after = {p for p in Path(tempfile.gettempdir()).glob("lettergen-sessions-*/*")}
    return 200, (f"{statuses.count(200)} answered, {len(after - before)} session folders made").encode(), {}


def steps(server: Server, clerk: Client):
    """(label, send, what to do after) for each input; the inputs are made before any is sent."""
    reset = lambda: clerk.post_form("/letter/example", {})  # noqa: E731
    long_name, far_cell, bomb, wide = (hostile.long_name_sheet(), hostile.far_cell_xlsx(),
                                       hostile.shared_strings_bomb(), hostile.wide_csv())
    return [
        ("a body paragraph with one 40,000-letter word", lambda: edit(clerk, hostile.long_word()), reset),
        ('{{ "a" * 10000000 }} in a paragraph', lambda: edit(clerk, hostile.huge_template_output()), reset),
        ("{{ range(200000)|list|length }}", lambda: edit(clerk, hostile.long_template_loop()), reset),
        ("a sheet whose one name is 60,000 x 'x'",
         lambda: sheet(clerk, "ชื่อยาว.csv", long_name), None),
        ("an edit of the letter with that sheet (every letter checked)",
         lambda: edit(clerk, {"letter.urgency": "ด่วน"}), None),
        ("the preview of the letter with that name", lambda: clerk.get("/preview/api?rid=5701", headers=JSON), reset),
        ("a 5 kB .xlsx with one cell at XFD1048576", lambda: sheet(clerk, "ไกล.xlsx", far_cell), reset),
        ("a 1.5 MB .xlsx whose sharedStrings unpack to 1.5 GB",
         lambda: sheet(clerk, "ระเบิด.xlsx", bomb), reset),
        ("a 5 MB one-line CSV of 2.6 M columns", lambda: sheet(clerk, "กว้าง.csv", wide), reset),
        ('a letter with emblem = "/etc/passwd"', lambda: letter(clerk, hostile.emblem_letter("/etc/passwd")), reset),
        ("a letter with emblem = '../../usr/share/pixmaps/debian-logo.png'",
         lambda: letter(clerk, hostile.emblem_letter("../../usr/share/pixmaps/debian-logo.png")), reset),
        ("a 25 MB upload sent chunked", lambda: chunked_upload(server, clerk), None),
        ("100 wrong logins in parallel", lambda: parallel_logins(server), None),
        ("5,000 requests without a cookie", lambda: cookieless(server), None),
    ]


def sigterm_during_a_hostile_request(workspace: Path) -> float:
    server = Server(workspace, env={"LETTERGEN_PASSWORD": PASSWORD})
    clerk = login(server)
    threading.Thread(target=lambda: edit(clerk, hostile.huge_template_output()), daemon=True).start()
    time.sleep(1.0)
    started = time.perf_counter()
    server.process.terminate()
    server.process.wait(60)
    took = time.perf_counter() - started
    server.stop()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="run only the steps whose label contains this text")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp) / "ws", env={"LETTERGEN_PASSWORD": PASSWORD})
        try:
            clerk, poller = login(server), login(server)
            inputs = steps(server, clerk)
            watch = Watch(server, poller)
            time.sleep(1.0)
            rows = []
            for label, send, after in inputs:
                if args.only and args.only not in label:
                    continue
                watch.label = label
                started = time.perf_counter()
                status, body, _ = send()
                took = time.perf_counter() - started
                time.sleep(1.0)
                memory_after = resident_mb(server.process.pid)
                waits = watch.waits.get((label, "/letter"), [0.0]) + watch.waits.get((label, "/static/app.css"), [0.0])
                rows.append((label, took, status, answer_text(body), max(waits), watch.peaks.get(label, 0.0),
                             memory_after))
                print(f"{label}: {took:.2f} s, {status}, {answer_text(body)}; poller's worst wait "
                      f"{max(waits) * 1000:.0f} ms; memory peak {watch.peaks.get(label, 0.0):.0f} MB, "
                      f"after {memory_after:.0f} MB", flush=True)
                if after:
                    watch.label = "reset"
                    after()
            watch.stop()
            everything = [w for ws in watch.waits.values() for w in ws]
            print(f"\npolling clerk: {len(everything)} requests, median {statistics.median(everything) * 1000:.0f} ms, "
                  f"worst {max(everything) * 1000:.0f} ms (goal: under 1 s)")
            print(f"server memory: worst peak {max(watch.peaks.values()):.0f} MB, "
                  f"worst a second after an input {max(r[6] for r in rows):.0f} MB (goal: under 600 MB)")
        finally:
            server.stop()
        if not args.only:
            print(f"SIGTERM while a hostile request runs: the server stopped in "
                  f"{sigterm_during_a_hostile_request(Path(tmp) / 'ws2'):.2f} s (goal: 5 s)")


if __name__ == "__main__":
    main()
