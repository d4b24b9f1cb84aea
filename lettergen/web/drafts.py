"""Drafts: each clerk's work kept in the workspace, so that nothing typed is lost when the
server stops, is killed or the machine restarts.

A lasting session's folder is its draft: ``drafts/<name>/`` in the workspace, named by a
MAC of the session id (the folder's name tells nothing of the cookie), holding the working
letter as the clerk types it (letter.toml), the sheets sent, and ``session.json``: what
else the session holds (the letter's and the sheets' names, the rows left out, each
letter's own edit, the follow-up page's fields, whether it is logged in, when it was last
seen and last saved). The key that makes and checks session ids is kept here too
(``drafts/.key``), so a browser's cookie, and its page's CSRF token, stay valid across a
restart: the same browser gets its draft back. After a login (which gives a new id) the
draft of the id the browser had before is carried over to the new one.

Drafts not seen for ``KEEP_DAYS`` days are removed when the server starts, and at most
``KEEP_MOST`` are kept (the ones seen longest ago go first).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
import time
from pathlib import Path

FOLDER = "drafts"
KEY = ".key"
STATE = "session.json"
KEEP_DAYS = 30
KEEP_MOST = 200


class Drafts:
    def __init__(self, workspace_root: Path):
        self.folder = Path(workspace_root) / FOLDER
        self.folder.mkdir(mode=0o700, exist_ok=True)
        self.key = self._key()

    def _key(self) -> bytes:
        path = self.folder / KEY
        try:
            key = path.read_bytes()
            if len(key) == 32:
                return key
        except FileNotFoundError:
            pass
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key)
        return key

    def folder_of(self, sid: str) -> Path:
        name = hmac.new(self.key, f"draft:{sid}".encode(), hashlib.sha256).hexdigest()[:24]
        return self.folder / name

    def exists(self, sid: str) -> bool:
        return (self.folder_of(sid) / STATE).is_file()

    def read(self, sid: str) -> dict | None:
        try:
            state = json.loads((self.folder_of(sid) / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) else None

    def write(self, folder: Path, state: dict) -> None:
        from ..files import write_atomic

        write_atomic(folder / STATE, json.dumps(state, ensure_ascii=False).encode("utf-8"))

    def move(self, old_sid: str, new_sid: str) -> bool:
        """The draft of ``old_sid`` made ``new_sid``'s (a login gives a new id)."""
        old, new = self.folder_of(old_sid), self.folder_of(new_sid)
        if not (old / STATE).is_file() or new.exists():
            return False
        os.replace(old, new)
        return True

    def prune(self, now: float | None = None) -> None:
        now = now or time.time()
        drafts = []
        for folder in self.folder.iterdir():
            if not folder.is_dir():
                continue
            try:
                seen = json.loads((folder / STATE).read_text(encoding="utf-8")).get("seen", 0)
            except (OSError, ValueError, AttributeError):
                seen = folder.stat().st_mtime
            drafts.append((float(seen or 0), folder))
        drafts.sort(reverse=True)
        for number, (seen, folder) in enumerate(drafts):
            if number >= KEEP_MOST or now - seen > KEEP_DAYS * 86400:
                shutil.rmtree(folder, ignore_errors=True)
