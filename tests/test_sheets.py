"""Issue 13: the sheets clerks really keep. Each sheet of the corpus is made here with
openpyxl in the shape a Thai office keeps it, and has its expected outcome: it works, with
the right values in the composed letters (usernames, passwords as Excel shows them,
district names, progress figures), or it exits 2 with one Thai line naming the place."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lettergen.cli import main
from lettergen.compose import compose_all
from lettergen.sheets.recipients import load_recipients
from lettergen.spec import load_spec
from sheet_corpus import (DONE, HEADER, LAOS, OFFICES, ROWS, THAI_HEADER, TITLE, TOTAL, with_column,
                          write_csv, write_spec, write_xlsx)


def run(argv, capsys) -> tuple[int, str, str]:
    rc = main([str(a) for a in argv])
    out = capsys.readouterr()
    return rc, out.out, out.err


def letters_of(folder: Path, sheet: Path | None = None):
    spec = load_spec(folder / "spec.toml")
    book = load_recipients(sheet or spec.recipients.file, spec)
    return spec, book, compose_all(spec, book)


def credentials(letters) -> dict[str, tuple[str, str]]:
    """LAO name -> (username, password) as the enclosures of the letters print them."""
    found = {}
    for letter in letters:
        table = letter.attachments[0].blocks[0]
        for row in table.rows:
            name, username, password = (cell[0].runs[0].text for cell in row[1:])
            found[name] = (username, password)
    return found


def body_text(letter) -> str:
    return "".join(run.text for paragraph in letter.body for run in paragraph.runs)


def expect_error(folder: Path, capsys, fragment: str, commands=("check",), extra=()):
    for command in commands:
        rc, out, err = run([command, folder / "spec.toml", *extra], capsys)
        lines = err.strip().splitlines()
        assert rc == 2, (command, rc, err)
        assert len(lines) == 1 and lines[0].startswith("ข้อผิดพลาด: "), lines
        assert fragment in lines[0], f"\n  expected: {fragment}\n  got:      {lines[0]}"
        assert out == ""
    return lines[0]


@pytest.fixture
def folder(tmp_path) -> Path:
    write_spec(tmp_path)
    return tmp_path


def assert_right_letters(letters):
    got = credentials(letters)
    assert got == {row[1]: (row[4], row[5]) for row in LAOS}
    for letter in letters:
        text = body_text(letter)
        assert "ดำเนินการแล้ว ๓ แห่ง จาก ๘ แห่ง" in text, text
        assert "อำเภออำเภอ" not in letter.attachments[0].title + letter.addressee


# --- title rows and the header ---------------------------------------------------------


def test_a_merged_title_row_above_the_header(folder, capsys):
    write_xlsx(folder / "recipients.xlsx", [[TITLE], HEADER, *ROWS], merges=["A1:G1"])
    rc, out, err = run(["check", folder / "spec.toml"], capsys)
    assert (rc, err) == (0, "")
    assert f"ชื่อตาราง: {TITLE}" in out and "หัวคอลัมน์อยู่แถว 2" in out
    assert_right_letters(letters_of(folder)[2])


def test_title_and_blank_rows_unmerged(folder, capsys):
    write_xlsx(folder / "recipients.xlsx",
               [[TITLE], ["ข้อมูล ณ วันที่ 3 สิงหาคม 2561"], [], HEADER, *ROWS])
    spec, book, letters = letters_of(folder)
    assert (book.title, book.header_row) == (TITLE, 4)
    assert [r.row for r in book.rows][:2] == [5, 6]
    assert_right_letters(letters)


def test_a_header_of_two_rows_with_a_merged_group_label(folder, capsys):
    """"บัญชีผู้ใช้" merged over E1:F1, the other headers merged down over two rows."""
    top = ["รหัส", "ชื่อ อปท.", "ประเภท", "อำเภอ", "บัญชีผู้ใช้", None, "ผลการดำเนินการ"]
    below = [None, None, None, None, "ชื่อผู้ใช้", "รหัสผ่าน", None]
    write_xlsx(folder / "recipients.xlsx", [[TITLE], top, below, *ROWS],
               merges=["A1:G1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:F2", "G2:G3"])
    spec, book, letters = letters_of(folder)
    assert book.header_row == 3 and book.rows[0].row == 4
    assert_right_letters(letters)
    rc, out, err = run(["check", folder / "spec.toml"], capsys)
    assert rc == 0 and "หัวคอลัมน์อยู่แถว 2-3" in out


def test_no_header_anywhere_names_what_is_missing(folder, capsys):
    write_xlsx(folder / "recipients.xlsx", [[TITLE], ["ก", "ข", "ค"], *ROWS])
    line = expect_error(folder, capsys, "recipients.xlsx: หาแถวหัวคอลัมน์ไม่พบ")
    assert "[recipients.columns]" in line
    assert "FAKE" not in line  # cells of a sheet with no header are never echoed: passwords


# --- column names ----------------------------------------------------------------------


@pytest.mark.parametrize("username, password, done", [
    ("ชื่อผู้ใช้งาน", "รหัสผ่าน", "ผลการดำเนินการ"),
    ("User Name", "Password", "Status"),
    ("Username", "PASSWORD", "สถานะ"),
    ("ชื่อผู้ใช้ (Username)", "รหัสผ่าน (Password)", "ดำเนินการแล้ว"),
    ("ชื่อผู้ใช้\u00a0งาน", "รหัส\u200bผ่าน", "ผลการดำเนินการ."),
    (" user_name ", "Pass word", "done"),
])
def test_header_synonyms(folder, username, password, done):
    header = ["รหัส", "ชื่อ อปท.", "ประเภท อปท.", "อำเภอ", username, password, done]
    write_xlsx(folder / "recipients.xlsx", [header, *ROWS])
    assert_right_letters(letters_of(folder)[2])


def test_a_numbering_column_is_never_the_id(folder):
    rows = [["ลำดับ", *THAI_HEADER]] + [[i, *row] for i, row in enumerate(ROWS, 1)]
    write_xlsx(folder / "recipients.xlsx", rows)
    spec, book, letters = letters_of(folder)
    assert [r.id for r in book.rows] == [row[0] for row in ROWS]
    assert_right_letters(letters)


def test_without_an_id_column_the_numbering_is_the_id(folder, capsys):
    rows = [["ลำดับที่", *THAI_HEADER[1:]]] + [[i, *row[1:]] for i, row in enumerate(ROWS, 1)]
    write_xlsx(folder / "recipients.xlsx", rows)
    rc, out, err = run(["check", folder / "spec.toml"], capsys)
    assert rc == 0, err
    assert 'ใช้คอลัมน์ A "ลำดับที่" เป็นรหัสผู้รับ' in out


@pytest.mark.parametrize("how", ["spec", "set"])
def test_the_spec_chooses_a_column_over_guessing(folder, how):
    """Two columns that could be the username: [recipients.columns] (or --set) chooses."""
    header = HEADER[:4] + ["ชื่อผู้ใช้", "password", "done", "Login"]
    rows = [header] + [row + ["x" + row[4] if row[4] else ""] for row in ROWS]
    write_xlsx(folder / "recipients.xlsx", rows)
    if how == "spec":
        write_spec(folder, extra='\n[recipients.columns]\nusername = "Login"\n')
        spec = load_spec(folder / "spec.toml")
    else:
        spec = load_spec(folder / "spec.toml", {"recipients.columns.username": "login"})
    letters = compose_all(spec, load_recipients(folder / "recipients.xlsx", spec))
    assert credentials(letters)["เทศบาลตำบลท่าสาย"] == ("xdemo570103", "FAKE-8u2e")


def test_a_chosen_header_that_is_not_in_the_sheet(folder, capsys):
    write_xlsx(folder / "recipients.xlsx", [HEADER, *ROWS])
    write_spec(folder, extra='\n[recipients.columns]\nusername = "ชื่อบัญชีผู้ใช้งาน"\n')
    expect_error(folder, capsys, 'คีย์ recipients.columns.username: ไม่มีหัวคอลัมน์ "ชื่อบัญชีผู้ใช้งาน"')


@pytest.mark.parametrize("dropped, command, fragment", [
    (4, "check", 'ไม่มีคอลัมน์ "username"'),
    (5, "render", 'ไม่มีคอลัมน์ "password"'),
    (6, "check", 'ไม่มีคอลัมน์ "done" (done / สถานะ / ผลการดำเนินการ) ซึ่ง body.paragraphs[0] ใช้นับความคืบหน้า'),
    (6, "status", 'ไม่มีคอลัมน์ "done"'),
    (6, "remind", 'ไม่มีคอลัมน์ "done"'),
])
def test_a_needed_column_that_is_missing(folder, capsys, dropped, command, fragment):
    """Never an empty username in a letter, never a progress of 0 out of N."""
    header = list(HEADER)
    header[dropped] = "หมายเหตุ"
    write_xlsx(folder / "recipients.xlsx", [header, *ROWS])
    extra = ["--recipients", folder / "recipients.xlsx"]
    if command in ("render", "remind"):
        extra += ["--out", folder / "out"]
    line = expect_error(folder, capsys, "recipients.xlsx, แถว 1: " + fragment, (command,), extra)
    assert "หัวคอลัมน์ที่พบ: id, name, kind, district" in line
    assert not (folder / "out").exists()


def test_status_does_not_need_the_credentials(folder, capsys):
    write_xlsx(folder / "recipients.xlsx", [[TITLE], THAI_HEADER[:4] + ["ผลการดำเนินการ"],
                                            *[row[:4] + [row[6]] for row in ROWS]])
    rc, out, err = run(["status", folder / "spec.toml"], capsys)
    assert rc == 0, err
    total = out.strip().splitlines()[-1].split()
    assert total[-4:] == ["๘", "๓", "๕", "๓๗.๕๐"]


def test_a_column_a_template_reads(folder, capsys):
    write_xlsx(folder / "recipients.xlsx", [HEADER + ["เบอร์โทร"], *[r + ["0-5317-7328"] for r in ROWS]])
    write_spec(folder, extra='\n[variants.direct.text]\nphone = "โทร {{ recipient[\\"เบอร์โทร\\"] }}"\n')
    spec, book, letters = letters_of(folder)
    write_spec(folder, extra='\n[variants.direct.text]\nphone = "โทร {{ recipient.website }}"\n')
    expect_error(folder, capsys, 'recipients.xlsx, แถว 1, คีย์ variants.direct.text.phone: '
                 'ข้อความ variants.direct.text.phone ใช้ "website" '
                 "ของผู้รับ แต่ไฟล์ไม่มีคอลัมน์นี้")
    # the e-mail column is one lettergen knows (lettergen send): named with its Thai headers
    write_spec(folder, extra='\n[variants.direct.text]\nphone = "โทร {{ recipient.email }}"\n')
    expect_error(folder, capsys, 'recipients.xlsx, แถว 1: ไม่มีคอลัมน์ "email" (email / อีเมล / อีเมล์) '
                 "ซึ่งข้อความ variants.direct.text.phone ใช้ (recipient.email)")


def test_two_columns_for_one_thing_are_named_with_their_letters(folder, capsys):
    write_xlsx(folder / "recipients.xlsx", [HEADER + ["สถานะ"], *[r + [""] for r in ROWS]])
    expect_error(folder, capsys, 'recipients.xlsx, แถว 1, คอลัมน์ H "สถานะ": มีสองคอลัมน์ที่อ่านได้ว่าเป็น "done" '
                 '(G "done" และ H "สถานะ"); เลือกคอลัมน์ที่ใช้ใน spec: [recipients.columns] done = "done"')


# --- values as Excel shows them ----------------------------------------------------------


def test_numbers_are_written_as_excel_shows_them(folder):
    def formats(book, sheet):
        sheet["E4"].value, sheet["F4"].value = 570101, 123  # the อบจ.
        sheet["F4"].number_format = "00000"
        sheet["F5"].value = 100000.0
        sheet["F5"].number_format = "0.00E+00"
        sheet["F6"].value, sheet["E6"].value = 4567.0, 1234567  # General: never 4567.0
        sheet["E6"].number_format = "#,##0"
        sheet["F7"].value = 12345678901234  # 14 digits, exact
        sheet["G7"].value = True
        sheet["G8"].value = dt.datetime(2018, 8, 1)
        sheet["G8"].number_format = "d/m/yyyy"

    write_xlsx(folder / "recipients.xlsx", [HEADER, *ROWS], edit=formats)
    spec, book, letters = letters_of(folder)
    got = credentials(letters)
    assert got["องค์การบริหารส่วนจังหวัดเชียงราย"] == ("570101", "00123")
    assert got["เทศบาลนครเชียงราย"][1] == "1.00E+05"
    assert got["เทศบาลตำบลท่าสาย"] == ("1,234,567", "4567")
    assert got["เทศบาลตำบลบ้านดู่"][1] == "12345678901234"
    rows = {r.id: r for r in book.rows}
    assert rows["570104"].done is True
    assert (rows["570105"].done, rows["570105"].done_date) == (True, dt.date(2018, 8, 1))


@pytest.mark.parametrize("value, number_format, fragment", [
    (1234567890123456789, "General", "ตัวเลขในช่องนี้ยาวเกิน 15 หลัก"),
    (0.75, "# ?/?", 'ตัวเลขในช่องนี้ใช้รูปแบบตัวเลข "# ?/?"'),
    (dt.datetime(2018, 3, 4), "d/m/yyyy", "Excel เก็บค่าในช่องนี้เป็นวันที่หรือเวลา"),
])
def test_a_password_excel_cannot_show_faithfully_is_refused(folder, capsys, value, number_format, fragment):
    def edit(book, sheet):
        sheet["F5"].value = value
        sheet["F5"].number_format = number_format

    write_xlsx(folder / "recipients.xlsx", [HEADER, *ROWS], edit=edit)
    line = expect_error(folder, capsys, 'recipients.xlsx, แถว 5, คอลัมน์ F "password": ' + fragment)
    assert "จัดรูปแบบเซลล์เป็นข้อความ (Text)" in line or "15 หลัก" in line


def test_formula_results_are_read_and_a_formula_without_one_is_refused(folder, capsys):
    """openpyxl saves formulas without their results, as some programs do."""
    def edit(book, sheet):
        sheet["E4"].value = '="demo"&A4'

    write_xlsx(folder / "recipients.xlsx", [HEADER, *ROWS], edit=edit)
    expect_error(folder, capsys, 'recipients.xlsx, แถว 4, คอลัมน์ E "username": ช่องนี้เป็นสูตรที่ไม่มีผลลัพธ์'
                 "บันทึกไว้ในไฟล์")


def test_formula_results_saved_by_excel_are_read(folder):
    """A cached result, as Excel saves it next to the formula, is the cell's value."""
    import zipfile

    write_xlsx(folder / "plain.xlsx", [HEADER, *ROWS], edit=lambda b, s: s.__setitem__("E4", '="demo"&A4'))
    with zipfile.ZipFile(folder / "plain.xlsx") as source, \
            zipfile.ZipFile(folder / "recipients.xlsx", "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="E4"><f>"demo"&amp;A4</f><v></v></c>',
                                    b'<c r="E4" t="str"><f>"demo"&amp;A4</f><v>demo570101</v></c>')
                assert b"<v>demo570101</v>" in data, data[:2000]
            target.writestr(item, data)
    assert credentials(letters_of(folder)[2])["องค์การบริหารส่วนจังหวัดเชียงราย"][0] == "demo570101"


