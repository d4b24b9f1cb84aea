"""The seed case end to end: `lettergen demo` renders the Chiang Rai circulars of 2561 and
the output carries the seed's wording in Thai digits, the credentials where they belong,
Thai run attributes in the DOCX and QR codes that decode to their URLs."""

from __future__ import annotations

import io
import re
from html import unescape
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import ARABIC_DIGIT, ROOT
from lettergen.thai import LITERAL_SPAN

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
THAI = re.compile(r"[\u0e00-\u0e7f]")
FIVE_URLS = {
    "https://play.google.com/store/search?q=Longdo%20Map&c=apps",
    "https://apps.apple.com/th/search?term=Longdo%20Map",
    "https://citizen.info.go.th/manual/",
    "https://citizensurvey.info.go.th/",
    "https://goo.gl/forms/BsPUHa4Ql7BZ56853",
}


def docx_xml(path: Path, part: str = "word/document.xml"):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(part))


def docx_text(path: Path) -> str:
    """The text of the document body, a line per paragraph (without the zero-width spaces
    that mark where a long link may break: tests/test_copy_text.py checks those)."""
    root = docx_xml(path)
    return "\n".join("".join(t.text or "" for t in p.iter(W + "t")) for p in root.iter(W + "p")
                     ).replace("\u200b", "")


def pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


def by_id(demo_dir: Path, key: str, ext: str) -> Path:
    (path,) = demo_dir.glob(f"{key}-*.{ext}")
    return path


def strip_literals(text: str, book) -> str:
    """``text`` without URLs, e-mail addresses, usernames and passwords: what is left must
    be prose, in Thai digits."""
    text = LITERAL_SPAN.sub("", text)
    for row in book.rows:
        for secret in (row.username, row.password):
            if secret:
                text = text.replace(secret, "")
    return text


def test_demo_writes_twenty_pdfs_and_twenty_docx_and_the_register(demo_dir):
    """The circulars and their register in the output folder; the memo and the external
    letter, each a set of one letter with its register, in folders of their own."""
    files = sorted(p.name for p in demo_dir.iterdir())
    assert len([f for f in files if f.endswith(".pdf")]) == 20
    assert len([f for f in files if f.endswith(".docx")]) == 20
    assert set(files) - {f for f in files if f.endswith((".pdf", ".docx"))} == {
        "register.csv", "register.xlsx", "memo", "external"}
    assert sorted(p.name for p in (demo_dir / "memo").iterdir()) == [
        "register.csv", "register.xlsx", "ผวจ.ชร-ผู้ว่าราชการจังหวัดเชียงราย.docx",
        "ผวจ.ชร-ผู้ว่าราชการจังหวัดเชียงราย.pdf"]
    assert sorted(p.name for p in (demo_dir / "external").iterdir()) == [
        "register.csv", "register.xlsx", "วิทยากร-นายสมศักดิ์ ใจงาม.docx", "วิทยากร-นายสมศักดิ์ ใจงาม.pdf"]
    stems = {f.rsplit(".", 1)[0] for f in files if f.endswith((".pdf", ".docx"))}
    assert "5701-สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเมืองเชียงราย" in stems
    assert "570102-เทศบาลนครเชียงราย" in stems


def test_district_and_direct_letters_differ_as_in_the_seed(example):
    _, _, letters = example
    district = [l for l in letters if l.circular]
    direct = [l for l in letters if not l.circular]
    assert len(district) == 18 and len(direct) == 2
    assert {l.number for l in district} == {"ชร ๐๐๒๓.๑/ว ๑๘๘๕๘"}
    assert [l.number for l in direct] == ["ชร ๐๐๒๓.๑/๑๘๘๕๓", "ชร ๐๐๒๓.๑/๑๘๘๕๔"]
    assert district[0].addressee == "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ ทุกอำเภอ"
    assert direct[1].addressee == "เทศบาลนครเชียงราย"
    assert "/๑๓๓๐๓ ลงวันที่ ๔ มิถุนายน ๒๕๖๑" in district[0].body[0].text
    assert "/๑๓๓๐๔ ลงวันที่ ๔ มิถุนายน ๒๕๖๑" in direct[1].body[0].text
    assert "ให้สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอแจ้งองค์กรปกครองส่วนท้องถิ่นในพื้นที่ให้เร่งรัดการปักหมุด" in district[0].body[1].text
    assert "ให้เทศบาลนครเชียงรายเร่งรัดการปักหมุด" in direct[1].body[1].text


