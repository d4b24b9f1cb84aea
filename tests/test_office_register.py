"""The workspace and its register of record (ทะเบียนหนังสือส่ง): numbers that continue across
runs and start again each Buddhist-era year, the circular (ว) series, no number handed out
twice by processes running at once, a killed run that keeps its numbers, the register as an
XLSX in the layout of แบบที่ 14, reminders that cite it, and the folder's permissions."""

from __future__ import annotations

import csv
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE
from lettergen.cli import main
from lettergen.registers.form14 import register_xlsx_of

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
    from lettergen.registers.workspace import Workspace

    ws = tmp_path / "ws"
    assert render(tmp_path, ws, "one") == 0
    assert render(tmp_path, ws, "two") == 0
    out, err = capsys.readouterr()
    assert "ไม่ใช้ number ใน spec" in out
    assert "Pw-" not in out + err and "Dx-" not in out + err  # no password in the output
    one, two = register_rows(tmp_path / "one"), register_rows(tmp_path / "two")
    assert [r["ที่"] for r in one] == ["ชร ๐๐๒๓.๑/ว ๑"] * 2 + ["ชร ๐๐๒๓.๑/๑", "ชร ๐๐๒๓.๑/๒"]
    assert [r["ที่"] for r in two] == ["ชร ๐๐๒๓.๑/ว ๒"] * 2 + ["ชร ๐๐๒๓.๑/๓", "ชร ๐๐๒๓.๑/๔"]
    # the run's own register tells the two series apart: ว 1 and 1 are not the same number
    assert [r["เลขทะเบียนส่ง"] for r in one] == ["ว 1", "ว 1", "1", "2"]
    assert [r["เลขทะเบียนส่ง"] for r in two] == ["ว 2", "ว 2", "3", "4"]
    entries = Workspace(ws).register().entries(2561)
    assert [(e.series, e.register_number) for e in entries] == [
        ("ว", 1), ("ว", 1), ("", 1), ("", 2), ("ว", 2), ("ว", 2), ("", 3), ("", 4)]
    assert all(e.status == "issued" for e in entries)


def test_numbers_start_again_at_one_in_a_new_year(tmp_path):
    from lettergen.registers.workspace import Workspace

    ws = tmp_path / "ws"
    assert render(tmp_path, ws, "dec", "--set", "letter.date=2025-12-31",
                  "--set", "deadline.date=2026-01-30") == 0
    assert render(tmp_path, ws, "jan", "--set", "letter.date=2026-01-02",
                  "--set", "deadline.date=2026-01-30") == 0
    assert render(tmp_path, ws, "dec2", "--set", "letter.date=2025-12-30",
                  "--set", "deadline.date=2026-01-30") == 0
    office = Workspace(ws).register()
    by_year = {year: [(e.series, e.register_number) for e in office.entries(year)]
               for year in (2568, 2569)}
    assert by_year[2569] == [("ว", 1), ("ว", 1), ("", 1), ("", 2)]
    assert by_year[2568] == [("ว", 1), ("ว", 1), ("", 1), ("", 2),
                             ("ว", 2), ("ว", 2), ("", 3), ("", 4)]
    assert [r["ที่"] for r in register_rows(tmp_path / "jan")][-1] == "ชร ๐๐๒๓.๑/๒"


def test_workspace_folders_are_0700_and_files_0600(tmp_path):
    from lettergen.registers.workspace import Workspace

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


def test_bad_input_takes_no_number(tmp_path, capsys):
    from lettergen.registers.workspace import Workspace

    ws = tmp_path / "ws"
    sheet = small_sheet(tmp_path / "recipients.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text(sheet.read_text(encoding="utf-8") + "5999,ผิด,อบต.,ไม่มีอำเภอนี้,u,p,0\n",
                   encoding="utf-8")
    assert render(tmp_path, ws, "bad", sheet=bad) == 2
    assert "ไม่มีอำเภอนี้" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()
    # an error found only when the letters are composed, inside the reservation
    assert render(tmp_path, ws, "bad2", "--set", "variants.direct.addressee={{ recipient.nosuch }}",
                  sheet=sheet) == 2
    assert not (tmp_path / "bad2").exists()
    office = Workspace(ws).register()
    assert office.entries() == [] and office.runs() == []
    assert render(tmp_path, ws, "good", sheet=sheet) == 0
    assert [e.register_number for e in office.entries()] == [1, 1, 1, 2]


