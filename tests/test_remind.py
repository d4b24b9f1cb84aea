"""Progress tracking and reminders: status figures, done-cell parsing, urgency rules, the
after-deadline refusal, and a reminder run checked against the tracking sheet."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile

import pytest

from conftest import EXAMPLE
from lettergen.cli import main

SPEC = EXAMPLE / "letter.toml"
TRACKING = EXAMPLE / "tracking.xlsx"


@pytest.fixture(scope="module")
def tracking():
    from lettergen.sheets.recipients import load_recipients
    from lettergen.spec import load_spec

    spec = load_spec(SPEC)
    return spec, load_recipients(TRACKING, spec)


@pytest.mark.parametrize("cell, done", [
    ("1", True), ("0", False), ("", False), (None, False), ("ใช่", True), ("ไม่", False),
    ("✓", True), ("TRUE", True), ("FALSE", False), ("true", True), (1, True), (0, False),
    (True, True), (False, False), ("10/08/2561", True), ("๓ สิงหาคม ๒๕๖๑", True),
    (dt.datetime(2018, 8, 1), True), ("ยังไม่ดำเนินการ", False),
])
def test_done_cells(cell, done):
    from lettergen.sheets.recipients import _done

    assert _done(cell, "x.csv", 2, "done")[0] is done


@pytest.mark.parametrize("cell", ["บางส่วน", "2", "31/02/2561"])
def test_done_cells_that_mean_nothing_are_errors(cell):
    from lettergen.errors import RecipientsError
    from lettergen.sheets.recipients import _done

    with pytest.raises(RecipientsError) as error:
        _done(cell, "x.csv", 7, "ดำเนินการแล้ว")
    assert error.value.row == 7 and error.value.column == "ดำเนินการแล้ว"


def test_a_date_of_completion_in_the_christian_era_is_told_as_such():
    from lettergen.errors import RecipientsError
    from lettergen.sheets.recipients import _done

    with pytest.raises(RecipientsError) as error:
        _done("1/8/2018", "x.csv", 7, "วันที่ดำเนินการ")
    assert error.value.message == 'วันที่ดำเนินการ "1/8/2018" เป็นปี ค.ศ.: ใช้ปี พ.ศ. เช่น "1/8/2561"'
    assert _done("2018-08-01", "x.csv", 7, "วันที่ดำเนินการ") == (True, dt.date(2018, 8, 1))  # ISO is CE


def test_status_figures_for_the_province_and_the_districts(tracking):
    from lettergen.status import status

    spec, book = tracking
    report = status(spec, book, dt.date(2018, 8, 3))
    assert (report.total.total, report.total.done, report.total.percent) == (144, 25, "๑๗.๓๖")
    by_district = {line.label: line for line in report.districts}
    assert len(by_district) == 18
    assert (by_district["ขุนตาล"].done, by_district["ขุนตาล"].total) == (4, 4)
    assert by_district["ขุนตาล"].percent == "๑๐๐.๐๐"
    for name, line in by_district.items():  # recount from the sheet
        rows = [r for r in book.rows if r.district == name and r.kind != "สถ.อ."]
        assert (line.total, line.done) == (len(rows), sum(r.done for r in rows))
    assert sum(line.total for line in report.kinds) == 144


def test_done_is_counted_as_of_the_day(tracking, capsys):
    """A row whose done column gives a date after the day was not done yet on that day (the
    example: 25 done, 3 of them on 1 and 3 on 2 August 2561); one marked done without a
    date counts as done. `status --date` counts so, and a reminder dated that day too."""
    from lettergen.remind import reminder_planning
    from lettergen.status import book_as_of, status

    spec, book = tracking
    counts = {day: status(spec, book_as_of(book, day), day).total.done
              for day in (dt.date(2018, 7, 27), dt.date(2018, 7, 31), dt.date(2018, 8, 3))}
    undated = sum(1 for r in book.rows if r.done and r.done_date is None and r.kind != "สถ.อ.")
    assert counts == {dt.date(2018, 7, 27): undated, dt.date(2018, 7, 31): 19, dt.date(2018, 8, 3): 25}
    assert main(["status", str(SPEC), "--recipients", str(TRACKING), "--date", "2018-07-31"]) == 0
    total = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("รวมทั้งจังหวัด"))
    assert total.split()[1:3] == ["๑๔๔", "๑๙"]
    _, planning = reminder_planning(with_reminder_date(spec, dt.date(2018, 7, 31)), book, dt.date.today(), {})
    assert (planning.totals.done, planning.totals.total) == (19, 144)


def with_reminder_date(spec, day):
    from lettergen.spec import with_overrides

    return with_overrides(spec, {"reminder.date": day}, origin="test")


def test_status_command_prints_and_writes_agreeing_xlsx_and_pdf(tmp_path, capsys):
    from openpyxl import load_workbook

    from test_seed import pdf_text

    rc = main(["status", str(SPEC), "--recipients", str(TRACKING), "--date", "2018-08-03",
               "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0
    assert "รวมทั้งจังหวัด" in out and "๑๔๔" in out and "๒๕" in out and "๑๗.๓๖" in out
    sheet = load_workbook(tmp_path / "status.xlsx")["ตามอำเภอ"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][:5] == ("รวมทั้งจังหวัด", 144, 25, 119, "๑๗.๓๖")
    text = pdf_text(tmp_path / "status.pdf")
    import pypdfium2 as pdfium

    assert len(pdfium.PdfDocument(str(tmp_path / "status.pdf"))) == 1
    assert "๑๔๔" in text and "๑๗.๓๖" in text
    # every district row of the XLSX is in the PDF with the same figures
    from lettergen.thai import arabic_digit_to_thai_digit as thai

    lines = text.splitlines()
    for label, total, done, pending, percent, _ in rows[1:-1]:
        assert any(
            line.split()[-4:] == [thai(str(total)), thai(str(done)), thai(str(pending)), percent]
            for line in lines if line.startswith(label)
        ), label


@pytest.mark.parametrize("days_left, urgency", [(20, "ด่วนที่สุด"), (14, "ด่วน"), (8, "ด่วน"),
                                                (7, "ด่วนมาก"), (4, "ด่วนมาก"), (3, "ด่วนที่สุด"),
                                                (0, "ด่วนที่สุด")])
def test_urgency_rises_as_the_deadline_nears(tracking, days_left, urgency):
    from lettergen.remind import urgency_for

    spec, _ = tracking
    # beyond every rule the spec's own urgency applies (the example's is ด่วนที่สุด)
    assert urgency_for(spec, days_left) == urgency


def test_reminder_spec_takes_the_urgency_of_its_date(tracking):
    from lettergen.remind import reminder_spec
    from lettergen.spec import load_spec

    spec, _ = tracking
    assert reminder_spec(spec, dt.date(2026, 1, 1)).urgency == "ด่วนมาก"  # [reminder] date: 7 days left
    spec = load_spec(SPEC, {"reminder.date": "2018-08-08"})
    assert reminder_spec(spec, dt.date(2026, 1, 1)).urgency == "ด่วนที่สุด"


def test_no_reminder_after_the_deadline_unless_a_new_one_is_set(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no out/register.csv here: the reminders cite the spec
    args = ["remind", str(SPEC), "--recipients", str(TRACKING), "--out", str(tmp_path / "r"),
            "--set", "reminder.date=2018-08-11"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "deadline.date" in err[0] and "เลยกำหนด" in err[0]
    assert not (tmp_path / "r").exists()
    assert main(args + ["--set", "deadline.date=2018-08-24", "--format", "docx"]) == 0


@pytest.fixture(scope="module")
def reminder_run(tmp_path_factory):
    """The first run (the demo), then the reminders against the tracking sheet."""
    base = tmp_path_factory.mktemp("remind")
    assert main(["demo", "--out", str(base / "out")]) == 0
    assert main(["remind", str(SPEC), "--recipients", str(TRACKING),
                 "--out", str(base / "out" / "reminders"),
                 "--register", str(base / "out" / "register.csv")]) == 0
    return base / "out"


def test_reminders_go_exactly_to_the_pending(reminder_run, tracking):
    from test_seed import docx_text

    spec, book = tracking
    folder = reminder_run / "reminders"
    written = {p.name.split("-", 1)[0] for p in folder.glob("*.docx")}
    pending_districts = {r.district for r in book.rows if r.kind in ("ทต.", "อบต.") and not r.done}
    offices = {r.id for r in book.rows if r.kind == "สถ.อ." and r.district in pending_districts}
    direct = {r.id for r in book.rows if r.kind in ("อบจ.", "ทน.") and not r.done}
    assert written == offices | direct
    assert "5714" not in written and "5718" not in written  # every LAO there is done
    texts = {p.name.split("-", 1)[0]: docx_text(p) for p in folder.glob("*.docx")}
    for row in book.rows:
        if row.kind == "สถ.อ.":
            continue
        holders = {k for k, t in texts.items() if row.password in t}
        if row.done:
            assert not holders, row.id
            assert not any(row.name in t.split("บัญชีชื่อผู้ใช้", 1)[-1] for t in texts.values())
        else:
            office = next(r.id for r in book.rows if r.kind == "สถ.อ." and r.district == row.district)
            assert holders == ({row.id} if row.kind in ("อบจ.", "ทน.") else {office}), row.id


def test_reminder_wording_figures_and_citation(reminder_run):
    from test_seed import docx_text

    text = docx_text(next((reminder_run / "reminders").glob("5701-*.docx")))
    assert "ด่วนมาก" in text
    assert "ชร ๐๐๒๓.๑/ว ๑๙๔๒๐" in text
    assert "ที่ ชร ๐๐๒๓.๑/ว ๑๘๘๕๘ ลงวันที่ ๒๗ กรกฎาคม ๒๕๖๑" in text  # the original, from the register
    assert "ดำเนินการแล้ว ๒๕ แห่ง จากทั้งหมด ๑๔๔ แห่ง คิดเป็นร้อยละ ๑๗.๓๖" in text
    assert "ภายในวันศุกร์ที่ ๑๐ สิงหาคม ๒๕๖๑ ซึ่งเหลือเวลาอีก ๗ วัน" in text
    direct = docx_text(next((reminder_run / "reminders").glob("570102-*.docx")))
    assert "ที่ ชร ๐๐๒๓.๑/๑๘๘๕๔ ลงวันที่ ๒๗ กรกฎาคม ๒๕๖๑" in direct


def test_register_gains_the_reminder_rows(reminder_run):
    with (reminder_run / "register.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["เลขทะเบียนส่ง"]) for r in rows] == list(range(1, len(rows) + 1))
    first, reminders = rows[:20], rows[20:]
    assert {r["หมายเหตุ"] for r in first[:18]} == {"หนังสือเวียน"}  # the first run's rows stay
    assert len(reminders) == 18
    assert {r["ที่"] for r in reminders if r["หมายเหตุ"]} == {"ชร ๐๐๒๓.๑/ว ๑๙๔๒๐"}
    assert [r["ที่"] for r in reminders[-2:]] == ["ชร ๐๐๒๓.๑/๑๙๔๒๑", "ชร ๐๐๒๓.๑/๑๙๔๒๒"]
    assert all(r["ไฟล์ PDF"].startswith("reminders/") for r in reminders)
    assert all((reminder_run / r["ไฟล์ DOCX"]).is_file() for r in reminders)
    assert all(r["ลงวันที่"] == "๓ สิงหาคม ๒๕๖๑" for r in reminders)
    assert zipfile.is_zipfile(reminder_run / "register.xlsx")
