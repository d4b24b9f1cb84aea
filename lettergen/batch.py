"""A run: many letters rendered and written into an output folder, with the register.

Every letter is composed (and so every input checked) before the first byte is written.
Letters are rendered in chunks, each chunk laid out as one PDF document and split per letter
(pdf.writer.write_pdfs_with_pages), by ``jobs`` worker processes that are replaced after a number of
chunks so memory stays flat; a chunk's DOCX files are a task of their own, started while the
PDFs' shared parts are laid out. Each file is written under a temporary name and renamed into
place, so a file that exists is complete; the register comes last.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, Sequence

from .compose import Planning, check_delivery_passwords, plan_letters
from .errors import InputError
from .filenames import unique_stems
from .files import atomic_file, write_atomic  # noqa: F401  (atomic_file: for callers of batch)
from .kinds import KINDS
from .model import Letter
from .output_lock import LOCK_NAME, output_lock
from .workers import Forked, SideProcess, WorkerDied
from .sheets.recipients import Book
from .rendering import (DELIVERY, FORMATS, check_writers, load, prepare, render_letters,
                        shared_attachments)
from .registers.run_register import RegisterRow, preload as preload_register, register_csv, register_xlsx
from .resources import font_paths
from .spec import Spec
from .thai import arabic_digit_to_thai_digit

CHUNK_MIN, CHUNK_MAX = 8, 64  # letters laid out together in one WeasyPrint document
CHUNK_ROWS = 512  # credentials rows in a chunk of letters that carry long lists, about
LONG_LIST = 20  # rows a letter carries, on average, from which chunks are cut by rows
CHUNKS_PER_WORKER = 10  # a worker is replaced after this many chunks (memory stays flat)
STAGING = ".incomplete"  # where a run writes until every letter is done


def chunk_size(letters: int, rows: int = 0) -> int:
    """Letters per chunk: up to CHUNK_MAX (the more letters a document lays out, the more
    lines they share and the less each pays for the document), but at least four chunks
    when there are enough letters, so that two workers get two chunks each and finish
    together. (144 letters: 36 a chunk took 5.4-5.7 s, 18 a chunk 6.3-6.5 s, and 48 a chunk,
    three chunks for two workers, 6.5-7.4 s.) Letters that carry long credentials lists
    (``rows`` in all, more than LONG_LIST a letter: the district letters of a large
    province) are cut by their rows instead: about CHUNK_ROWS rows a chunk, two chunks at
    least, their number rounded up to an even one so that two workers get as many each
    (whole letters to a chunk can still leave an odd number: 9 letters of 2,500 rows make
    five chunks, of 2, 2, 2, 2 and 1 letters). 998 LAOs in 18 letters are two chunks of
    nine: laid out in one process, 18 such letters took 0.60 s of CPU in chunks of nine
    against 0.67 s in chunks of three (each chunk's own document is a cost of its own), and
    eight, eight and two letters left a worker idle. The sizes are for two cores: with more,
    such a set still keeps two of them busy. It depends on the numbers of letters and rows
    only, so a run cuts its chunks the same way every time."""
    size = min(CHUNK_MAX, max(CHUNK_MIN, -(-letters // 4)))
    if letters and rows > LONG_LIST * letters:
        chunks = max(2, -(-rows // CHUNK_ROWS))
        chunks += chunks % 2
        size = max(1, -(-letters // chunks))
    return size


@dataclass(frozen=True)
class Written:
    """What a worker reports for one letter: file names, hashes, page count, and, for a
    signed PDF, its signature (signing.keys.Signature.record())."""

    stem: str
    sha256: dict  # format -> hex digest
    pages: int
    signature: dict | None = None


def format_parts(formats: Sequence[str]) -> list[tuple[str, ...]]:
    """The formats a chunk of letters is rendered in, as separate tasks: DOCX apart from the
    PDFs, because DOCX needs nothing laid out and so can be written while the PDFs' shared
    rows are (see _map)."""
    layout = tuple(f for f in formats if f != "docx")
    if "docx" in formats and layout:
        return [("docx",), layout]
    return [tuple(formats)]


def _merge(parts: list[list[Written]]) -> list[Written]:
    """One chunk's letters, each with the files of every part (the page count is the PDF's)."""
    return [Written(ws[0].stem, {k: v for w in ws for k, v in w.sha256.items()},
                    max(w.pages for w in ws), next((w.signature for w in ws if w.signature), None))
            for ws in zip(*parts)]


@dataclass(frozen=True)
class RunResult:
    out_dir: Path
    letters: int
    pages: int
    seconds: float
    files: tuple[Path, ...]
    register_run: int | None = None  # with a workspace: the run's id in its register
    numbers: str = ""  # with a workspace: the numbers the run took, as the letters show them
    signatures: tuple = ()  # per letter, in run order: its Signature.record(), or None


class ChunkTask(NamedTuple):
    """One task of a run's workers: a chunk of letters in some formats."""

    planning: Planning  # the chunk's letters, planned (composed in the worker)
    stems: Sequence[str]  # their file names, without the extension
    formats: Sequence[str]
    out_dir: str  # the staging folder
    signer: object = None  # with a signer the chunk's PDFs are signed before they are written