def test_an_excel_error_value_is_refused(folder, capsys):
    import zipfile

    write_xlsx(folder / "plain.xlsx", [HEADER, *ROWS])
    with zipfile.ZipFile(folder / "plain.xlsx") as source, \
            zipfile.ZipFile(folder / "recipients.xlsx", "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b'<c r="F6"')
                end = data.index(b"</c>", start) + 4
                data = data[:start] + b'<c r="F6" t="e"><v>#N/A</v></c>' + data[end:]
            target.writestr(item, data)
    expect_error(folder, capsys, 'recipients.xlsx, แถว 6, คอลัมน์ F "password": ช่องนี้มีค่าผิดพลาดของ Excel (#N/A)')


# --- districts ---------------------------------------------------------------------------


@pytest.mark.parametrize("written", [
    "อำเภอเมืองเชียงราย", "อ.เมืองเชียงราย", "อ. เมืองเชียงราย", "อำเภอ เมืองเชียงราย",
    "เมืองเชียงราย\u00a0", "\u200bเมือง\u200bเชียงราย", "  เมืองเชียงราย  ", "กิ่งอำเภอเมืองเชียงราย",
    "เมือง เชียงราย", "อำเภอเมือง\nเชียงราย",
])
def test_district_prefixes_and_spaces(folder, written):
    rows = with_column(ROWS, 3, lambda row: written if row[3] == "เมืองเชียงราย" and row[2] != "สถ.อ." else row[3])
    write_xlsx(folder / "recipients.xlsx", [HEADER, *rows])
    spec, book, letters = letters_of(folder)
    assert {r.district for r in book.rows} == {"เมืองเชียงราย", "เวียงชัย"}
    assert_right_letters(letters)
    district_letter = next(l for l in letters if l.recipient_id == "5701")
    assert district_letter.attachments[0].title.endswith("อำเภอเมืองเชียงราย")


def test_an_unknown_district_names_the_closest(folder, capsys):
    rows = with_column(ROWS, 3, lambda row: "เวียงชย" if row[0] == "570202" else row[3])
    write_xlsx(folder / "recipients.xlsx", [HEADER, *rows])
    expect_error(folder, capsys, 'recipients.xlsx, แถว 10, คอลัมน์ D "district": อำเภอ "เวียงชย" ไม่มีแถวของ สถ.อ. '
                 'ที่จะส่งรหัสของ องค์การบริหารส่วนตำบลดอนศิลา ไปให้ (หรือหมายถึง "เวียงชัย")')


def test_a_district_typo_in_a_sheet_of_laos_only(folder, capsys):
    rows = with_column(LAOS, 3, lambda row: "เมืองเชียงรา" if row[0] == "570104" else row[3])
    write_xlsx(folder / "recipients.xlsx", [HEADER, *rows])
    expect_error(folder, capsys, 'recipients.xlsx, แถว 5, คอลัมน์ D "district": อำเภอ "เมืองเชียงรา" มีเพียงแถวนี้ '
                 'และคล้ายกับอำเภอ "เมืองเชียงราย"')


# --- sheets of LAOs only -------------------------------------------------------------------


def test_a_sheet_of_laos_only_gets_its_district_offices(folder, capsys):
    write_xlsx(folder / "recipients.xlsx", [[TITLE], THAI_HEADER, *LAOS])
    rc, out, err = run(["check", folder / "spec.toml"], capsys)
    assert (rc, err) == (0, "")
    assert "สร้างแถวของ สถ.อ. 2 แห่งจากอำเภอในรายชื่อ" in out
    spec, book, letters = letters_of(folder)
    offices = [l for l in letters if l.recipient_id.startswith("สถ.อ.")]
    assert [(l.recipient_id, l.recipient_name) for l in offices] == [
        ("สถ.อ.เมืองเชียงราย", "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเมืองเชียงราย"),
        ("สถ.อ.เวียงชัย", "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเวียงชัย"),
    ]
    assert offices[0].addressee == "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเมืองเชียงราย"
    assert_right_letters(letters)
    # Stable ids: the same offices whatever the order of the rows.
    write_xlsx(folder / "recipients.xlsx", [THAI_HEADER, *reversed(LAOS)])
    again = letters_of(folder)[2]
    assert {l.recipient_id for l in again} == {l.recipient_id for l in letters}


def test_the_spec_names_the_made_offices(folder):
    write_xlsx(folder / "recipients.xlsx", [HEADER, *LAOS])
    write_spec(folder, extra="")
    text = (folder / "spec.toml").read_text(encoding="utf-8").replace(
        'district_office = "สถ.อ."', 'district_office = "สถ.อ."\ndistrict_office_name = "ท้องถิ่นอำเภอ{{ district }}"')
    (folder / "spec.toml").write_text(text, encoding="utf-8")
    names = {l.recipient_name for l in letters_of(folder)[2]}
    assert "ท้องถิ่นอำเภอเวียงชัย" in names


def test_laos_only_render_status_and_remind(folder, capsys):
    write_xlsx(folder / "recipients.xlsx", [HEADER, *LAOS])
    rc, out, err = run(["render", folder / "spec.toml", "--format", "docx", "--out", folder / "out"], capsys)
    assert rc == 0, err
    assert len(list((folder / "out").glob("สถ.อ.*.docx"))) == 2
    rc, out, err = run(["status", folder / "spec.toml"], capsys)
    assert rc == 0, err
    rc, out, err = run(["remind", folder / "spec.toml", "--recipients", folder / "recipients.xlsx",
                        "--format", "docx", "--out", folder / "rem", "--register", folder / "out" / "register.csv"],
                       capsys)
    assert rc == 0, err
    assert len(list((folder / "rem").glob("*.docx"))) == 3  # อบจ., and the two offices


# --- sheets and files -----------------------------------------------------------------------


def test_hidden_sheets_are_never_picked(folder, capsys):
    def edit(book, sheet):
        hidden = book.create_sheet("เก่า", 0)
        for row in [HEADER, *ROWS[:3]]:
            hidden.append(row)
        hidden.sheet_state = "hidden"
        book.create_sheet("สรุป").append(["รวม", len(ROWS)])
        book.active = 1

    write_xlsx(folder / "recipients.xlsx", [HEADER, *ROWS], edit=edit)
    spec, book, letters = letters_of(folder)
    assert book.sheet == "รายชื่อ" and len(book.rows) == len(ROWS)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters(tmp_path, delimiter):
    write_spec(tmp_path, "recipients.csv")
    write_csv(tmp_path / "recipients.csv", [[TITLE], THAI_HEADER, *ROWS], delimiter=delimiter)
    assert_right_letters(letters_of(tmp_path)[2])


@pytest.mark.parametrize("name, content, fragment", [
    ("recipients.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "ไฟล์ Excel แบบเก่า (.xls)"),
    ("recipients.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Excel Workbook (*.xlsx)"),
    ("recipients.xls", b"<html><body><table><tr><td>id</td></tr></table></body></html>", "หน้าเว็บ (HTML)"),
    ("recipients.xlsx", "id,name\n1,ก\n".encode(), "แต่เนื้อในเป็นข้อความแบบ CSV"),
    ("recipients.xlsx", b"PK\x03\x04broken", "เป็นไฟล์ zip"),
    ("recipients.ods", None, "LibreOffice Calc"),
    ("recipients.csv", None, "แต่เนื้อในเป็นไฟล์ Excel (.xlsx)"),
])
def test_files_that_are_not_what_they_say(tmp_path, capsys, name, content, fragment):
    write_spec(tmp_path, name)
    path = tmp_path / name
    if name.endswith(".ods"):
        import zipfile

        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            archive.writestr("content.xml", "<x/>")
    elif content is None:
        write_xlsx(path, [HEADER, *ROWS])
    else:
        path.write_bytes(content)
    line = expect_error(tmp_path, capsys, f"{name}: ")
    assert fragment in line
    assert not any(word in line for word in ("zip file", "File is not", "Error", "error"))


# --- dates and spec keys -------------------------------------------------------------------


@pytest.mark.parametrize("old, new, fragment", [
    ("date = 2018-07-27", "date = 2561-07-27", "คีย์ letter.date: ปี 2561 เป็นปี พ.ศ."),
    ("date = 2018-08-10", "date = 2561-08-10", "คีย์ deadline.date: ปี 2561 เป็นปี พ.ศ."),
    ("date = 2018-08-10", 'date = "2561-08-10"', "คีย์ deadline.date: ปี 2561 ในรูปแบบ ปปปป-ดด-วว ต้องเป็นปี ค.ศ."),
    ("date = 2018-08-10", "date = 2018-07-20", "คีย์ deadline.date: กำหนดเวลา ๒๐ กรกฎาคม ๒๕๖๑ อยู่ก่อนวันที่ของหนังสือ"),
    ("subject = ", "subjet = ", 'คีย์ letter.subjet: ไม่รู้จักคีย์นี้ (หรือหมายถึง "subject" ซึ่งต้องระบุ)'),
    ("[sender]", "[sendr]", 'คีย์ sendr: ไม่รู้จักคีย์นี้ (หรือหมายถึง "sender" ซึ่งต้องระบุ)'),
    ("ขอให้{{ recipient.name }}", "ขอให้{{ recipient.nmae }}",
     'ข้อความ body.paragraphs[0] ใช้ "nmae" ของผู้รับ แต่ไฟล์ไม่มีคอลัมน์นี้ (หรือหมายถึง "name")'),
    ("ขอให้{{ recipient.name }}", "ขอให้{{ recipent.name }}",
     'คีย์ body.paragraphs[0]: ไม่มีตัวแปร "recipent" (หรือหมายถึง "recipient")'),
    ("{{ progress.done }}", "{{ progress.dnoe }}", 'คีย์ body.paragraphs[0]: ไม่มี "progress.dnoe" (หรือหมายถึง "done")'),
])
def test_spec_dates_and_keys(folder, capsys, old, new, fragment):
    write_xlsx(folder / "recipients.xlsx", [HEADER, *ROWS])
    spec = folder / "spec.toml"
    text = spec.read_text(encoding="utf-8")
    assert old in text
    spec.write_text(text.replace(old, new, 1), encoding="utf-8")
    expect_error(folder, capsys, fragment, ("check",))
    expect_error(folder, capsys, fragment, ("render",), ("--out", folder / "out", "--format", "docx"))


def test_a_deadline_on_a_weekend_is_a_warning(folder, capsys):
    write_xlsx(folder / "recipients.xlsx", [HEADER, *ROWS])
    spec = folder / "spec.toml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("date = 2018-08-10", "date = 2018-08-11"),
                    encoding="utf-8")
    rc, out, err = run(["check", spec], capsys)
    assert rc == 0
    assert err.strip() == "คำเตือน: deadline.date: กำหนดเวลา วันเสาร์ที่ ๑๑ สิงหาคม ๒๕๖๑ เป็นวันหยุดราชการ"


def test_a_be_year_in_an_excel_date_cell_is_refused(folder, capsys):
    def edit(book, sheet):
        sheet["G5"].value = dt.datetime(2561, 8, 1)

    write_xlsx(folder / "recipients.xlsx", [HEADER, *ROWS], edit=edit)
    expect_error(folder, capsys, 'recipients.xlsx, แถว 5, คอลัมน์ G "done": ปี 2561 เป็นปี พ.ศ.')


def test_footer_rows_and_repeated_headers_are_passed_over(folder, capsys):
    rows = [[TITLE], THAI_HEADER, *ROWS[:5], THAI_HEADER, *ROWS[5:], [],
            [None, "รวม 10 แห่ง"], [None, "ลงชื่อ ผู้จัดทำ"]]
    write_xlsx(folder / "recipients.xlsx", rows)
    rc, out, err = run(["check", folder / "spec.toml"], capsys)
    assert rc == 0, err
    assert "ข้ามแถวท้ายตาราง 2 แถว" in out
    assert_right_letters(letters_of(folder)[2])


def test_a_district_merged_down_its_rows(folder):
    rows = [list(r) for r in ROWS]
    order = [r for r in rows if r[3] == "เมืองเชียงราย"] + [r for r in rows if r[3] == "เวียงชัย"]
    for row in order[1:6] + order[7:]:
        row[3] = None
    write_xlsx(folder / "recipients.xlsx", [HEADER, *order], merges=["D2:D7", "D8:D11"])
    spec, book, letters = letters_of(folder)
    assert [r.district for r in book.rows] == ["เมืองเชียงราย"] * 6 + ["เวียงชัย"] * 4
    assert_right_letters(letters)


def test_a_csv_code_excel_wrote_in_scientific_notation(tmp_path, capsys):
    write_spec(tmp_path, "recipients.csv")
    rows = with_column(ROWS, 5, lambda row: "1.23457E+12" if row[0] == "570104" else row[5])
    write_csv(tmp_path / "recipients.csv", [HEADER, *rows])
    expect_error(tmp_path, capsys, 'recipients.csv, แถว 7, คอลัมน์ F "password": ค่านี้เป็นตัวเลขที่ Excel ย่อ')


def test_toml_mistakes_are_told_in_thai(folder, capsys):
    spec = folder / "spec.toml"
    spec.write_text(spec.read_text(encoding="utf-8").replace('urgency = ""', "")
                    .replace("[letter]\n", "[letter]\nurgency = ด่วนที่สุด\n"), encoding="utf-8")
    line = expect_error(folder, capsys, "spec.toml: TOML ไม่ถูกต้อง (บรรทัด 2 ตำแหน่งที่ 11): ค่าไม่ถูกต้อง")
    assert "Invalid" not in line


def test_a_column_only_the_reminder_reads_is_needed_by_remind_only(folder, capsys):
    write_xlsx(folder / "recipients.xlsx", [HEADER, *ROWS])
    spec = folder / "spec.toml"
    spec.write_text(spec.read_text(encoding="utf-8").replace(
        'paragraphs = ["ยังไม่ได้รับรายงานจาก{{ recipient.name }}"]',
        'paragraphs = ["ยังไม่ได้รับรายงานจาก{{ recipient.name }} โทร {{ recipient[\\"โทรศัพท์\\"] }}"]'),
        encoding="utf-8")
    rc, out, err = run(["check", spec], capsys)
    assert rc == 0, err
    expect_error(folder, capsys, 'ข้อความ reminder.paragraphs[0] ใช้ "โทรศัพท์" ของผู้รับ แต่ไฟล์ไม่มีคอลัมน์นี้',
                 ("remind",), ("--recipients", folder / "recipients.xlsx", "--out", folder / "rem"))


@pytest.mark.parametrize("top, below", [
    # the column names split over two rows, the merged cells left blank
    (["รหัส", "ชื่อ อปท.", None, None, "บัญชีผู้ใช้", None, None],
     [None, None, "ประเภท", "อำเภอ", "ชื่อผู้ใช้", "รหัสผ่าน", "สถานะ"]),
    # a second header row repeating the names in English
    (THAI_HEADER, ["(ID)", "(Name)", "(Type)", "(District)", "(Username)", "(Password)", "(Status)"]),
])
def test_other_headers_of_two_rows(folder, top, below):
    write_xlsx(folder / "recipients.xlsx", [[TITLE], top, below, *ROWS])
    spec, book, letters = letters_of(folder)
    assert (book.header_row, book.rows[0].row) == (3, 4)
    assert_right_letters(letters)
    assert book.header("id") == "รหัส"


def test_without_a_kind_column_the_kind_comes_from_the_name(folder, capsys):
    rows = [[r[0], r[1], r[3], r[4], r[5], r[6]] for r in ROWS]
    rows[3][1] = "ทน. เชียงราย"  # an abbreviated name: the kind still reads
    write_xlsx(folder / "recipients.xlsx", [["รหัส", "ชื่อ อปท.", "อำเภอ", "Username", "Password", "สถานะ"], *rows])
    rc, out, err = run(["check", folder / "spec.toml"], capsys)
    assert rc == 0, err
    assert "อ่านประเภทจากชื่อหน่วยงาน" in out
    book = letters_of(folder)[1]
    assert [r.kind for r in book.rows] == ["สถ.อ.", "สถ.อ.", "อบจ.", "ทน.", "ทต.", "ทต.", "อบต.", "ทต.", "อบต.", "อบต."]
    rows[5][1] = "บ้านดู่"
    write_xlsx(folder / "recipients.xlsx", [["รหัส", "ชื่อ อปท.", "อำเภอ", "Username", "Password", "สถานะ"], *rows])
    expect_error(folder, capsys, 'recipients.xlsx, แถว 7, คอลัมน์ B "ชื่อ อปท.": ไฟล์ไม่มีคอลัมน์ประเภท')


@pytest.mark.parametrize("cell, done", [
    ("ส่งแล้ว", True), ("ยังไม่ส่ง", False), ("✔️", True), ("✅", True), ("❌", False), ("3 ส.ค. 61", True),
    ("๓/๘/๖๑", True), ("ดำเนินการ เรียบร้อยแล้ว", True), ("รอดำเนินการ", False), ("  ", False),
])
def test_done_cells_as_clerks_write_them(folder, capsys, cell, done):
    rows = with_column(ROWS, 6, lambda row: cell if row[0] == "570104" else row[6])
    write_xlsx(folder / "recipients.xlsx", [HEADER, *rows])
    book = letters_of(folder)[1]
    assert next(r for r in book.rows if r.id == "570104").done is done


def test_the_spec_names_the_sheet_among_several_even_a_hidden_one(folder, capsys):
    def edit(book, sheet):
        other = book.create_sheet("ปี 2560")
        for row in [HEADER, *ROWS[:4]]:
            other.append(row)
        other.sheet_state = "hidden"
        third = book.create_sheet("สำรอง")
        for row in [HEADER, *ROWS[:3]]:
            third.append(row)

    write_xlsx(folder / "recipients.xlsx", [HEADER, *ROWS], edit=edit)
    expect_error(folder, capsys, "ไฟล์มีตารางรายชื่อ 2 แผ่นงาน (รายชื่อ, สำรอง)")
    spec = load_spec(folder / "spec.toml", {"recipients.sheet": "ปี 2560"})
    assert len(load_recipients(folder / "recipients.xlsx", spec).rows) == 4


def test_a_last_row_without_its_id_is_not_taken_for_a_footer(folder, capsys):
    rows = [list(r) for r in ROWS]
    rows[-1][0] = ""
    write_xlsx(folder / "recipients.xlsx", [HEADER, *rows, [None, "รวม 10 แห่ง"]])
    expect_error(folder, capsys, 'recipients.xlsx, แถว 11, คอลัมน์ A "id": ช่องนี้ว่าง ต้องมีค่า')


def test_hidden_rows_are_read_and_check_says_so(folder, capsys):
    def edit(book, sheet):
        sheet.row_dimensions[5].hidden = True

    write_xlsx(folder / "recipients.xlsx", [HEADER, *ROWS], edit=edit)
    rc, out, err = run(["check", folder / "spec.toml"], capsys)
    assert rc == 0, err
    assert "มีแถวที่ซ่อนไว้ 1 แถว (เช่น แถว 5) ซึ่งอ่านรวมไว้ด้วย" in out
    assert_right_letters(letters_of(folder)[2])


def test_a_text_may_not_print_the_delivery_password(folder, capsys):
    write_xlsx(folder / "recipients.xlsx", [HEADER + ["รหัสเปิดไฟล์"], *[r + ["Open-1"] for r in ROWS]])
    write_spec(folder, extra='\n[variants.direct.text]\nx = "{{ recipient[\\"รหัสเปิดไฟล์\\"] }}"\n')
    line = expect_error(folder, capsys, "คีย์ variants.direct.text.x: ข้อความ variants.direct.text.x ใช้รหัสเปิดไฟล์")
    assert "Open-1" not in line


def test_every_bad_row_is_found_and_the_first_is_the_message(tmp_path):
    """The sheet is read to its end: the message is the first bad row's, as before, and the
    problems of the rows after it go with it (for the web page to mark every one)."""
    from lettergen.errors import RecipientsError
    from lettergen.sheets.recipients import load_recipients
    from lettergen.spec import load_spec

    from conftest import EXAMPLE

    lines = (EXAMPLE / "recipients.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    name, kind = header.index("name"), header.index("kind")
    for number, column, value in ((23, name, ""), (29, kind, "อบตต."), (40, name, "")):
        cells = lines[number - 1].split(",")
        cells[column] = value
        lines[number - 1] = ",".join(cells)
    sheet = tmp_path / "recipients.csv"
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RecipientsError) as caught:
        load_recipients(sheet, load_spec(EXAMPLE / "letter.toml"))
    assert caught.value.row == 23 and "ช่องนี้ว่าง" in caught.value.message
    assert [(e.row, e.column.letter, e.column) for e in caught.value.others] == [(29, "C", "kind"), (40, "B", "name")]
    assert "ไม่รู้จักประเภทหน่วยงาน" in caught.value.others[0].message


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_found_with_quoted_line_breaks_and_other_delimiters_in_cells(delimiter):
    """Cells holding another delimiter and a line break (a remark typed in Excel with
    Alt+Enter): the delimiter is the one the rows split by, as each reads its quoted cells.
    Read line by line, a comma sheet whose cells held ";" and a line break was taken for a
    ";" sheet, and its header was not found."""
    import csv
    import io

    from lettergen.sheets.tables import detect_delimiter

    handle = io.StringIO()
    writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["id", "name", "kind", "district", "username", "password", "remark"])
    for i in range(3):
        writer.writerow([f"57{i:04d}", "เทศบาลตำบลน้ำลัด", "ทต.", "เมืองเชียงราย", f"user{i}", "a;b,c",
                         "ส่งแล้ว;\nวันศุกร์ที่ ๒๗,\tสำนักงาน;"])
    assert detect_delimiter(handle.getvalue()) == delimiter
