"""Write tracking.xlsx: the example's tracking sheet one week after the circular.

The same 144 LAOs and 18 district offices as recipients.csv, with Thai headers as a clerk
keeps them, and a completion column (วันที่ดำเนินการ) that holds a date for most LAOs that
have reported, "✓" or "ใช่" for a few, and nothing for the rest: 25 of 144 done, including
every LAO of อำเภอขุนตาล and อำเภอดอยหลวง, so those two district offices get no reminder.
Deterministic: running it again gives the same file.
"""

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
FULLY_DONE = ("ขุนตาล", "ดอยหลวง")
DONE_TOTAL = 25


def main() -> None:
    with (HERE / "recipients.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    laos = [r for r in rows if r["kind"] != "สถ.อ."]
    done = {r["id"] for r in laos if r["district"] in FULLY_DONE}
    for row in laos:  # then the ones recipients.csv marks done, in order, up to 25
        if len(done) == DONE_TOTAL:
            break
        if row["done"] == "1":
            done.add(row["id"])
    assert len(done) == DONE_TOTAL

    book = Workbook()
    book.properties.created = book.properties.modified = dt.datetime(2018, 8, 3)
    book.properties.creator = "lettergen example"
    sheet = book.active
    sheet.title = "ติดตามผล"
    sheet.append(["รหัส", "ชื่อหน่วยงาน", "ประเภท", "อำเภอ", "ชื่อผู้ใช้", "รหัสผ่าน", "วันที่ดำเนินการ"])
    marks = 0
    for row in rows:
        status = None
        if row["id"] in done:
            marks += 1
            if marks % 7 == 0:
                status = "✓"
            elif marks % 11 == 0:
                status = "ใช่"
            else:
                status = dt.datetime(2018, 7, 28) + dt.timedelta(days=marks % 6)
        sheet.append([row["id"], row["name"], row["kind"], row["district"],
                      row["username"] or None, row["password"] or None, status])
        if isinstance(status, dt.datetime):
            sheet.cell(row=sheet.max_row, column=7).number_format = "dd/mm/yyyy"
    for letter, width in zip("ABCDEFG", (10, 48, 8, 16, 14, 14, 16)):
        sheet.column_dimensions[letter].width = width
    book.save(HERE / "tracking.xlsx")


if __name__ == "__main__":
    main()
