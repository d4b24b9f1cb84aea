"""A real ``lettergen serve`` for the web tests: started as a clerk starts it (the
command, in a process of its own), and a small HTTP client that keeps its cookies."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, workspace: Path, *, host: str = "127.0.0.1", env: dict | None = None,
                 extra: list[str] = (), port: int | None = None):
        self.port = port or free_port()
        self.workspace = workspace
        self.url = f"http://127.0.0.1:{self.port}"
        environ = {k: v for k, v in os.environ.items() if k != "LETTERGEN_PASSWORD"}
        environ.update(env or {})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lettergen", "serve", "--host", host, "--port", str(self.port),
             "--workspace", str(workspace), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environ, text=True,
        )
        self.output = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.output.append(line)
            if "พร้อมใช้งานที่" in line:
                return
        self.stop()
        raise RuntimeError("the server did not start: " + "".join(self.output))

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout and not self.process.stdout.closed:
            self.output.append(self.process.stdout.read() or "")
            self.process.stdout.close()
        return self.process.returncode

    def text(self) -> str:
        return "".join(self.output)


class Client:
    """One browser session: its own cookies, its CSRF token read from the last page."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""

    def request(self, method: str, path: str, data: bytes | None = None, headers: dict | None = None,
                follow: bool = True):
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        opener = self.opener if follow else urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        try:
            response = opener.open(request, timeout=120)
            status, body, head = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            status, body, head = exc.code, exc.read(), dict(exc.headers)
        match = re.search(rb'name="csrf-token" content="([^"]+)"', body) or \
            re.search(rb'name="csrf" value="([^"]+)"', body)
        if match:
            self.csrf = match.group(1).decode()
        return status, body, head

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post_json(self, path: str, value, token: str | None = None):
        return self.request("POST", path, json.dumps(value).encode(), {
            "Content-Type": "application/json", "Accept": "application/json",
            "X-CSRF-Token": self.csrf if token is None else token})

    def post_form(self, path: str, fields: dict, follow: bool = False):
        from urllib.parse import urlencode

        body = urlencode({"csrf": self.csrf, **fields}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"},
                            follow=follow)

    def start_set(self, memo: bool = False):
        """Make the working set as the produce page does: the numbers it would take asked
        for, then agreed to; (status, body) of the start."""
        from urllib.parse import urlencode

        numbers = json.loads(self.get("/produce/numbers" + ("?memo=1" if memo else ""),
                                      headers={"Accept": "application/json"})[1])["numbers"]
        fields = {"csrf": self.csrf, "expect": numbers, **({"memo": "1"} if memo else {})}
        status, body, _ = self.request("POST", "/produce/start", urlencode(fields).encode(), {
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        return status, body

    def upload(self, path: str, name: str, data: bytes, token: str | None = None):
        boundary = uuid.uuid4().hex
        parts = [
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"
            f"{self.csrf if token is None else token}\r\n".encode(),
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        return self.request("POST", path, b"".join(parts), {
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "application/json"})


def raw_post(base: str, path: str, headers: dict, body: bytes) -> tuple[int, bytes]:
    """POST over a plain socket, reading the answer even when the server answers before the
    whole body is sent (as it does for a body over the upload limit)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "Connection: close\r\n\r\n"
        sock.sendall(head.encode("utf-8"))
        try:
            sock.sendall(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    status = int(answer.split(b" ", 2)[1])
    return status, answer.partition(b"\r\n\r\n")[2]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def bad_sheet(example: Path) -> bytes:
    """The example's recipients with one unknown kind ("อบตต.") in sheet row 31."""
    lines = (example / "recipients.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[30].split(",")
    cells[2] = "อบตต."
    lines[30] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode("utf-8")


def wait_for(client: Client, path: str, running: str = "running", seconds: float = 240) -> dict:
    """The JSON ``path`` answers (a job's, a send's) once its state is no longer ``running``;
    an AssertionError after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = json.loads(client.get(path, headers={"Accept": "application/json"})[1])
        if data.get("state") != running:
            return data
        time.sleep(0.3)
    raise AssertionError(f"{path} still {running}")
