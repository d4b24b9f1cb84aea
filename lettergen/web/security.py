"""Session ids, the login, CSRF tokens and the request size limit.

A session id is a random part and its MAC (``SessionTokens``) in a cookie (HttpOnly,
SameSite=Strict); everything a session holds stays on the server. Every request that
changes state (POST) carries the session's CSRF token, in the X-CSRF-Token header
(scripts) or a ``csrf`` form field (forms). With a password (needed on any host but
loopback) a session is only usable after the login, and password checks are paced for
the whole server (``LoginGuard``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import time
from pathlib import Path

COOKIE = "lettergen_session"
# The cookie names the browser's session and its draft (drafts.py) for as long as a draft is
# kept; a login still ends after the server's idle time (Sessions.idle_seconds).
SESSION_SECONDS = 30 * 86400
UPLOAD_LIMIT = 20 * 1024 * 1024  # a file upload (a sheet, a letter)
FORM_LIMIT = 2 * 1024 * 1024  # any other body (the letter's form, the login)
TOO_LARGE = "ไฟล์ใหญ่เกินไป: อัปโหลดได้ไม่เกิน 20 MB ต่อครั้ง"
FORM_TOO_LARGE = "ข้อมูลที่ส่งมามากเกินไป: ส่งได้ไม่เกิน 2 MB ต่อครั้ง"
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
    """ASGI middleware: a request body over its limit is refused with 413 and a Thai
    message: by its Content-Length before anything is read, or, when it comes without one
    (chunked), as soon as the bytes read pass the limit, whatever the app was doing with
    them. A file upload (multipart) may be ``limit`` bytes, any other body ``form_limit``
    (the letter's form is a few kB)."""

    def __init__(self, app, limit: int = UPLOAD_LIMIT, form_limit: int = FORM_LIMIT):
        self.app, self.limit, self.form_limit = app, limit, form_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/form-data")
        limit = self.limit if multipart else self.form_limit
        message = TOO_LARGE if multipart else FORM_TOO_LARGE
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return await _refuse(scope, send, message)
        seen, over, sent = 0, False, False

        async def counted():
            nonlocal seen, over
            if over:
                raise TooLarge()
            got = await receive()
            seen += len(got.get("body", b""))
            if seen > limit:
                over = True
                raise TooLarge()
            return got

        async def sending(reply):
            nonlocal sent
            if not over:  # once the body is over its limit, the app's own answer is dropped
                sent = True
                await send(reply)

        try:
            await self.app(scope, counted, sending)
        except TooLarge:
            pass
        if over and not sent:
            await _drain(receive, 4 * limit)
            await _refuse(scope, send, message)


async def _drain(receive, most: int, seconds: float = 10.0) -> None:
    """The rest of a refused body read and dropped (at most ``most`` bytes, ``seconds``), so
    that the client, still sending, reads the refusal instead of a reset connection."""
    import asyncio

    try:
        async with asyncio.timeout(seconds):
            while most > 0:
                message = await receive()
                most -= len(message.get("body", b""))
                if message["type"] != "http.request" or not message.get("more_body"):
                    return
    except TimeoutError:
        pass


async def _refuse(scope, send, message: str) -> None:
    wants_json = b"application/json" in dict(scope["headers"]).get(b"accept", b"")
    body = (json.dumps({"error": message}, ensure_ascii=False) if wants_json
            else f"<!doctype html><html lang=\"th\"><meta charset=\"utf-8\"><title>ไฟล์ใหญ่เกินไป</title>"
                 f"<p role=\"alert\">{message}</p><p><a href=\"javascript:history.back()\">กลับ</a></p></html>")
    data = body.encode("utf-8")
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json; charset=utf-8" if wants_json else b"text/html; charset=utf-8"),
        (b"content-length", str(len(data)).encode()), (b"connection", b"close"),
    ]})
    await send({"type": "http.response.body", "body": data})


class TooLarge(Exception):
    """The request's body passed its limit (UploadLimit answers 413)."""


class SessionTokens:
    """Session ids the server recognises without keeping them: a random part and its MAC
    under a key of this server's own (kept in the workspace: drafts.Drafts, so that a
    browser's id and its page's token stay valid when the server starts again). A visitor's
    cookie holds one before any session is kept for it; each id's CSRF token is derived
    from it (a page's token stays valid when its visitor's first change makes the session
    lasting)."""

    def __init__(self, key: bytes | None = None):
        self.key = key or secrets.token_bytes(32)

    def _mac(self, purpose: str, text: str) -> str:
        return hmac.new(self.key, f"{purpose}:{text}".encode(), hashlib.sha256).hexdigest()[:32]

    def new(self) -> str:
        nonce = secrets.token_urlsafe(24)
        return f"{nonce}.{self._mac('id', nonce)}"

    def valid(self, sid: str | None) -> bool:
        if not sid or sid.count(".") != 1 or len(sid) > 100:
            return False
        nonce, mac = sid.split(".")
        return same(mac, self._mac("id", nonce))

    def csrf(self, sid: str) -> str:
        return self._mac("csrf", sid)


class LoginGuard:
    """The password checks of the whole server, one at a time: after ``free`` failures
    within ``window`` seconds, each failure makes the next check wait, twice as long each
    time (1, 2, 4 ... up to ``longest`` seconds). A login that would wait more than
    ``patience`` seconds is refused at once, its password not checked, saying how long to
    wait; parallel requests queue for the same checks, so they cannot beat it."""

    def __init__(self, free: int = 5, window: float = 900.0, longest: float = 60.0, patience: float = 5.0):
        import asyncio

        self.free, self.window, self.longest, self.patience = free, window, longest, patience
        self.lock = asyncio.Lock()
        self.failures: list[float] = []
        self.next_at = 0.0

    def waiting(self) -> float:
        return max(0.0, self.next_at - time.monotonic())

    async def check(self, given: str, password: str) -> bool | float:
        """True when ``given`` is the password, False when not, or the seconds to wait
        (float) when the login is refused without a check."""
        import asyncio

        if self.waiting() > self.patience:
            return self.waiting()
        async with self.lock:
            wait = self.waiting()
            if wait > self.patience:
                return wait
            if wait:
                await asyncio.sleep(wait)
            if same(given, password):
                return True
            now = time.monotonic()
            self.failures = [t for t in self.failures if now - t < self.window] + [now]
            beyond = len(self.failures) - self.free
            if beyond > 0:
                self.next_at = now + min(self.longest, 2.0 ** (beyond - 1))
            return False


def password_file_warning(path: Path | None) -> str | None:
    """A warning when the password file can be read by other users of this machine."""
    if path is None:
        return None
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return None
    if mode & 0o044:
        return (f"คำเตือน: ผู้ใช้อื่นในเครื่องนี้อ่านไฟล์รหัสผ่าน {path} ได้ (สิทธิ์ {mode:o}): "
                f"ให้สั่ง chmod 600 {path}")
    return None


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
        except TooLarge:
            raise  # UploadLimit's to answer (413), not an error of the app
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
