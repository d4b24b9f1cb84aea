"""The web app: its state and its routes (Starlette).

``create_app`` makes the app's state (``site.Site``: the configuration, the sessions, the
jobs, the page templates) and wires each route to its page's view (``views/``, one module
per page); the session, the login gate and the CSRF check are middleware
(``middleware.SessionGate``). ``app_with_limit`` puts the request size limit, the quiet
error page and, without a password, the check of the Host header in front of it all.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..resources import FONTS
from . import security, sending
from .engine import Engine
from .jobs import Jobs
from .middleware import SessionGate
from .site import Config, Site
from .state import Sessions
from .views import followup, letter, login, office, preview, produce, recipients, send
from .views.base import Pages, internal_error

__all__ = ["Config", "create_app", "app_with_limit"]

HERE = Path(__file__).resolve().parent
POST = ["POST"]


def routes() -> list:
    return [
        Route("/", home),
        Route("/alive", alive),
        Route("/login", login.login_page, methods=["GET", "POST"]),
        Route("/logout", login.logout, methods=POST),
        Route("/letter", letter.letter_page),
        Route("/letter/update", letter.letter_update, methods=POST),
        Route("/letter/qr", letter.letter_qr),
        Route("/letter/example", letter.letter_example, methods=POST),
        Route("/letter/open", letter.letter_open, methods=POST),
        Route("/letter/save", letter.letter_save, methods=POST),
        Route("/letter/upload", letter.letter_upload, methods=POST),
        Route("/letter/letter.toml", letter.letter_download),
        Route("/recipients", recipients.recipients_page),
        Route("/recipients/upload", recipients.recipients_upload, methods=POST),
        Route("/recipients/save", recipients.recipients_save, methods=POST),
        Route("/recipients/open", recipients.recipients_open, methods=POST),
        Route("/recipients/choose", recipients.recipients_choose, methods=POST),
        Route("/preview", preview.preview_page),
        Route("/preview/api", preview.preview_api),
        Route("/preview/own", preview.own_edit_get),
        Route("/preview/own", preview.own_edit_save, methods=POST),
        Route("/preview/{version:str}/{page:int}.png", preview.preview_png),
        Route("/preview/{version:str}/letter.{fmt:str}", preview.preview_file),
        Route("/produce", produce.produce_page),
        Route("/produce/start", produce.produce_start, methods=POST),
        Route("/produce/numbers", produce.produce_numbers),
        Route("/jobs/{job:str}", produce.job_api),
        Route("/jobs/{job:str}/cancel", produce.job_cancel, methods=POST),
        Route("/jobs/{job:str}/{what:str}", produce.job_file),
        Route("/register.xlsx", produce.register_file),
        Route("/office", office.office_page),
        Route("/office/certificate", office.certificate_upload, methods=POST),
        Route("/office/mail", office.mail_save, methods=POST),
        Route("/send/{job:str}", send.send_page),
        Route("/send/{job:str}/start", send.send_start, methods=POST),
        Route("/send/{job:str}/status", send.send_status),
        Route("/send/{job:str}/deliveries.csv", send.send_deliveries),
        Route("/followup", followup.followup_page),
        Route("/followup/upload", followup.followup_upload, methods=POST),
        Route("/followup/chart.png", followup.followup_chart),
        Route("/followup/remind", followup.followup_remind, methods=POST),
        Route("/followup/numbers", followup.followup_numbers),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        Mount("/fonts", StaticFiles(directory=FONTS), name="fonts"),
    ]


async def home(request):
    return RedirectResponse("/letter", 303)


async def alive(request):
    """What a page asks while it cannot reach the server: an answer means it is back."""
    return JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})


def create_app(config: Config, engine: Engine | None = None) -> Starlette:
    """The app; ``engine``: one launched already (``serve``), else one made here."""
    engine = engine or Engine(config.limits, warm=config.warm)
    sessions = Sessions(config.workspace, limit=config.max_sessions, idle_seconds=config.session_idle,
                        on_end=engine.end, password=config.password is not None)
    site = Site(config=config, sessions=sessions, jobs=Jobs(config.workspace, config.jobs),
                pages=Pages(password=config.password is not None), engine=engine)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        # The engine's zygote lays out the bundled example while the server answers its
        # first pages; the first preview waits for it (engine.Engine.start).
        await engine.start()
        try:
            yield
        finally:  # the server stops: the engine's processes and running jobs end at once
            engine.stop()
            await run_in_threadpool(site.jobs.stop_all)
            await run_in_threadpool(sending.stop_all)
            sessions.clear()

    app = Starlette(routes=routes(), lifespan=lifespan, middleware=[Middleware(SessionGate)],
                    exception_handlers={Exception: internal_error})
    app.state.site = site
    return app


def app_with_limit(config: Config, engine: Engine | None = None):
    """The app behind the upload size limit (the outermost layer, before any body is read).
    Without a password (loopback only) the Host header must name this machine too, so
    that a web page elsewhere cannot reach the app through a DNS name pointed at 127.0.0.1."""
    app = create_app(config, engine)
    inner = app
    if config.password is None:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        inner = TrustedHostMiddleware(app, allowed_hosts=["127.0.0.1", "localhost", "::1", "[::1]"])
    limited = security.UploadLimit(security.QuietErrors(inner))
    limited.state = app.state
    return limited
