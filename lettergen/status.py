"""Progress from the tracking sheet: per district, per kind and for the province.

The figures are counted once here (``Status``) and then shown three ways that must agree:
a table in the terminal, an XLSX workbook and a one-page PDF report (รายงานผลการดำเนินการ)
with a bar per district.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from .sheets.recipients import Book
from .registers.run_register import save_workbook
from .spec import RECIPIENT_KINDS, Spec
from .thai import thai_date, thai_number, thai_percent

KIND_ORDER = ("อบจ.", "ทน.", "ทม.", "ทต.", "อบต.")


@dataclass(frozen=True)
class FigureLine:
    label: str
    total: int
    done: int

    @property
    def pending(self) -> int:
        return self.total - self.done

    @property
    def percent(self) -> str:
        """Two decimals, Thai digits ("๑๗.๓๖")."""
        return thai_percent(self.done, self.total) if self.total else "๐.๐๐"

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 0.0


@dataclass(frozen=True)
class Status:
    subject: str
    agency: str
    date: dt.date
    districts: tuple[FigureLine, ...]
    kinds: tuple[FigureLine, ...]
    total: FigureLine


def book_as_of(book: Book, day: dt.date) -> Book:
    """``book`` as it stood on ``day``: a row whose done column gives a date after it was not
    done yet (a row marked done without a date counts as done: the sheet says no more)."""
    import dataclasses

    rows = tuple(dataclasses.replace(row, done=False) if row.done and row.done_date and row.done_date > day
                 else row for row in book.rows)
    return dataclasses.replace(book, rows=rows)


def status(spec: Spec, book: Book, date: dt.date) -> Status:
    """Count done and pending LAOs (the routed kinds; district offices are not counted)."""
    routed = set(spec.routing.via_district) | set(spec.routing.direct)
    rows = [r for r in book.rows if r.kind in routed]
    districts: dict[str, list] = {}
    for row in book.rows:  # districts in the sheet's order
        if row.kind in routed or row.kind == spec.routing.district_office:
            districts.setdefault(row.district, [])
    for row in rows:
        districts[row.district].append(row)
    kinds = sorted({r.kind for r in rows}, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else 99)

    def line(label, members) -> FigureLine:
        return FigureLine(label, len(members), sum(1 for r in members if r.done))

    return Status(
        subject=spec.subject,
        agency=spec.sender.agency,
        date=date,
        districts=tuple(line(d, m) for d, m in districts.items() if m),
        kinds=tuple(line(RECIPIENT_KINDS[k], [r for r in rows if r.kind == k]) for k in kinds),
        total=line("รวมทั้งจังหวัด", rows),
    )


HEADERS = ("", "ทั้งหมด", "ดำเนินการแล้ว", "ยังไม่ดำเนินการ", "ร้อยละ")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Thai vowel and tone marks take none."""
    return sum(0 if unicodedata.category(ch) in ("Mn", "Me", "Cf") else 1 for ch in text)


def table_text(report: Status) -> str:
    """The figures as an aligned plain-text table (Thai digits), for the terminal."""
    def pad(text: str, width: int, left: bool) -> str:
        space = " " * max(0, width - display_width(text))
        return text + space if left else space + text

    def row(cells):
        first, *rest = cells
        return pad(first, 26, True) + "".join(pad(c, 16, False) for c in rest)

    lines = [f"รายงานผลการดำเนินการ ณ วันที่ {thai_date(report.date)}", report.subject, ""]
    for title, group in (("อำเภอ", report.districts), ("ประเภท", report.kinds)):
        lines.append(row((title,) + HEADERS[1:]))
        for item in group:
            lines.append(row((item.label, thai_number(item.total), thai_number(item.done),
                              thai_number(item.pending), item.percent)))
        lines.append("")
    t = report.total
    lines.append(row((t.label, thai_number(t.total), thai_number(t.done), thai_number(t.pending), t.percent)))
    return "\n".join(lines) + "\n"


def status_xlsx(report: Status) -> bytes:
    """Two sheets, by district and by kind, each ending with the province total; numbers
    as numbers, the percentage as the text shown in the report and as a number."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.properties.created = book.properties.modified = dt.datetime.combine(report.date, dt.time())
    book.properties.creator = "lettergen"
    first = True
    for title, group in (("อำเภอ", report.districts), ("ประเภท", report.kinds)):
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = f"ตาม{title}"
        sheet.append([title, "ทั้งหมด", "ดำเนินการแล้ว", "ยังไม่ดำเนินการ", "ร้อยละ", "ร้อยละ (ตัวเลข)"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for item in (*group, report.total):
            sheet.append([item.label, item.total, item.done, item.pending, item.percent,
                          round(100 * item.share, 2)])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 36
        for letter in "BCDEF":
            sheet.column_dimensions[letter].width = 16
    return save_workbook(book, dt.datetime.combine(report.date, dt.time()))


def status_pdf(report: Status) -> bytes:
    """The one-page report, with a bar chart of completion per district."""
    from .pdf.writer import write_report_pdf

    return write_report_pdf("status.html.j2", report=report, thai_number=thai_number,
                            date_text=thai_date(report.date))