def render_chunk(task: ChunkTask) -> list[Written]:
    """Compose, render (rendering.render_letters) and write one chunk of letters, in a
    worker."""
    out = Path(task.out_dir)
    results: list[Written] = []
    for stem, rendered in zip(task.stems, render_letters(task.planning.compose(), task.formats,
                                                         signer=task.signer)):
        digests = {}
        for fmt, data in rendered.files.items():
            write_atomic(out / f"{stem}.{fmt}", data)
            digests[fmt] = hashlib.sha256(data).hexdigest()
        signature = rendered.signature.record() if rendered.signature else None
        results.append(Written(stem, digests, rendered.pages, signature))
    return results


@dataclass(frozen=True)
class RunOptions:
    """What the user chose for a set (``batch.run``): the formats; ``only`` these recipients'
    letters; ``jobs`` worker processes (None: one per core); ``print_pdf`` and ``zip_set``
    (print.pdf, letters.zip); ``progress`` (None: a bar on a terminal); ``wait`` for another
    run writing into the folder instead of stopping; a ``signer`` (signing.load_signer): every
    PDF signed in the staging folder, so the set comes out wholly signed or not at all, and
    the register records each letter's certificate and signing time; ``signing_memo``: the set
    starts with the memo that takes it up for signature (signing_memo.py), numbered and
    recorded like its letters; ``expected_numbers`` (with a workspace): the numbers the clerk
    agreed to, which the run takes or nothing (Workspace.write_registered); ``leave_out``: ids
    of rows left out of the set (compose.plan_letters)."""

    formats: Sequence[str] = FORMATS
    only: Sequence[str] | None = None
    jobs: int | None = None
    print_pdf: bool = False
    zip_set: bool = False
    progress: bool | None = None
    wait: bool = False
    signer: object = None
    signing_memo: bool = False
    expected_numbers: str | None = None
    leave_out: Sequence[str] = ()


def run(spec: Spec, book: Book, out_dir: str | Path | None, options: RunOptions = RunOptions(), *,
        stderr=None, workspace=None, on_progress=None) -> RunResult:
    """Render every letter of ``spec`` + ``book`` into ``out_dir``, as ``options`` say. The
    folder is held for this run from the start (output_lock): another run writing there makes
    this one stop at once with an input error naming it, or, with ``options.wait``, wait for
    it. With a ``workspace`` (a registers.workspace.Workspace, which this module does not
    import: it imports this one) the letters' numbers come from its register, where the run
    is recorded (Workspace.write_registered), and ``out_dir`` None puts the set in its runs/.
    ``on_progress(done, total)``, when given, is called as letters are finished (the web
    app's progress bar)."""
    stderr = stderr or sys.stderr
    o = options
    if workspace is not None:  # checked there, with the numbers reserved in the register
        planning = plan_letters(spec, book, o.only, signing_memo=o.signing_memo, leave_out=o.leave_out)
        check = (lambda letters: check_delivery_passwords(letters, book)) if DELIVERY in o.formats else None
        _check_resources(spec, o.formats, stderr)
        return workspace.write_registered("letters", spec, book, planning, out_dir, check=check,
                                          expected_numbers=o.expected_numbers, formats=o.formats,
                                          jobs=o.jobs, print_pdf=o.print_pdf, zip_set=o.zip_set,
                                          progress=o.progress, stderr=stderr, wait=o.wait,
                                          on_progress=on_progress, signer=o.signer)
    # a side process loads the XLSX library meanwhile, unless the run was given one core
    one_core = (o.jobs or os.cpu_count() or 1) == 1
    with output_lock(out_dir, wait=o.wait, waiting=lambda message: print(message, file=stderr)), \
            (nullcontext() if one_core else SideProcess(preload_register)) as register_side:
        planning = plan_letters(spec, book, o.only, signing_memo=o.signing_memo, leave_out=o.leave_out)
        check = (lambda letters: check_delivery_passwords(letters, book)) if DELIVERY in o.formats else None
        checked = check_letters(planning, check, o.jobs)  # all checks happen here, before any output
        _check_resources(spec, o.formats, stderr)
        return write_set(spec, planning, out_dir, formats=o.formats, jobs=o.jobs, print_pdf=o.print_pdf,
                         zip_set=o.zip_set, progress=o.progress, stderr=stderr, checked=checked,
                         on_progress=on_progress, signer=o.signer, register_side=register_side)


