"""The office's outgoing register of record (ทะเบียนหนังสือส่ง), kept in SQLite.

One register for every way letters are made from a workspace (``lettergen render
--workspace``, ``lettergen remind --workspace``, the web app), so no number is handed out
twice, by one process or by several at once.

Numbers
    The running number of the register IS the number after the slash in the letter's ที่:
    "ชร ๐๐๒๓.๑/๑๒" is register number 12 of the ordinary series, "ชร ๐๐๒๓.๑/ว ๕" number 5 of
    the circular series (ว); a memo (บันทึกข้อความ) takes its number from a series of its own,
    internal letters (ภายใน), printed like an ordinary number (kinds.py says which series a
    kind's numbers come from). Each series runs through the calendar year of the letter's date
    (the Buddhist-era year) and starts again at 1 each year, unless the office sets where a
    year's series continues from (``continue_from``: the paper register already stands at
    18852). A circular is one letter sent in many copies, so all copies of one circular (one
    variant of the spec) share one ว number; every other letter takes a number of its own.
    With a workspace the spec's ``variants.*.number`` and ``[register] start`` are not used.

Allocation
    ``reserve`` runs in one ``BEGIN IMMEDIATE`` transaction: it takes the next numbers of each
    series, records them against the run (the ``numbers`` table's key makes a number taken
    twice an error in the database itself) and commits only when the caller's block has
    checked every letter; bad input rolls it back, so nothing is taken. The numbers stay
    reserved to the run (status ``reserved``) while its files are written and the run is
    marked ``issued`` when the set is complete. A run is known by its key (what it writes:
    the spec, the sheet, the letters chosen, the output folder), so a run that failed or was
    killed and is started again gets the numbers it reserved before, its letters come out
    the same and batch.write_set keeps the chunks it had finished. A rerun of an issued run
    into the same folder writes the same letters again, with the same numbers. A new run into
    a folder whose earlier run never finished takes new numbers and marks the earlier
    reservation ``abandoned``: its numbers are never used again, and the register says so.

Records
    Each run keeps when it started and finished, the sha256 of the spec file and of the
    sheet, the output folder, and every file written with its sha256; a signed set, per
    letter the signing certificate's subject and serial and the signing time. No password
    is ever stored: the register holds numbers, names, subjects and digests only.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from ..kinds import CIRCULAR, INTERNAL, ORDINARY  # noqa: F401  (the series of numbers)
STATUS_RESERVED, STATUS_ISSUED, STATUS_ABANDONED = "reserved", "issued", "abandoned"
KIND_LETTERS, KIND_REMINDERS = "letters", "reminders"
# Why a run was abandoned, as the register says it (a caller may give its own reason).
CANCELLED = "ผู้ดูแลสั่งยกเลิก"
REPLACED = "มีการสร้างชุดใหม่ลงในโฟลเดอร์เดียวกันแทน"
SCHEMA_VERSION = "1"
BUSY_TIMEOUT = 120.0  # seconds a process waits for another's allocation to commit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    year INTEGER NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    attempts INTEGER NOT NULL DEFAULT 1,
    spec_name TEXT NOT NULL,
    spec_sha256 TEXT NOT NULL,
    sheet_name TEXT NOT NULL,
    sheet_sha256 TEXT NOT NULL,
    out_dir TEXT NOT NULL,
    letters INTEGER NOT NULL,
    subject TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS runs_by_key ON runs (key);
CREATE INDEX IF NOT EXISTS runs_by_out_dir ON runs (out_dir);
CREATE TABLE IF NOT EXISTS series (
    year INTEGER NOT NULL,
    series TEXT NOT NULL,
    next INTEGER NOT NULL,
    PRIMARY KEY (year, series)
);
CREATE TABLE IF NOT EXISTS numbers (
    year INTEGER NOT NULL,
    series TEXT NOT NULL,
    number INTEGER NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs (id),
    PRIMARY KEY (year, series, number)
);
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs (id),
    position INTEGER NOT NULL,
    year INTEGER NOT NULL,
    series TEXT NOT NULL,
    register_number INTEGER NOT NULL,
    number TEXT NOT NULL,
    date TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    action TEXT NOT NULL,
    remark TEXT NOT NULL,
    stem TEXT NOT NULL,
    UNIQUE (run_id, position)
);
CREATE INDEX IF NOT EXISTS entries_by_recipient ON entries (recipient_id);
CREATE INDEX IF NOT EXISTS entries_by_year ON entries (year);
CREATE TABLE IF NOT EXISTS files (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (run_id, name)
);
CREATE TABLE IF NOT EXISTS signatures (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    position INTEGER NOT NULL,
    subject TEXT NOT NULL,
    serial TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    PRIMARY KEY (run_id, position)
);
"""


