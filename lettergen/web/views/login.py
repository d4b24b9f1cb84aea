"""The login (with a password, needed on any host but loopback) and the logout.

A failed login waits before it is told so, longer after each of a client's failures in a
row; a login that passes gets a new session id, so an id seen before the login is useless
after it."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from .. import security
from ..middleware import with_cookie
from .base import session_of, site


async def login_page(request: Request):
    here, session = site(request), session_of(request)
    if session.logged_in:
        return with_cookie(RedirectResponse("/letter", 303), session)
    error = None
    if request.method == "POST":
        form = await request.form()
        if not security.same(str(form.get("csrf", "")), session.csrf):
            error = security.BAD_CSRF
        else:
            client = request.client.host if request.client else "-"
            wait = here.sessions.attempts.wait(client)
            if wait:
                await asyncio.sleep(min(wait, 5.0))
            if security.same(str(form.get("password", "")), here.config.password or ""):
                here.sessions.attempts.passed(client)
                here.sessions.drop(session)
                fresh = here.sessions.new()  # a new id after the login
                fresh.logged_in = True
                return with_cookie(RedirectResponse("/letter", 303), fresh)
            here.sessions.attempts.failed(client)
            error = "รหัสผ่านไม่ถูกต้อง"
    html = here.pages.render_bare("login.html.j2", csrf=session.csrf, error=error, pages=(), path="/login")
    return with_cookie(HTMLResponse(html), session)  # the form again, with its message


async def logout(request: Request):
    here = site(request)
    here.sessions.drop(session_of(request))
    response = RedirectResponse("/login" if here.config.password else "/letter", 303)
    response.delete_cookie(security.COOKIE, path="/")
    return response
