"""The register a clerk hands back to ``lettergen remind --register``: either file of the pair
a run writes (register.csv or register.xlsx, told apart by content), both kept in step when
the reminders are appended, and anything else refused with one Thai line naming the file
(exit 2), before anything is written."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import EXAMPLE
from lettergen.cli import main

SPEC = EXAMPLE / "letter.toml"
TRACKING = EXAMPLE / "tracking.xlsx"
# The first run is numbered and dated apart from the [reminder] cites of the spec
# (ว 18858 of 27 July 2018), so a reminder citing ว 18001 of 26 July read it from the register.
FIRST_RUN = ["--set", "letter.date=2018-07-26", "--set", "variants.district.number=18001"]
CITED = "ที่ ชร ๐๐๒๓.๑/ว ๑๘๐๐๑ ลงวันที่ ๒๖ กรกฎาคม ๒๕๖๑"


def remind_args(register: Path, out: Path) -> list[str]:
    return ["remind", str(SPEC), "--recipients", str(TRACKING), "--format", "docx",
            "--out", str(out), "--register", str(register)]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    """The example rendered once (DOCX only): its folder, holding register.csv and .xlsx."""
    out = tmp_path_factory.mktemp("first") / "out"
    assert main(["render", str(SPEC), "--format", "docx", "--out", str(out), *FIRST_RUN]) == 0
    assert (out / "register.csv").is_file() and (out / "register.xlsx").is_file()
    return out


def copy_of(first_run: Path, folder: Path) -> Path:
    shutil.copytree(first_run, folder)
    return folder


@pytest.fixture(scope="module")
def reminded(first_run, tmp_path_factory) -> dict[str, Path]:
    """The reminders made against a copy of the first run, once with --register
    register.csv, once with register.xlsx, once with register.xlsx alone (the CSV deleted)."""
    base = tmp_path_factory.mktemp("reminded")
    runs = {}
    for name, register in (("csv", "register.csv"), ("xlsx", "register.xlsx"),
                           ("xlsx-alone", "register.xlsx")):
        folder = copy_of(first_run, base / name)
        if name == "xlsx-alone":
            (folder / "register.csv").unlink()
        assert main(remind_args(folder / register, folder / "reminders")) == 0
        runs[name] = folder
    return runs


def test_the_xlsx_register_reads_as_the_csv_register(first_run):
    from lettergen.registers.run_register import read_register, read_rows

    rows = read_rows(first_run / "register.csv")
    assert len(rows) == 20
    assert read_rows(first_run / "register.xlsx") == rows
    assert read_register(first_run / "register.xlsx") == read_register(first_run / "register.csv")
    originals, last = read_register(first_run / "register.xlsx")
    assert last == 20
    assert originals["5701"] == ("ชร 0023.1/ว 18001", dt.date(2018, 7, 26))


@pytest.mark.parametrize("run", ["xlsx", "xlsx-alone"])
def test_reminders_from_the_xlsx_register_are_those_from_the_csv(reminded, run):
    """Same rows, numbers, cites and files (the rows hold each DOCX's sha256) either way."""
    from lettergen.registers.run_register import read_rows

    expected = read_rows(reminded["csv"] / "register.csv")
    assert len(expected) == 38
    for form in ("register.csv", "register.xlsx"):
        assert read_rows(reminded[run] / form) == expected, form
    assert read_rows(reminded[run] / "reminders" / "register.csv") == \
        read_rows(reminded["csv"] / "reminders" / "register.csv")


@pytest.mark.parametrize("run", ["csv", "xlsx", "xlsx-alone"])
def test_the_reminders_cite_the_first_run_and_number_on_from_it(reminded, run):
    from lettergen.registers.run_register import read_rows
    from test_seed import docx_text

    folder = reminded[run]
    rows = read_rows(folder / "register.xlsx")
    first, reminders = rows[:20], rows[20:]
    assert [row.register_number for row in rows] == list(range(1, 39))
    assert {row.date for row in first} == {"๒๖ กรกฎาคม ๒๕๖๑"}
    assert {row.date for row in reminders} == {"๓ สิงหาคม ๒๕๖๑"}
    assert {row.number for row in reminders if row.remark} == {"ชร ๐๐๒๓.๑/ว ๑๙๔๒๐"}
    assert all(row.docx.startswith("reminders/") and (folder / row.docx).is_file() for row in reminders)
    text = docx_text(next((folder / "reminders").glob("5701-*.docx")))
    assert CITED in text
    direct = next(row for row in first if row.recipient_id == "570102")
    text = docx_text(next((folder / "reminders").glob("570102-*.docx")))
    assert f"ที่ {direct.number} ลงวันที่ ๒๖ กรกฎาคม ๒๕๖๑" in text


@pytest.mark.parametrize("run", ["csv", "xlsx", "xlsx-alone"])
def test_both_files_of_the_pair_keep_their_form(reminded, run):
    from openpyxl import load_workbook

    folder = reminded[run]
    csv_bytes = (folder / "register.csv").read_bytes()
    assert csv_bytes.startswith("\ufeffเลขทะเบียนส่ง,".encode())
    assert not zipfile.is_zipfile(folder / "register.csv")
    assert zipfile.is_zipfile(folder / "register.xlsx")
    book = load_workbook(folder / "register.xlsx", read_only=True)
    try:
        values = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    assert [row[0] for row in values[1:]] == list(range(1, 39))  # numbers, not text
    assert all(isinstance(cell, str) for row in values[1:] for cell in row[1:6])


def _row(number: int, **cells):
    from lettergen.registers.run_register import RegisterRow

    base = dict(register_number=number, number="ชร ๐๐๒๓.๑/ว ๑๘๘๕๘", date="๒๗ กรกฎาคม ๒๕๖๑",
                sender="จังหวัดเชียงราย", to="=เทศบาลนครเชียงราย", subject="เรื่อง", action="",
                remark="", recipient_id="570102", pdf="", pdf_sha256="",
                docx="a.docx", docx_sha256="1" * 64)
    return RegisterRow(**{**base, **cells})


@pytest.mark.parametrize("name, content, partner, written_as", [
    ("register.xlsx", "xlsx", "register.csv", "xlsx"),
    ("register.csv", "csv", "register.xlsx", "csv"),
    ("ทะเบียน.txt", "csv", "ทะเบียน.xlsx", "csv"),  # another name: the form of its content
    ("ทะเบียน", "xlsx", "ทะเบียน.csv", "xlsx"),
    ("register.xlsx", "csv", "register.csv", "xlsx"),  # CSV text named .xlsx: made a real XLSX
])
def test_appending_writes_each_file_in_its_form(tmp_path, name, content, partner, written_as):
    from lettergen.registers.run_register import append_register, read_rows, register_csv, register_xlsx

    make = {"csv": register_csv, "xlsx": lambda rows: register_xlsx(rows, dt.datetime(2018, 7, 27))}
    (tmp_path / name).write_bytes(make[content]([_row(1)]))
    (tmp_path / "reminders").mkdir()
    (tmp_path / "reminders" / "register.csv").write_bytes(register_csv([_row(2, remark="-")]))
    append_register(tmp_path / name, tmp_path / "reminders" / "register.csv")
    expected = [_row(1), _row(2, remark="-", docx="reminders/a.docx")]
    assert read_rows(tmp_path / name) == expected
    assert read_rows(tmp_path / partner) == expected
    assert zipfile.is_zipfile(tmp_path / name) == (written_as == "xlsx")
    assert zipfile.is_zipfile(tmp_path / partner) == (written_as == "csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, partner, "reminders"])


def test_a_register_touched_in_excel_still_reads(first_run, tmp_path):
    """Saved again by a spreadsheet: a remark typed in, a blank formatted row at the end."""
    from openpyxl import load_workbook

    from lettergen.registers.run_register import read_rows

    book = load_workbook(first_run / "register.xlsx")
    sheet = book.worksheets[0]
    sheet.cell(row=3, column=7).value = "ส่งทางไปรษณีย์"
    sheet.cell(row=3, column=9).value = 5702  # a recipient id typed in as a number
    sheet.cell(row=40, column=2).value = None
    sheet.row_dimensions[40].height = 30
    book.save(tmp_path / "register.xlsx")
    rows = read_rows(tmp_path / "register.xlsx")
    assert len(rows) == 20
    assert (rows[1].action, rows[1].recipient_id) == ("ส่งทางไปรษณีย์", "5702")
    assert rows[0] == read_rows(first_run / "register.csv")[0]


def _not_registers(first_run: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, what its message says)."""
    csv_text = (first_run / "register.csv").read_bytes().decode("utf-8-sig")
    xlsx = (first_run / "register.xlsx").read_bytes()
    resaved = "ข้อความไม่ใช่ UTF-8"
    files = {
        "garbage.csv": (bytes(range(256)) * 8, "เนื้อในไม่ใช่ข้อความ"),
        "cp874.csv": (csv_text.encode("cp874"), resaved),  # opened in Excel, saved as plain CSV
        "utf16.csv": (csv_text.encode("utf-16"), resaved),  # saved as "Unicode text"
        "empty.csv": (b"", "ไฟล์ว่าง"),
        "truncated.xlsx": (xlsx[:len(xlsx) // 2], "ไฟล์ Excel ที่เสีย"),
        "letter.docx": (next(first_run.glob("*.docx")).read_bytes(), "ไฟล์ Word (.docx)"),
        "tracking.xlsx": (TRACKING.read_bytes(), "หัวคอลัมน์ไม่ตรง"),  # a sheet, not a register
        "page.xlsx": (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "หน้าเว็บ"),
        "letter.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "ไฟล์ PDF"),
        "other-columns.csv": ("\ufeffเลขที่,เรื่อง\r\n1,ก\r\n".encode(), "หัวคอลัมน์ไม่ตรง"),
        "unnumbered.csv": (csv_text.replace("\r\n1,", "\r\nหนึ่ง,", 1).encode("utf-8-sig"),
                           "แถว 2 ไม่ได้: เลขทะเบียนส่ง \"หนึ่ง\" ไม่ใช่ตัวเลข"),
    }
    given = {}
    for name, (data, says) in files.items():
        (folder / name).write_bytes(data)
        given[name] = (folder / name, says)
    (folder / "out-folder").mkdir()
    given["out-folder"] = (folder / "out-folder", "เป็นโฟลเดอร์")
    return given


def test_anything_else_given_as_register_is_refused_naming_it(first_run, tmp_path, capsys):
    folder = tmp_path / "given"
    folder.mkdir()
    for name, (path, says) in _not_registers(first_run, folder).items():
        before = sorted(p.name for p in folder.iterdir())
        data = path.read_bytes() if path.is_file() else None
        out = tmp_path / f"reminders-{name}"
        assert main(remind_args(path, out)) == 2, name
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"ข้อผิดพลาด: {path}: "), (name, err)
        assert "ทะเบียน" in err[0] and says in err[0], (name, err)
        assert not out.exists(), name
        assert sorted(p.name for p in folder.iterdir()) == before, name  # no partner written
        if data is not None:
            assert path.read_bytes() == data, name


def test_without_the_default_register_the_reminders_cite_the_spec(tmp_path, capsys, monkeypatch):
    """The first run's register is optional: when out/register.csv (the default) is not
    there, the reminders cite the [reminder] numbers of the spec."""
    from test_seed import docx_text

    monkeypatch.chdir(tmp_path)
    args = remind_args(tmp_path / "none.xlsx", tmp_path / "reminders")
    assert main(args[:-2]) == 0  # no --register
    assert not (tmp_path / "out").exists()
    text = docx_text(next((tmp_path / "reminders").glob("5701-*.docx")))
    assert "ที่ ชร ๐๐๒๓.๑/ว ๑๘๘๕๘ ลงวันที่ ๒๗ กรกฎาคม ๒๕๖๑" in text and CITED not in text


def test_a_register_named_but_missing_is_refused(tmp_path, capsys):
    """A register the clerk named and that is not there (a typo, another folder) is an
    error, not a reminder citing the spec's numbers in its place."""
    out = tmp_path / "reminders"
    assert main(remind_args(tmp_path / "none.xlsx", out)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(tmp_path / "none.xlsx") in err[0] and "ไม่พบทะเบียน" in err[0], err
    assert not out.exists()