def test_check_says_where_the_numbers_come_from(tmp_path, capsys):
    ws = tmp_path / "ws"
    sheet = small_sheet(tmp_path / "recipients.csv")
    assert render(tmp_path, ws, "one", sheet=sheet) == 0
    capsys.readouterr()
    assert main(["check", str(SPEC), "--recipients", str(sheet), "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert "ทะเบียนหนังสือส่ง" in out and "ไม่ใช้ number" in out
    assert "ชร ๐๐๒๓.๑/ว ๒, ชร ๐๐๒๓.๑/๓–๔" in out and "๒๕๖๑" in out


def test_each_run_is_recorded_with_the_digests_of_its_inputs_and_files(tmp_path):
    import hashlib

    from lettergen.registers.workspace import Workspace

    ws = tmp_path / "ws"
    sheet = small_sheet(tmp_path / "recipients.csv")
    assert render(tmp_path, ws, "one", "--zip", sheet=sheet) == 0
    (run,) = Workspace(ws).register().runs()
    sha = lambda path: hashlib.sha256(Path(path).read_bytes()).hexdigest()  # noqa: E731
    assert (run.spec_name, run.spec_sha256) == ("letter.toml", sha(SPEC))
    assert (run.sheet_name, run.sheet_sha256) == ("recipients.csv", sha(sheet))
    assert run.status == "issued" and run.kind == "letters" and run.letters == 4
    assert run.finished is not None and run.started <= run.finished
    out = tmp_path / "one"
    names = dict(run.files)
    assert set(names) == {p.name for p in out.iterdir()}  # every file, the zip too
    for name, digest in run.files:
        assert sha(out / name) == digest


def test_the_register_xlsx_has_the_layout_of_form_14(tmp_path):
    from openpyxl import load_workbook

    from lettergen.registers.form14 import COLUMNS

    ws = tmp_path / "ws"
    assert render(tmp_path, ws, "one") == 0
    assert render(tmp_path, ws, "two") == 0
    target = tmp_path / "export" / "ทะเบียน-2561.xlsx"
    assert main(["register", "--workspace", str(ws), "--year", "2561", "--out", str(target)]) == 0
    book = load_workbook(target)
    sheet = book["ทะเบียนหนังสือส่ง"]
    assert sheet["A1"].value == "ทะเบียนหนังสือส่ง"
    assert sheet["A2"].value == "จังหวัดเชียงราย ประจำปี พ.ศ. ๒๕๖๑"
    assert COLUMNS == ("เลขทะเบียนส่ง", "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ", "หมายเหตุ")
    assert tuple(c.value for c in sheet[3]) == COLUMNS
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=4)]
    assert [r[0] for r in rows] == ["ว ๑", "ว ๑", "๑", "๒", "ว ๒", "ว ๒", "๓", "๔"]
    assert rows[4][:5] == ("ว ๒", "ชร ๐๐๒๓.๑/ว ๒", "๒๗ กรกฎาคม ๒๕๖๑", "จังหวัดเชียงราย",
                           "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเมืองเชียงราย")
    assert rows[4][7] == "หนังสือเวียน" and rows[6][7] in ("", None)
    assert rows[6][4] == "เทศบาลทดสอบที่0" and rows[6][5].startswith("การดำเนินการโครงการ")
    assert {sheet.cell(row=r, column=c).font.name for r in range(1, 12) for c in range(1, 9)
            if sheet.cell(row=r, column=c).value} == {"TH SarabunPSK"}
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    runs = [tuple(c.value for c in row) for row in book["การสร้างหนังสือ"].iter_rows(min_row=2)]
    assert [r[0] for r in runs] == [1, 2] and runs[0][7] == "letter.toml"
    files = list(book["ไฟล์"].iter_rows(min_row=2, values_only=True))
    assert len(files) == 2 * (4 + 2) and all(len(f[2]) == 64 for f in files)
    # a year with nothing in it is an empty register, not an error
    assert main(["register", "--workspace", str(ws), "--year", "2569", "--out",
                 str(tmp_path / "empty.xlsx")]) == 0
    empty = load_workbook(tmp_path / "empty.xlsx")["ทะเบียนหนังสือส่ง"]
    assert empty.max_row == 3


