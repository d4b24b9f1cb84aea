"""The log of an internal error: the full traceback in a file of its own (the clerk sees one
line that names it), with every password of the loaded sheet blotted out, and the
passphrase of the signing certificate and the mail server's password with them.

Logs go to $LETTERGEN_LOG_DIR, else $XDG_STATE_HOME/lettergen/logs, else
~/.local/state/lettergen/logs (folder 0700, files 0600); if that cannot be written, to the
temporary folder.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import traceback
from pathlib import Path

_secrets: set[str] = set()
HIDDEN = "[ซ่อนรหัสผ่าน]"


def remember_secrets(book) -> None:
    """The passwords of ``book``'s rows, to be blotted out of any log."""
    for row in book.rows:
        for value in (row.password, getattr(row, "pdf_password", "")):
            if value and len(value) >= 3:
                _secrets.add(value)


def remember_secret(value: str) -> None:
    """One more secret to blot out of any log: a certificate's passphrase, an SMTP password."""
    if value and len(value) >= 3:
        _secrets.add(value)


def log_dir() -> Path:
    if os.environ.get("LETTERGEN_LOG_DIR"):
        return Path(os.environ["LETTERGEN_LOG_DIR"])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "lettergen" / "logs"


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, HIDDEN)
    return text


def write_error_log(error: BaseException, argv: list[str]) -> Path | None:
    """Write ``error``'s traceback and the command line; the log's path, or None when no
    folder could take it."""
    now = dt.datetime.now().astimezone()
    text = redact(f"lettergen {' '.join(argv)}\n{now.isoformat()}\npid {os.getpid()}\n\n"
                  + "".join(traceback.format_exception(error)))
    name = f"error-{now:%Y%m%d-%H%M%S}-{os.getpid()}.log"
    for folder in (log_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = folder / name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            return path
        except OSError:
            continue
    return None