def be_year(date: dt.date) -> int:
    """The Buddhist-era year of ``date``: the year a register's series belongs to."""
    return date.year + 543


@dataclass(frozen=True)
class RecordedRun:
    """One run recorded in the register."""

    id: int
    kind: str
    status: str
    year: int
    started: dt.datetime
    finished: dt.datetime | None
    attempts: int
    spec_name: str
    spec_sha256: str
    sheet_name: str
    sheet_sha256: str
    out_dir: str
    letters: int
    subject: str
    files: tuple[tuple[str, str], ...]  # (name relative to out_dir, sha256)
    note: str = ""  # why the run was abandoned (cancelled)


@dataclass(frozen=True)
class Original:
    """The letter a reminder cites: its number as printed and its date."""

    number: str
    date: dt.date
    register_number: int
    series: str
    year: int


@dataclass(frozen=True)
class NewEntry:
    """What the caller gives ``Reservation.record`` for each letter, in run order."""

    number: str  # the letter's ที่ as printed, e.g. "ชร ๐๐๒๓.๑/ว ๕"
    date: dt.date
    sender: str
    recipient_id: str
    recipient_name: str
    subject: str
    action: str
    remark: str
    stem: str  # the letter's file name without extension, in the run's folder


@dataclass(frozen=True)
class RegisterEntry(NewEntry):
    """One row of the register: a letter (one copy of a circular) sent, as recorded, with
    its place in its series and what became of its run."""

    run_id: int
    year: int  # BE
    series: str  # ORDINARY, CIRCULAR or INTERNAL
    register_number: int
    status: str  # of its run: reserved, issued or abandoned
    kind: str  # of its run: letters or reminders
    note: str = ""  # of its run: why it was abandoned (cancelled)
    finished: dt.datetime | None = None  # of its run: when it was issued or abandoned

    @property
    def register_label(self) -> str:
        """เลขทะเบียนส่ง as the register shows it: "12", "ว 5" for a circular, "ภายใน 3" for
        a memo's internal number."""
        return f"{self.series} {self.register_number}" if self.series else str(self.register_number)


@dataclass
class Reservation:
    """The numbers of one run: per series the numbers taken, in order. ``reused`` when
    they were reserved by an earlier attempt of the same run."""

    run_id: int
    year: int
    numbers: Mapping[str, tuple[int, ...]]
    reused: bool
    _connection: sqlite3.Connection | None = None

    def record(self, letters: Sequence[NewEntry], slots: Sequence[tuple[str, int]]) -> None:
        """The register's rows of the run: per letter its (series, number). Inside
        ``reserve``'s block only; a reused reservation keeps the rows it has."""
        if self._connection is None:
            raise RuntimeError("Reservation.record belongs inside OfficeRegister.reserve")
        if len(letters) != len(slots):
            raise ValueError("one (series, number) per letter")
        if self.reused:
            return
        self._connection.executemany(
            "INSERT INTO entries (run_id, position, year, series, register_number, number,"
            " date, sender, recipient_id, recipient_name, subject, action, remark, stem)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(self.run_id, i, self.year, series, number, e.number, e.date.isoformat(),
              e.sender, e.recipient_id, e.recipient_name, e.subject, e.action, e.remark, e.stem)
             for i, (e, (series, number)) in enumerate(zip(letters, slots))],
        )