def test_register_command_refuses_a_year_that_is_not_buddhist_era(tmp_path, capsys):
    assert main(["register", "--workspace", str(tmp_path / "ws"), "--year", "2018",
                 "--out", str(tmp_path / "r.xlsx")]) == 2
    assert "พ.ศ." in capsys.readouterr().err and not (tmp_path / "r.xlsx").exists()


def test_a_year_can_continue_from_the_paper_register(tmp_path, capsys):
    ws = tmp_path / "ws"
    assert main(["register", "--workspace", str(ws), "--year", "2561",
                 "--continue-from", "18853", "--continue-circular-from", "18858"]) == 0
    assert "๑๘๘๕๓" in capsys.readouterr().out
    assert render(tmp_path, ws, "one") == 0
    # the example's own numbers, now taken from the register
    assert [r["ที่"] for r in register_rows(tmp_path / "one")] == [
        "ชร ๐๐๒๓.๑/ว ๑๘๘๕๘", "ชร ๐๐๒๓.๑/ว ๑๘๘๕๘", "ชร ๐๐๒๓.๑/๑๘๘๕๓", "ชร ๐๐๒๓.๑/๑๘๘๕๔"]
    # numbers never go back
    assert main(["register", "--workspace", str(ws), "--year", "2561", "--continue-from", "100"]) == 2
    err = capsys.readouterr().err
    assert "ออกเลขถึง ๑๘๘๕๔ แล้ว" in err and len(err.strip().splitlines()) == 1


def _series_numbers(db: Path, year: int) -> dict[str, list[int]]:
    import sqlite3

    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT series, number FROM numbers WHERE year = ? ORDER BY number",
                                  (year,)).fetchall()
    result: dict[str, list[int]] = {}
    for series, number in rows:
        result.setdefault(series, []).append(number)
    return result


