"""The DOCX's attachment tables: a row shaped like one built before (in this table, or in
another letter's) is a copy of it holding its own texts (docx/tables.py), and is the XML
python-docx builds."""

from __future__ import annotations

import dataclasses
import io
import zipfile

from lettergen.model import Paragraph, Run


def cell(text, style="plain", literal=False, bold=False):
    return (Paragraph((Run(text, bold=bold, literal=literal),), style),)


ROWS = [
    (cell("๑", "center"), cell("เทศบาลตำบลท่าสาย"), cell("demo570103", literal=True), cell("FAKE-8u2e", literal=True)),
    (cell("๒", "center"), cell(" วันศุกร์ที่ น้ำ "), cell("https://citizensurvey.info.go.th/login?user=demo570104&next=/x",
                                                          literal=True), cell("p a s s ", literal=True)),
    (cell("๓", "center"), cell("A & B <c>", bold=True), cell("u", literal=True), cell("7", literal=True)),
    (cell("๔", "center"), cell("สำนักงาน"), cell("", literal=True), cell("x", literal=True)),  # an empty run
    (cell("๕", "center"), cell("สำนักงาน"), cell("ผู้ใช้", literal=True), cell("y", literal=True)),
    (cell("๖", "center"), (Paragraph((Run("ชื่อ "), Run("ตัวหนา", bold=True)), "plain"),),
     cell("tab\tin", literal=True), cell("z", literal=True)),  # a tab: built as python-docx builds it
]


def document_xml(letter) -> bytes:
    from lettergen.docx.writer import write_docx

    with zipfile.ZipFile(io.BytesIO(write_docx(letter))) as package:
        return package.read("word/document.xml")


def test_rows_copied_from_one_of_their_shape_are_the_rows_python_docx_builds(example, monkeypatch):
    from lettergen import caches
    from lettergen.docx import tables

    _, _, letters = example
    letter = letters[0]
    credentials = letter.attachments[0]
    table = dataclasses.replace(credentials.blocks[0], rows=tuple(ROWS * 3))
    letter = dataclasses.replace(letter, attachments=(dataclasses.replace(credentials, blocks=(table,)),)
                                 + letter.attachments[1:])
    shapes = {tables._shape(row) for row in table.rows}
    assert None in shapes and len(shapes) == 4  # three shapes; the tab's row built whole each time
    caches.clear()
    copied = document_xml(letter)  # the first row of each shape built, the others copies
    again = document_xml(letter)  # every row a copy of a row of the letter before
    caches.clear()
    monkeypatch.setattr(tables, "_shape", lambda row: None)  # every row built cell by cell
    built = document_xml(letter)
    caches.clear()
    assert copied == built and again == built
    for text in ("วันศุกร์ที่ น้ำ", "p a s s", "A &amp; B &lt;c&gt;", "\u200b", "FAKE-8u2e"):
        assert text.encode() in copied
    assert copied.count(b'xml:space="preserve"') == built.count(b'xml:space="preserve"') > 3


def test_attachment_sections_copied_from_the_first_are_the_sections_python_docx_sets_up(example, monkeypatch):
    """An attachment's section after the first of a process is a copy of its XML with a
    header part of its own (docx/blank.py, attachment_section): the whole package is the
    one python-docx's setters make, each attachment's pages unnumbered under an empty
    header, the letter's own pages numbered from the second."""
    import docx

    from lettergen import caches
    from lettergen.docx import blank, tables
    from lettergen.docx.writer import write_docx

    _, _, letters = example
    letter = next(l for l in letters if len(l.attachments) == 2)
    caches.clear()
    blank._attachment_section_made.cache_clear()
    first = write_docx(letter)  # the first attachment's section set up, the second's copied
    again = write_docx(letter)  # both copied
    caches.clear()
    monkeypatch.setattr(tables, "attachment_section", lambda document, font: blank.page_setup(
        document.add_section(docx.enum.section.WD_SECTION.NEW_PAGE), font, numbered=False))
    built = write_docx(letter)
    caches.clear()
    assert first == built and again == built
    document = docx.Document(io.BytesIO(first))
    own, *attachments = document.sections
    assert len(attachments) == 2 and own.different_first_page_header_footer
    assert "PAGE" in own.header._element.xml  # the page number's field
    headers = [section.header for section in attachments]
    assert not any(header.is_linked_to_previous for header in headers)
    assert len({header.part.partname for header in headers + [own.header]}) == 3
    assert all(not header._element.xpath(".//w:t | .//w:fldSimple | .//w:instrText") for header in headers)
    assert all(s.page_width == own.page_width and s.left_margin == own.left_margin for s in attachments)
