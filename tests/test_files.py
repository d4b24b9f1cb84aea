"""files.py (atomic writes, the zip date rule) and reading the register back (registers/run_register.py)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from lettergen.files import write_atomic, zip_date_time


@pytest.mark.parametrize("when, expected", [
    (dt.date(2018, 7, 27), (2018, 7, 27, 0, 0, 0)),
    (dt.datetime(2018, 7, 27, 13, 5, 7), (2018, 7, 27, 13, 5, 7)),
    (dt.date(1975, 5, 1), (1980, 1, 1, 0, 0, 0)),
    (dt.date(2150, 1, 1), (2107, 12, 31, 23, 59, 58)),
])
def test_a_zip_entry_is_dated_within_what_zip_can_hold(when, expected):
    assert zip_date_time(when) == expected


def test_every_zip_lettergen_writes_takes_the_same_rule(tmp_path):
    from lettergen.archive import write_zip
    from lettergen.docx.package_zip import zip_bytes
    from lettergen.registers.run_register import register_xlsx

    late = dt.datetime(2150, 3, 1)
    docx = zip_bytes([("a.xml", b"<a/>", True)], zip_date_time(late))
    xlsx = register_xlsx([], late)
    (tmp_path / "r.csv").write_bytes(b"x")
    archive = write_zip(tmp_path / "letters.zip", [tmp_path / "r.csv"], late.date()).read_bytes()
    for data in (docx, xlsx, archive):
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            assert {info.date_time for info in package.infolist()} == {(2107, 12, 31, 23, 59, 58)}


def test_an_atomic_write_leaves_no_partial_file(tmp_path):
    path = tmp_path / "out.pdf"
    write_atomic(path, b"%PDF")
    assert path.read_bytes() == b"%PDF" and sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]
    with pytest.raises(RuntimeError):
        from lettergen.files import atomic_file

        with atomic_file(tmp_path / "broken.pdf") as handle:
            handle.write(b"half")
            raise RuntimeError("stopped")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]


def _row(number: int, **cells):
    from lettergen.registers.run_register import RegisterRow

    base = dict(register_number=number, number="ชร ๐๐๒๓.๑/ว ๑๘๘๕๘", date="๒๗ กรกฎาคม ๒๕๖๑",
                sender="จังหวัดเชียงราย", to="เทศบาลนครเชียงราย", subject="เรื่อง", action="",
                remark="", recipient_id="570102", pdf="a.pdf", pdf_sha256="0" * 64,
                docx="a.docx", docx_sha256="1" * 64)
    return RegisterRow(**{**base, **cells})


def test_the_register_reads_back_what_it_wrote_formula_like_cells_included(tmp_path):
    from lettergen.registers.run_register import read_register, read_rows, register_csv

    rows = [_row(1), _row(2, to="=HYPERLINK(\"x\")", recipient_id="-5", remark="@x")]
    (tmp_path / "register.csv").write_bytes(register_csv(rows))
    assert read_rows(tmp_path / "register.csv") == rows
    originals, last = read_register(tmp_path / "register.csv")
    assert last == 2
    assert originals["570102"] == ("ชร 0023.1/ว 18858", dt.date(2018, 7, 27))


def test_appending_a_register_keeps_both_and_points_at_the_new_files(tmp_path):
    from lettergen.registers.run_register import append_register, read_rows, register_csv

    (tmp_path / "register.csv").write_bytes(register_csv([_row(1)]))
    (tmp_path / "reminders").mkdir()
    (tmp_path / "reminders" / "register.csv").write_bytes(register_csv([_row(2, remark="-")]))
    append_register(tmp_path / "register.csv", tmp_path / "reminders" / "register.csv")
    rows = read_rows(tmp_path / "register.csv")
    assert [r.register_number for r in rows] == [1, 2]
    assert (rows[1].pdf, rows[1].docx, rows[1].remark) == ("reminders/a.pdf", "reminders/a.docx", "-")
    assert (tmp_path / "register.xlsx").is_file()
