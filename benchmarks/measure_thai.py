"""What PyThaiNLP costs lettergen: its import, and the digit and date calls of composing.

    python benchmarks/measure_thai.py

Prints (1) the import of pythainlp.util in a fresh interpreter, median of 5; (2) per call,
the digit conversion over every text of the example's letters, with the regex look-first
that lettergen puts in front of PyThaiNLP and without it; (3) thai_date, cached and not.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def import_seconds() -> float:
    code = "import time; t = time.perf_counter(); import pythainlp.util; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(5)]
    return statistics.median(runs)


def per_call(function, items, repeat=20) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for item in items:
            function(item)
        best = min(best, time.perf_counter() - started)
    return best / len(items) * 1e6  # microseconds


def main() -> None:
    import datetime as dt

    from pythainlp.util import arabic_digit_to_thai_digit as plain

    from lettergen import thai
    from lettergen.compose import compose_all
    from lettergen.sheets.recipients import load_recipients
    from lettergen.resources import EXAMPLES
    from lettergen.spec import load_spec

    spec = load_spec(EXAMPLES / "chiang-rai-2561" / "letter.toml")
    letters = compose_all(spec, load_recipients(EXAMPLES / "chiang-rai-2561" / "recipients.csv", spec))
    texts = [run.text for letter in letters for p in letter.body for run in p.runs]
    texts += [line for letter in letters for line in (letter.addressee, letter.subject, *letter.owner_lines)]
    with_digits = sum(1 for t in texts if any(c.isdigit() for c in t))
    print(f"import pythainlp.util: {import_seconds():.3f} s (median of 5 fresh interpreters)")
    print(f"digits, {len(texts)} texts of the example ({with_digits} with a digit):")
    print(f"  lettergen (look first, then PyThaiNLP): {per_call(thai.arabic_digit_to_thai_digit, texts):.2f} us a call")
    print(f"  PyThaiNLP on every text:                {per_call(plain, texts):.2f} us a call")
    dates = [dt.date(2018, 1, 1) + dt.timedelta(days=d) for d in range(365)]
    thai.thai_date.cache_clear()
    print(f"thai_date, first call for a date: {per_call(thai.thai_date.__wrapped__, dates, 5):.1f} us; "
          f"cached: {per_call(thai.thai_date, dates):.2f} us")


if __name__ == "__main__":
    main()
