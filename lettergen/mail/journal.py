"""The record of every message `lettergen send` hands to a mail server: per letter of a set,
to whom, its Message-ID, when, and how it went. Kept in the register of record (the
workspace's register.sqlite3) or, for a set made without a workspace, in the set's own
folder (deliveries.sqlite3), with the same table.

What it guarantees (``Journal.begin`` is committed to disk before the message's first byte
goes to the server, ``finish`` after the server's answer):
- a letter recorded as sent is never sent again by a later `send`;
- a message whose sending began but whose answer was never recorded (the process was
  killed, the machine stopped, the connection broke after the message was given) is marked
  uncertain and NOT sent again: it may have arrived. `send` names it with its Message-ID,
  which the office's mail server log can be searched for, and sends it again only when told
  to (``--resend ID``); it then goes with the same Message-ID, which mail clients use to
  show a copy that arrived twice as one;
- a letter the server refused (or whose sending failed before it began) is sent by the
  next `send`.
So a letter is delivered at most once without the clerk's say.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SENDING, SENT, REFUSED, UNCERTAIN = "sending", "sent", "refused", "uncertain"
STATUS_TEXT = {SENDING: "กำลังส่ง", SENT: "ส่งแล้ว", REFUSED: "เซิร์ฟเวอร์ไม่รับ",
               UNCERTAIN: "ไม่ทราบผล (อาจส่งถึงแล้ว)"}
OWN_DB = "deliveries.sqlite3"  # in a set's folder, when there is no workspace

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    out_dir TEXT NOT NULL,
    stem TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    to_addresses TEXT NOT NULL,
    message_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempted_at TEXT NOT NULL,
    sent_at TEXT,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (out_dir, stem)
);
"""


@dataclass(frozen=True)
class Delivery:
    """One letter's record: where it stands."""

    stem: str
    recipient_id: str
    to: str
    message_id: str
    status: str
    attempted_at: dt.datetime
    sent_at: dt.datetime | None
    detail: str


class Journal:
    """The deliveries table in the SQLite file ``db_path`` (created 0600 when missing)."""

    def __init__(self, db_path: str | Path):
        self.db_path = Path(db_path)
        if not self.db_path.exists():
            import os

            os.close(os.open(self.db_path, os.O_WRONLY | os.O_CREAT, 0o600))
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.db_path, timeout=120, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous = FULL")  # a committed record survives a power cut
            yield db
        finally:
            db.close()

    def deliveries(self, out_dir: Path) -> dict[str, Delivery]:
        """The records of the set in ``out_dir``, by file stem."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT stem, recipient_id, to_addresses, message_id, status, attempted_at,"
                " sent_at, detail FROM deliveries WHERE out_dir = ?", (_key(out_dir),)).fetchall()
        return {row[0]: Delivery(*row[:5], dt.datetime.fromisoformat(row[5]),
                                 dt.datetime.fromisoformat(row[6]) if row[6] else None, row[7])
                for row in rows}

    def mark_uncertain(self, out_dir: Path) -> None:
        """A message still recorded as being sent belongs to a `send` that was stopped
        between handing it over and hearing back: it may have arrived."""
        with self._connect() as db:
            db.execute("UPDATE deliveries SET status = ?, detail = ? WHERE out_dir = ? AND status = ?",
                       (UNCERTAIN, "การส่งครั้งก่อนหยุดกลางคันขณะส่งฉบับนี้", _key(out_dir), SENDING))

    def begin(self, out_dir: Path, stem: str, recipient_id: str, to: str, message_id: str) -> None:
        """Record, durably, that the message is about to be handed to the server."""
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO deliveries (out_dir, stem, recipient_id, to_addresses,"
                       " message_id, status, attempted_at, sent_at, detail)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, '')",
                       (_key(out_dir), stem, recipient_id, to, message_id, SENDING, _now()))

    def finish(self, out_dir: Path, stem: str, status: str, detail: str = "") -> None:
        """The server's answer: SENT (with ``detail`` naming addresses it refused, if any),
        REFUSED or UNCERTAIN."""
        with self._connect() as db:
            db.execute("UPDATE deliveries SET status = ?, sent_at = ?, detail = ? WHERE out_dir = ? AND stem = ?",
                       (status, _now() if status == SENT else None, detail, _key(out_dir), stem))


def _key(out_dir: Path) -> str:
    return str(Path(out_dir).resolve())


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