SEED_PHRASES = (
    "ชร ๐๐๒๓.๑/ว ๑๘๘๕๘",
    "ดำเนินการแล้ว ๒๕ แห่ง คิดเป็นร้อยละ ๑๗.๓๖",
    "ภายในวันศุกร์ที่ ๑๐ สิงหาคม ๒๕๖๑",
    "พ.ศ. ๒๕๕๘",
    "https://goo.gl/forms/BsPUHa4Ql7BZ56853",
    "https://citizensurvey.info.go.th/login",
    "โทร. ๐-๕๓๑๗-๗๓๒๘-๙, ๐-๕๓๑๕-๐๑๖๕ ต่อ ๒๒",
    "ผู้ประสานงาน นางสาวพิริยาพร ภูสมปองสวัสดิ์ โทร. ๐๖-๓๔๒๑-๘๓๖๓",
    "๒๗ กรกฎาคม ๒๕๖๑",
)


def test_docx_and_html_carry_the_seed_wording_in_thai_digits(demo_dir, example):
    from lettergen.pdf.writer import html

    _, book, letters = example
    district = next(l for l in letters if l.key == "5701")
    # The HTML's text, whitespace aside: the PDF's body paragraphs carry a space at every
    # Thai word boundary (lettergen/justify.py) and tags around each line.
    page = re.sub(r"\s+", "", unescape(re.sub(r"<[^>]+>", "", html([district]))))
    text = docx_text(by_id(demo_dir, "5701", "docx"))
    for phrase in SEED_PHRASES:
        assert phrase in text, phrase
        assert re.sub(r"\s+", "", phrase) in page, phrase


def test_no_arabic_digit_outside_urls_usernames_and_passwords(demo_dir, example):
    _, book, letters = example
    for path in demo_dir.glob("*.docx"):
        prose = strip_literals(docx_text(path), book)
        assert not ARABIC_DIGIT.search(prose), (path.name, ARABIC_DIGIT.findall(prose)[:5])
    for letter in letters:
        texts = [p.text for p in letter.body] + [letter.number, letter.date_text, *letter.owner_lines]
        for section in letter.attachments:
            for table in section.blocks:
                texts += [b.text for row in table.rows for cell in row for b in cell if hasattr(b, "text")]
        prose = strip_literals("\n".join(texts), book)
        assert not ARABIC_DIGIT.search(prose), (letter.key, ARABIC_DIGIT.findall(prose)[:5])


def test_passwords_keep_their_arabic_digits(demo_dir, example):
    _, book, _ = example
    text = docx_text(by_id(demo_dir, "570102", "docx"))
    tn = next(r for r in book.rows if r.id == "570102")
    assert any(c.isdigit() for c in tn.password)
    assert tn.password in text and tn.username in text


def test_each_password_only_in_its_own_letter(demo_dir, example):
    _, book, _ = example
    texts = {p.name: docx_text(p) + pdf_text(p.with_suffix(".pdf")) for p in demo_dir.glob("*.docx")}
    for row in book.rows:
        if not row.password:
            continue
        owner = row.id if row.kind in ("อบจ.", "ทน.") else next(
            r.id for r in book.rows if r.kind == "สถ.อ." and r.district == row.district)
        holders = {name for name, text in texts.items() if row.password in text}
        assert holders == {by_id(demo_dir, owner, "docx").name}, (row.id, holders)


