"""The workspace: one folder that holds an office's letters, sheets, produced sets and its
register of record (ทะเบียนหนังสือส่ง, register.sqlite3).

The folder is ``Workspace(root)``'s ``root``; by default $LETTERGEN_WORKSPACE, else
$XDG_DATA_HOME/lettergen, else ~/.local/share/lettergen. It and its folders are made
0700 and every file in it is written 0600, since the sheets and the letters carry
passwords::

    ROOT/letters/         saved letter specs (TOML)
    ROOT/sheets/          saved recipient sheets (XLSX/CSV)
    ROOT/runs/            produced sets, a folder per run
    ROOT/drafts/          the web app's drafts: each clerk's work as typed (web/drafts.py)
    ROOT/office/          the web app's office settings: its signing certificate and its
                          mail server (web/office.py), never served back
    ROOT/register.sqlite3 the register (registers.record.OfficeRegister)

``write_registered`` is how a run takes its numbers from the register: batch.run and
remind.remind call it when they are given a workspace.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..errors import InputError
from ..kinds import SERIES_NAMES, number_prefix
from .record import (CIRCULAR, INTERNAL, KIND_LETTERS, KIND_REMINDERS, ORDINARY, NewEntry,
                              OfficeRegister, be_year)

if TYPE_CHECKING:
    from ..batch import RunResult
    from ..compose import Planning
    from ..sheets.recipients import Book
    from ..spec import Spec

ENV = "LETTERGEN_WORKSPACE"
DB_NAME = "register.sqlite3"
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")


def default_root() -> Path:
    """$LETTERGEN_WORKSPACE, else $XDG_DATA_HOME/lettergen, else ~/.local/share/lettergen."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data).expanduser() / "lettergen"


def _private_dir(path: Path) -> Path:
    """``path`` made (with its parents) and set to 0700."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path, 0o700)
    except FileExistsError:
        raise InputError(f"workspace: {path} มีอยู่แล้วแต่ไม่ใช่โฟลเดอร์") from None
    except PermissionError:
        raise InputError(f"workspace: ไม่มีสิทธิ์สร้างหรือกำหนดสิทธิ์โฟลเดอร์ {path}") from None
    except OSError as exc:  # a parent that is a file, a read-only disk...
        raise InputError(f"workspace: สร้างโฟลเดอร์ {path} ไม่ได้ ({exc.strerror})") from None
    return path


_OWN = {"letters", "sheets", "runs", "drafts", "office", DB_NAME, DB_NAME + "-journal", DB_NAME + "-wal",
        DB_NAME + "-shm"}


class Workspace:
    """A workspace folder, made (0700) if it does not exist. An existing folder must be a
    workspace already or empty: its permissions are set to 0700, which another folder's
    owner would not expect."""

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root).expanduser() if root is not None else default_root()
        self.root = self.root.absolute()
        if self.root.is_dir() and any(p.name not in _OWN for p in self.root.iterdir()):
            raise InputError(f"workspace: โฟลเดอร์ {self.root} มีไฟล์อื่นอยู่แล้ว "
                             "ใช้โฟลเดอร์ใหม่หรือโฟลเดอร์ว่างเป็น workspace")
        _private_dir(self.root)
        self.letters_dir = _private_dir(self.root / "letters")
        self.sheets_dir = _private_dir(self.root / "sheets")
        self.runs_dir = _private_dir(self.root / "runs")
        self.db_path = self.root / DB_NAME
        self._register: OfficeRegister | None = None

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"

    def write_registered(self, kind: str, spec, book, planning, out_dir, **options):
        """``write_registered`` for this workspace: batch.run hands a run to the workspace it
        is given through this method, so that batch needs no import of this module."""
        return write_registered(self, kind, spec, book, planning, out_dir, **options)

    def register(self) -> OfficeRegister:
        """The workspace's register of record (register.sqlite3, made 0600)."""
        if self._register is None:
            self._register = OfficeRegister(self.db_path)
        return self._register

    def save_letter(self, name: str, data: bytes) -> Path:
        """Save a letter spec (TOML) as letters/NAME (0600); returns its path."""
        return _write_private(self.letters_dir / safe_name(name), data)

    def save_sheet(self, name: str, data: bytes) -> Path:
        """Save a recipients or tracking sheet as sheets/NAME (0600); returns its path."""
        return _write_private(self.sheets_dir / safe_name(name), data)

    def saved_letters(self) -> list[Path]:
        """The saved letter specs, by name."""
        return sorted(p for p in self.letters_dir.iterdir() if p.is_file() and not p.name.startswith("."))

    def saved_sheets(self) -> list[Path]:
        """The saved sheets, by name."""
        return sorted(p for p in self.sheets_dir.iterdir() if p.is_file() and not p.name.startswith("."))

    def new_run_dir(self, label: str = "") -> Path:
        """A new, empty folder (0700) under runs/ for one produced set: the time in UTC,
        then ``label``, counted on when taken."""
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
        base = stamp + (f"-{safe_name(label)}" if label else "")
        n = 1
        while True:
            path = self.runs_dir / (base if n == 1 else f"{base}-{n}")
            try:
                path.mkdir(mode=0o700)
            except FileExistsError:
                n += 1
                continue
            os.chmod(path, 0o700)
            return path


