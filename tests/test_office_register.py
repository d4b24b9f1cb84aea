"""The workspace and its register of record (ทะเบียนหนังสือส่ง): numbers that continue across
runs and start again each Buddhist-era year, the circular (ว) series, no number handed out
twice by processes running at once, a killed run that keeps its numbers, the register as an
XLSX in the layout of แบบที่ 14, reminders that cite it, and the folder's permissions."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE
from lettergen.cli import main

SPEC = EXAMPLE / "letter.toml"
TRACKING = EXAMPLE / "tracking.xlsx"
HEADER = "id,name,kind,district,username,password,done\n"


def small_sheet(path: Path, districts: int = 2, laos: int = 2, direct: int = 2) -> Path:
    """A recipients sheet with ``districts`` district offices of ``laos`` LAOs each (one
    circular) and ``direct`` direct recipients (a numbered letter each)."""
    names = ["เมืองเชียงราย", "เวียงชัย", "เชียงของ", "เทิง", "พาน", "แม่จัน"]
    lines = [HEADER]
    for d in range(districts):
        lines.append(f"57{d:02d},สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ{names[d]},สถ.อ.,{names[d]},,,\n")
        for n in range(laos):
            lines.append(f"57{d:02d}{n:02d},องค์การบริหารส่วนตำบลทดสอบ{d}{n},อบต.,{names[d]},"
                         f"user{d}{n},Pw-{d}{n}-ลับ,0\n")
    for n in range(direct):
        kind = "อบจ." if n == 0 else "ทน."
        lines.append(f"59{n:02d},เทศบาลทดสอบที่{n},{kind},เมืองเชียงราย,direct{n},Dx-{n}-ลับ,0\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def render(tmp_path: Path, workspace: Path, out: str, *extra: str, sheet: Path | None = None) -> int:
    sheet = sheet or small_sheet(tmp_path / "recipients.csv")
    return main(["render", str(SPEC), "--recipients", str(sheet), "--workspace", str(workspace),
                 "--out", str(tmp_path / out), "--format", "docx", "--jobs", "1", *extra])


def register_rows(out: Path) -> list[dict]:
    with (out / "register.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_numbers_continue_across_runs_and_circular_copies_share_one(tmp_path, capsys):
    from lettergen.workspace import Workspace

    ws = tmp_path / "ws"
    assert render(tmp_path, ws, "one") == 0
    assert render(tmp_path, ws, "two") == 0
    out = capsys.readouterr().out
    assert "ไม่ใช้ number ใน spec" in out
    one, two = register_rows(tmp_path / "one"), register_rows(tmp_path / "two")
    assert [r["ที่"] for r in one] == ["ชร ๐๐๒๓.๑/ว ๑"] * 2 + ["ชร ๐๐๒๓.๑/๑", "ชร ๐๐๒๓.๑/๒"]
    assert [r["ที่"] for r in two] == ["ชร ๐๐๒๓.๑/ว ๒"] * 2 + ["ชร ๐๐๒๓.๑/๓", "ชร ๐๐๒๓.๑/๔"]
    assert [r["เลขทะเบียนส่ง"] for r in two] == ["2", "2", "3", "4"]
    entries = Workspace(ws).register().entries(2561)
    assert [(e.series, e.register_number) for e in entries] == [
        ("ว", 1), ("ว", 1), ("", 1), ("", 2), ("ว", 2), ("ว", 2), ("", 3), ("", 4)]
    assert all(e.status == "issued" for e in entries)


def test_numbers_start_again_at_one_in_a_new_year(tmp_path):
    from lettergen.workspace import Workspace

    ws = tmp_path / "ws"
    assert render(tmp_path, ws, "dec", "--set", "letter.date=2025-12-31") == 0
    assert render(tmp_path, ws, "jan", "--set", "letter.date=2026-01-02") == 0
    assert render(tmp_path, ws, "dec2", "--set", "letter.date=2025-12-30") == 0
    office = Workspace(ws).register()
    by_year = {year: [(e.series, e.register_number) for e in office.entries(year)]
               for year in (2568, 2569)}
    assert by_year[2569] == [("ว", 1), ("ว", 1), ("", 1), ("", 2)]
    assert by_year[2568] == [("ว", 1), ("ว", 1), ("", 1), ("", 2),
                             ("ว", 2), ("ว", 2), ("", 3), ("", 4)]
    assert [r["ที่"] for r in register_rows(tmp_path / "jan")][-1] == "ชร ๐๐๒๓.๑/๒"


def test_workspace_folders_are_0700_and_files_0600(tmp_path):
    from lettergen.workspace import Workspace

    ws = tmp_path / "ws"
    assert render(tmp_path, ws, "one") == 0
    workspace = Workspace(ws)
    workspace.save_letter("../ลองดู.toml", SPEC.read_bytes())
    workspace.save_sheet("รายชื่อ.csv", b"id\n")
    workspace.new_run_dir("ชุดแรก")
    seen = 0
    for path in [ws, *ws.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
        seen += 1
    assert seen >= 8
    assert (ws / "letters" / "ลองดู.toml").is_file()  # no way out of the folder


def test_the_register_never_holds_a_password(tmp_path):
    ws = tmp_path / "ws"
    assert render(tmp_path, ws, "one") == 0
    data = (ws / "register.sqlite3").read_bytes()
    for secret in ("Pw-00-ลับ", "Dx-1-ลับ", "user00"):
        assert secret.encode("utf-8") not in data