def test_every_thai_run_in_every_docx_has_its_complex_script_attributes(demo_dir):
    checked = 0
    for path in demo_dir.glob("*.docx"):
        parts = ["word/document.xml"]
        with zipfile.ZipFile(path) as z:
            parts += [n for n in z.namelist() if n.startswith("word/header")]
        for part in parts:
            for run in docx_xml(path, part).iter(W + "r"):
                text = "".join(t.text or "" for t in run.iter(W + "t"))
                if not THAI.search(text):
                    continue
                rpr = run.find(W + "rPr")
                assert rpr is not None, (path.name, text)
                fonts = rpr.find(W + "rFonts")
                assert fonts.get(W + "cs") == "TH SarabunIT๙", (path.name, text)
                assert rpr.find(W + "szCs") is not None, (path.name, text)
                lang = rpr.find(W + "lang")
                assert lang is not None and lang.get(W + "bidi") == "th-TH", (path.name, text)
                checked += 1
    assert checked > 1000


def test_docx_body_paragraphs_are_thai_distributed(demo_dir, example):
    _, _, letters = example
    root = docx_xml(by_id(demo_dir, "5701", "docx"))
    justified = [p for p in root.iter(W + "p")
                 if p.find(f"{W}pPr/{W}jc") is not None
                 and p.find(f"{W}pPr/{W}jc").get(W + "val") == "thaiDistribute"]
    texts = ["".join(t.text for t in p.iter(W + "t")) for p in justified]
    assert texts == [p.text for p in letters[0].body]


def test_docx_has_a_thai_page_number_field_on_continuation_pages(demo_dir):
    path = by_id(demo_dir, "5701", "docx")
    settings = docx_xml(path)
    titles = settings.findall(f".//{W}sectPr/{W}titlePg")
    assert titles, "the letter's first page must have its own (empty) header"
    with zipfile.ZipFile(path) as z:
        headers = [z.read(n).decode() for n in z.namelist() if n.startswith("word/header")]
    assert any(" PAGE " in h for h in headers)
    formats = {e.get(W + "fmt") for e in settings.iter(W + "pgNumType")}
    assert formats == {"thaiNumbers"}  # the numbered section shows ๑ ๒ ๓


def test_pdf_uses_only_the_bundled_sarabun_and_vector_qr_codes(demo_dir):
    import pikepdf

    with pikepdf.open(by_id(demo_dir, "5714", "pdf")) as pdf:
        fonts, images = set(), 0
        for page in pdf.pages:
            resources = page.obj.get("/Resources", {})
            for font in resources.get("/Font", {}).values():
                fonts.add(str(font.get("/BaseFont")))
            for xobject in resources.get("/XObject", {}).values():
                if xobject.get("/Subtype") == "/Image":
                    images += 1
        assert fonts and all("Sarabun" in f for f in fonts), fonts
        assert images == 0  # the QR codes are paths, not pictures


def test_pdf_pages_and_page_numbers(demo_dir):
    text = pdf_text(by_id(demo_dir, "5701", "pdf"))
    assert "- ๒ -" in text  # the letter runs onto a second page
    assert "- ๑ -" not in text  # the first page carries no number


def test_qr_codes_decode_to_the_five_urls_and_are_at_least_2cm(demo_dir):
    import pypdfium2 as pdfium
    import zxingcpp

    dpi = 200
    found = {}
    doc = pdfium.PdfDocument(str(by_id(demo_dir, "5714", "pdf")))
    try:
        for page in doc:
            image = page.render(scale=dpi / 72).to_pil()
            for barcode in zxingcpp.read_barcodes(image):
                assert barcode.format == zxingcpp.BarcodeFormat.QRCode
                p = barcode.position
                width_cm = (p.top_right.x - p.top_left.x) / dpi * 2.54
                found[barcode.text] = width_cm
                assert barcode.symbology_identifier  # decoded, not guessed
    finally:
        doc.close()
    assert set(found) == FIVE_URLS
    assert min(found.values()) >= 2.0, found


def test_qr_error_correction_and_quiet_zone():
    from lettergen import qr

    url = "https://goo.gl/forms/BsPUHa4Ql7BZ56853"
    m = qr.matrix(url)
    assert all(not any(row) for row in m[:4] + m[-4:])
    assert all(not any(row[:4]) and not any(row[-4:]) for row in m)
    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(qr.png(url)))
    (barcode,) = zxingcpp.read_barcodes(image)
    assert barcode.text == url
    assert barcode.ec_level == "M"


