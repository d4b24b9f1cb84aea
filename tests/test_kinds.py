"""Letter kinds as data (lettergen/kinds.py): every kind through both writers and through the
web form's reading and writing of a spec; the memo to form 29; a spec that names its one
addressee; a kind that does not exist."""

from __future__ import annotations

import dataclasses
import re
import subprocess

import pytest

from conftest import EXAMPLE, require_tool
from lettergen.cli import main
from lettergen.compose import compose_all
from lettergen.kinds import KINDS, MEMO, Space, head_lines, kind_of, signature_lines
from lettergen.sheets.recipients import addressee_book, load_recipients
from lettergen.spec import load_spec
from lettergen.web import specform
from test_batch import pdf_pages_text
from test_seed import W, docx_text, docx_xml

SIGNER = {"sender.signer_name": "นายสมชาย ใจดี", "sender.signer_position": "ผู้ว่าราชการจังหวัดเชียงราย"}
ENCLOSURES = {"letter.enclosures": '["บัญชีชื่อผู้ใช้และรหัสผ่าน 1 ฉบับ", "คู่มือการใช้งาน 1 ชุด"]'}


def letter_of_kind(name: str):
    """The example's letter to เทศบาลนครเชียงราย as a letter of kind ``name``."""
    spec = load_spec(EXAMPLE / "letter.toml", {"letter.kind": name, **SIGNER, **ENCLOSURES})
    return compose_all(spec, load_recipients(EXAMPLE / "recipients.csv", spec), only=["570102"])[0]


def example_letter(name: str):
    """The one letter of an example that names its addressee (memo.toml, external.toml)."""
    spec = load_spec(EXAMPLE / name)
    return compose_all(spec, addressee_book(spec))[0]


def what_the_kind_shows(letter) -> list[str]:
    """The texts the kind's description puts on the page, in order: the band's title, each
    head line's labels and texts, the signature's lines, the owner's footer if it has one."""
    kind = kind_of(letter)
    texts = [kind.band.title] if kind.band.title else []
    for _, cells, _ in head_lines(letter):
        texts += [text for cell in cells for text in (cell.label, cell.text) if text]
    texts += [item for item in signature_lines(letter) if not isinstance(item, Space)]
    return texts + (list(letter.owner_lines) if kind.owner_footer else [])


def assert_in_order(texts: list[str], found: str) -> None:
    squeezed = re.sub(r"\s+", "", found)
    at = 0
    for text in texts:
        where = squeezed.find(re.sub(r"\s+", "", text), at)
        assert where >= 0, (text, squeezed[at:at + 200])
        at = where + len(re.sub(r"\s+", "", text))


def docx_of(letter, tmp_path):
    from lettergen.docx.writer import write_docx

    path = tmp_path / f"{letter.key}.docx"
    path.write_bytes(write_docx(letter))
    return path


# --- every kind, both writers, the web form ------------------------------------------------


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_through_both_writers(name, tmp_path):
    """Each writer shows what the kind describes, in its order, and no other kind's title."""
    from lettergen.pdf.writer import write_pdf

    letter = letter_of_kind(name)
    assert letter.kind == name
    shows = what_the_kind_shows(letter)
    assert len(shows) >= 6
    pdf = "".join(pdf_pages_text(write_pdf(letter)))
    docx = docx_text(docx_of(letter, tmp_path))
    for found in (pdf, docx):
        assert_in_order(shows, found)
        for other in KINDS.values():
            if other.band.title and other.name != name:
                assert other.band.title not in found
    # the owner's footer, a paragraph a line (a memo says its ส่วนราชการ in its head)
    assert all(line in docx.splitlines() for line in letter.owner_lines) == kind_of(letter).owner_footer


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_through_the_web_form(name, tmp_path):
    """The letter page's fields, as it sends them back, give the same spec of each kind;
    choosing the kind in the form gives a spec of that kind."""
    spec = load_spec(EXAMPLE / "letter.toml", {"letter.kind": name, **SIGNER})
    v = specform.form_values(spec.raw)
    assert v["kind"] == name
    specform.write_spec(specform.apply_form(spec.raw, form_as_sent(v)), tmp_path)
    assert comparable(load_spec(tmp_path / "letter.toml")) == comparable(spec)
    stamped = load_spec(EXAMPLE / "letter.toml", SIGNER)
    specform.write_spec(specform.apply_form(stamped.raw, {"letter.kind": name}), tmp_path, "chosen.toml")
    assert load_spec(tmp_path / "chosen.toml").kind == name