def safe_name(name: str) -> str:
    """``name`` as one file name: no folders, no control or reserved characters."""
    name = _UNSAFE.sub("_", Path(str(name).replace("\\", "/")).name).strip(" .")
    if not name:
        raise InputError("ชื่อไฟล์ว่างหรือใช้ไม่ได้")
    return name[:120]


def _write_private(path: Path, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# --- numbers from the register ---------------------------------------------------------


def number_slots(planning: "Planning") -> tuple[dict[str, int], list[tuple[str, int]]]:
    """How many numbers of each series the letters of ``planning`` take, and per letter its
    (series, index into that series' numbers): the copies of one circular variant share one
    ว number; every other letter has its own number of its series (compose.series_of: an
    ordinary letter's, a memo's internal one), in plan order."""
    from ..compose import series_of

    counts: dict[str, int] = {}
    circulars: dict[str, int] = {}
    slots = []
    for item in planning.planned:
        series = series_of(planning.spec, item)
        if series == CIRCULAR:
            if item.variant not in circulars:
                circulars[item.variant] = counts.get(CIRCULAR, 0)
                counts[CIRCULAR] = circulars[item.variant] + 1
            slots.append((CIRCULAR, circulars[item.variant]))
        else:
            slots.append((series, counts.get(series, 0)))
            counts[series] = counts.get(series, 0) + 1
    return counts, slots


def numbers_text(agency_code: str, numbers: dict[str, Sequence[int]]) -> str:
    """The numbers of a run as the letters show them: "ชร ๐๐๒๓.๑/ว ๕, ชร ๐๐๒๓.๑/๑๒–๑๔"; a
    memo's internal numbers, printed like ordinary ones, are said to be so."""
    from ..thai import arabic_digit_to_thai_digit

    parts = []
    for series in (CIRCULAR, ORDINARY, INTERNAL):
        taken = list(numbers.get(series, ()))
        if not taken:
            continue
        span = str(taken[0]) if len(taken) == 1 else f"{taken[0]}–{taken[-1]}"
        which = f" ({SERIES_NAMES[INTERNAL]})" if series == INTERNAL else ""
        parts.append(f"{agency_code}/{number_prefix(series)}{span}{which}")
    return arabic_digit_to_thai_digit(", ".join(parts))


def next_numbers(workspace: Workspace, planning: "Planning") -> dict[str, range]:
    """The numbers of each series the letters of ``planning`` would take if run now (a
    preview: another run may take them first)."""
    counts, _ = number_slots(planning)
    register = workspace.register()
    year = be_year(planning.spec.date)
    numbers = {}
    for series, count in counts.items():
        first = register.next_number(year, series)
        numbers[series] = range(first, first + count)
    return numbers


def next_numbers_text(workspace: Workspace, planning: "Planning") -> str:
    """What `check` says about numbers with a workspace: the numbers the run would take now."""
    from ..thai import arabic_digit_to_thai_digit

    numbers = next_numbers(workspace, planning)
    year = be_year(planning.spec.date)

    return (f"เลขที่หนังสือมาจากทะเบียนหนังสือส่งของ workspace {workspace.root} "
            f"(ไม่ใช้ number ใน {'[addressee]' if planning.spec.addressee else '[variants]'} ของ spec): "
            f"ถ้าสร้างตอนนี้จะได้ "
            f"{numbers_text(planning.spec.agency_code, numbers)} "
            f"ปี พ.ศ. {arabic_digit_to_thai_digit(str(year))}")


def _file_digest(path) -> tuple[str, str]:
    """(file name, sha256) of a file, or ("", "") when there is none."""
    if path is None or not Path(path).is_file():
        return "", ""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return Path(path).name, digest.hexdigest()


def run_key(kind: str, planning: "Planning", out_dir: Path) -> str:
    """What identifies a run for the register: its kind, the spec as read (overrides
    applied), the letters planned (rows, members, route, progress figures) and the output
    folder. The same key again is the same run, which keeps its numbers."""
    digest = hashlib.sha256()
    digest.update(kind.encode() + b"\0")
    digest.update(json.dumps(planning.spec.raw, sort_keys=True, ensure_ascii=False,
                             default=str).encode("utf-8") + b"\0")
    digest.update(repr(planning.planned).encode("utf-8") + b"\0")
    digest.update(repr(planning.totals).encode("utf-8") + b"\0")
    digest.update(str(out_dir).encode("utf-8"))
    return digest.hexdigest()


def run_folder(workspace: Workspace, kind: str, planning: "Planning") -> Path:
    """runs/DATE-KIND-DIGEST: the folder of a run in the workspace, the same for the same
    spec, sheet and letters."""
    key = run_key(kind, planning, Path())
    return workspace.runs_dir / f"{planning.spec.date.isoformat()}-{kind}-{key[:12]}"


class NumbersChanged(InputError):
    """The register would give a run other numbers than the ones the clerk agreed to."""


NUMBERS_CHANGED = ("เลขที่หนังสือในทะเบียนเปลี่ยนไปแล้ว (มีการสร้างหนังสือชุดอื่นก่อน): ชุดนี้จะได้ {now} "
                   "ไม่ใช่ {expected} ที่ยืนยันไว้ จึงยังไม่ได้สร้างและไม่ได้ใช้เลขใด")


def write_registered(
    workspace: Workspace, kind: str, spec: "Spec", book: "Book", planning: "Planning",
    out_dir: str | Path | None, *, check=None, expected_numbers: str | None = None, **write_options,
) -> "RunResult":
    """Write the letters of ``planning`` into ``out_dir`` (batch.write_set) with their
    numbers taken from the workspace's register, and record the run there. Without an
    ``out_dir`` the set goes to the workspace's runs/, in a folder named by the letter's
    date, the kind and the run's inputs (``run_folder``), so the same run started again
    finds its folder and its numbers.

    The numbers are reserved in one transaction that also checks every letter with them,
    so bad input takes no number. The run is then written; when the set is complete the
    run is marked issued with its files and their sha256. A run that stops before that
    keeps its reservation, and the same run started again (same key) reuses it.

    ``expected_numbers``: the numbers (``numbers_text``) the clerk was shown and agreed to;
    when the register would give others (another run took those first), NumbersChanged is
    raised inside the transaction, so nothing is taken and nothing written."""
    from ..batch import check_letters, register_remark, write_set
    from ..filenames import unique_stems
    from ..thai import DateError, parse_thai_date

    out = Path(out_dir).absolute() if out_dir is not None else run_folder(workspace, kind, planning)
    register = workspace.register()
    counts, slots = number_slots(planning)
    year = be_year(spec.date)
    spec_name, spec_sha = _file_digest(spec.path)
    sheet_name, sheet_sha = _file_digest(book.path)
    with register.reserve(
        key=run_key(kind, planning, out), kind=kind, year=year, counts=counts, out_dir=str(out),
        spec_name=spec_name, spec_sha256=spec_sha, sheet_name=sheet_name, sheet_sha256=sheet_sha,
        letters=len(planning), subject=spec.subject,
    ) as reservation:
        given = numbers_text(spec.agency_code, reservation.numbers)
        if expected_numbers is not None and given != expected_numbers:
            raise NumbersChanged(NUMBERS_CHANGED.format(now=given, expected=expected_numbers))
        taken = [(series, reservation.numbers[series][i]) for series, i in slots]
        planning = planning.numbered([number for _, number in taken])
        checked = check_letters(planning, check, write_options.get("jobs"))  # all checks, with the numbers reserved
        stems = unique_stems([(e.key, e.recipient_name) for e in checked.entries])
        rows = []
        for entry, stem in zip(checked.entries, stems):
            try:
                date = parse_thai_date(entry.date_text)
            except DateError:
                date = spec.date
            remark = register_remark(entry.circular, entry.remark,
                                     "หนังสือติดตาม" if kind == KIND_REMINDERS else "")
            rows.append(NewEntry(entry.number, date, entry.agency, entry.recipient_id,
                                 entry.recipient_name, entry.subject, spec.register_action,
                                 remark, stem))
        reservation.record(rows, taken)
    result = write_set(spec, planning, out, checked=checked,
                       register_numbers=taken, **write_options)
    files = [(str(path.relative_to(out)) if path.is_relative_to(out) else str(path),
              _file_digest(path)[1]) for path in result.files]
    register.issue(reservation.run_id, files, result.signatures)
    return dataclasses.replace(result, register_run=reservation.run_id,
                               numbers=numbers_text(spec.agency_code, reservation.numbers))


__all__ = ["Workspace", "default_root", "write_registered", "run_folder", "number_slots", "NumbersChanged",
           "next_numbers", "next_numbers_text", "KIND_LETTERS", "KIND_REMINDERS"]
