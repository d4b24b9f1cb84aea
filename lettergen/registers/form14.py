"""The office register of one year as an XLSX workbook in the layout of แบบที่ 14
(ทะเบียนหนังสือส่ง, the Regulation on Correspondence).

Sheet 1, "ทะเบียนหนังสือส่ง": the title and the year, then the form's eight columns
(เลขทะเบียนส่ง, ที่, ลงวันที่, จาก, ถึง, เรื่อง, การปฏิบัติ, หมายเหตุ), a row per letter sent, in
the order the numbers were taken. Numbers and dates in Thai digits; a circular's number
reads "ว ๕" and every copy of it has a row, with its addressee. Set in TH SarabunPSK 16 pt,
printed on A4 landscape, one page wide, with the column headings repeated on every page.
Sheet 2, "การสร้างหนังสือ": each run of the year (when, the sha256 of its spec and sheet,
the folder) and sheet 3, "ไฟล์": every file it wrote with its sha256.

Every cell is written as text or a number, never as a formula, whatever it starts with.
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from .record import (STATUS_ABANDONED, STATUS_ISSUED, STATUS_RESERVED, OfficeRegister,
                              RegisterEntry, RecordedRun)

TITLE = "ทะเบียนหนังสือส่ง"
COLUMNS = ("เลขทะเบียนส่ง", "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ", "หมายเหตุ")
WIDTHS = (11, 18, 16, 15, 28, 37, 9, 12)  # in Excel's units: together A4 landscape's width
FONT = "TH SarabunPSK"
SIZE = 16
LINE = 23.0  # points a line of 16 pt Thai text takes in a cell
FILL = 0.7  # Thai letters (marks above and below not counted) a unit of column width holds
HEADER_ROW = 3  # rows 1-2: title and year; row 3: the column headings (repeated on print)
RUN_COLUMNS = ("ครั้งที่", "ชนิด", "สถานะ", "เริ่ม (UTC)", "เสร็จ (UTC)", "จำนวนฉบับ", "เรื่อง",
               "ไฟล์ spec", "sha256 spec", "ไฟล์รายชื่อ", "sha256 รายชื่อ", "โฟลเดอร์ผลลัพธ์")
FILE_COLUMNS = ("ครั้งที่", "ไฟล์", "sha256")
STATUS_TEXT = {STATUS_ISSUED: "ออกหนังสือแล้ว", STATUS_RESERVED: "จองเลขไว้ ยังสร้างไม่เสร็จ",
               STATUS_ABANDONED: "ยกเลิก ไม่ได้ออกหนังสือ"}
KIND_TEXT = {"letters": "หนังสือ", "reminders": "หนังสือติดตาม"}


THAI_TIME = dt.timezone(dt.timedelta(hours=7))


def thai_time(moment: dt.datetime) -> str:
    """A time as an office writes it, in Thai time: "๔ ธ.ค. ๒๕๖๙ เวลา ๑๐.๓๑ น."."""
    from ..thai import thai_strftime

    return thai_strftime(moment.astimezone(THAI_TIME), "%-d %b %Y เวลา %H.%M น.")


def status_text(status: str, note: str = "", finished: dt.datetime | None = None) -> str:
    """A run's state as the register says it; for one abandoned, why and when."""
    text = STATUS_TEXT.get(status, status)
    if status == STATUS_ABANDONED and (note or finished):
        text += " (" + " ".join(part for part in (note, f"เมื่อ {thai_time(finished)}" if finished else "")
                                if part) + ")"
    return text


def remark(entry: RegisterEntry) -> str:
    """หมายเหตุ: the entry's own remark, and the state of its run when not issued (for a
    cancelled run, why and when)."""
    parts = [entry.remark] if entry.remark else []
    if entry.status != STATUS_ISSUED:
        parts.append(status_text(entry.status, entry.note, entry.finished))
    return "; ".join(parts)


def register_xlsx_of(register: OfficeRegister, year: int) -> bytes:
    """The register of record's ``year`` (BE) as an XLSX workbook in the layout of แบบที่ 14."""
    return form14_xlsx(register.entries(year), year, register.runs())