class OfficeRegister:
    """The register in ``db_path`` (created 0600 when missing)."""

    def __init__(self, db_path: str | Path):
        self.db_path = Path(db_path)
        if not self.db_path.exists():
            import os

            fd = os.open(self.db_path, os.O_WRONLY | os.O_CREAT, 0o600)
            os.close(fd)
        with self._connect() as db:
            db.executescript(_SCHEMA)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            columns = {row[1] for row in db.execute("PRAGMA table_info(runs)")}
            if "note" not in columns:  # a register written before runs had their note
                db.execute("ALTER TABLE runs ADD COLUMN note TEXT NOT NULL DEFAULT ''")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode: transactions are begun explicitly."""
        db = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            yield db
        finally:
            db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE: the write lock is taken at once, so two processes never read the
        same next number; committed when the block ends, rolled back if it raises."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # --- allocation ------------------------------------------------------------------

    @contextmanager
    def reserve(
        self, *, key: str, kind: str, year: int, counts: Mapping[str, int], out_dir: str,
        spec_name: str, spec_sha256: str, sheet_name: str, sheet_sha256: str, letters: int,
        subject: str,
    ) -> Iterator[Reservation]:
        """Reserve ``counts[series]`` numbers of each series of ``year`` for the run ``key``,
        or find the numbers an earlier attempt of the same run reserved. The block records
        the run's rows (``Reservation.record``); all of it commits when the block ends and
        none of it if the block raises."""
        now = _now()
        with self._transaction() as db:
            found = db.execute(
                "SELECT id, status FROM runs WHERE key = ? AND status != ? ORDER BY id DESC LIMIT 1",
                (key, STATUS_ABANDONED)).fetchone()
            numbers: dict[str, tuple[int, ...]] = {}
            if found is not None:
                run_id = found[0]
                for series in counts:
                    numbers[series] = tuple(n for (n,) in db.execute(
                        "SELECT number FROM numbers WHERE run_id = ? AND series = ? ORDER BY number",
                        (run_id, series)))
                if all(len(numbers[s]) == counts[s] for s in counts):
                    db.execute("UPDATE runs SET attempts = attempts + 1 WHERE id = ?", (run_id,))
                    yield Reservation(run_id, year, numbers, True, db)
                    return
                numbers.clear()  # a different run after all: it gets numbers of its own
            db.execute("UPDATE runs SET status = ?, finished = ?, note = ? WHERE out_dir = ? AND status = ?",
                       (STATUS_ABANDONED, now, REPLACED, out_dir, STATUS_RESERVED))
            run_id = db.execute(
                "INSERT INTO runs (key, kind, status, year, started, spec_name, spec_sha256,"
                " sheet_name, sheet_sha256, out_dir, letters, subject)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, kind, STATUS_RESERVED, year, now, spec_name, spec_sha256, sheet_name,
                 sheet_sha256, out_dir, letters, subject)).lastrowid
            for series, count in counts.items():
                first = self._next(db, year, series)
                numbers[series] = tuple(range(first, first + count))
                db.execute("INSERT OR REPLACE INTO series VALUES (?, ?, ?)",
                           (year, series, first + count))
                db.executemany("INSERT INTO numbers VALUES (?, ?, ?, ?)",
                               [(year, series, n, run_id) for n in numbers[series]])
            yield Reservation(run_id, year, numbers, False, db)

    @staticmethod
    def _next(db: sqlite3.Connection, year: int, series: str) -> int:
        row = db.execute("SELECT next FROM series WHERE year = ? AND series = ?",
                         (year, series)).fetchone()
        taken = db.execute("SELECT MAX(number) FROM numbers WHERE year = ? AND series = ?",
                           (year, series)).fetchone()[0] or 0
        return max(row[0] if row else 1, taken + 1)

    def next_number(self, year: int, series: str = ORDINARY) -> int:
        """The number the next letter of ``series`` in ``year`` would get."""
        with self._connect() as db:
            return self._next(db, year, series)

    def continue_from(self, year: int, series: str, next_number: int) -> None:
        """Let ``series`` of ``year`` continue from ``next_number`` (the office's paper
        register stands at the number before it). Numbers never go back: a number at or
        below one already taken is refused with a ValueError."""
        if next_number < 1:
            raise ValueError("เลขทะเบียนต้องเป็นจำนวนเต็มบวก")
        with self._transaction() as db:
            taken = db.execute("SELECT MAX(number) FROM numbers WHERE year = ? AND series = ?",
                               (year, series)).fetchone()[0] or 0
            if next_number <= taken:
                from ..thai import arabic_digit_to_thai_digit

                what = {CIRCULAR: f"หนังสือเวียน {CIRCULAR} ", INTERNAL: "บันทึกข้อความ"}.get(series, "")
                raise ValueError(arabic_digit_to_thai_digit(
                    f"ทะเบียนปี พ.ศ. {year} ออกเลข{what}ถึง {taken} แล้ว เลขถัดไปต้องมากกว่านั้น"))
            db.execute("INSERT OR REPLACE INTO series VALUES (?, ?, ?)", (year, series, next_number))

    def issue(self, run_id: int, files: Sequence[tuple[str, str]],
              signatures: Sequence[Mapping[str, str] | None] = ()) -> None:
        """Mark the run issued (its set is complete), with its files (name, sha256) and,
        for a signed set, per letter in run order its signature (subject, serial,
        signed_at: signing.keys.Signature.record())."""
        with self._transaction() as db:
            db.execute("UPDATE runs SET status = ?, finished = ? WHERE id = ?",
                       (STATUS_ISSUED, _now(), run_id))
            db.execute("DELETE FROM files WHERE run_id = ?", (run_id,))
            db.executemany("INSERT INTO files VALUES (?, ?, ?)",
                           [(run_id, name, digest) for name, digest in files])
            db.execute("DELETE FROM signatures WHERE run_id = ?", (run_id,))
            db.executemany("INSERT INTO signatures VALUES (?, ?, ?, ?, ?)",
                           [(run_id, position, s["subject"], s["serial"], s["signed_at"])
                            for position, s in enumerate(signatures) if s])

    def signatures(self, run_id: int) -> dict[int, tuple[str, str, str]]:
        """Per letter of a signed run (its place in the run): (subject, serial, signed_at)."""
        with self._connect() as db:
            return {position: (subject, serial, signed_at) for position, subject, serial, signed_at
                    in db.execute("SELECT position, subject, serial, signed_at FROM signatures"
                                  " WHERE run_id = ? ORDER BY position", (run_id,))}

    def cancel(self, run_id: int, note: str = CANCELLED) -> None:
        """Mark a run's letters as not sent (ยกเลิก), saying why (``note``): its numbers stay
        taken, never given again, and reminders do not cite them. A ValueError if there is
        no such run."""
        with self._transaction() as db:
            if db.execute("UPDATE runs SET status = ?, finished = ?, note = ? WHERE id = ?",
                          (STATUS_ABANDONED, _now(), note, run_id)).rowcount != 1:
                raise ValueError(f"ไม่มีการสร้างครั้งที่ {run_id} ในทะเบียน")

    def settle(self, out_dir: str | Path, note: str) -> list[int]:
        """The runs into ``out_dir`` that reserved numbers and never finished, marked
        abandoned (ยกเลิก), with ``note`` saying why and the time: a set that was cancelled
        or stopped, so that the register says what became of its numbers. Their numbers
        stay taken. The ids of the runs settled."""
        with self._transaction() as db:
            ids = [run_id for (run_id,) in db.execute(
                "SELECT id FROM runs WHERE out_dir = ? AND status = ?", (str(out_dir), STATUS_RESERVED))]
            db.executemany("UPDATE runs SET status = ?, finished = ?, note = ? WHERE id = ?",
                           [(STATUS_ABANDONED, _now(), note, run_id) for run_id in ids])
        return ids

    def unsettled(self) -> list[tuple[int, str]]:
        """(id, output folder) of every run that reserved numbers and is not finished."""
        with self._connect() as db:
            return list(db.execute("SELECT id, out_dir FROM runs WHERE status = ? ORDER BY id",
                                   (STATUS_RESERVED,)))

    # --- reading ---------------------------------------------------------------------

    def entries(self, year: int | None = None) -> list[RegisterEntry]:
        """The register's rows (of ``year``, BE, or all), in the order they were taken."""
        query = ("SELECT e.run_id, e.year, e.series, e.register_number, e.number, e.date,"
                 " e.sender, e.recipient_id, e.recipient_name, e.subject, e.action, e.remark,"
                 " e.stem, r.status, r.kind, r.note, r.finished FROM entries e JOIN runs r ON r.id = e.run_id")
        args: tuple = ()
        if year is not None:
            query += " WHERE e.year = ?"
            args = (year,)
        query += " ORDER BY e.run_id, e.position"
        with self._connect() as db:
            return [RegisterEntry(number, dt.date.fromisoformat(date), *letter, run_id=run_id, year=year,
                                  series=series, register_number=register_number, status=status,
                                  kind=kind, note=note,
                                  finished=dt.datetime.fromisoformat(finished) if finished else None)
                    for run_id, year, series, register_number, number, date, *letter, status, kind, note,
                    finished in db.execute(query, args)]

    def runs(self) -> list[RecordedRun]:
        """Every run, oldest first, with its files."""
        with self._connect() as db:
            files: dict[int, list[tuple[str, str]]] = {}
            for run_id, name, digest in db.execute(
                    "SELECT run_id, name, sha256 FROM files ORDER BY run_id, name"):
                files.setdefault(run_id, []).append((name, digest))
            result = []
            for row in db.execute(
                    "SELECT id, kind, status, year, started, finished, attempts, spec_name,"
                    " spec_sha256, sheet_name, sheet_sha256, out_dir, letters, subject, note"
                    " FROM runs ORDER BY id"):
                started = dt.datetime.fromisoformat(row[4])
                finished = dt.datetime.fromisoformat(row[5]) if row[5] else None
                result.append(RecordedRun(*row[:4], started, finished, *row[6:14],
                                  files=tuple(files.get(row[0], ())), note=row[14]))
            return result

    def run(self, run_id: int) -> RecordedRun:
        return next(r for r in self.runs() if r.id == run_id)

    def original(self, recipient_id: str, subject: str | None = None) -> Original | None:
        """The number and date of the latest letter (not a reminder) of an issued run to
        ``recipient_id`` (of that ``subject`` when given), or None."""
        return self.originals(subject, recipient_id).get(recipient_id)

    def originals(self, subject: str | None = None,
                  recipient_id: str | None = None) -> dict[str, Original]:
        """Per recipient id, ``original``: the latest letter issued to it (of ``subject``)."""
        query = ("SELECT e.recipient_id, e.number, e.date, e.register_number, e.series, e.year"
                 " FROM entries e JOIN runs r ON r.id = e.run_id WHERE r.status = ? AND r.kind = ?")
        args: list = [STATUS_ISSUED, KIND_LETTERS]
        if subject is not None:
            query += " AND e.subject = ?"
            args.append(subject)
        if recipient_id is not None:
            query += " AND e.recipient_id = ?"
            args.append(recipient_id)
        query += " ORDER BY e.date, e.run_id, e.position"  # the latest last, so it stays
        with self._connect() as db:
            return {row[0]: Original(row[1], dt.date.fromisoformat(row[2]), *row[3:])
                    for row in db.execute(query, args)}

    def years(self) -> list[int]:
        """The BE years the register has rows for, newest first."""
        with self._connect() as db:
            return [y for (y,) in db.execute("SELECT DISTINCT year FROM entries ORDER BY year DESC")]


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