def test_parallel_cli_runs_never_share_a_number(tmp_path):
    """Several `lettergen render --workspace` processes at once, each into its own folder."""
    ws = tmp_path / "ws"
    sheet = small_sheet(tmp_path / "recipients.csv", districts=3, laos=1, direct=3)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    runs = 4
    processes = [subprocess.Popen(
        [sys.executable, "-m", "lettergen", "render", str(SPEC), "--recipients", str(sheet),
         "--workspace", str(ws), "--out", str(tmp_path / f"out{i}"), "--format", "docx",
         "--jobs", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for i in range(runs)]
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err.decode()
    numbers = _series_numbers(ws / "register.sqlite3", 2561)
    assert numbers == {"ว": list(range(1, runs + 1)), "": list(range(1, 3 * runs + 1))}
    printed = []  # what the letters of every folder carry, read back from their registers
    for i in range(runs):
        rows = register_rows(tmp_path / f"out{i}")
        assert len({r["ที่"] for r in rows[:3]}) == 1  # one circular, one number
        printed += [rows[0]["ที่"]] + [r["ที่"] for r in rows[3:]]
    assert len(printed) == len(set(printed)) == 4 * runs


def _reserve_many(args):
    db, worker, rounds = args
    from lettergen.registers.record import OfficeRegister

    office = OfficeRegister(db)
    taken = []
    for n in range(rounds):
        counts = {"": 1 + (worker + n) % 3, "ว": (worker + n) % 2}
        counts = {s: c for s, c in counts.items() if c}
        with office.reserve(key=f"{worker}-{n}", kind="letters", year=2569, counts=counts,
                            out_dir=f"/out/{worker}/{n}", spec_name="", spec_sha256="",
                            sheet_name="", sheet_sha256="", letters=sum(counts.values()),
                            subject="ทดสอบ") as reservation:
            taken.append({s: list(v) for s, v in reservation.numbers.items()})
    return taken


def test_parallel_reservations_are_atomic(tmp_path):
    """Four processes reserving at once, many times: each number once, none skipped."""
    import multiprocessing

    db = tmp_path / "register.sqlite3"
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_reserve_many, [(db, w, 25) for w in range(4)])
    handed = {"": [], "ว": []}
    for worker in results:
        for taken in worker:
            for series, numbers in taken.items():
                assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
                handed[series] += numbers
    numbers = _series_numbers(db, 2569)
    for series in ("", "ว"):
        assert sorted(handed[series]) == list(range(1, len(handed[series]) + 1)) == numbers[series]


def test_an_unfinished_run_is_settled_with_why_and_when(tmp_path):
    """settle: the runs into a folder that reserved numbers and never finished are marked
    cancelled with the reason and the time; their numbers stay taken; a finished run, or
    one into another folder, is left as it is."""
    import datetime as dt

    from lettergen.registers.record import OfficeRegister

    office = OfficeRegister(tmp_path / "register.sqlite3")

    def reserve(out_dir: str) -> int:
        with office.reserve(key=out_dir, kind="letters", year=2569, counts={"": 2}, out_dir=out_dir,
                            spec_name="", spec_sha256="", sheet_name="", sheet_sha256="", letters=2,
                            subject="ทดสอบ") as reservation:
            return reservation.run_id

    stopped, running, done = reserve("/runs/a/out"), reserve("/runs/b/out"), reserve("/runs/c/out")
    office.issue(done, [])
    assert office.unsettled() == [(stopped, "/runs/a/out"), (running, "/runs/b/out")]
    assert office.settle("/runs/a/out", "ยกเลิกโดยผู้ใช้") == [stopped]
    assert office.settle("/runs/c/out", "ยกเลิกโดยผู้ใช้") == []  # issued: not touched
    runs = {run.id: run for run in office.runs()}
    assert (runs[stopped].status, runs[stopped].note) == ("abandoned", "ยกเลิกโดยผู้ใช้")
    assert dt.datetime.now(dt.timezone.utc) - runs[stopped].finished < dt.timedelta(minutes=1)
    assert (runs[running].status, runs[done].status) == ("reserved", "issued")
    assert office.next_number(2569) == 7  # the cancelled numbers are never given again


def test_a_register_written_before_runs_had_a_note_is_read_and_kept(tmp_path):
    import sqlite3

    from lettergen.registers.record import OfficeRegister

    db = tmp_path / "register.sqlite3"
    OfficeRegister(db)
    with sqlite3.connect(db) as connection:  # as an earlier lettergen made it
        connection.execute("ALTER TABLE runs DROP COLUMN note")
    office = OfficeRegister(db)
    with office.reserve(key="k", kind="letters", year=2569, counts={"": 1}, out_dir="/o", spec_name="",
                        spec_sha256="", sheet_name="", sheet_sha256="", letters=1, subject="ทดสอบ"):
        pass
    assert office.settle("/o", "ยกเลิกเพราะปิดโปรแกรม") and office.runs()[0].note == "ยกเลิกเพราะปิดโปรแกรม"


def test_a_failed_run_keeps_its_numbers_and_its_rerun_resumes(tmp_path, monkeypatch):
    """A run that stops after its numbers were reserved: the same command again takes the
    same numbers, keeps the chunks it finished, and ends byte-identical to a run that never
    stopped; nobody else gets those numbers in between."""
    import lettergen.batch as batch
    from lettergen.registers.workspace import Workspace

    sheet = small_sheet(tmp_path / "recipients.csv", districts=2, laos=1, direct=16)
    assert render(tmp_path, tmp_path / "ws-ref", "reference", sheet=sheet) == 0

    real, calls = batch.render_chunk, []

    def failing(task):
        calls.append(task)
        if len(calls) == 2:
            raise RuntimeError("เครื่องดับกลางคัน")
        return real(task)

    ws = tmp_path / "ws"
    monkeypatch.setattr(batch, "render_chunk", failing)
    assert render(tmp_path, ws, "set", sheet=sheet) == 1
    office = Workspace(ws).register()
    (run,) = office.runs()
    assert run.status == "reserved" and not run.files
    assert (tmp_path / "set" / ".incomplete" / "manifest.jsonl").is_file()
    # another run meanwhile takes the numbers after the reserved ones
    assert render(tmp_path, ws, "other", sheet=small_sheet(tmp_path / "few.csv", 1, 1, 1)) == 0
    assert [r["ที่"] for r in register_rows(tmp_path / "other")] == ["ชร ๐๐๒๓.๑/ว ๒", "ชร ๐๐๒๓.๑/๑๗"]

    calls.clear()
    monkeypatch.setattr(batch, "render_chunk", lambda task: calls.append(task) or real(task))
    assert render(tmp_path, ws, "set", sheet=sheet) == 0
    assert len(calls) == 2  # of three chunks: the one finished before is kept
    runs = office.runs()
    assert [(r.id, r.status, r.attempts) for r in runs] == [(1, "issued", 2), (2, "issued", 1)]
    reference = sorted(p.name for p in (tmp_path / "reference").iterdir())
    assert sorted(p.name for p in (tmp_path / "set").iterdir()) == reference
    for name in reference:
        assert (tmp_path / "set" / name).read_bytes() == (tmp_path / "reference" / name).read_bytes(), name
    assert _series_numbers(ws / "register.sqlite3", 2561) == {"ว": [1, 2], "": list(range(1, 18))}


def test_a_killed_run_reuses_its_numbers(tmp_path):
    """kill -9 while the letters are being written, then the same command again."""
    import signal
    import time

    from lettergen.registers.workspace import Workspace

    ws = tmp_path / "ws"
    sheet = small_sheet(tmp_path / "recipients.csv", districts=1, laos=1, direct=16)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    command = [sys.executable, "-m", "lettergen", "render", str(SPEC), "--recipients", str(sheet),
               "--workspace", str(ws), "--out", str(tmp_path / "set"), "--format", "pdf",
               "--jobs", "1"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = tmp_path / "set" / ".incomplete" / "manifest.jsonl"
    while process.poll() is None and not (manifest.is_file() and manifest.read_bytes().count(b"\n")):
        time.sleep(0.02)
    assert process.poll() is None, "the run ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    office = Workspace(ws).register()
    (run,) = office.runs()
    assert run.status == "reserved"
    reserved = [(e.series, e.register_number) for e in office.entries()]
    assert subprocess.run(command, env=env, capture_output=True).returncode == 0
    (run,) = office.runs()
    assert run.status == "issued" and run.attempts == 2
    assert [(e.series, e.register_number) for e in office.entries()] == reserved
    assert reserved == [("ว", 1)] + [("", n) for n in range(1, 17)]
    assert not (tmp_path / "set" / ".incomplete").exists()
    assert len(list((tmp_path / "set").glob("*.pdf"))) == 17


def test_a_new_run_into_a_folder_abandons_the_unfinished_reservation(tmp_path, monkeypatch):
    from openpyxl import load_workbook

    import lettergen.batch as batch
    from lettergen.registers.workspace import Workspace

    ws = tmp_path / "ws"
    monkeypatch.setattr(batch, "render_chunk", lambda task: (_ for _ in ()).throw(RuntimeError("ดับ")))
    assert render(tmp_path, ws, "set") == 1
    monkeypatch.undo()
    assert render(tmp_path, ws, "set", "--set", "letter.urgency=ด่วน") == 0
    office = Workspace(ws).register()
    assert [r.status for r in office.runs()] == ["abandoned", "issued"]
    assert [r["ที่"] for r in register_rows(tmp_path / "set")] == [
        "ชร ๐๐๒๓.๑/ว ๒", "ชร ๐๐๒๓.๑/ว ๒", "ชร ๐๐๒๓.๑/๓", "ชร ๐๐๒๓.๑/๔"]
    (tmp_path / "r.xlsx").write_bytes(register_xlsx_of(office, 2561))
    rows = list(load_workbook(tmp_path / "r.xlsx")["ทะเบียนหนังสือส่ง"].iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in rows] == ["ว ๑", "ว ๑", "๑", "๒", "ว ๒", "ว ๒", "๓", "๔"]
    assert all("ยกเลิก" in r[7] for r in rows[:4]) and not any("ยกเลิก" in (r[7] or "") for r in rows[4:])


@pytest.fixture(scope="module")
def reminded(tmp_path_factory):
    """The example rendered with a workspace, a later letter on another matter to the same
    offices, then the reminders against the tracking sheet, twice."""
    base = tmp_path_factory.mktemp("remind-ws")
    ws = base / "ws"
    common = ["--workspace", str(ws), "--format", "docx", "--jobs", "1"]
    assert main(["render", str(SPEC), "--out", str(base / "first"), *common]) == 0
    assert main(["render", str(SPEC), "--out", str(base / "other"), "--set",
                 "letter.subject=ขอเชิญประชุมคณะทำงาน", "--set", "letter.date=2018-07-30",
                 *common]) == 0
    for folder in ("reminders", "reminders2"):
        assert main(["remind", str(SPEC), "--recipients", str(TRACKING), "--out",
                     str(base / folder), *common]) == 0
    return base


def test_reminders_cite_the_original_letter_from_the_register(reminded):
    from test_seed import docx_text

    for folder in ("reminders", "reminders2"):
        district = docx_text(next((reminded / folder).glob("5701-*.docx")))
        assert "ที่ ชร ๐๐๒๓.๑/ว ๑ ลงวันที่ ๒๗ กรกฎาคม ๒๕๖๑" in district
        direct = docx_text(next((reminded / folder).glob("570102-*.docx")))
        assert "ที่ ชร ๐๐๒๓.๑/๒ ลงวันที่ ๒๗ กรกฎาคม ๒๕๖๑" in direct
    first = docx_text(next((reminded / "reminders").glob("5701-*.docx")))
    assert "ชร ๐๐๒๓.๑/ว ๓" in first  # its own number: the third circular of the year
    assert "ชร ๐๐๒๓.๑/ว ๑๙๔๒๐" not in first  # the spec's number is not used


def test_reminders_are_numbered_and_recorded_in_the_register(reminded):
    from lettergen.registers.workspace import Workspace

    office = Workspace(reminded / "ws").register()
    runs = office.runs()
    assert [(r.kind, r.status) for r in runs] == [("letters", "issued")] * 2 + [("reminders", "issued")] * 2
    entries = [e for e in office.entries(2561) if e.run_id == runs[2].id]
    assert len(entries) == 18
    assert {e.register_label for e in entries if e.series} == {"ว 3"}
    assert [e.register_label for e in entries if not e.series] == ["5", "6"]
    assert all(e.remark.startswith("หนังสือติดตาม") and e.date.isoformat() == "2018-08-03"
               for e in entries)
    original = office.original("570102")
    assert (original.number, original.date.isoformat()) == ("ชร ๐๐๒๓.๑/๔", "2018-07-30")
    assert office.original("no-such-id") is None


def test_the_workspace_folder_by_default_and_from_the_environment(tmp_path, monkeypatch):
    from lettergen.registers.workspace import Workspace, default_root

    monkeypatch.delenv("LETTERGEN_WORKSPACE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_root() == tmp_path / "data" / "lettergen"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_root() == tmp_path / "home" / ".local" / "share" / "lettergen"
    assert Workspace().root == tmp_path / "home" / ".local" / "share" / "lettergen"
    monkeypatch.setenv("LETTERGEN_WORKSPACE", str(tmp_path / "env-ws"))
    assert Workspace().db_path == tmp_path / "env-ws" / "register.sqlite3"
    # render without --workspace uses $LETTERGEN_WORKSPACE
    assert main(["render", str(SPEC), "--recipients", str(small_sheet(tmp_path / "r.csv")),
                 "--out", str(tmp_path / "out"), "--format", "docx", "--jobs", "1"]) == 0
    assert len(Workspace().register().entries()) == 4


def test_a_folder_holding_other_files_is_not_made_a_workspace(tmp_path, capsys):
    other = tmp_path / "เอกสาร"
    other.mkdir(mode=0o755)
    (other / "บันทึก.txt").write_text("ของเดิม", encoding="utf-8")
    assert render(tmp_path, other, "out") == 2
    assert "มีไฟล์อื่นอยู่แล้ว" in capsys.readouterr().err
    assert stat.S_IMODE(other.stat().st_mode) == 0o755 and not (other / "register.sqlite3").exists()


def test_the_demo_never_takes_numbers_from_a_register(tmp_path, monkeypatch):
    from lettergen.cli import _parser, _workspace

    monkeypatch.setenv("LETTERGEN_WORKSPACE", str(tmp_path / "ws"))
    assert _workspace(_parser().parse_args(["demo", "--out", str(tmp_path / "d")])) is None
    args = _parser().parse_args(["render", str(SPEC)])
    assert _workspace(args).root == tmp_path / "ws"


def test_reminders_without_an_original_in_the_register_say_so(tmp_path, capsys):
    from test_seed import docx_text

    assert main(["remind", str(SPEC), "--recipients", str(TRACKING), "--out", str(tmp_path / "r"),
                 "--workspace", str(tmp_path / "ws"), "--format", "docx", "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert "ไม่มีหนังสือเรื่องนี้ถึงผู้รับ 18 ราย" in err and "cites ใน spec" in err
    text = docx_text(next((tmp_path / "r").glob("5701-*.docx")))
    assert "ที่ ชร ๐๐๒๓.๑/ว ๑๘๘๕๘ ลงวันที่ ๒๗ กรกฎาคม ๒๕๖๑" in text  # the spec's cites
    assert "ที่ ชร ๐๐๒๓.๑/ว ๑" in text.splitlines()  # its own number, from the register


def test_without_out_the_set_goes_to_the_workspace_and_a_rerun_finds_it(tmp_path, capsys, monkeypatch):
    from lettergen.registers.workspace import Workspace

    monkeypatch.chdir(tmp_path)

    ws = tmp_path / "ws"
    sheet = small_sheet(tmp_path / "recipients.csv")
    command = ["render", str(SPEC), "--recipients", str(sheet), "--workspace", str(ws),
               "--format", "docx", "--jobs", "1"]
    assert main(command) == 0 and main(command) == 0
    (folder,) = (ws / "runs").iterdir()
    assert folder.name.startswith("2018-07-27-letters-")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [r["ที่"] for r in register_rows(folder)][-1] == "ชร ๐๐๒๓.๑/๒"
    (run,) = Workspace(ws).register().runs()
    assert (run.out_dir, run.attempts) == (str(folder), 2)
    assert not (tmp_path / "out").exists()  # not ./out
    # another letter (another date) is another run, in a folder of its own, with new numbers
    assert main(command + ["--set", "letter.date=2018-07-30"]) == 0
    assert len(list((ws / "runs").iterdir())) == 2
    assert "ชร ๐๐๒๓.๑/ว ๒, ชร ๐๐๒๓.๑/๓–๔" in capsys.readouterr().out


def test_a_run_can_be_cancelled_and_listed(tmp_path, capsys):
    from openpyxl import load_workbook

    from lettergen.registers.workspace import Workspace

    ws = tmp_path / "ws"
    assert render(tmp_path, ws, "one") == 0
    assert render(tmp_path, ws, "two") == 0
    office = Workspace(ws).register()
    assert office.original("5900").number == "ชร ๐๐๒๓.๑/๓"
    capsys.readouterr()
    assert main(["register", "--workspace", str(ws), "--year", "2561", "--cancel", "2", "--list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ยกเลิกหนังสือของการสร้างครั้งที่ 2")
    assert out[1].startswith("ครั้งที่ 1 ") and "ออกหนังสือแล้ว" in out[1]
    assert "ชร ๐๐๒๓.๑/ว ๑, ชร ๐๐๒๓.๑/๑–๒" in out[1] and str(tmp_path / "one") in out[1]
    assert "ยกเลิก" in out[2] and "ชร ๐๐๒๓.๑/ว ๒, ชร ๐๐๒๓.๑/๓–๔" in out[2]
    assert office.original("5900").number == "ชร ๐๐๒๓.๑/๑"  # a cancelled letter is not cited
    assert render(tmp_path, ws, "three") == 0  # cancelled numbers are not given again
    assert register_rows(tmp_path / "three")[0]["ที่"] == "ชร ๐๐๒๓.๑/ว ๓"
    (tmp_path / "r.xlsx").write_bytes(register_xlsx_of(office, 2561))
    rows = list(load_workbook(tmp_path / "r.xlsx").active.iter_rows(min_row=8, max_row=11, values_only=True))
    # the register says the letters were not sent, why and when (in Thai time)
    assert all(re.search(r"ยกเลิก ไม่ได้ออกหนังสือ \(ผู้ดูแลสั่งยกเลิก เมื่อ [๐-๙]+ [ก-๙.]+ [๐-๙]{4} "
                         r"เวลา [๐-๙]{2}\.[๐-๙]{2} น\.\)$", r[7]) for r in rows), rows
    assert main(["register", "--workspace", str(ws), "--cancel", "9"]) == 2
    assert "ไม่มีการสร้างครั้งที่ 9" in capsys.readouterr().err


def test_register_cells_are_never_formulas(tmp_path):
    from openpyxl import load_workbook

    from lettergen.registers.workspace import Workspace

    sheet = tmp_path / "recipients.csv"
    small_sheet(sheet, districts=1, laos=1, direct=1)
    text = sheet.read_text(encoding="utf-8").replace("เทศบาลทดสอบที่0", '"=HYPERLINK(""http://x"",""คลิก"")"')
    sheet.write_text(text, encoding="utf-8")
    ws = tmp_path / "ws"
    assert render(tmp_path, ws, "one", sheet=sheet) == 0
    (tmp_path / "r.xlsx").write_bytes(register_xlsx_of(Workspace(ws).register(), 2561))
    cell = load_workbook(tmp_path / "r.xlsx").active["E5"]  # the direct letter
    assert cell.value == '=HYPERLINK("http://x","คลิก")' and cell.data_type == "s"


def test_register_rows_are_as_tall_as_their_wrapped_text():
    from lettergen.registers.form14 import COLUMNS, LINE, WIDTHS, row_height

    short = ("๑", "ชร ๐๐๒๓.๑/๑", "๑ มี.ค. ๖๙", "จังหวัดน่าน", "เทศบาลนครเชียงราย", "ประชุม", "", "")
    assert row_height(short) == LINE + 6
    subject = "การดำเนินการโครงการพัฒนาระบบการประเมินความพึงพอใจของประชาชน" * 3
    tall = row_height(short[:5] + (subject,) + short[6:])
    assert tall >= 5 * LINE + 6
    # marks above and below a letter take no width
    assert row_height(("", "", "", "", "", "ก" * 50)) > row_height(("", "", "", "", "", "กิ่" * 17))
    assert len(WIDTHS) == len(COLUMNS) and 135 <= sum(WIDTHS) <= 150  # A4 landscape, one page wide