@pytest.mark.parametrize("example", ["memo.toml", "external.toml"])
def test_a_spec_that_names_its_addressee_through_the_web_form(example, tmp_path):
    """The form of a letter to its one addressee sends the variants' fields empty (it has
    none): they are not added to it, and the spec comes back the same."""
    spec = load_spec(EXAMPLE / example)
    form = form_as_sent(specform.form_values(spec.raw))
    assert form["variants.direct.addressee"] == ""
    specform.write_spec(specform.apply_form(spec.raw, form), tmp_path)
    assert comparable(load_spec(tmp_path / "letter.toml")) == comparable(spec)


def form_as_sent(v: dict) -> dict:
    """The letter page's fields as app.js sends them (collectForm), from form_values."""
    form = {"letter.kind": v["kind"], "letter.urgency": v["urgency"], "letter.date": v["date"],
            "letter.subject": v["subject"], "letter.agency_code": v["agency_code"],
            "letter.salutation": v["salutation"], "letter.closing": v["closing"],
            "deadline.date": v["deadline"], "body.paragraphs": v["paragraphs"],
            "links": [list(pair) for pair in v["links"]], "steps.title": v["steps_title"],
            "steps.step": v["steps"]}
    form.update({f"sender.{k}": value for k, value in v["sender"].items()})
    for name, x in v["variants"].items():
        form.update({f"variants.{name}.addressee": x["addressee"], f"variants.{name}.number": str(x["number"]),
                     f"variants.{name}.circular": x["circular"], f"variants.{name}.cites.number": x["cites_number"],
                     f"variants.{name}.cites.date": x["cites_date"], f"variants.{name}.text": x["text"]})
    return form


def comparable(spec):
    return dataclasses.replace(spec, path=None, recipients=dataclasses.replace(spec.recipients, file=None))


def test_a_kind_is_read_by_its_thai_name_too(tmp_path):
    spec = load_spec(EXAMPLE / "letter.toml", {"letter.kind": "บันทึกข้อความ", **SIGNER})
    assert spec.kind == "memo"
    assert specform.form_values(spec.raw)["kind"] == "memo"


def test_a_letter_of_an_unknown_kind_is_never_written_as_another():
    """The spec reader lets no unknown kind through (tests/test_bad_input.py); a letter made
    some other way with one is refused by both writers, not written as a stamped letter."""
    from lettergen.docx.writer import write_docx
    from lettergen.pdf.writer import write_pdf

    letter = dataclasses.replace(letter_of_kind("stamped"), kind="หนังสือเวียน")
    for write in (write_pdf, write_docx):
        with pytest.raises(KeyError, match="หนังสือเวียน"):
            write(letter)


# --- the memo (form 29) --------------------------------------------------------------------


@pytest.fixture(scope="module")
def memo_pdf():
    from lettergen.pdf.writer import write_pdf

    return write_pdf(example_letter("memo.toml"))


def glyphs(pdf: bytes, page: int = 0) -> list[tuple[str, float, str, float]]:
    """Page ``page``'s glyphs (their lines' /ActualText spans taken out): (character, font
    size in points, font name, baseline, x), in reading order: the baseline and x of its
    origin, in points from the page's foot and left edge. (pdfium gives a size in the units
    of the text's space, which are WeasyPrint's CSS pixels: PX points each.)"""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from lettergen.pdf.actualtext import strip
    from lettergen.pdf.weasy import PX

    doc = pdfium.PdfDocument(strip(pdf))
    buffer = bytearray(256)
    try:
        text = doc[page].get_textpage()
        found = []
        for i in range(text.count_chars()):
            char = text.get_text_range(i, 1)
            if not char.strip():
                continue
            n = raw.FPDFText_GetFontInfo(text.raw, i, (raw.c_ubyte * 256).from_buffer(buffer), 256, None)
            font = bytes(buffer[:n - 1]).decode("latin-1").split("+")[-1]
            x, y = ctypes.c_double(), ctypes.c_double()
            raw.FPDFText_GetCharOrigin(text.raw, i, x, y)
            found.append((char, round(raw.FPDFText_GetFontSize(text.raw, i) * PX, 1), font,
                          round(y.value, 1), x.value))
        return found
    finally:
        doc.close()


MARKS = re.compile(r"[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")  # Thai vowels above and below, tone marks


