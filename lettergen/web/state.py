"""What the server keeps: the workspace's folders and each browser session's own work.

A session's uploads and its working letter live in a private folder of its own (0700,
under the server's temporary folder, removed when the server stops), reached only through
that session: another clerk's session cannot name them (the browser only ever sends ids,
which are looked up in the session). Saving puts a letter or a sheet into the workspace,
where every clerk sees it.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..resources import EXAMPLES
from . import security

EXAMPLE_DIR = EXAMPLES / "chiang-rai-2561"
SAVED_NAME = re.compile(r"^[\w\u0e00-\u0e7f][\w\u0e00-\u0e7f .-]{0,80}$")


def open_workspace(root: Path | None):
    """The workspace (lettergen.workspace): saved letters and sheets, runs, the register."""
    from ..workspace import Workspace

    return Workspace(root)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Upload:
    """A sheet uploaded in one session: its id, the name the clerk gave it, where it is."""

    id: str
    name: str
    path: Path
    sha: str


@dataclass
class Session:
    id: str
    csrf: str
    folder: Path
    logged_in: bool = False
    seen: float = field(default_factory=time.monotonic)
    raw: dict | None = None  # the working letter's TOML data
    letter_name: str = ""  # "ตัวอย่างเชียงราย" or a saved letter's name
    sheet: Upload | None = None  # the recipients sheet in use
    tracking: Upload | None = None  # the follow-up page's tracking sheet
    cache: dict = field(default_factory=dict)  # preview: digests -> composed letters, PDFs
    lock: threading.Lock = field(default_factory=threading.Lock)

    def spec_path(self) -> Path:
        return self.folder / "letter.toml"

    def set_raw(self, raw: dict) -> None:
        from .specform import write_spec

        self.raw = raw
        part = write_spec(raw, self.folder, ".letter.toml.part")
        os.replace(part, self.spec_path())  # a reader sees the old letter or the new, whole

    def add_upload(self, name: str, data: bytes, suffix: str) -> Upload:
        upload_id = secrets.token_hex(8)
        path = self.folder / f"{upload_id}{suffix}"
        path.write_bytes(data)
        os.chmod(path, 0o600)
        return Upload(upload_id, name, path, digest(data))


class Sessions:
    def __init__(self, workspace):
        self.workspace = workspace
        self.scratch = Path(tempfile.mkdtemp(prefix="lettergen-sessions-"))  # 0700
        self.items: dict[str, Session] = {}
        self.lock = threading.Lock()
        self.attempts = security.Attempts()

    def new(self) -> Session:
        sid = security.new_token()
        folder = self.scratch / secrets.token_hex(12)
        folder.mkdir(mode=0o700, parents=True)
        session = Session(id=sid, csrf=security.new_token(), folder=folder)
        with self.lock:
            self.expire()
            self.items[sid] = session
        return session

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        with self.lock:
            session = self.items.get(sid)
        if session is not None:
            session.seen = time.monotonic()
        return session

    def drop(self, session: Session) -> None:
        with self.lock:
            self.items.pop(session.id, None)
        shutil.rmtree(session.folder, ignore_errors=True)

    def expire(self) -> None:
        now = time.monotonic()
        for sid, session in list(self.items.items()):
            if now - session.seen > security.SESSION_SECONDS:
                self.items.pop(sid, None)
                shutil.rmtree(session.folder, ignore_errors=True)

    def clear(self) -> None:
        self.items.clear()
        shutil.rmtree(self.scratch, ignore_errors=True)


def example_raw() -> dict:
    return tomllib.loads((EXAMPLE_DIR / "letter.toml").read_text(encoding="utf-8"))


def saved_letters(workspace) -> list[str]:
    return [p.stem for p in workspace.saved_letters() if p.suffix == ".toml"]


def saved_sheets(workspace) -> list[str]:
    return [p.name for p in workspace.saved_sheets()]


def saved_name(name: str) -> str | None:
    """A name a clerk gave to save something under: kept only if it is a plain file name."""
    name = name.strip()
    return name if SAVED_NAME.match(name) and ".." not in name else None


def load_raw(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))
