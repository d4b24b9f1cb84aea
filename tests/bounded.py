"""Running lettergen in a child process held to a time and a memory limit, for the tests of
hostile input: a hang or a blow-up fails the test with what it was doing, instead of
taking the machine. The limits are generous (a minute, 1.5 GB of address space): they
catch work that grows with the square of the input or memory that grows without end, not
a slow machine; speed itself is measured in benchmarks/.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MEMORY_BYTES = 1_500_000_000  # RLIMIT_AS of the child (lettergen's own runs need about 0.5 GB)
SECONDS = 60


def _limit_memory(memory: int):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    return limit


def run_bounded(argv: list[str], *, cwd: Path, seconds: float = SECONDS,
                memory: int = MEMORY_BYTES, what: str = "") -> subprocess.CompletedProcess:
    """``python argv...`` (``-m lettergen ...`` or ``-c CODE``) under the limits; the test
    fails, naming ``what``, when it does not end in ``seconds``."""
    try:
        return subprocess.run(
            [sys.executable, *argv], cwd=cwd, capture_output=True, text=True, encoding="utf-8",
            timeout=seconds, preexec_fn=_limit_memory(memory),
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired as exc:
        said = exc.stdout or b""
        said = said.decode("utf-8", "replace") if isinstance(said, bytes) else said
        pytest.fail(f"{what or ' '.join(argv)}: still running after {seconds} s; "
                    f"its last output: {said[-500:]!r}")
