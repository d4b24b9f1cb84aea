"""The login (with a password, needed on any host but loopback) and the logout.

Password checks are paced for the whole server (``security.LoginGuard``): after a few
failures each one makes the next wait longer, and parallel requests queue for the same
checks. A login that passes starts a lasting session under a new id, so an id seen before
the login is useless after it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from .. import security
from ..middleware import with_cookie
from ..state import SessionsFull
from .base import session_of, site

WRONG = "รหัสผ่านไม่ถูกต้อง"
WAIT = "มีการใส่รหัสผ่านผิดหลายครั้ง จึงต้องรออีก {seconds} วินาทีก่อนลองใหม่"


async def login_page(request: Request):
    here, session = site(request), session_of(request)
    if session.logged_in:
        return with_cookie(RedirectResponse("/letter", 303), session)
    error, status = None, 200
    if request.method == "POST":
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            error, status = security.BAD_CSRF, 400
        else:
            error, status, fresh = await _try_password(request)
            if fresh is not None:
                return with_cookie(RedirectResponse("/letter", 303), fresh)
    html = here.pages.render_bare("login.html.j2", csrf=session.csrf, error=error, pages=(), path="/login")
    return with_cookie(HTMLResponse(html, status), session)  # the form again, with its message


async def _try_password(request: Request):
    """(error, status, the new session when the password was right)."""
    here, session = site(request), session_of(request)
    form = await request.form()
    if not security.same(str(form.get("csrf", "")), session.csrf):
        return security.BAD_CSRF, 200, None
    passed = await here.sessions.guard.check(str(form.get("password", "")), here.config.password or "")
    if passed is False:
        return WRONG, 200, None
    if passed is not True:
        return WAIT.format(seconds=int(passed) + 1), 429, None
    try:
        # a new id after the login; the browser's draft, under the id it had, comes with it
        return None, 200, here.sessions.start(logged_in=True, carry=session.id)
    except SessionsFull as exc:
        return str(exc), 503, None


async def logout(request: Request):
    """The session logged out; its cookie stays, so that its draft comes back to this
    browser at the next login."""
    here = site(request)
    here.sessions.drop(session_of(request))
    return RedirectResponse("/login" if here.config.password else "/letter", 303)
