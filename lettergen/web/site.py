"""The web app's state, as every part of it reads it: the configuration ``lettergen serve``
was started with, the browser sessions, the production jobs, the page templates and the
engine's worker processes.

``app.create_app`` makes one ``Site`` and keeps it on ``app.state.site``; the middleware
and the views reach it through the request (``site_of``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .engine import Limits


@dataclass
class Config:
    workspace: Any  # lettergen.registers.workspace.Workspace
    password: str | None = None  # None: loopback only, no login
    jobs: int | None = None  # worker processes of a production job (None: the CLI's default)
    warm: bool = True  # the engine lays out the bundled example once at start (engine.Engine)
    limits: Limits = field(default_factory=Limits)  # the engine's time and memory limits
    max_sessions: int = 50  # lasting sessions at once
    session_idle: float = 4 * 3600  # a session unused this long ends (checked on every request)


@dataclass
class Site:
    config: Config
    sessions: Any  # state.Sessions
    jobs: Any  # jobs.Jobs
    pages: Any  # views.base.Pages
    engine: Any  # engine.Engine


def site_of(request) -> Site:
    return request.app.state.site
