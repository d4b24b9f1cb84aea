"""The hostile but small inputs of the web server's safety tests and of
benchmarks/bench_web_hostile.py: each as a clerk's browser would send it (a form edit, an
uploaded sheet or letter), built from the bundled example."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "lettergen" / "examples" / "chiang-rai-2561"


def example_lines() -> list[str]:
    return (EXAMPLE / "recipients.csv").read_text(encoding="utf-8").splitlines()


def paragraph_edit(text: str) -> dict:
    """The letter form's body, one paragraph replaced by ``text`` (as the page sends it)."""
    return {"body.paragraphs": [text]}


def long_word() -> dict:
    return paragraph_edit("ตามที่ " + "a" * 40_000 + " นั้น")


def huge_template_output() -> dict:
    return paragraph_edit('ตามที่ {{ "a" * 10000000 }} นั้น')


def long_template_loop() -> dict:
    return paragraph_edit("ตามที่ {{ range(200000)|list|length }} นั้น")


def long_name_sheet() -> bytes:
    """The example's sheet with one LAO's name 60,000 letters long."""
    lines = example_lines()
    cells = lines[30].split(",")
    cells[1] = "x" * 60_000
    lines[30] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode("utf-8")


def wide_csv(columns: int = 2_600_000) -> bytes:
    """One line of ``columns`` cells: about 5 MB."""
    return (",".join(["a"] * columns) + "\n").encode()


def far_cell_xlsx() -> bytes:
    """A 2 kB workbook whose one cell is at XFD1048576, the last cell of a sheet."""
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "id"
    book.active["XFD1048576"] = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def shared_strings_bomb(unpacked: int = 1_500_000_000) -> bytes:
    """A small workbook whose sharedStrings.xml unpacks to ``unpacked`` bytes (one string)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "id"
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "xl/sharedStrings.xml":
                target.writestr(item, source.read(item.filename))
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            head = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
            strings.write(head)
            block = b"a" * (1 << 20)
            for _ in range(unpacked // len(block)):
                strings.write(block)
            strings.write(b"</t></si></sst>")
    return out.getvalue()


def emblem_letter(emblem: str) -> bytes:
    """The example's letter naming ``emblem`` as its Garuda picture."""
    text = (EXAMPLE / "letter.toml").read_text(encoding="utf-8")
    return text.replace('# emblem = "garuda.png"', f"emblem = '{emblem}'").encode("utf-8")


def many_rows_sheet(copies: int) -> bytes:
    """The example's sheet with each LAO written ``copies`` times (new ids): a big sheet the
    engine reads as it is, each LAO's letter a task of its own."""
    header, *rows = example_lines()
    lines = [header]
    for row in rows:
        cells = row.split(",")
        if cells[2] == "สถ.อ.":
            lines.append(row)
            continue
        for copy in range(copies):
            lines.append(",".join([f"{cells[0]}{copy:05d}", *cells[1:]]))
    return ("\n".join(lines) + "\n").encode("utf-8")
