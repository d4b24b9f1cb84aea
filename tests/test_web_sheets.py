"""The recipients page shows the table the engine reads: the same sheet, the same row
numbers, each cell as the letter prints it (``lettergen.web.sheets.cells``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from openpyxl import Workbook

from lettergen.errors import RecipientsError
from lettergen.sheets.recipients import load_recipients
from lettergen.spec import load_spec
from lettergen.web import sheets

EXAMPLE = Path(__file__).resolve().parent.parent / "lettergen" / "examples" / "chiang-rai-2561"
HEADER = ["id", "name", "kind", "district", "username", "password", "done"]
OFFICE = ["5701", "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเมืองเชียงราย", "สถ.อ.", "เมืองเชียงราย", "", "", ""]


@pytest.fixture(scope="module")
def spec():
    return load_spec(EXAMPLE / "letter.toml")


def fill(sheet, rows, formats=None):
    """Rows into a worksheet; ``formats`` maps "E3" to a number format."""
    for row in rows:
        sheet.append(row)
    for ref, fmt in (formats or {}).items():
        sheet[ref].number_format = fmt


def by_row(rows):
    return {number: cells for number, cells in rows}


def test_numbers_show_as_excel_shows_them_and_as_the_letter_prints_them(tmp_path, spec):
    path = tmp_path / "รายชื่อ.xlsx"
    book = Workbook()
    fill(book.active, [HEADER, OFFICE,
                       [570103, "เทศบาลตำบลท่าสาย", "ทต.", "เมืองเชียงราย", 570103, "FAKE-8u2e", 0],
                       [570105, "เทศบาลตำบลบ้านดู่", "ทต.", "เมืองเชียงราย", 570105, "FAKE-m6GJ", 1]],
         formats={"E3": "0.00", "E4": "0000000"})
    book.save(path)

    shown = by_row(sheets.cells(path))
    assert shown[3][4] == "570103.00" and shown[4][4] == "0570105"
    assert shown[3][0] == "570103"  # General: no ".0" of the stored float

    read = {r.row: r for r in load_recipients(path, spec).rows}
    assert read[3].username == shown[3][4]
    assert read[4].username == shown[4][4]
    for row in (3, 4):  # every text column the engine reads is shown as it reads it
        assert [read[row].id, read[row].name, read[row].district] == [shown[row][0], shown[row][1], shown[row][3]]


def test_a_semicolon_csv_shows_its_columns(tmp_path, spec):
    path = tmp_path / "รายชื่อ.csv"
    lines = (EXAMPLE / "recipients.csv").read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line.replace(",", ";") for line in lines) + "\n", encoding="utf-8")

    shown = by_row(sheets.cells(path))
    assert shown[1] == HEADER
    read = {r.row: r for r in load_recipients(path, spec).rows}
    assert shown[20][:6] == [read[20].id, read[20].name, read[20].kind, read[20].district,
                             read[20].username, read[20].password]


def test_a_hidden_first_sheet_is_not_shown(tmp_path, spec):
    path = tmp_path / "รายชื่อ.xlsx"
    book = Workbook()
    old = book.active
    old.title = "เก่า"
    fill(old, [HEADER, ["9999", "ของเก่า", "ทต.", "เก่า", "old", "old", 0]])
    old.sheet_state = "hidden"
    fill(book.create_sheet("ใช้"), [HEADER, OFFICE,
                                    ["570103", "เทศบาลตำบลท่าสาย", "ทต.", "เมืองเชียงราย", "demo570103", "FAKE", 0]])
    book.save(path)

    shown = by_row(sheets.cells(path))
    assert shown[3][:5] == ["570103", "เทศบาลตำบลท่าสาย", "ทต.", "เมืองเชียงราย", "demo570103"]
    assert load_recipients(path, spec).sheet == "ใช้"


def test_of_several_visible_sheets_the_one_with_the_header_is_shown(tmp_path, spec):
    path = tmp_path / "รายชื่อ.xlsx"
    book = Workbook()
    fill(book.active, [["สรุป"], ["อำเภอ", "จำนวน"], ["เมืองเชียงราย", 2]])
    fill(book.create_sheet("รายชื่อ"), [HEADER, OFFICE,
                                       ["570103", "เทศบาลตำบลท่าสาย", "ทต.", "เมืองเชียงราย", "demo570103", "FAKE", 0]])
    book.save(path)

    assert by_row(sheets.cells(path))[1] == HEADER
    assert load_recipients(path, spec).sheet == "รายชื่อ"


def test_the_specs_sheet_is_shown_when_it_names_one(tmp_path, spec):
    path = tmp_path / "รายชื่อ.xlsx"
    book = Workbook()
    fill(book.active, [HEADER, OFFICE])
    fill(book.create_sheet("ชุดสอง"), [HEADER, ["5702", "สถ.อ. เวียงชัย", "สถ.อ.", "เวียงชัย", "", "", ""]])
    book.save(path)
    chosen = dataclasses.replace(spec, recipients=dataclasses.replace(spec.recipients, sheet="ชุดสอง"))

    assert by_row(sheets.cells(path, spec=chosen))[2][0] == "5702"
    assert by_row(sheets.cells(path, spec=lambda: chosen))[2][0] == "5702"
    assert load_recipients(path, chosen).rows[0].id == "5702"

    def broken():
        raise RecipientsError("spec เสีย")

    assert by_row(sheets.cells(path, spec=broken))[2][0] == "5701"  # read as without a spec


def test_merged_cells_spread_as_the_engine_spreads_them(tmp_path, spec):
    path = tmp_path / "รายชื่อ.xlsx"
    book = Workbook()
    fill(book.active, [HEADER, OFFICE,
                       ["570103", "เทศบาลตำบลท่าสาย", "ทต.", "เมืองเชียงราย", "demo570103", "FAKE-1", 0],
                       ["570104", "เทศบาลตำบลนางแล", "ทต.", None, "demo570104", "FAKE-2", 0],
                       ["570105", "เทศบาลตำบลบ้านดู่", "ทต.", None, "demo570105", "FAKE-3", 1]])
    book.active.merge_cells("D2:D5")
    book.save(path)

    shown = by_row(sheets.cells(path))
    read = {r.row: r for r in load_recipients(path, spec).rows}
    assert [shown[n][3] for n in (2, 3, 4, 5)] == ["เมืองเชียงราย"] * 4
    assert all(read[n].district == shown[n][3] for n in (2, 3, 4, 5))


def test_a_cp874_csv_shows_its_thai_text(tmp_path, spec):
    path = tmp_path / "รายชื่อ.csv"
    path.write_bytes((EXAMPLE / "recipients.csv").read_text(encoding="utf-8").encode("cp874"))

    shown = by_row(sheets.cells(path))
    assert shown[2][1] == "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเมืองเชียงราย"
    assert shown[2][1] == load_recipients(path, spec).rows[0].name


def test_row_numbers_and_the_marked_cell_follow_an_engine_error_under_a_title(tmp_path, spec):
    path = tmp_path / "รายชื่อ.xlsx"
    book = Workbook()
    fill(book.active, [["บัญชีรายชื่อองค์กรปกครองส่วนท้องถิ่น จังหวัดเชียงราย"], [], HEADER, OFFICE,
                       ["570103", "เทศบาลตำบลท่าสาย", "ทต.", "เมืองเชียงราย", "demo570103", "FAKE-1", 0],
                       ["570104", "เทศบาลตำบลนางแล", "อบตต.", "เมืองเชียงราย", "demo570104", "FAKE-2", 0]])
    book.active.merge_cells("A1:G1")
    book.save(path)

    with pytest.raises(RecipientsError) as caught:
        load_recipients(path, spec)
    error = caught.value
    assert error.row == 6
    rows = sheets.cells(path)
    assert by_row(rows)[3] == HEADER
    mark_row, mark_column = sheets.error_cell(rows, error)
    assert (mark_row, mark_column) == (6, 2)
    assert by_row(rows)[mark_row][mark_column] == "อบตต."


def test_a_format_the_engine_refuses_is_shown_refused_not_guessed(tmp_path, spec):
    path = tmp_path / "รายชื่อ.xlsx"
    book = Workbook()
    fill(book.active, [HEADER, OFFICE,
                       ["570103", "เทศบาลตำบลท่าสาย", "ทต.", "เมืองเชียงราย", 5701031234, "FAKE", 0]],
         formats={"E3": "0.0,,"})
    book.save(path)

    with pytest.raises(RecipientsError) as caught:
        load_recipients(path, spec)
    assert caught.value.row == 3 and "0.0,," in caught.value.message
    cell = by_row(sheets.cells(path))[3][4]
    assert "0.0,," in cell and "5701031234" not in cell


@pytest.mark.parametrize("name, data", [
    ("เสีย.xlsx", b"PK\x03\x04 not really a zip"),
    ("ว่าง.csv", b""),
    ("utf16.csv", "id,name\n".encode("utf-16")),
])
def test_a_file_the_engine_cannot_read_shows_no_table_and_never_fails(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    assert sheets.cells(path) == []
    assert sheets.cells(tmp_path / "ไม่มี.csv") == []


def test_no_more_than_the_shown_rows(tmp_path):
    path = tmp_path / "ยาว.csv"
    path.write_text("\n".join([",".join(HEADER)] + [f"{n},ชื่อ{n},ทต.,เมือง,u{n},p{n},0"
                                                     for n in range(1000)]) + "\n", encoding="utf-8")
    rows = sheets.cells(path)
    assert len(rows) == sheets.SHOWN_ROWS and rows[-1][0] == sheets.SHOWN_ROWS


def test_the_page_shows_a_bounded_part_of_a_huge_sheet(tmp_path):
    """However wide, long or wordy a sheet is, the page gets at most 400 rows of 100 cells of
    1,000 characters (a longer cell ends in "…"), 400,000 characters in all, and is told when
    rows are left out: the table stays a size the server and the browser render at once."""
    path = tmp_path / "กว้าง.csv"
    header = ",".join(HEADER + [f"x{i}" for i in range(190)])  # 197 columns: within the sheet limit
    name = "ก" * 1500  # within the cell limit (2,000), past what the page shows of a cell
    rows = [",".join(["5701", name, "สถ.อ.", "เมืองเชียงราย", "", "", ""] + ["y"] * 190)] * 500
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    shown = sheets.cells(path)
    assert 1 < len(shown) < 400 and {len(cells) for _, cells in shown} == {100}
    assert shown[1][1][1] == "ก" * 1000 + "…"
    assert sum(len(text) for _, cells in shown for text in cells) <= sheets.SHOWN_TOTAL
    assert sheets.shown_table(path)[1] is True  # the page says the rows are cut
    short = tmp_path / "สั้น.csv"
    short.write_text("\n".join([header, *rows[:3]]) + "\n", encoding="utf-8")
    assert [len(sheets.cells(short)), sheets.shown_table(short)[1]] == [4, False]