def _check_resources(spec: Spec, formats: Sequence[str], stderr) -> None:
    """What a run needs besides its input, checked before any output."""
    if "pdf" in formats or DELIVERY in formats:
        font_paths()  # a missing font file is an input error, found before any output
    check_writers(formats)  # and so is an untested WeasyPrint or python-docx
    if spec.emblem is None and "pdf" in formats:
        height = arabic_digit_to_thai_digit(f"{KINDS[spec.kind].band.height_cm:g}")
        print(f"หมายเหตุ: ไม่ได้กำหนดตราครุฑ (letter.emblem) จึงเว้นที่ว่าง {height} ซม. "
              "ไว้สำหรับพิมพ์ลงกระดาษที่มีตราครุฑ", file=stderr)


@dataclass(frozen=True)
class Entry:
    """What the register and the file names need of a letter: all a run keeps of each
    letter while the letters themselves are composed chunk by chunk."""

    key: str
    recipient_id: str
    recipient_name: str
    number: str
    date_text: str
    agency: str
    subject: str
    circular: bool
    email: str = ""  # the addressee's addresses (mail.json), ", " between them
    credentials: bool = False  # the letter carries logins (sent only as its encrypted copy)
    remark: str = ""  # the letter's own remark in the register ([register] remark)


@dataclass(frozen=True)
class Checked:
    """Every letter of a run composed once, so every input is checked before any output:
    per letter its Entry, per chunk of ``size`` letters the digest of its letters (for the
    resume manifest)."""

    entries: tuple[Entry, ...]
    digests: tuple[str, ...]
    size: int


CHECKED_APART = 1000  # letters: from this many, a forked process checks the second half


