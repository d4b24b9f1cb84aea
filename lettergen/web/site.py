"""The web app's state, as every part of it reads it: the configuration ``lettergen serve``
was started with, the browser sessions, the production jobs and the page templates.

``app.create_app`` makes one ``Site`` and keeps it on ``app.state.site``; the middleware
and the views reach it through the request (``site_of``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Config:
    workspace: Any  # lettergen.workspace.Workspace
    password: str | None = None  # None: loopback only, no login
    jobs: int | None = None  # worker processes of a production job (None: the CLI's default)
    warm: bool = True  # lay out the bundled example once before the server says it is ready


@dataclass
class Site:
    config: Config
    sessions: Any  # state.Sessions
    jobs: Any  # jobs.Jobs
    pages: Any  # views.base.Pages


def site_of(request) -> Site:
    return request.app.state.site
