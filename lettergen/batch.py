"""A run: many letters rendered and written into an output folder, with the register.

Every letter is composed (and so every input checked) before the first byte is written.
Letters are rendered in chunks, each chunk laid out as one PDF document and split per letter
(pdf_writer.write_pdfs), by ``jobs`` worker processes that are replaced after a number of
chunks so memory stays flat. Each file is written under a temporary name and renamed into
place, so a file that exists is complete; the register comes last.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .compose import FORMATS, compose_all
from .filenames import unique_stems
from .model import Letter
from .recipients import Book
from .register import RegisterRow, register_csv, register_xlsx
from .spec import Spec

CHUNK = 12  # letters laid out together in one WeasyPrint document
CHUNKS_PER_WORKER = 40  # a worker is replaced after this many chunks


@dataclass(frozen=True)
class Written:
    """What a worker reports for one letter: file names, hashes, page count."""

    stem: str
    sha256: dict  # format -> hex digest
    pages: int


@dataclass(frozen=True)
class RunResult:
    out_dir: Path
    letters: int
    pages: int
    seconds: float
    files: tuple[Path, ...]


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render_chunk(task: tuple[Sequence[Letter], Sequence[str], Sequence[str], str]) -> list[Written]:
    """Render and write one chunk of letters (runs in a worker process)."""
    letters, stems, formats, out_dir = task
    out = Path(out_dir)
    results: list[Written] = []
    pdfs = pages = None
    if "pdf" in formats:
        from .pdf_writer import page_count, write_pdfs

        pdfs = write_pdfs(letters)
        pages = [page_count(pdf) for pdf in pdfs]
    for i, (letter, stem) in enumerate(zip(letters, stems)):
        digests = {}
        for fmt in formats:
            if fmt == "pdf":
                data = pdfs[i]
            else:
                from .docx_writer import write_docx

                data = write_docx(letter)
            write_atomic(out / f"{stem}.{fmt}", data)
            digests[fmt] = hashlib.sha256(data).hexdigest()
        results.append(Written(stem, digests, pages[i] if pages else 0))
    return results


def run(
    spec: Spec, book: Book, out_dir: str | Path, *, formats: Sequence[str] = FORMATS,
    only: Sequence[str] | None = None, jobs: int | None = None, print_pdf: bool = False,
    progress: bool | None = None, stderr=sys.stderr,
) -> RunResult:
    """Render every letter of ``spec`` + ``book`` into ``out_dir``."""
    started = time.perf_counter()
    letters = compose_all(spec, book, only)  # all checks happen here, before any output
    if spec.emblem is None and "pdf" in formats:
        print("หมายเหตุ: ไม่ได้กำหนดตราครุฑ (letter.emblem) จึงเว้นที่ว่าง ๓ ซม. "
              "ไว้สำหรับพิมพ์ลงกระดาษที่มีตราครุฑ", file=stderr)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    stems = unique_stems([(letter.key, letter.recipient_name) for letter in letters])
    tasks = [
        (letters[i:i + CHUNK], stems[i:i + CHUNK], tuple(formats), str(out))
        for i in range(0, len(letters), CHUNK)
    ]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    if progress is None:
        progress = stderr.isatty()
    written: list[Written] = []
    with _Progress(len(letters), enabled=progress, stream=stderr) as bar:
        for chunk in _map(render_chunk, tasks, jobs):
            written.extend(chunk)
            bar.advance(len(chunk))
    files = [out / f"{w.stem}.{fmt}" for w in written for fmt in formats]
    files += _write_register(spec, letters, written, out)
    if print_pdf and "pdf" in formats:
        from .pdf_writer import concatenate

        path = out / "print.pdf"
        write_atomic(path, concatenate([out / f"{w.stem}.pdf" for w in written]))
        files.append(path)
    return RunResult(out_dir=out, letters=len(letters), pages=sum(w.pages for w in written),
                     seconds=time.perf_counter() - started, files=tuple(files))


def _map(function, tasks, jobs):
    """Results of ``function`` over ``tasks``, in order; in worker processes when jobs > 1."""
    if jobs == 1:
        yield from map(function, tasks)
        return
    import multiprocessing

    from . import pdf_writer  # noqa: F401  imported before forking, so workers start warm

    pdf_writer.warm_up()
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, maxtasksperchild=CHUNKS_PER_WORKER) as pool:
        yield from pool.imap(function, tasks)


def _write_register(spec: Spec, letters, written, out: Path) -> list[Path]:
    rows = []
    for i, (letter, w) in enumerate(zip(letters, written), start=spec.register_start):
        rows.append(RegisterRow(
            register_number=i, number=letter.number, date=letter.date_text,
            sender=letter.agency, to=letter.recipient_name, subject=letter.subject,
            action=spec.register_action, remark="หนังสือเวียน" if letter.circular else "",
            recipient_id=letter.recipient_id,
            pdf=f"{w.stem}.pdf" if "pdf" in w.sha256 else "", pdf_sha256=w.sha256.get("pdf", ""),
            docx=f"{w.stem}.docx" if "docx" in w.sha256 else "",
            docx_sha256=w.sha256.get("docx", ""),
        ))
    when = dt.datetime.combine(spec.date, dt.time())
    paths = [out / "register.csv", out / "register.xlsx"]
    write_atomic(paths[0], register_csv(rows))
    write_atomic(paths[1], register_xlsx(rows, when))
    return paths


class _Progress:
    """A rich progress bar (count, rate, time left) on a terminal; silent otherwise."""

    def __init__(self, total: int, *, enabled: bool, stream):
        self.total, self.enabled, self.stream, self.bar = total, enabled, stream, None

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
        if self.bar:
            done = self.bar.tasks[0].completed + n
            rate = done / max(time.perf_counter() - self.started, 1e-9)
            self.bar.update(self.task, advance=n, rate=f"{rate:.1f}")

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()
        return False