def test_html_golden_for_a_small_district_letter(example, golden):
    from lettergen.pdf.writer import html

    _, _, letters = example
    letter = next(l for l in letters if l.key == "5714")
    from lettergen.resources import font_paths

    page = html([letter]).replace(ROOT.as_uri(), "{ROOT}")
    page = page.replace(font_paths()["regular"].parent.as_uri(), "{FONTS}")  # the cache folder
    golden("5714-khun-tan.html", page)


def test_docx_text_golden_for_a_small_district_letter(demo_dir, golden):
    golden("5714-khun-tan.docx.txt", docx_text(by_id(demo_dir, "5714", "docx")) + "\n")


@pytest.mark.optional_tools
def test_qr_codes_decode_with_zbar_too(demo_dir, tmp_path):
    """A second, independent decoder (zbarimg, from Debian's zbar-tools) reads the same
    five URLs off the rendered step sheet."""
    import subprocess

    import pypdfium2 as pdfium

    from conftest import require_tool

    zbarimg = require_tool("zbarimg")
    doc = pdfium.PdfDocument(str(by_id(demo_dir, "5714", "pdf")))
    images = []
    try:
        for number in range(len(doc)):
            path = tmp_path / f"page{number}.png"
            doc[number].render(scale=200 / 72).to_pil().save(path)
            images.append(str(path))
    finally:
        doc.close()
    result = subprocess.run([zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", *images],
                            capture_output=True, text=True)
    assert set(result.stdout.split()) == FIVE_URLS


def test_the_same_letter_as_an_external_letter(tmp_path):
    """หนังสือภายนอก: เรื่อง, เรียน, อ้างถึง, สิ่งที่ส่งมาด้วย, the closing and the signer, in both
    writers; the stamped letter's ถึง line is gone."""
    from lettergen.cli import main

    from conftest import EXAMPLE

    out = tmp_path / "out"
    assert main(["render", str(EXAMPLE / "letter.toml"), "--only", "570102", "--out", str(out),
                 "--set", "letter.kind=external",
                 "--set", "sender.signer_name=นายสมชาย ใจดี",
                 "--set", "sender.signer_position=ผู้ว่าราชการจังหวัดเชียงราย",
                 "--set", 'letter.enclosures=["บัญชีชื่อผู้ใช้และรหัสผ่าน 1 ฉบับ"]']) == 0
    text = docx_text(next(out.glob("*.docx")))
    pdf = re.sub(r"\s+", "", pdf_text(next(out.glob("*.pdf"))))
    for phrase in ("เรื่อง การดำเนินการโครงการ", "เรียน เทศบาลนครเชียงราย",
                   "อ้างถึง หนังสือจังหวัดเชียงราย ที่ ชร ๐๐๒๓.๑/๑๓๓๐๔ ลงวันที่ ๔ มิถุนายน ๒๕๖๑",
                   "สิ่งที่ส่งมาด้วย", "บัญชีชื่อผู้ใช้และรหัสผ่าน ๑ ฉบับ", "ขอแสดงความนับถือ",
                   "(นายสมชาย ใจดี)", "ผู้ว่าราชการจังหวัดเชียงราย"):
        assert phrase in text, phrase
        assert re.sub(r"\s+", "", phrase) in pdf, phrase
    assert "ถึง เทศบาลนครเชียงราย" not in text


def test_docx_parts_shared_between_letters_are_never_changed(example):
    """The DOCX writer shares the parts a letter leaves alone (styles, theme, settings...)
    between letters instead of copying them; writing letters must leave them exactly as
    python-docx's default document with the Thai font defaults has them."""
    from docx import Document

    from lettergen.docx.thai_xml import set_default_thai_font
    from lettergen.docx.writer import BODY_PT, STATIC_PARTS, _blank, write_docx

    _, _, letters = example
    for letter in letters[:3] + letters[-2:]:
        write_docx(letter)
    fresh = Document()
    set_default_thai_font(fresh, letters[0].docx_font, BODY_PT)

    def static(document):
        return {str(p.partname): p.blob for p in document.part.package.parts
                if str(p.partname) in STATIC_PARTS}

    shared = static(_blank(letters[0].docx_font))
    assert len(shared) >= 7
    assert shared == static(fresh)
