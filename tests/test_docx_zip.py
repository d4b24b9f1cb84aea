"""The DOCX package's zip writer: an ordinary zip that zipfile and unzip read, each entry's
bytes and date as given, the same bytes for the same entries."""

from __future__ import annotations

import io
import subprocess
import zipfile

import pytest

from conftest import require_tool
from lettergen.docx.package_zip import compressed, zip_bytes

ENTRIES = [
    ("[Content_Types].xml", b'<?xml version="1.0"?><Types/>', True),
    ("word/document.xml", "<w:t>วันศุกร์ที่ น้ำ ที่ สำนักงาน</w:t>".encode() * 200, True),
    ("word/media/image1.png", bytes(range(256)) * 3, False),
    ("word/empty.xml", b"", True),
]
WHEN = (2018, 7, 27, 0, 0, 0)


def test_zipfile_reads_back_every_entry_with_its_bytes_date_and_method():
    data = zip_bytes(ENTRIES, WHEN)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert [i.filename for i in infos] == [name for name, _, _ in ENTRIES]
        for info, (name, content, deflate) in zip(infos, ENTRIES):
            assert archive.read(info) == content
            assert info.date_time == WHEN
            assert info.compress_type == (zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED)
            assert info.external_attr >> 16 == 0o600
    document = dict((i.filename, i) for i in infos)["word/document.xml"]
    assert document.compress_size < document.file_size / 10  # deflated, not stored


@pytest.mark.optional_tools
def test_unzip_reads_the_package(tmp_path):
    """Info-ZIP's unzip, a second reader, tests every entry of the package."""
    unzip = require_tool("unzip")
    (tmp_path / "x.docx").write_bytes(zip_bytes(ENTRIES, WHEN))
    result = subprocess.run([unzip, "-t", str(tmp_path / "x.docx")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_same_entries_give_the_same_bytes_and_shared_parts_are_compressed_once():
    compressed.cache_clear()
    first = zip_bytes(ENTRIES, WHEN)
    misses = compressed.cache_info().misses
    assert zip_bytes(ENTRIES, WHEN) == first
    assert compressed.cache_info().misses == misses  # the second zip reused every part
    assert zip_bytes(ENTRIES, (2018, 8, 10, 0, 0, 0)) != first  # the date is in the entries


@pytest.mark.parametrize("date_time, fields", [
    ((1980, 1, 1, 0, 0, 0), (0, 1 << 5 | 1)),
    ((2018, 7, 27, 13, 45, 31), (13 << 11 | 45 << 5 | 15, 38 << 9 | 7 << 5 | 27)),
])
def test_dos_time(date_time, fields):
    from lettergen.docx.package_zip import dos_time

    assert dos_time(date_time) == fields


def test_a_letters_package_holds_what_python_docx_saves_of_it(example, monkeypatch):
    """The entries the DOCX writer zips (python_docx.package_entries: the shared parts, the
    content types and the relationships made once a run) are those python-docx's own save
    writes of the same document, name for name and byte for byte, for letters of a run in
    turn (each with its own header parts and pictures)."""
    from lettergen.docx import blank, python_docx
    from lettergen.docx.writer import write_docx

    _, _, letters = example
    documents = []
    real = blank.save
    monkeypatch.setattr(blank, "save", lambda document, when: documents.append(document) or real(document, when))
    monkeypatch.setattr("lettergen.docx.writer.save", blank.save)
    for letter in letters[:2] + letters[-2:]:
        ours = write_docx(letter)
        buffer = io.BytesIO()
        documents[-1].save(buffer)
        with zipfile.ZipFile(io.BytesIO(ours)) as mine, zipfile.ZipFile(buffer) as theirs:
            assert mine.namelist() == theirs.namelist()
            for name in theirs.namelist():
                assert mine.read(name) == theirs.read(name), (letter.key, name)
    assert len(documents) == 4
    assert python_docx._content_types.cache_info().hits and python_docx._relationships.cache_info().hits
