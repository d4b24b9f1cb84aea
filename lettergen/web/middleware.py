"""The session of each request, the login gate and the CSRF check, as ASGI middleware in
front of every page (the static files, the fonts and "/" pass by it).

Every request to a page gets its session (``request.state.session``): the lasting session
its cookie names, else a visitor (``state.Sessions``), whose cookie, a session id the
server can recognise without keeping it, is set on the answer when the browser had none.
The login page is let through as it is (it checks its own form); any other page needs a
logged-in session (without a password, a visitor is one), and every POST must carry the
session's CSRF token, in the X-CSRF-Token header (scripts) or a ``csrf`` form field (forms;
the parsed form is kept on ``request.state.form`` for the view). Without a password, a
visitor's first accepted POST makes its session lasting (a folder of its own, the example
as its working letter), under the same id and CSRF token."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from . import security
from .state import Session, SessionsFull
from .views.base import refusal, wants_json

OPEN_PREFIXES = ("/static/", "/fonts/", "/alive")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def with_cookie(response: Response, session: Session) -> Response:
    response.set_cookie(security.COOKIE, session.id, max_age=security.SESSION_SECONDS,
                        httponly=True, samesite="strict", path="/")
    return response


class SessionGate:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or path == "/" or path.startswith(OPEN_PREFIXES):
            return await self.app(scope, receive, send)
        site = scope["app"].state.site
        request = Request(scope, receive)
        sid = request.cookies.get(security.COOKIE)
        fresh = not site.sessions.tokens.valid(sid)
        session = site.sessions.lookup(site.sessions.tokens.new() if fresh else sid)
        session.logged_in = session.logged_in or (site.config.password is None)
        request.state.session = session
        answer = send if not fresh else _adding_cookie(send, session)
        try:
            refused = None if path == "/login" else await self._refusal(request, site, fresh)
            if refused is not None:
                return await refused(scope, receive, answer)
            await self.app(scope, receive, answer)
        finally:
            form = getattr(request.state, "form", None)
            if form is not None:
                await form.close()

    async def _refusal(self, request: Request, site, fresh: bool) -> Response | None:
        """Why the request may not reach its page, as the answer to give; None when it may
        (the session is then the one the page works on: a visitor that changes something
        is given a lasting session first)."""
        session = request.state.session
        if not session.logged_in:
            if request.method == "GET" and not wants_json(request):
                return RedirectResponse("/login", 303)
            return JSONResponse({"error": "ต้องเข้าสู่ระบบก่อน"}, 401)
        if request.method != "POST":
            return None
        if fresh or not await _csrf_ok(request, session):
            return refusal(request, security.BAD_CSRF, 403)
        if not session.lasting and request.url.path != "/logout":
            try:
                request.state.session = site.sessions.start(session.id, logged_in=True)
            except SessionsFull as exc:
                return refusal(request, str(exc), 503)
        return None


async def _csrf_ok(request: Request, session: Session) -> bool:
    token = request.headers.get("x-csrf-token")
    if token is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form(max_part_size=security.UPLOAD_LIMIT)
        request.state.form = form
        token = form.get("csrf")
    return isinstance(token, str) and security.same(token, session.csrf)


def _adding_cookie(send, session: Session):
    """``send`` that puts the new visitor's cookie on the answer, unless the page set one."""
    cookie = with_cookie(Response(), session).raw_headers[-1]

    async def sending(message):
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            if not any(value.startswith(f"{security.COOKIE}=") for value in headers.getlist("set-cookie")):
                headers.append(cookie[0].decode("latin-1"), cookie[1].decode("latin-1"))
        await send(message)
    return sending
