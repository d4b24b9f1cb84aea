"""What the server keeps: the workspace's folders and each browser session's own work.

A session's uploads and its working letter live in a private folder of its own (0700,
under the server's temporary folder, removed when the session ends or the server stops),
reached only through that session: another clerk's session cannot name them (the browser
only ever sends ids, which are looked up in the session). Saving puts a letter or a sheet
into the workspace, where every clerk sees it.

A browser without a lasting session is a visitor: its cookie holds a session id the server
can recognise (``security.SessionTokens``) but keeps nothing for. A visitor sees the
bundled example, from one shared folder made at start; nothing is kept for it, and no
folder made, until a login (with a password) or, on loopback, its first change (an edit,
an upload). Lasting sessions are capped in number and end after ``idle_seconds`` without a
request, checked on every request.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..resources import EXAMPLES
from . import security

EXAMPLE_DIR = EXAMPLES / "chiang-rai-2561"
EXAMPLE_NAME = "ตัวอย่าง: หนังสือเวียนจังหวัดเชียงราย ๒๕๖๑"
EXAMPLE_SHEET = "recipients.csv (ตัวอย่าง)"
EXAMPLE_KEY = "example"  # the engine's name for the visitors' shared session
SAVED_NAME = re.compile(r"^[\w\u0e00-\u0e7f][\w\u0e00-\u0e7f .-]{0,80}$")
FULL = ("มีผู้ใช้งานพร้อมกันครบ {count} คนแล้ว: ลองใหม่ภายหลัง "
        "(ผู้ที่เลิกใช้แล้วให้กด ออกจากระบบ หรือรอให้หมดเวลา)")


def open_workspace(root: Path | None):
    """The workspace (lettergen.workspace): saved letters and sheets, runs, the register."""
    from ..workspace import Workspace

    return Workspace(root)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Upload:
    """A sheet uploaded in one session: its id, the name the clerk gave it, where it is."""

    id: str
    name: str
    path: Path
    sha: str


@dataclass(frozen=True)
class Files:
    """What the engine is told of a session: where its working letter and its sheets are,
    and the workspace (its register, and its letters folder, where an emblem may be)."""

    folder: Path
    sheet: Upload | None
    tracking: Upload | None
    workspace: Path | None
    shared: bool = False  # the visitors' example, shown to every visitor alike
    leave_out: tuple[str, ...] = ()  # ids of the rows the clerk took out of the set
    edits: str = ""  # the letters the clerk changed for one addressee (own_edits.as_text)

    def spec_path(self) -> Path:
        return self.folder / "letter.toml"


@dataclass
class Session:
    id: str
    csrf: str
    folder: Path
    logged_in: bool = False
    lasting: bool = True  # False: a visitor, shown the shared example
    seen: float = field(default_factory=time.monotonic)
    letter_name: str = ""  # "ตัวอย่าง..." or a saved letter's name
    sheet: Upload | None = None  # the recipients sheet in use
    tracking: Upload | None = None  # the follow-up page's tracking sheet
    leave_out: set[str] = field(default_factory=set)  # rows taken out of the set (unticked)
    edits: dict[str, dict] = field(default_factory=dict)  # recipient id -> its own edit
    followup: dict = field(default_factory=dict)  # the follow-up page's fields, as last given

    @property
    def engine_key(self) -> str:
        return self.id if self.lasting else EXAMPLE_KEY

    def spec_path(self) -> Path:
        return self.folder / "letter.toml"

    def touch(self) -> None:
        """The session's work changed (what the clerk chose, a sheet sent)."""

    def has_letter(self) -> bool:
        return self.spec_path().is_file()

    def files(self, workspace: Path | None) -> Files:
        from .own_edits import as_text

        return Files(self.folder, self.sheet, self.tracking, workspace, shared=not self.lasting,
                     leave_out=tuple(sorted(self.leave_out)), edits=as_text(self.edits))

    def add_upload(self, name: str, source, suffix: str) -> Upload:
        """A file the clerk sent (bytes, or a file object copied in pieces), kept 0600 in the
        session's folder as upload-ID.SUFFIX."""
        upload_id = secrets.token_hex(8)
        path = self.folder / f"upload-{upload_id}{suffix}"
        sha = hashlib.sha256()
        with open(path, "wb", opener=lambda p, flags: os.open(p, flags, 0o600)) as out:
            for piece in _pieces(source):
                sha.update(piece)
                out.write(piece)
        return Upload(upload_id, name, path, sha.hexdigest())

    def forget_uploads(self) -> None:
        """Remove the uploads the session no longer uses: it holds one sheet and one tracking
        sheet, however many it is sent."""
        kept = {upload.path.name for upload in (self.sheet, self.tracking) if upload is not None}
        for path in self.folder.glob("upload-*"):
            if path.name not in kept:
                path.unlink(missing_ok=True)