def test_the_memo_title_is_the_largest_text_and_its_labels_come_in_order(memo_pdf):
    """Page 1: บันทึกข้อความ in bold 29 pt, larger than anything else; then ส่วนราชการ, ที่
    and วันที่ (on one line), เรื่อง in bold 20 pt, and เรียน, in that order down the page.
    (Glyphs are read without their marks, which a glyph-level reading puts elsewhere.)"""
    found = [g for g in glyphs(memo_pdf) if not MARKS.match(g[0])]
    by_size: dict[float, list] = {}
    for glyph in found:
        by_size.setdefault(glyph[1], []).append(glyph)
    assert sorted(by_size) == [16.0, 20.0, 29.0]
    title, labels = by_size[29.0], by_size[20.0]
    assert "".join(c for c, *_ in title) == MARKS.sub("", "บันทึกข้อความ")
    assert {font for _, _, font, _, _ in title + labels} == {"Sarabun-Bold"}
    lines: dict[float, str] = {}
    for char, _, _, baseline, _ in sorted(labels, key=lambda g: (-g[3], g[4])):
        lines[baseline] = lines.get(baseline, "") + char
    assert list(lines.values()) == [MARKS.sub("", words) for words in ("ส่วนราชการ", "ที่วันที่", "เรื่อง")]
    salutation = "".join(c for c, *_ in by_size[16.0]).find(MARKS.sub("", "เรียนผู้ว่าราชการ"))
    assert salutation >= 0
    tops = [title[0][3], *lines, by_size[16.0][salutation][3]]
    assert tops == sorted(tops, reverse=True)  # top to bottom (pdfium measures from the foot)


@pytest.mark.optional_tools
def test_what_is_copied_out_of_the_memo(memo_pdf, tmp_path):
    """pdftotext and pdfium give each head line's label and value, no dots of the dotted
    lines, and the body's words as written."""
    pdftotext = require_tool("pdftotext")
    (tmp_path / "memo.pdf").write_bytes(memo_pdf)
    copied = subprocess.run([pdftotext, "-layout", str(tmp_path / "memo.pdf"), "-"],
                            capture_output=True, text=True, check=True).stdout
    for text in (copied, pdf_pages_text(memo_pdf)[0]):
        lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
        assert "บันทึกข้อความ" in lines
        assert any(line.startswith("ส่วนราชการ สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดเชียงราย")
                   for line in lines)
        assert any(re.fullmatch(r"ที่ ชร ๐๐๒๓\.๑/๒๒๖๕( วันที่ ๒๖ กรกฎาคม ๒๕๖๑)?", line) for line in lines)
        assert "วันที่ ๒๖ กรกฎาคม ๒๕๖๑" in text
        assert any(line.startswith("เรื่อง ขอความเห็นชอบแจ้งบัญชีผู้ใช้") for line in lines)
        assert "เรียน ผู้ว่าราชการจังหวัดเชียงราย" in lines
        assert "..." not in text and "…" not in text
        assert "(นายอนุชา ศรีสุข)" in lines and "ท้องถิ่นจังหวัดเชียงราย" in lines
        flat = re.sub(r"\s+", "", text)
        assert "ภายในวันศุกร์ที่๑๐สิงหาคม๒๕๖๑" in flat and "ร้อยละ๑๗.๓๖" in flat


def test_the_memo_docx_to_form_29(tmp_path):
    """The title bold 29 pt, the labels bold 20 pt, each followed by a tab whose leader is
    the dotted line, the date's tab stop where the PDF puts วันที่; no owner's footer."""
    from lettergen import geometry

    letter = example_letter("memo.toml")
    root = docx_xml(docx_of(letter, tmp_path))
    runs = {}
    for r in root.iter(W + "r"):
        text = "".join(t.text or "" for t in r.iter(W + "t"))
        size = r.find(f"{W}rPr/{W}szCs")
        runs.setdefault(text, (size.get(W + "val") if size is not None else None,
                               r.find(f"{W}rPr/{W}bCs") is not None))
    assert runs["บันทึกข้อความ"] == ("58", True)
    for label in ("ส่วนราชการ", "ที่", "วันที่", "เรื่อง"):
        assert runs[label] == ("40", True), label
    leaders = [(tab.get(W + "pos"), tab.get(W + "leader")) for tab in root.iter(W + "tab")
               if tab.get(W + "leader")]
    twips = lambda cm: str(round(cm / 2.54 * 1440))  # noqa: E731
    assert leaders.count((twips(geometry.DATE_AT_CM), "dot")) == 1
    assert leaders.count((twips(geometry.TEXT_WIDTH_CM), "dot")) == 3
    assert not set(letter.owner_lines) & set(docx_text(docx_of(letter, tmp_path)).splitlines())


