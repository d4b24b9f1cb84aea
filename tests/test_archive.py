"""Archival output: PDF/A-3u with the letter's metadata and date, the same bytes on every
run, and the optional encrypted delivery copy next to the archive copy."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest

from conftest import EXAMPLE
from lettergen.cli import main


@pytest.fixture(scope="module")
def letter_pdf(example):
    from lettergen.pdf.writer import write_pdf

    _, _, letters = example
    letter = next(l for l in letters if l.key == "570102")
    return letter, write_pdf(letter)


def test_pdf_declares_pdf_a_3u_and_carries_the_letters_metadata(letter_pdf):
    import pikepdf

    letter, data = letter_pdf
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "U"
        assert str(pdf.docinfo["/Title"]) == letter.title
        assert str(pdf.docinfo["/Author"]) == "จังหวัดเชียงราย"
        assert str(pdf.docinfo["/Subject"]) == letter.subject
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20180727")
        assert meta.get("dc:title") == letter.title
        assert str(pdf.Root.Lang) == "th"
        assert len(pdf.Root.OutputIntents) == 1
        assert pdf.Root.Metadata.get("/Filter") is None  # PDF/A: metadata unfiltered


def test_the_xmp_packet_says_the_letters_texts_whatever_characters_they_hold(letter_pdf):
    """The XMP is written as text and saved as written (pdfa._xmp): a subject or an agency
    with XML's own characters reads back the same, and the packet is well formed."""
    import dataclasses

    import pikepdf

    from lettergen.pdf.writer import write_pdf

    letter, _ = letter_pdf
    odd = dataclasses.replace(letter, subject='น้ำ & ไฟ <ด่วน> "ที่" \'สำนักงาน\' ]]> &amp;',
                              agency="สำนักงาน A&B <จังหวัด>")
    with pikepdf.open(io.BytesIO(write_pdf(odd))) as pdf:
        meta = pdf.open_metadata()
        assert meta.get("dc:title") == odd.title
        assert meta.get("dc:description") == odd.subject
        assert meta.get("dc:creator") == [odd.agency]
        assert meta.get("pdfaid:part") == "3"
        assert meta.get("xmp:CreateDate").startswith("2018-07-27T00:00:00")


def test_source_date_epoch_sets_the_creation_date(example, monkeypatch):
    import pikepdf

    from lettergen.pdf.writer import write_pdf

    _, _, letters = example
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1533859200")  # 2018-08-10 00:00 UTC
    with pikepdf.open(io.BytesIO(write_pdf(letters[-1]))) as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20180810070000")


def test_two_runs_write_the_same_bytes(tmp_path):
    digests = []
    for name in ("a", "b"):
        assert main(["render", str(EXAMPLE / "letter.toml"), "--only", "5714,570101",
                     "--out", str(tmp_path / name), "--jobs", "1"]) == 0
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in sorted((tmp_path / name).iterdir())})
    assert len(digests[0]) == 6  # two letters as PDF and DOCX, the register as CSV and XLSX
    assert digests[0] == digests[1]


def with_pdf_passwords(tmp_path, skip: str | None = None):
    """The example sheet with a pdf_password column for every addressee row."""
    with (EXAMPLE / "recipients.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[0].append("pdf_password")
    for row in rows[1:]:
        addressee = row[2] in ("สถ.อ.", "อบจ.", "ทน.") and row[0] != skip
        row.append(f"open-{row[0]}" if addressee else "")
    path = tmp_path / "recipients.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_encrypt_adds_an_aes_256_delivery_copy(tmp_path):
    import pikepdf

    sheet = with_pdf_passwords(tmp_path)
    out = tmp_path / "out"
    assert main(["render", str(EXAMPLE / "letter.toml"), "--recipients", str(sheet), "--encrypt",
                 "--only", "5714,570102", "--out", str(out), "--jobs", "1"]) == 0
    delivery = sorted(out.glob("*.delivery.pdf"))
    assert len(delivery) == 2
    for path in delivery:
        with pytest.raises(pikepdf.PasswordError):
            pikepdf.open(path)
        key = path.name.split("-", 1)[0]
        with pikepdf.open(path, password=f"open-{key}") as pdf:
            assert pdf.encryption.stream_method.name == "aesv3"  # AES-256
            assert pdf.encryption.bits == 256
        archive = path.with_name(path.name.replace(".delivery.pdf", ".pdf"))
        with pikepdf.open(archive) as pdf:  # the archive copy: unencrypted PDF/A
            assert not pdf.is_encrypted
            assert pdf.open_metadata().get("pdfaid:part") == "3"


def test_encrypt_without_a_pdf_password_names_the_row_and_writes_nothing(tmp_path, capsys):
    sheet = with_pdf_passwords(tmp_path, skip="5714")
    out = tmp_path / "out"
    rc = main(["render", str(EXAMPLE / "letter.toml"), "--recipients", str(sheet), "--encrypt",
               "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1
    assert "แถว 15" in err[0] and 'คอลัมน์ H "pdf_password"' in err[0]
    assert not out.exists()