def check_letters(planning: Planning, check=None, jobs: int | None = None) -> Checked:
    """Compose ``planning`` chunk by chunk (``check(letters)`` on each chunk may raise an
    input error too), keeping only what the run needs later. A run of CHECKED_APART letters
    or more that may use more than one core (``jobs``: None for one a core) checks its second
    half in a forked process meanwhile (workers.Forked): the check is done before the
    workers start, on one core, and the other was idle (7,852 letters: 4.2 s, now 2.7 s). The error
    raised is the first letter's in order, as when one process checks them all."""
    size = chunk_size(len(planning), sum(len(item.members) for item in planning.planned))
    starts = range(0, len(planning), size)
    apart = len(planning) >= CHECKED_APART and len(starts) > 1 and (jobs or os.cpu_count() or 1) > 1
    split = starts[len(starts) // 2] if apart else len(planning)
    with Forked(_checked, planning, check, split, len(planning), size) if apart else nullcontext() as rest:
        entries, digests = _checked(planning, check, 0, split, size)
        if rest is not None:
            try:
                more = rest.result()
            except WorkerDied:  # none could be forked, or it died: checked here
                more = _checked(planning, check, split, len(planning), size)
            entries += more[0]
            digests += more[1]
    return Checked(tuple(entries), tuple(digests), size)


def _checked(planning: Planning, check, begin: int, end: int, size: int) -> tuple[list, list]:
    """(the Entry of each letter from ``begin`` to ``end``, the digest of each chunk of
    ``size`` letters among them) for ``check_letters``."""
    same: dict[str, str] = {}  # texts most letters share (date, agency, subject), kept once
    entries, digests = [], []
    for start in range(begin, end, size):
        part = planning.part(start, min(start + size, end))
        letters = part.compose()
        if check:
            check(letters)
        digests.append(Manifest.letters_key(letters))
        entries += [Entry(letter.key, letter.recipient_id, letter.recipient_name, letter.number,
                          same.setdefault(letter.date_text, letter.date_text),
                          same.setdefault(letter.agency, letter.agency),
                          same.setdefault(letter.subject, letter.subject), letter.circular,
                          getattr(item.addressee, "email", ""), bool(letter.secrets),
                          letter.register_remark)
                    for letter, item in zip(letters, part.planned)]
    return entries, digests


def write_set(
    spec: Spec, planning: Planning, out_dir: str | Path, *,
    formats: Sequence[str] = FORMATS, jobs: int | None = None, print_pdf: bool = False,
    zip_set: bool = False, progress: bool | None = None, stderr=None,
    register_start: int | None = None, checked: Checked | None = None, wait: bool = False,
    register_numbers: Sequence[tuple[str, int]] | None = None, on_progress=None, signer=None,
    register_side: SideProcess | None = None,
) -> RunResult:
    """Render the letters of ``planning`` into ``out_dir`` with the register (numbered from
    ``register_start``, by default the spec's; with a workspace, ``register_numbers`` per
    letter: its series and its number in it), and on request ``print.pdf`` and the whole set as ``letters.zip``. Every letter is checked first (``checked``, made here when not
    given), so bad input stops the run before anything is written.

    Files are rendered into ``out_dir/.incomplete/`` and listed, chunk by chunk, in its
    manifest; only when every letter is there are they moved into ``out_dir``. A run that
    is killed leaves complete files and a manifest; the same command run again keeps the
    chunks whose input and file hashes match and renders only the rest, so the final set
    is byte-identical to an uninterrupted run (chunks are cut at the same letters).

    The register, ``print.pdf`` and ``letters.zip`` are written into the staging folder too,
    and everything is moved into ``out_dir`` at the very end: a run that fails or is killed
    leaves ``out_dir`` as it was, plus ``.incomplete/``. The folder is held by this run
    throughout (output_lock; see ``run``). With a ``register_side`` (``run``'s, forked
    before the letters were checked, which loaded the XLSX library meanwhile), the
    register's workbook is made there: at the end of the run, all the run waits for."""
    stderr = stderr or sys.stderr
    with output_lock(out_dir, wait=wait, waiting=lambda message: print(message, file=stderr)):
        return _write_set(spec, planning, out_dir, formats=formats, jobs=jobs,
                          print_pdf=print_pdf, zip_set=zip_set, progress=progress,
                          stderr=stderr, register_start=register_start, checked=checked,
                          register_numbers=register_numbers, on_progress=on_progress,
                          signer=signer, register_side=register_side)


def _write_set(spec, planning, out_dir, *, formats, jobs, print_pdf, zip_set, progress, stderr,
               register_start, checked, register_numbers, on_progress, signer,
               register_side) -> RunResult:
    started = time.perf_counter()
    checked = checked or check_letters(planning)
    entries, size = checked.entries, checked.size
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = out / STAGING
    staging.mkdir(exist_ok=True, mode=0o700)
    stems = unique_stems([(entry.key, entry.recipient_name) for entry in entries])
    parts = format_parts(formats)
    tasks, keys = [], []
    for chunk, start in enumerate(range(0, len(entries), size)):
        chunk_stems = stems[start:start + size]
        for part in parts:
            signs = signer if signer is not None and set(part) != {"docx"} else None
            tasks.append(ChunkTask(planning.part(start, start + size), chunk_stems, part, str(staging), signs))
            keys.append(Manifest.key(checked.digests[chunk], chunk_stems, part,
                                     signs.identity if signs else ""))
    manifest = Manifest(staging / "manifest.jsonl")
    done = {i: manifest.completed(keys[i], staging) for i in range(len(tasks))}
    todo = [i for i in range(len(tasks)) if done[i] is None]
    chunks = len(checked.digests)
    cores = os.cpu_count() or 1
    most = max(2, cores)  # a process a core: each forked one holds the layout engine's memory
    if jobs and jobs > most and chunks > most:  # --jobs 200 typed for 2
        print(f"หมายเหตุ: --jobs {jobs} มากกว่าจำนวนคอร์ของเครื่องนี้ ({cores}) "
              f"จึงใช้ {most} โพรเซส", file=stderr)
    jobs = max(1, min(jobs or cores, most, chunks))
    if progress is None:
        progress = stderr.isatty()
    results: dict[int, list[Written]] = {i: w for i, w in done.items() if w is not None}

    def chunk_of(i: int) -> range:  # the tasks of task i's chunk: one per part
        first = i - i % len(parts)
        return range(first, first + len(parts))

    def complete(i: int) -> bool:
        return all(j in results for j in chunk_of(i))

    with _ProgressBar(len(entries), enabled=progress, stream=stderr, callback=on_progress) as bar:
        bar.advance(sum(len(results[i]) for i in range(0, len(tasks), len(parts)) if complete(i)))
        running = len(todo)
        try:
            for n, chunk in _map(render_chunk, [tasks[i] for i in todo], jobs):
                running -= 1
                i = todo[n]
                manifest.record(keys[i], chunk)
                results[i] = chunk
                if complete(i):
                    bar.advance(len(chunk))  # every file of the chunk's letters is written
                if running < jobs and (register_side is None or register_side.process is None):
                    preload_register()  # the last tasks run and a core is free: load the
                    # register's library now (a side process has loaded it otherwise)
        except InputError:
            # input that only laying out finds wrong (a row taller than a page): the input
            # must change, so nothing is kept to resume, and the folder is left as it was
            _empty_staging(staging)
            raise
    written = [w for i in range(0, len(tasks), len(parts))
               for w in _merge([results[j] for j in chunk_of(i)])]
    staged = [staging / f"{w.stem}.{fmt}" for w in written for fmt in formats]
    staged += _write_register(spec, entries, written, staging,
                              register_start or spec.register_start, register_numbers, register_side)
    if print_pdf and "pdf" in formats:
        from .pdf.pdfa import concatenate

        for name, part in print_files([staging / f"{w.stem}.pdf" for w in written]):
            path = staging / name
            write_atomic(path, concatenate(part))
            staged.append(path)
    if zip_set:
        from .archive import ZIP_NAME, write_zip

        staged.append(write_zip(staging / ZIP_NAME, staged, spec.date))
    from .mail.mailing import MAIL_FILE, mailing_json

    mailing = mailing_json(spec, entries, [w.stem for w in written], formats)
    if mailing is not None:  # what `lettergen send` needs; not part of the zip to hand on
        write_atomic(staging / MAIL_FILE, mailing)
        staged.append(staging / MAIL_FILE)
    files = []
    for path in staged:  # the set is complete: into the output folder
        os.replace(path, out / path.name)
        files.append(out / path.name)
    manifest.path.unlink(missing_ok=True)
    for leftover in staging.glob(".part-*"):
        leftover.unlink()
    # the staging folder goes when the lock is let go (output_lock), once it is empty
    return RunResult(out_dir=out, letters=len(entries), pages=sum(w.pages for w in written),
                     seconds=time.perf_counter() - started, files=tuple(files),
                     signatures=tuple(w.signature for w in written))


def _empty_staging(staging: Path) -> None:
    """Every file of the staging folder removed but its lock: the lock's release then removes
    the folder, and the output folder if this run made it."""
    for path in staging.iterdir():
        if path.name != LOCK_NAME:
            path.unlink(missing_ok=True)


class Manifest:
    """Chunks already rendered into the staging folder: one JSON line per finished chunk
    (its input hash, and per letter the stem, page count and file hashes). A line cut
    short by a kill is ignored."""

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[str, list] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    self.entries[entry["key"]] = entry["letters"]
                except (ValueError, KeyError, TypeError):
                    continue

    @staticmethod
    def letters_key(letters: Sequence[Letter]) -> str:
        """A digest of everything that goes into the files of ``letters``, secrets included.
        A paragraph or attachment that letters share (compose makes equal ones one object)
        is written out once and then referred to by its place, so the step sheet is
        digested once per chunk, not once per letter."""
        digest = hashlib.sha256()
        seen: dict[int, int] = {}

        def put(value) -> None:
            if id(value) not in seen:
                seen[id(value)] = len(seen)
                digest.update(repr(value).encode("utf-8"))
            digest.update(b"\0#%d\0" % seen[id(value)])

        for letter in letters:
            for field in dataclasses.fields(letter):
                value = getattr(letter, field.name)
                if field.name in ("body", "attachments"):
                    for item in value:
                        put(item)
                    digest.update(b"\0%d\0" % len(value))
                else:
                    digest.update(f"{field.name}={value!r}\0".encode("utf-8"))
        return digest.hexdigest()

    @staticmethod
    def key(letters_key: str, stems: Sequence[str], formats: Sequence[str], signer: str = "") -> str:
        """A task's key: lettergen's code, its letters (``letters_key``), their file names,
        the formats it writes and who signs them (signing.Signer.identity; "": unsigned),
        so a set signed after a kill is signed by one certificate, at one level, throughout."""
        digest = hashlib.sha256()
        digest.update(_code_fingerprint().encode())
        digest.update(letters_key.encode())
        digest.update("\0".join(stems).encode("utf-8") + b"\0")
        digest.update(repr(tuple(formats)).encode())
        if signer:
            digest.update(b"\0signed by " + signer.encode())
        return digest.hexdigest()

    def completed(self, key: str, folder: Path) -> list[Written] | None:
        """The chunk's results when every file it lists is there with its hash."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        written = [Written(e["stem"], e["sha256"], e["pages"], e.get("signature")) for e in entry]
        for w in written:
            for fmt, digest in w.sha256.items():
                path = folder / f"{w.stem}.{fmt}"
                if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                    return None
        return written

    def record(self, key: str, written: list[Written]) -> None:
        line = json.dumps({"key": key, "letters": [
            {"stem": w.stem, "sha256": w.sha256, "pages": w.pages,
             **({"signature": w.signature} if w.signature else {})} for w in written]},
            ensure_ascii=False)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())


# Letters per print file. Joining PDFs holds every one of them open until the joined file is
# written (pikepdf/QPDF): about 1 MB a letter, 0.95 GB for 998 letters in one file (the run
# 1.14 GB at its peak). A larger set is printed from files of this many letters each (998
# letters: 0.63 GB at 500 a file), so the memory a run takes for its print job stays about
# a quarter of a gigabyte, whatever its size.
PRINT_LETTERS = 250


def print_files(pdfs: Sequence[Path]) -> list[tuple[str, Sequence[Path]]]:
    """The print job's files and the letters each joins, in order: ``print.pdf`` for a set of
    up to PRINT_LETTERS letters; else print-01.pdf, print-02.pdf... of PRINT_LETTERS each."""
    if len(pdfs) <= PRINT_LETTERS:
        return [("print.pdf", pdfs)]
    count = -(-len(pdfs) // PRINT_LETTERS)
    width = max(2, len(str(count)))
    return [(f"print-{n + 1:0{width}d}.pdf", pdfs[n * PRINT_LETTERS:(n + 1) * PRINT_LETTERS])
            for n in range(count)]


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """What else decides the bytes: lettergen's code (subpackages too), templates and fonts."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if path.is_file() and relative.parts[0] != "examples" and "__pycache__" not in relative.parts:
            digest.update(str(relative).encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _map(function, tasks, jobs):
    """(index, result) of ``function`` over ``tasks``, as each finishes; in worker processes
    (workers.imap_unordered) when jobs > 1.

    The tasks that need nothing laid out (DOCX) start first, in ``jobs - 1`` processes (at
    least one), while this process loads WeasyPrint, the stylesheet, the fonts, the templates
    and the word lists (rendering.load): on two cores the DOCX files are written on the core
    that the loading leaves idle. Then a process of its own, which shares what was loaded,
    lays out the attachments every letter shares (the step sheet,
    rendering.shared_attachments), while this process makes the rest of what the first
    layout task takes from the per-process caches (rendering.prepare): the rows every letter
    of a batch has laid out, and the step sheet taken from that process. Only then are the ``jobs`` layout
    workers forked, so each of them, and each replacement, starts with all of that in
    memory shared with this process. Workers are replaced after CHUNKS_PER_WORKER tasks, so
    memory stays flat. (The step sheet is the same bytes whichever process lays it out.)"""
    if jobs == 1 or len(tasks) < 2:
        yield from enumerate(map(function, tasks))
        return
    from .workers import imap_unordered

    docx = [i for i, task in enumerate(tasks) if set(task.formats) == {"docx"}]
    layout = [i for i, task in enumerate(tasks) if set(task.formats) != {"docx"}]

    def load_layout() -> None:  # before the attachments' process forks: it shares it
        load(tasks[layout[0]].formats)

    def attachments() -> dict:  # made by a process of its own while this one prepares
        first = tasks[layout[0]]
        return shared_attachments(first.planning.compose(), first.formats)

    def prepare_layout(take) -> None:
        first = tasks[layout[0]]
        prepare(first.planning.compose(), first.formats, attachments=take)

    yield from imap_unordered(function, tasks, jobs, light=docx, prepare=prepare_layout,
                              aside=attachments, start=load_layout,
                              tasks_per_worker=CHUNKS_PER_WORKER)


def register_remark(circular: bool, own: str, kind_note: str = "") -> str:
    """The register's หมายเหตุ of a letter: what it is (หนังสือติดตาม, หนังสือเวียน), then its
    own remark ([register] remark, or one letter's own)."""
    what = " ".join(part for part in (kind_note, "หนังสือเวียน" if circular else "") if part)
    return "; ".join(part for part in (what, own) if part)


def _write_register(spec: Spec, entries: Sequence[Entry], written, out: Path,
                    start: int, numbers: Sequence[tuple[str, int]] | None = None,
                    side: SideProcess | None = None) -> list[Path]:
    rows = []
    for i, (entry, w) in enumerate(zip(entries, written), start=start):
        signature = w.signature or {}
        series, number = ("", i) if numbers is None else numbers[i - start]
        rows.append(RegisterRow(
            register_number=number, series=series,
            number=entry.number, date=entry.date_text,
            sender=entry.agency, to=entry.recipient_name, subject=entry.subject,
            action=spec.register_action, remark=register_remark(entry.circular, entry.remark),
            recipient_id=entry.recipient_id,
            pdf=f"{w.stem}.pdf" if "pdf" in w.sha256 else "", pdf_sha256=w.sha256.get("pdf", ""),
            docx=f"{w.stem}.docx" if "docx" in w.sha256 else "",
            docx_sha256=w.sha256.get("docx", ""),
            signer=signature.get("subject", ""), certificate_serial=signature.get("serial", ""),
            signed_at=signature.get("signed_at", ""),
        ))
    when = dt.datetime.combine(spec.date, dt.time())
    paths = [out / "register.csv", out / "register.xlsx"]
    write_atomic(paths[0], register_csv(rows))
    try:
        workbook = side.call(register_xlsx, rows, when) if side is not None else None
    except WorkerDied:  # no side process, or it ended: the workbook is made here
        workbook = None
    write_atomic(paths[1], workbook if workbook is not None else register_xlsx(rows, when))
    return paths


class _ProgressBar:
    """A rich progress bar (count, rate, time left) on a terminal; silent otherwise."""

    def __init__(self, total: int, *, enabled: bool, stream, callback=None):
        self.total, self.enabled, self.stream, self.bar = total, enabled, stream, None
        self.callback, self.done = callback, 0

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeRemainingColumn)

            self.bar = Progress(
                TextColumn("กำลังสร้างหนังสือ"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} ฉบับ/วินาที"), TimeRemainingColumn(),
                console=Console(file=self.stream), transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("render", total=self.total, rate="-")
            self.started = time.perf_counter()
        return self

    def advance(self, n: int) -> None:
        self.done += n
        if self.callback is not None:
            self.callback(self.done, self.total)
        if self.bar:
            done = self.bar.tasks[0].completed + n
            rate = done / max(time.perf_counter() - self.started, 1e-9)
            self.bar.update(self.task, advance=n, rate=f"{rate:.1f}")

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()
        return False