def form14_rows(entries: Sequence[RegisterEntry]) -> list[tuple[str, ...]]:
    """The form's eight cells per entry, as the register shows them."""
    from ..thai import arabic_digit_to_thai_digit, thai_date

    return [(arabic_digit_to_thai_digit(e.register_label), e.number, thai_date(e.date), e.sender,
             e.recipient_name, e.subject, e.action, remark(e)) for e in entries]


def row_height(cells: Sequence[str], widths: Sequence[float] = WIDTHS) -> float:
    """The height (points) a row needs for its wrapped cells: spreadsheet programs do not
    all fit the rows of a file to their text, so the rows are given their height."""
    import math
    import unicodedata

    lines = 1
    for text, width in zip(cells, widths):
        letters = sum(1 for ch in str(text or "") if not unicodedata.combining(ch)
                      and unicodedata.category(ch) != "Mn")
        lines = max(lines, math.ceil(letters / max(1.0, width * FILL)))
    return lines * LINE + 6


def form14_xlsx(entries: Sequence[RegisterEntry], year: int, runs: Sequence[RecordedRun] = (),
                when: dt.datetime | None = None) -> bytes:
    """The workbook of ``year`` (BE): ``entries`` of that year, and the ``runs`` they
    belong to. ``when`` is the workbook's stamped time (default now)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    from .run_register import save_workbook
    from ..thai import arabic_digit_to_thai_digit

    when = when or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    book = Workbook()
    book.properties.creator = "lettergen"
    book.properties.title = f"{TITLE} พ.ศ. {year}"
    sheet = book.active
    sheet.title = TITLE
    last = get_column_letter(len(COLUMNS))
    plain, bold = Font(name=FONT, size=SIZE), Font(name=FONT, size=SIZE, bold=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    senders = list(dict.fromkeys(e.sender for e in entries if e.sender))

    sheet["A1"] = TITLE
    sheet["A1"].font = Font(name=FONT, size=20, bold=True)
    sheet["A2"] = " ".join(senders[:1] + [f"ประจำปี พ.ศ. {arabic_digit_to_thai_digit(str(year))}"])
    sheet["A2"].font = bold
    for row, height in ((1, 32), (2, 26)):
        sheet.merge_cells(f"A{row}:{last}{row}")
        sheet[f"A{row}"].alignment = Alignment(horizontal="center", vertical="center")
        sheet.row_dimensions[row].height = height
    sheet.row_dimensions[HEADER_ROW].height = row_height(COLUMNS) + LINE / 2
    for c, heading in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=c, value=heading)
        cell.font, cell.border = bold, box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="E7E6E6")
    wrap = Alignment(vertical="top", wrap_text=True)
    centred = Alignment(horizontal="center", vertical="top", wrap_text=True)
    for r, cells in enumerate(form14_rows(entries), start=HEADER_ROW + 1):
        sheet.row_dimensions[r].height = row_height(cells)
        for c, value in enumerate(cells, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.font, cell.border = plain, box
            cell.alignment = centred if c in (1, 3) else wrap
    for c, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "หน้า &P / &N"
    sheet.oddFooter.center.font = FONT

    run_ids = {e.run_id for e in entries}
    year_runs = [run for run in runs if run.id in run_ids]
    runs_sheet = book.create_sheet("การสร้างหนังสือ")
    _table(runs_sheet, RUN_COLUMNS, [
        (run.id, KIND_TEXT.get(run.kind, run.kind), status_text(run.status, run.note),
         f"{run.started:%Y-%m-%d %H:%M:%S}", f"{run.finished:%Y-%m-%d %H:%M:%S}" if run.finished else "",
         run.letters,
         run.subject, run.spec_name, run.spec_sha256, run.sheet_name, run.sheet_sha256,
         run.out_dir) for run in year_runs], plain, bold)
    files_sheet = book.create_sheet("ไฟล์")
    _table(files_sheet, FILE_COLUMNS,
           [(run.id, name, digest) for run in year_runs for name, digest in run.files], plain, bold)
    return save_workbook(book, when)


def _table(sheet, headings, rows, plain, bold) -> None:
    from openpyxl.utils import get_column_letter

    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = bold
    for r, cells in enumerate(rows, start=2):
        for c, value in enumerate(cells, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cell.font = plain
    for c, heading in enumerate(headings, start=1):
        longest = max([len(str(heading))] + [len(str(row[c - 1])) for row in rows])
        sheet.column_dimensions[get_column_letter(c)].width = min(70, max(10, longest + 2))
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
