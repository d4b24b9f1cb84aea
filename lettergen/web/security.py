"""Sessions, the login, CSRF tokens and the upload size limit.

A session is a random id in a cookie (HttpOnly, SameSite=Strict); everything it holds
stays on the server. Every request that changes state (POST) carries the session's CSRF
token, in the X-CSRF-Token header (scripts) or a ``csrf`` form field (forms). With a
password (needed on any host but loopback) a session is only usable after the login.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import secrets
import time
from pathlib import Path

COOKIE = "lettergen_session"
SESSION_SECONDS = 12 * 3600  # a working day: the clerk may close the browser and come back
UPLOAD_LIMIT = 20 * 1024 * 1024
TOO_LARGE = "ไฟล์ใหญ่เกินไป: อัปโหลดได้ไม่เกิน 20 MB ต่อครั้ง"
BAD_CSRF = "คำขอนี้ไม่มีรหัสยืนยันของหน้าที่ถูกต้อง (CSRF) จึงไม่ได้ทำรายการ: โหลดหน้าใหม่แล้วลองอีกครั้ง"
LOOPBACK_NAMES = ("localhost", "localhost.localdomain")


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def read_password(password_file: Path | None, environ) -> str | None:
    """The server's password: from --password-file (its first line) or LETTERGEN_PASSWORD."""
    if password_file is not None:
        text = password_file.read_text(encoding="utf-8").splitlines()
        password = text[0].strip() if text else ""
        return password or None
    password = environ.get("LETTERGEN_PASSWORD", "").strip()
    return password or None


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def new_token() -> str:
    return secrets.token_urlsafe(32)


class UploadLimit:
    """ASGI middleware: a request body over ``limit`` bytes is refused with 413 and a Thai
    message, by its Content-Length before anything is read, or when the bytes read pass it."""

    def __init__(self, app, limit: int = UPLOAD_LIMIT):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT"):
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await self._refuse(scope, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge()
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, send)

    async def _refuse(self, scope, send):
        wants_json = b"application/json" in dict(scope["headers"]).get(b"accept", b"")
        body = (json.dumps({"error": TOO_LARGE}, ensure_ascii=False) if wants_json
                else f"<!doctype html><html lang=\"th\"><meta charset=\"utf-8\"><title>ไฟล์ใหญ่เกินไป</title>"
                     f"<p role=\"alert\">{TOO_LARGE}</p><p><a href=\"javascript:history.back()\">กลับ</a></p></html>")
        data = body.encode("utf-8")
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json; charset=utf-8" if wants_json else b"text/html; charset=utf-8"),
            (b"content-length", str(len(data)).encode()), (b"connection", b"close"),
        ]})
        await send({"type": "http.response.body", "body": data})


class _TooLarge(Exception):
    pass


class Attempts:
    """Failed logins per client address: after five in a row, each try waits longer."""

    def __init__(self):
        self.failures: dict[str, tuple[int, float]] = {}

    def wait(self, client: str) -> float:
        count, last = self.failures.get(client, (0, 0.0))
        if count < 5:
            return 0.0
        return max(0.0, last + min(60.0, 2.0 ** (count - 5)) - time.monotonic())

    def failed(self, client: str) -> None:
        count, _ = self.failures.get(client, (0, 0.0))
        self.failures[client] = (count + 1, time.monotonic())

    def passed(self, client: str) -> None:
        self.failures.pop(client, None)


class QuietErrors:
    """ASGI middleware: an unexpected error becomes a short Thai page, and the server's
    output names only its kind (never its message or traceback, which could quote a cell
    of a sheet)."""

    def __init__(self, app, stream=None):
        self.app, self.stream = app, stream

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracked(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:  # reported by kind only
            import sys

            print(f"lettergen: ข้อผิดพลาดภายใน ({type(exc).__name__}) ที่ {scope.get('path', '')}",
                  file=self.stream or sys.stderr, flush=True)
            if not started:
                body = ("<!doctype html><html lang=\"th\"><meta charset=\"utf-8\"><title>ข้อผิดพลาด</title>"
                        "<p role=\"alert\">เกิดข้อผิดพลาดภายในของ lettergen: ลองอีกครั้ง หรือแจ้งผู้ดูแล</p>"
                        "<p><a href=\"/letter\">กลับไปหน้าหนังสือ</a></p></html>").encode("utf-8")
                await send({"type": "http.response.start", "status": 500, "headers": [
                    (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