def test_the_memo_garuda_at_the_left_or_its_room_left_empty(tmp_path):
    """With an emblem: 1.5 cm high at the top left in the PDF, and floating there in the
    DOCX; without: the same room, the same place for every line."""
    from PIL import Image, ImageDraw

    from lettergen.docx.writer import write_docx
    from lettergen.pdf.writer import write_pdf

    emblem = tmp_path / "emblem.png"  # a stand-in picture, not the Garuda
    image = Image.new("RGB", (300, 330), "white")
    ImageDraw.Draw(image).ellipse((20, 20, 280, 310), outline="black", width=12)
    image.save(emblem)
    spec = load_spec(EXAMPLE / "memo.toml", {"letter.emblem": str(emblem)})
    with_emblem = compose_all(spec, addressee_book(spec))[0]
    without = example_letter("memo.toml")
    pdf = write_pdf(with_emblem)
    assert [g[:1] + g[3:] for g in glyphs(pdf)] == [g[:1] + g[3:] for g in glyphs(write_pdf(without))]

    # the picture's dark ring, on page 1 drawn at 72 dpi: at the left margin, 1.5 cm from the top
    from PIL import ImageOps

    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0].render(scale=4).to_pil().convert("L")
    finally:
        doc.close()
    band = page.crop((0, 0, round(page.size[0] * 8 / 21), round(page.size[1] * 3.2 / 29.7)))
    left, top, right, bottom = ImageOps.invert(band).point(lambda v: 255 if v > 128 else 0).getbbox()
    cm = 21 / page.size[0]
    ring = (20 / 300 * 1.5 * 300 / 330, 20 / 330 * 1.5)  # where the ring starts in the picture
    assert left * cm == pytest.approx(3.0 + ring[0], abs=0.05)
    assert top * cm == pytest.approx(1.5 + ring[1], abs=0.05)
    assert (bottom - top) * cm == pytest.approx(1.5 * 290 / 330, abs=0.05)
    path = tmp_path / "emblem.docx"
    path.write_bytes(write_docx(with_emblem))
    root = docx_xml(path)
    WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
    (anchor,) = list(root.iter(WP + "anchor"))
    assert anchor.find(f"{WP}positionH/{WP}align").text == "left"
    assert int(anchor.find(WP + "extent").get("cy")) == round(1.5 / 2.54 * 914400)


# --- a spec that names its one addressee ---------------------------------------------------


def test_a_letter_to_the_addressee_the_spec_names(tmp_path, capsys):
    """external.toml: one letter to one person, its number the spec's, no credentials
    page (it carries none), and its register row."""
    import csv

    out = tmp_path / "out"
    assert main(["render", str(EXAMPLE / "external.toml"), "--out", str(out), "--jobs", "1"]) == 0
    (pdf,) = out.glob("*.pdf")
    assert pdf.name == "วิทยากร-นายสมศักดิ์ ใจงาม.pdf"
    pages = pdf_pages_text(pdf.read_bytes())
    assert len(pages) == 1
    assert_in_order(["ที่ ชร ๐๐๒๓.๑/๑๘๘๖๐", "เรื่อง ขอเชิญเป็นวิทยากร", "เรียน นายสมศักดิ์ ใจงาม",
                     "สิ่งที่ส่งมาด้วย", "กำหนดการประชุมชี้แจง จำนวน ๑ ฉบับ", "ขอแสดงความนับถือ",
                     "(นายวิชัย ตั้งมั่น)", "ผู้ว่าราชการจังหวัดเชียงราย"], pages[0])
    with (out / "register.csv").open(encoding="utf-8-sig", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["ที่"], row["ถึง"], row["รหัสผู้รับ"]) == ("ชร ๐๐๒๓.๑/๑๘๘๖๐", "นายสมศักดิ์ ใจงาม", "วิทยากร")


@pytest.mark.parametrize("argv, key, message", [
    (["--recipients", str(EXAMPLE / "recipients.csv")], None, "ไม่ต้องระบุ --recipients"),
    (["--set", "body.paragraphs=[\"ถึงอำเภอ{{ recipient.district }}\"]"], "body.paragraphs[0]",
     "ใช้ได้เฉพาะ recipient.name และ recipient.id ไม่ใช่ recipient.district"),
    (["--set", "body.paragraphs=[\"ร้อยละ {{ progress.percent }}\"]"], "body.paragraphs[0]",
     "ใช้ progress ไม่ได้"),
    (["--set", "variants.direct.number=5"], "variants", "ไม่ใช้ [variants]"),
    (["--encrypt"], "addressee", "--encrypt"),
])
def test_what_a_letter_to_one_named_addressee_cannot_have(argv, key, message, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["render", str(EXAMPLE / "external.toml"), "--out", str(out), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    if key:
        assert f"คีย์ {key}:" in err or f"คีย์ --set {key}" in err, err
    assert not out.exists()


def test_a_letter_to_one_named_addressee_has_no_one_to_remind(capsys):
    assert main(["status", str(EXAMPLE / "memo.toml")]) == 2
    assert "คีย์ addressee: lettergen status ใช้กับรายชื่อผู้รับ" in capsys.readouterr().err
