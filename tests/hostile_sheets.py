"""Hostile recipients sheets, built small by the tests themselves: XLSX files written part
by part with zipfile (so that a few kilobytes unpack to gigabytes, or declare what they
are not), and CSV texts. Each builder writes one failure mode into ``folder``."""

from __future__ import annotations

import functools
import struct
import zipfile
from pathlib import Path

HEADER = ["id", "name", "kind", "district", "username", "password", "done"]
ROWS = [
    ["5701", "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเมืองเชียงราย", "สถ.อ.", "เมืองเชียงราย", "", "", ""],
    ["570101", "องค์การบริหารส่วนจังหวัดเชียงราย", "อบจ.", "เมืองเชียงราย", "demo570101", "FAKE-6jmF", "0"],
    ["570103", "เทศบาลตำบลท่าสาย", "ทต.", "เมืองเชียงราย", "demo570103", "FAKE-8u2e", "1"],
]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>")
PACKAGE_RELS = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
                f'<Relationship Id="rId1" Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{OFFICE}">'
            '<sheets><sheet name="รายชื่อ" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
                 f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
                 f'<Relationship Id="rId2" Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
                 "</Relationships>")


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def sheet_xml(rows, *, dimension: str | None = None, extra_rows: str = "", after: str = "") -> str:
    """A worksheet of inline strings; ``extra_rows`` and ``after`` are raw XML put after the
    rows and after sheetData."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    body = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{_column(c)}{r}" t="inlineStr"><is><t>{_escape(v)}</t></is></c>'
                                   for c, v in enumerate(row) if v) + "</row>"
        for r, row in enumerate(rows, start=1))
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{dim}'
            f"<sheetData>{body}{extra_rows}</sheetData>{after}</worksheet>")


def write_xlsx(path: Path, sheet: str, strings: str | None = None, *, big_part: str | None = None,
               big_head: bytes = b"", big_fill: bytes = b"x", big_size: int = 0, big_tail: bytes = b"") -> None:
    """A workbook of one sheet. ``big_part`` is written as ``big_head``, then ``big_fill``
    repeated to ``big_size`` bytes, then ``big_tail``: compressed, a gigabyte of one byte
    takes about a megabyte."""
    strings = strings or f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"/>'
    parts = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": PACKAGE_RELS,
             "xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
             "xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": strings}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            if name == big_part:
                with archive.open(name, "w", force_zip64=True) as stream:
                    stream.write(big_head)
                    chunk = big_fill * (1 << 20 // len(big_fill))
                    left = big_size
                    while left > 0:
                        stream.write(chunk[:left])
                        left -= len(chunk)
                    stream.write(big_tail)
            else:
                archive.writestr(name, text)


def make_far_cell(folder: Path) -> None:
    """The issue's 2 KB workbook: the good rows and one cell at XFD1048576, its used range
    declared as A1:XFD1048576 (what Excel writes)."""
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    write_xlsx(folder / "recipients.xlsx", sheet_xml([HEADER, *ROWS], dimension="A1:XFD1048576",
                                                     extra_rows=far))


def make_far_cell_undeclared(folder: Path) -> None:
    """The same far cell in a sheet that declares a small used range (a program that does
    not keep <dimension> true): refused when the cell is met."""
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    write_xlsx(folder / "recipients.xlsx", sheet_xml([HEADER, *ROWS], dimension="A1:G4", extra_rows=far))


def make_far_empty_cells(folder: Path) -> None:
    """Formatted but empty cells far away (and no <dimension>): they cost nothing, and the
    sheet is read."""
    far = "".join(f'<row r="{r}"><c r="XFD{r}" s="0"/></row>' for r in (5000, 99_000))
    write_xlsx(folder / "recipients.xlsx", sheet_xml([HEADER, *ROWS], extra_rows=far))


def make_shared_strings_bomb(folder: Path, size: int = 1_500_000_000) -> None:
    """The issue's 1.5 MB workbook whose sharedStrings unpack to 1.5 GB (one string of "x");
    compressed once per size (it takes seconds), then copied."""
    (folder / "recipients.xlsx").write_bytes(_bomb(size))


@functools.lru_cache(maxsize=2)
def _bomb(size: int) -> bytes:
    import tempfile

    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"><si><t>'.encode()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bomb.xlsx"
        write_xlsx(path, sheet_xml([HEADER, *ROWS]), big_part="xl/sharedStrings.xml",
                   big_head=head, big_size=size, big_tail=b"</t></si></sst>")
        return path.read_bytes()


def make_lying_bomb(folder: Path, size: int = 300_000_000) -> None:
    """The bomb whose zip declares its sharedStrings 1,000 bytes unpacked (the central
    directory patched): the bytes really unpacked are what counts."""
    make_shared_strings_bomb(folder, size)
    path = folder / "recipients.xlsx"
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/sharedStrings.xml")
    start = data.rfind(b"PK\x01\x02", 0, len(data))
    while start >= 0:  # the central directory entry of the part
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46:start + 46 + name_length] == info.filename.encode():
            break
        start = data.rfind(b"PK\x01\x02", 0, start)
    extra = start + 46 + name_length
    if struct.unpack_from("<I", data, start + 24)[0] == 0xFFFFFFFF:  # sizes in the zip64 extra field
        struct.pack_into("<Q", data, extra + 4, 1000)
    else:
        struct.pack_into("<I", data, start + 24, 1000)
    path.write_bytes(bytes(data))


def make_many_rows(folder: Path, rows: int = 100_001) -> None:
    """Past SHEET_ROWS rows with a value, and no <dimension> to say so."""
    extra = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(5, rows + 5))
    write_xlsx(folder / "recipients.xlsx", sheet_xml([HEADER, *ROWS], extra_rows=extra))


def make_overlapping_merges(folder: Path) -> None:
    """Ten thousand merged ranges over one another, each across the whole table: every cell
    they fill is counted, and the count runs out."""
    merges = "".join('<mergeCell ref="A1:GR4"/>' for _ in range(10_000))
    write_xlsx(folder / "recipients.xlsx", sheet_xml([HEADER, *ROWS], after=f'<mergeCells>{merges}</mergeCells>'))


def make_entity_bomb(folder: Path) -> None:
    """Shared strings declaring nested entities (the "billion laughs"): never expanded."""
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    strings = (f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE sst [{entities}]>'
               f'<sst xmlns="{MAIN}"><si><t>&j;</t></si></sst>')
    rows = sheet_xml([HEADER, *ROWS], extra_rows='<row r="5"><c r="H5" t="s"><v>0</v></c></row>')
    write_xlsx(folder / "recipients.xlsx", rows, strings)


def wide_csv(columns: int = 2_600_000) -> str:
    """The issue's 5 MB CSV of one line and 2.6 million columns."""
    return ",".join(["x"] * columns) + "\n"
