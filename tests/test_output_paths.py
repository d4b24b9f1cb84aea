"""Output paths that cannot be written: exit 2 naming the path, nothing written.

Every command that writes (render, demo, remind, status, preview, register) is given an
output path that names an existing file, one under a file, and one that cannot be made (a
folder without write permission; run as root, which may write anywhere, a folder of /sys,
which refuses even root). ``render --out`` naming a file was an internal error that told
the clerk to run the command again; the same case runs bounded in tests/test_hostile_input.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from lettergen.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
EXAMPLE = ROOT / "lettergen" / "examples" / "chiang-rai-2561"


@pytest.fixture
def place(tmp_path, monkeypatch):
    """A working folder holding the baseline case, a file ``afile`` and, when not run as
    root, a folder ``locked`` without write permission."""
    shutil.copytree(DATA / "bad-set-override", tmp_path / "case")
    (tmp_path / "afile").write_text("not a folder")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    locked.chmod(0o700)


def unmakeable(kind: str) -> str:
    """A path that cannot be made: a folder of /sys for root, else one in ``locked``."""
    if os.geteuid() == 0:
        return f"/sys/lettergen-test-{kind}"
    return f"locked/{kind}"


def commands(out: str, file_out: str) -> dict[str, list[str]]:
    spec, tracking = str(EXAMPLE / "letter.toml"), str(EXAMPLE / "tracking.xlsx")
    return {
        "render": ["render", "case/spec.toml", "--out", out, "--jobs", "1"],
        "demo": ["demo", "--out", out, "--jobs", "1"],
        "remind": ["remind", spec, "--recipients", tracking, "--out", out, "--set", "deadline.date=2099-12-31"],
        "status": ["status", spec, "--recipients", tracking, "--out", out],
        "preview": ["preview", "case/spec.toml", "--out", file_out],
        "register": ["register", "--workspace", "ws", "--out", file_out],
    }


FOLDER_MESSAGES = {
    "afile": "afile: เป็นไฟล์ที่มีอยู่แล้ว ไม่ใช่โฟลเดอร์; เลือกโฟลเดอร์อื่นสำหรับผลลัพธ์ (--out)",
    "afile/sub": "afile/sub: afile เป็นไฟล์ ไม่ใช่โฟลเดอร์ จึงสร้างโฟลเดอร์ในนั้นไม่ได้; เลือกโฟลเดอร์อื่นสำหรับผลลัพธ์ (--out)",
}
FILE_MESSAGES = {
    "case": "case: เป็นโฟลเดอร์ ไม่ใช่ไฟล์; เลือกไฟล์อื่นสำหรับผลลัพธ์ (--out)",
    "afile/x.png": "afile/x.png: afile เป็นไฟล์ ไม่ใช่โฟลเดอร์ จึงสร้างไฟล์ในนั้นไม่ได้; เลือกไฟล์อื่นสำหรับผลลัพธ์ (--out)",
}


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("command", ["render", "demo", "remind", "status", "preview", "register"])
@pytest.mark.parametrize("case", [0, 1, 2], ids=["existing", "under-a-file", "cannot-be-made"])
def test_an_output_path_that_cannot_be_written(command, case, place, capsys):
    folder_out = ["afile", "afile/sub", unmakeable("folder")][case]
    file_out = ["case", "afile/x.png", unmakeable("file") + ".png"][case]
    argv = commands(folder_out, file_out)[command]
    out = file_out if command in ("preview", "register") else folder_out
    before = _listing(place)

    rc = main(argv)

    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert rc == 2, captured.err
    assert len(lines) == 1 and lines[0].startswith(f"ข้อผิดพลาด: {out}: "), lines
    if case < 2:
        expected = (FILE_MESSAGES if command in ("preview", "register") else FOLDER_MESSAGES)[out]
        assert lines[0] == f"ข้อผิดพลาด: {expected}"
    else:
        assert "ไม่มีสิทธิ์" in lines[0], lines[0]
    assert captured.out == ""
    assert _listing(place) == before  # nothing written, no folder made (no workspace either)
    assert not Path(out).exists() or case == 0