def _pieces(source, size: int = 1 << 20):
    if isinstance(source, (bytes, bytearray)):
        yield bytes(source)
        return
    while True:
        piece = source.read(size)
        if not piece:
            return
        yield piece


def example_toml() -> bytes:
    """The bundled example's letter as the web app writes a working letter."""
    from .specform import toml_text

    return toml_text(example_raw()).encode("utf-8")


def write_whole(path: Path, data: bytes) -> None:
    """``path`` replaced by ``data`` at once: a reader (another thread, the engine's worker
    or the server) sees the old file or the new one, whole, never a part of it. Each writer
    writes its own temporary file, so two writers at once cannot mix their bytes."""
    fd, part = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(part, path)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise


def load_example(session: Session) -> None:
    """The bundled example, its letter and its sheet, as the session's working letter."""
    write_whole(session.spec_path(), example_toml())
    session.letter_name = EXAMPLE_NAME
    session.sheet = session.add_upload(EXAMPLE_SHEET, (EXAMPLE_DIR / "recipients.csv").read_bytes(), ".csv")
    session.forget_uploads()


class SessionsFull(Exception):
    """No room for another lasting session (``Sessions.limit``)."""


class Sessions:
    def __init__(self, workspace, *, limit: int = 50, idle_seconds: float = 4 * 3600,
                 on_end: Callable[[str], None] | None = None):
        self.workspace = workspace
        self.limit, self.idle_seconds = limit, idle_seconds
        self.on_end = on_end or (lambda key: None)  # a session ended: its engine worker goes
        self.scratch = Path(tempfile.mkdtemp(prefix="lettergen-sessions-"))  # 0700
        self.items: dict[str, Session] = {}
        self.tokens = security.SessionTokens()
        self.guard = security.LoginGuard()
        self.example = Session(id=EXAMPLE_KEY, csrf="", folder=self.scratch / EXAMPLE_KEY, lasting=False)
        self.example.folder.mkdir(mode=0o700)
        load_example(self.example)

    def lookup(self, sid: str) -> Session:
        """The lasting session ``sid`` names (its idle time restarted), else a visitor with
        that id. Sessions idle too long end first."""
        self.expire()
        session = self.items.get(sid)
        if session is None:
            return self.visitor(sid)
        session.seen = time.monotonic()
        return session

    def visitor(self, sid: str) -> Session:
        shown = self.example
        return Session(id=sid, csrf=self.tokens.csrf(sid), folder=shown.folder, lasting=False,
                       letter_name=shown.letter_name, sheet=shown.sheet)

    def start(self, sid: str | None = None, *, logged_in: bool) -> Session:
        """A lasting session (a new id unless ``sid`` is given: a visitor's first change keeps
        its id and its page's CSRF token), with its own folder and the example as its
        working letter. SessionsFull when ``limit`` sessions are open already."""
        self.expire()
        if sid is not None and sid in self.items:
            return self.items[sid]
        if len(self.items) >= self.limit:
            raise SessionsFull(FULL.format(count=self.limit))
        sid = sid or self.tokens.new()
        folder = self.scratch / secrets.token_hex(12)
        folder.mkdir(mode=0o700)
        session = Session(id=sid, csrf=self.tokens.csrf(sid), folder=folder, logged_in=logged_in)
        load_example(session)
        self.items[sid] = session
        return session

    def drop(self, session: Session) -> None:
        if self.items.pop(session.id, None) is not None:
            shutil.rmtree(session.folder, ignore_errors=True)
            self.on_end(session.engine_key)

    def expire(self) -> None:
        now = time.monotonic()
        for session in [s for s in self.items.values() if now - s.seen > self.idle_seconds]:
            self.drop(session)

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
