"""Messy recipients sheets as Thai offices keep them, made with openpyxl, for
tests/test_sheets*.py: a spec, a base table of real-looking rows, and writers that turn the
table into the shapes clerks use (title rows, merged group labels, Thai headers, district
prefixes, numbers with formats, LAO-only lists, hidden sheets, ...)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Callable, Sequence

SPEC = """\
[letter]
date = 2018-07-27
subject = "การดำเนินการโครงการ Citizen Feedback และ Zero Copy"
agency_code = "ชร 0023.1"

[sender]
agency = "จังหวัดเชียงราย"
unit = "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด"

[deadline]
date = 2018-08-10

[recipients]
file = "recipients.xlsx"

[routing]
district_office = "สถ.อ."
via_district = ["ทม.", "ทต.", "อบต."]
direct = ["อบจ.", "ทน."]

[variants.district]
addressee = "{{ recipient.name }}"
circular = true
number = 18858

[variants.direct]
addressee = "{{ recipient.name }}"
number = 18853

[body]
paragraphs = [
  "ขอให้{{ recipient.name }}ดำเนินการ ขณะนี้ดำเนินการแล้ว {{ progress.done }} แห่ง จาก {{ progress.total }} แห่ง",
]

[reminder]
date = 2018-08-03
paragraphs = ["ยังไม่ได้รับรายงานจาก{{ recipient.name }}"]
"""

HEADER = ["id", "name", "kind", "district", "username", "password", "done"]
THAI_HEADER = ["รหัส", "ชื่อ อปท.", "ประเภท", "อำเภอ", "ชื่อผู้ใช้งาน", "รหัสผ่าน", "ผลการดำเนินการ"]

OFFICES = [
    ["5701", "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเมืองเชียงราย", "สถ.อ.", "เมืองเชียงราย", "", "", ""],
    ["5702", "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเวียงชัย", "สถ.อ.", "เวียงชัย", "", "", ""],
]
LAOS = [
    ["570101", "องค์การบริหารส่วนจังหวัดเชียงราย", "อบจ.", "เมืองเชียงราย", "demo570101", "FAKE-6jmF", "0"],
    ["570102", "เทศบาลนครเชียงราย", "ทน.", "เมืองเชียงราย", "demo570102", "FAKE-WZ6A", "1"],
    ["570103", "เทศบาลตำบลท่าสาย", "ทต.", "เมืองเชียงราย", "demo570103", "FAKE-8u2e", "1"],
    ["570104", "เทศบาลตำบลบ้านดู่", "ทต.", "เมืองเชียงราย", "demo570104", "FAKE-3kQp", "0"],
    ["570105", "องค์การบริหารส่วนตำบลแม่ยาว", "อบต.", "เมืองเชียงราย", "demo570105", "FAKE-9xLt", "0"],
    ["570201", "เทศบาลตำบลเวียงชัย", "ทต.", "เวียงชัย", "demo570201", "FAKE-7hRm", "1"],
    ["570202", "องค์การบริหารส่วนตำบลดอนศิลา", "อบต.", "เวียงชัย", "demo570202", "FAKE-2wEz", "0"],
    ["570203", "องค์การบริหารส่วนตำบลผางาม", "อบต.", "เวียงชัย", "demo570203", "FAKE-5nBc", "0"],
]
ROWS = OFFICES + LAOS
TITLE = "บัญชีรายชื่อองค์กรปกครองส่วนท้องถิ่น จังหวัดเชียงราย"
# Done among the LAOs routed (every kind but the offices): 570102, 570103, 570201.
DONE, TOTAL = 3, 8


def write_spec(folder: Path, sheet_name: str = "recipients.xlsx", extra: str = "") -> Path:
    spec = folder / "spec.toml"
    spec.write_text(SPEC.replace('file = "recipients.xlsx"', f'file = "{sheet_name}"') + extra,
                    encoding="utf-8")
    return spec


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], *, merges: Sequence[str] = (),
               edit: Callable | None = None, title: str = "รายชื่อ") -> Path:
    """``rows`` into the first sheet; ``merges`` merged ("A1:G1"); ``edit(book, sheet)``
    for anything else (formats, hidden sheets, formulas)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for merge in merges:
        sheet.merge_cells(merge)
    if edit:
        edit(book, sheet)
    book.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]], delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def with_column(rows, index: int, values) -> list[list[Any]]:
    """``rows`` with the cell at ``index`` replaced by ``values(row)`` in each."""
    out = []
    for row in rows:
        row = list(row)
        row[index] = values(row)
        out.append(row)
    return out
