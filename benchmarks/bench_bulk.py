"""Bulk rendering speed: `lettergen render` against the naive one-document-per-letter loop.

    python benchmarks/bench_bulk.py 144 1000 [--jobs 2] [--baseline-sample 60]
    python benchmarks/bench_bulk.py 998 --grouped [--baseline-sample 6]

For each N it writes N synthetic recipients (the 18 real districts of Chiang Rai, fake LAO
names and credentials), then
  1. runs the real CLI, `lettergen render SPEC --recipients CSV --format pdf,docx`, in a child
     process, sampling the resident memory of the whole process tree (workers included);
  2. in this process, on the same letters and the same HTML, runs the naive baseline: a fresh
     `weasyprint.HTML(string=html).write_pdf()` per letter, PDF only, no batching.
By default every LAO gets a letter of its own (every kind routed "direct"); with --grouped the
spec's own routing applies: one letter per district office, listing the logins of the LAOs of
its district (998 LAOs: 18 letters of 45 to 62 rows each), and the rates are pages a second.
The baseline runs on an evenly spaced sample of the letters (all of them when N is small) and
its rate is taken over that sample. Prints a Markdown table and, for runs of at least 2,000
letters, the peak memory over each 1,000 letters in turn (memory that does not grow with N
stays level from one to the next).
Run by hand; the results go into the README. Never run as part of the tests.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "lettergen" / "examples" / "chiang-rai-2561" / "letter.toml"
DISTRICTS = (
    "เมืองเชียงราย", "เวียงชัย", "เชียงของ", "เทิง", "พาน", "ป่าแดด", "แม่จัน", "เชียงแสน", "แม่สาย",
    "แม่สรวย", "เวียงป่าเป้า", "พญาเม็งราย", "เวียงแก่น", "ขุนตาล", "แม่ฟ้าหลวง", "แม่ลาว",
    "เวียงเชียงรุ้ง", "ดอยหลวง",
)
SYLLABLES = ("บ้าน", "ป่า", "ดอน", "แม่", "ห้วย", "นา", "สัน", "ทุ่ง", "หนอง", "เวียง", "ศรี", "ดง",
             "ไชย", "คำ", "งาม", "ใหม่", "หลวง", "ทอง", "แก้ว", "เหนือ", "ใต้", "ยาว", "ลอ", "ตาล")
WINDOW = 1000  # letters: memory at the start of a long run is compared with memory at its end
ROUTE_ALL_DIRECT = [
    "--set", "routing.via_district=[]",
    "--set", 'routing.direct=["อบจ.", "ทน.", "ทม.", "ทต.", "อบต."]',
]


def write_recipients(path: Path, n: int) -> None:
    rng = random.Random(n)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "kind", "district", "username", "password", "done"])
        for i in range(1, n + 1):
            kind, prefix = rng.choice((("ทต.", "เทศบาลตำบล"), ("อบต.", "องค์การบริหารส่วนตำบล")))
            name = prefix + "".join(rng.sample(SYLLABLES, 2)) + f" {i}"
            writer.writerow([f"B{i:05d}", name, kind, rng.choice(DISTRICTS), f"bench{i:05d}",
                             f"FAKE-{rng.randrange(16**6):06x}", rng.choice(("0", "1"))])


def tree_rss_kib(pid: int) -> int:
    """Memory of ``pid`` and all its descendants, in KiB: the sum of their proportional set
    sizes (PSS), so pages that forked workers share with their parent count once."""
    total, stack = 0, [pid]
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry.name))
            except (OSError, IndexError):
                pass
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
        stack.extend(children.get(p, []))
    return total


def pdf_pages(paths) -> int:
    import pypdfium2 as pdfium

    total = 0
    for path in paths:
        document = pdfium.PdfDocument(path)
        total += len(document)
        document.close()
    return total


def run_lettergen(csv_path: Path, out: Path, jobs: int | None, routing: list[str]) -> tuple[float, list, int, int]:
    """Seconds, the memory of the process tree over time ((seconds, PSS KiB) every 0.2 s),
    and the number of PDFs and of their pages written by the real CLI."""
    command = [sys.executable, "-m", "lettergen", "render", str(SPEC), "--recipients", str(csv_path),
               "--out", str(out), "--format", "pdf,docx", *routing]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    samples = []
    done = threading.Event()

    def sample():
        while not done.is_set():
            samples.append((time.perf_counter() - started, tree_rss_kib(child.pid)))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = child.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"lettergen failed: {err.decode()}")
    pdfs = list(out.glob("*.pdf"))
    return seconds, samples, len(pdfs), pdf_pages(pdfs)


def window_peak_mib(samples: list, start: float, stop: float) -> float:
    """The highest memory sampled between ``start`` and ``stop`` seconds, in MiB."""
    return max((kib for t, kib in samples if start <= t <= stop), default=0) / 1024


def run_naive(csv_path: Path, sample: int, routing: list[str]) -> tuple[float, float, int]:
    """Letters and pages per second of the naive loop over a sample of the same letters."""
    sys.path.insert(0, str(ROOT))
    import pypdfium2 as pdfium

    from lettergen.compose import compose_all
    from lettergen.pdf.weasy import import_weasyprint
    from lettergen.pdf.writer import html
    from lettergen.sheets.recipients import load_recipients
    from lettergen.spec import load_spec

    overrides = dict(item.split("=", 1) for item in routing[1::2])
    spec = load_spec(SPEC, overrides)
    letters = compose_all(spec, load_recipients(csv_path, spec))
    step = max(1, len(letters) // sample)
    chosen = letters[::step][:sample]
    weasyprint = import_weasyprint()
    pages = [html([letter]) for letter in chosen]  # the same HTML lettergen lays out
    started = time.perf_counter()
    written = [weasyprint.HTML(string=page, base_url=str(ROOT / "lettergen" / "templates") + "/").write_pdf()
               for page in pages]
    seconds = time.perf_counter() - started
    page_count = sum(len(pdfium.PdfDocument(data)) for data in written)
    return len(chosen) / seconds, page_count / seconds, len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[144, 1000])
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--baseline-sample", type=int, default=None,
                        help="letters the naive loop renders (default 60; 6 with --grouped)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--grouped", action="store_true",
                        help="the spec's routing: one letter per district office, listing its LAOs")
    args = parser.parse_args()
    routing = [] if args.grouped else ROUTE_ALL_DIRECT
    sample_size = args.baseline_sample or (6 if args.grouped else 60)
    rows, windows = [], []
    for n in args.sizes:
        work = Path(tempfile.mkdtemp(prefix=f"bench-{n}-"))
        try:
            csv_path = work / "recipients.csv"
            write_recipients(csv_path, n)
            seconds, samples, pdfs, pages = run_lettergen(csv_path, work / "out", args.jobs, routing)
            if not args.grouped:
                assert pdfs == n, f"expected {n} PDFs, got {pdfs}"
            peak_kib = max(kib for _, kib in samples)
            if n >= 2 * WINDOW and not args.grouped:  # does memory grow as the run goes on?
                span = seconds * WINDOW / n
                windows.append((n, [window_peak_mib(samples, k * span, (k + 1) * span)
                                    for k in range(-(-n // WINDOW))]))
            if args.no_baseline:
                naive, naive_pages, sampled = float("nan"), float("nan"), 0
            else:
                naive, naive_pages, sampled = run_naive(csv_path, min(pdfs, sample_size), routing)
            rows.append((n, pdfs, pages, seconds, peak_kib / 1024, naive, naive_pages, sampled))
            print(f"N={n}: {pdfs / seconds:.1f} letters/s, {pages / seconds:.1f} pages/s; naive "
                  f"{naive:.2f} letters/s, {naive_pages:.2f} pages/s", file=sys.stderr)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nMachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, jobs={args.jobs or os.cpu_count()}\n")
    if args.grouped:
        print("| LAOs | district letters | pages | lettergen PDF+DOCX pages/s | total s | peak memory (PSS) MiB "
              "| naive PDF-only pages/s (sample) | ratio |")
        print("|---|---|---|---|---|---|---|---|")
        for n, pdfs, pages, seconds, rss, naive, naive_pages, sampled in rows:
            rate = pages / seconds
            print(f"| {n} | {pdfs} | {pages} | {rate:.1f} | {seconds:.1f} | {rss:.0f} | "
                  f"{naive_pages:.2f} ({sampled} letters) | {rate / naive_pages:.1f}x |")
    else:
        print("| N | lettergen PDF+DOCX letters/s | ms per letter | total s | peak memory (PSS) MiB "
              "| naive PDF-only letters/s (sample) | ratio |")
        print("|---|---|---|---|---|---|---|")
        for n, pdfs, pages, seconds, rss, naive, naive_pages, sampled in rows:
            rate = n / seconds
            print(f"| {n} | {rate:.1f} | {1000 * seconds / n:.0f} | {seconds:.1f} | {rss:.0f} | "
                  f"{naive:.2f} ({sampled}) | {rate / naive:.1f}x |")
    for n, peaks in windows:
        print(f"\nN={n}, peak memory (PSS) MiB over each {WINDOW:,} letters in turn: "
              + ", ".join(f"{peak:.0f}" for peak in peaks))


if __name__ == "__main__":
    main()
