"""Cell texts of one line shaped and drawn from their glyphs (lettergen/pdf/weasy_shape.py,
pdf/cells.py ``set_apart``) against WeasyPrint laying the same texts out: the same glyph
operators, byte for byte, at the same places; and whole letters set both ways the same glyph
by glyph, with the same text copied out."""

from __future__ import annotations

import csv
import random

import pytest
from markupsafe import Markup, escape

from conftest import require_tool, same_drawing, same_layout
from test_cells import NAMES, PASSWORDS, USERNAMES, cell, letter_with

SYLLABLES = ("บ้าน", "ป่า", "ดอน", "แม่", "ห้วย", "นา", "สัน", "ทุ่ง", "หนอง", "เวียง", "ศรี", "ดง",
             "ไชย", "คำ", "งาม", "ใหม่", "หลวง", "ทอง", "แก้ว", "เหนือ", "ใต้", "ยาว", "ลอ", "ตาล")
WORDS = ("น้ำ", "ที่", "สำนักงาน", "วันศุกร์ที่", "ปั้ม", "ฐาน ญาติ", "กำ", "ป่า", "ฟ้า", "ฎีกา", "ปิ่น",
         "เทศบาลตำบลท่าสาย", "๑", "๒๓", "๔๕๖", "7", "12", "AVATAR Tofu", "office ffi", "W.A.V.",
         "a & b <c>", "FAKE-8u2e", "Pass:word;1", "x_y-z.w@q")


def samples(more=()) -> list[str]:
    """Real Thai words (marks above and below, sara am, a tall consonant with a vowel), the
    benchmark's kinds of names and logins, Latin with kerning pairs and ligature candidates,
    digits alone, markup characters; and ``more``."""
    rng = random.Random(7)
    found = list(WORDS + NAMES + USERNAMES + PASSWORDS + tuple(more))
    found += ["เทศบาลตำบล" + "".join(rng.sample(SYLLABLES, 2)) + f" {rng.randrange(200)}".translate(
        str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")) for _ in range(40)]
    found += [f"bench{rng.randrange(10**5):05d}" for _ in range(20)]
    found += [f"FAKE-{rng.randrange(16 ** 6):06x}" for _ in range(20)]
    return [text for text in dict.fromkeys(found) if text]


def texts_of(columns, more=()) -> list:
    """Each sample (and each of ``more``) as the text of a credentials cell of each column
    given ((column, literal)), as pdf/rows.table_row makes them."""
    from lettergen import geometry
    from lettergen.pdf.rows import CellText, Frame

    frame = Frame("credentials", tuple(geometry.CREDENTIALS_COLUMNS), ("center", "plain", "plain", "plain"))
    return [CellText(frame, column, literal, Markup(escape(text)))
            for column, literal in columns for text in samples(more)]


def test_a_shaped_text_is_drawn_as_weasyprint_draws_it():
    """Every sample that the shaper takes (one script, one line in its cell): its glyph
    operators byte for byte, and its place (its block's left, or centred by its width), as
    WeasyPrint lays it out and draws it; a text it takes is one line in WeasyPrint's layout."""
    from lettergen.pdf import cells, weasy_shape, writer
    from lettergen.pdf.actualtext import wrap_line

    texts = texts_of([(0, False), (1, False), (2, True)])
    sheet = writer._own_sheet([], texts, (), shaping=False)
    laid_out = sheet.texts
    width = lambda text: writer._frame(text.frame, 1).cells[text.column][2]  # noqa: E731
    first = {}
    compared = {"Thai": 0, "Latn": 0, "Zyyy": 0}
    for text in texts:
        shaper = writer._shaper(text.style, text.literal)
        shaped = shaper.shape(cells.source(text))
        if shaped is None or shaped.width > width(text) - cells.FIT:
            continue
        (line,) = laid_out.lines[text]
        ops = laid_out.piece(line).split(b"\n")
        ours = b"\n".join(wrap_line([b"BT", *weasy_shape.draw(shaped), b"ET"], line.text))
        glyph_ops = lambda found: [op for op in found if op.endswith((b" TJ", b" Ts"))]  # noqa: E731
        assert glyph_ops(ops) == glyph_ops(ours.split(b"\n")), cells.source(text)
        x = float(next(op for op in ops if op.endswith(b" Tm")).split()[4])
        x0, w0 = first.setdefault((text.style, text.literal, width(text)), (x, shaped.width))
        expected = x0 + (w0 - shaped.width) / 2 if text.style == "center" else x0
        assert x == pytest.approx(expected, abs=1e-4), cells.source(text)
        compared[weasy_shape._script(cells.source(text))] += 1
    assert min(compared.values()) >= 5, compared
    sheet.pdf.close()


def test_a_text_is_broken_into_lines_and_drawn_as_weasyprint_does():
    """Every sample the shaper takes (the example's real LAO names and the tricky ones too,
    in the narrow centred column as well) is broken into the lines WeasyPrint's layout of
    the block gives, one or several; each line of those of several lines has its glyph
    operators byte for byte as WeasyPrint draws it, at its place (the block's left, or
    centred by its width)."""
    from lettergen.pdf import cells, weasy_shape, writer
    from lettergen.pdf.actualtext import split_lines, wrap_line

    from conftest import EXAMPLE

    with (EXAMPLE / "recipients.csv").open(encoding="utf-8") as sheet:
        real = [row["name"] for row in csv.DictReader(sheet)]
    texts = texts_of([(0, False), (1, False), (2, True)], real)
    sheet = writer._own_sheet([], texts, (), shaping=False)
    laid_out = sheet.texts
    width = lambda text: writer._frame(text.frame, 1).cells[text.column][2]  # noqa: E731
    glyph_ops = lambda found: [op for op in found if op.endswith((b" TJ", b" Ts"))]  # noqa: E731
    compared, lefts, taken = {}, {}, 0
    for text in texts:
        said, theirs = cells.source(text), laid_out.lines[text]
        found = cells._shaped_lines(writer._shaper(text.style, text.literal), text, width(text))
        if found is None:
            continue  # a line of two scripts, or one that starts with a mark: laid out
        taken += 1
        assert all(len(boxes) == 1 for boxes in found)  # a cell's text: one text box a line
        assert split_lines(said, [shaped.text for shaped, in found]) == [line.text for line in theirs], said
        if len(theirs) < 2:
            continue  # drawn as test_a_shaped_text_is_drawn_as_weasyprint_draws_it compares
        for line, (shaped,) in zip(theirs, found):
            ops = laid_out.piece(line).split(b"\n")
            ours = b"\n".join(wrap_line([b"BT", *weasy_shape.draw(shaped), b"ET"], line.text))
            assert glyph_ops(ops) == glyph_ops(ours.split(b"\n")), shaped.text
            x = float(next(op for op in ops if op.endswith(b" Tm")).split()[4])
            room = width(text) - shaped.width
            left = x - room / 2 if text.style == "center" else x
            assert left == pytest.approx(lefts.setdefault((text.style, width(text)), left), abs=1e-4)
        compared[text.column] = compared.get(text.column, 0) + 1
    assert min(compared.get(column, 0) for column in (0, 1, 2)) >= 30, compared
    assert taken > len(texts) * 0.8, (taken, len(texts))  # most are shaped, not laid out
    sheet.pdf.close()


def test_texts_the_shaper_leaves_to_weasyprint():
    from lettergen.pdf import cells, writer
    from lettergen.pdf.rows import HEAD, CellText, Frame

    shaper = writer._shaper("plain", True)
    for text in ("A & B สำนักงาน", "ab\u200bcd", "é", "\u0e48ก", "", "a\tb"):
        assert shaper.shape(text) is None, text  # mixed scripts, a break mark, others
    head = Frame(HEAD)
    width = writer._frame(head, 1).cells[0][2]
    for html in ('<span class="label" style="font-size: 20pt; font-weight: bold">เรื่อง</span> ขอเชิญประชุม',
                 '<span class="label">ที่</span> ชร <b>๐๐๒๓</b>',  # a label of its own face; markup
                 '<span class="label">เรื่อง</span> ' + "ขอเชิญประชุมสำนักงาน" * 12):  # more than a line
        text = CellText(head, 0, False, Markup(html))
        assert cells._shaped_lines(writer._shaper("head", False), text, width) is None, html


def head_texts(labels=("ที่", "ถึง", "เรื่อง", "เรียน", "อ้างถึง", "สิ่งที่ส่งมาด้วย")) -> list:
    """Head lines of one part as pdf/rows.head_row makes them: each label (in a span of no
    style: the text's face) before each sample, and a label alone."""
    from lettergen.pdf.rows import HEAD, CellText, Frame

    frame = Frame(HEAD)
    more = ("ชร ๐๐๒๓.๑/ว ๑๘๙๑๗", "ผู้ว่าราชการจังหวัดเชียงราย", "นายกเทศมนตรีตำบลเวียงทอง ๖๕")
    texts = [CellText(frame, 0, False, Markup(f'<span class="label">{label}</span> ') + escape(text))
             for label in labels for text in samples(more)[::3]]
    return texts + [CellText(frame, 0, False, Markup(f'<span class="label">{label}</span>'))
                    for label in labels]


def test_a_labelled_head_line_is_drawn_as_weasyprint_draws_it():
    """A head line's label and the text after it (two text boxes, WeasyPrint draws each
    apart), shaped: each box's glyph operators byte for byte as WeasyPrint draws it, the
    text after the label where WeasyPrint puts it (the label's width from the line's start),
    and one line where WeasyPrint makes one."""
    from lettergen.pdf import cells, weasy_shape, writer
    from lettergen.pdf.actualtext import wrap_line

    texts = head_texts()
    sheet = writer._own_sheet([], texts, (), shaping=False)
    laid_out = sheet.texts
    width = writer._frame(texts[0].frame, 1).cells[0][2]
    glyph_ops = lambda found: [op for op in found if op.endswith((b" TJ", b" Ts"))]  # noqa: E731
    taken, lefts = 0, set()
    for text in texts:
        found = cells._shaped_lines(writer._shaper("head", False), text, width)
        if found is None:
            continue  # two scripts after the label, or more than a line
        ((boxes),) = found
        (line,) = laid_out.lines[text]
        assert len(line.keys) == len(boxes) == (2 if "</span> " in text.html else 1)
        ops = laid_out.piece(line).split(b"\n")
        ours = b"\n".join(wrap_line([op for box in boxes for op in (b"BT", *weasy_shape.draw(box), b"ET")],
                                    line.text))
        assert glyph_ops(ops) == glyph_ops(ours.split(b"\n")), cells.source(text)
        xs = [float(op.split()[4]) for op in ops if op.endswith(b" Tm")]
        assert len(xs) == len(boxes)
        lefts.add(round(xs[0], 4))
        if len(boxes) == 2:
            assert xs[1] - xs[0] == pytest.approx(boxes[0].width, abs=1e-4), cells.source(text)
        taken += 1
    assert len(lefts) == 1  # every line starts at the block's left
    assert taken > len(texts) * 0.6, (taken, len(texts))
    sheet.pdf.close()


def test_letters_whose_head_lines_are_shaped_are_the_letters_laid_out(example):
    """Letters of a batch whose numbers differ: the number's head line of all but the first
    is shaped, and each letter is the letter with every text laid out (by WeasyPrint in the
    batch's document, and in one flow: the reference of test_paginate), glyph by glyph, the
    same rules; and the same text copied out as with every text laid out in the batch."""
    import dataclasses

    from lettergen import caches
    from lettergen.pdf import cells, writer
    from lettergen.pdf.actualtext import strip
    from test_copy_text import pdfium_pages

    _, _, letters = example
    base = next(l for l in letters if l.key == "570102")
    batch = [dataclasses.replace(base, number=f"ชร ๐๐๒๓.๑/๑๘๘{n}", attachments=())  # its own pages
             for n in "๕๖๗๘"]
    caches.clear()
    placed, made = with_own_sheets(writer.write_pdfs, batch)
    shaped = [text for sheet in made if sheet.texts for text, lines in sheet.texts.lines.items()
              if text.style == "head" and isinstance(lines[0], cells.ShapedLine)]
    assert len(shaped) == 3  # the number's line of each letter but the first (its like)
    assert all(len(sheet.texts.lines[text][0].ops) == 2  # the label, the number: two boxes
               for sheet in made if sheet.texts for text in shaped if text in sheet.texts)
    caches.clear()
    laid_out, _ = with_own_sheets(writer.write_pdfs, batch, shaping=False)
    for letter, pdf, each_laid_out in zip(batch, placed, laid_out):
        caches.clear()
        whole = writer.render_document([letter]).write_pdf()
        same_layout(strip(pdf), whole)
        same_drawing(pdf, whole)
        same_layout(strip(pdf), strip(each_laid_out))
        assert pdfium_pages(pdf) == pdfium_pages(each_laid_out)
    caches.clear()


def district_letter(example, count=30):
    """A letter with a list of ``count`` LAOs: Thai names of one and two lines, usernames and
    passwords as the benchmark makes them, and the tricky ones of test_cells."""
    rng = random.Random(count)
    rows = []
    for i in range(count):
        name = ("องค์การบริหารส่วนตำบล" if i % 3 == 0 else "เทศบาลตำบล") + "".join(rng.sample(SYLLABLES, 2))
        rows.append((cell(str(i + 1).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")), "center"),
                     cell(name if i % 5 else NAMES[i % len(NAMES)]),
                     cell(f"bench{i:05d}" if i % 4 else USERNAMES[i % len(USERNAMES)], literal=True),
                     cell(f"FAKE-{rng.randrange(16 ** 6):06x}" if i % 4 else PASSWORDS[i % len(PASSWORDS)],
                          literal=True)))
    return letter_with(example, rows)


def with_own_sheets(write, *args, shaping: bool = True):
    """``write(*args)`` (a writer call), and the documents of its letters' own rows and texts
    it laid out (writer._own_sheet); without ``shaping``, every text laid out by WeasyPrint."""
    from lettergen.pdf import writer

    made = []
    real = writer._own_sheet
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(writer, "_own_sheet", lambda *a, **k: made.append(
            real(*a, **k) if shaping else real(*a, **{**k, "shaping": False})) or made[-1])
        return write(*args), made


@pytest.fixture(scope="module")
def both_ways(example):
    """A district letter written with its one-line texts shaped, and with every text laid
    out by WeasyPrint."""
    from lettergen import caches
    from lettergen.pdf import cells, writer

    letter = district_letter(example)
    caches.clear()
    shaped, made = with_own_sheets(writer.write_pdf, letter)
    lines = [line for sheet in made for text_lines in sheet.texts.lines.values() for line in text_lines]
    assert sum(isinstance(line, cells.ShapedLine) for line in lines) > 40  # the shaped way was taken
    several = [text_lines for sheet in made for text_lines in sheet.texts.lines.values()
               if len(text_lines) > 1 and all(isinstance(line, cells.ShapedLine) for line in text_lines)]
    assert len(several) >= 3  # names of two lines shaped too
    caches.clear()
    whole, _ = with_own_sheets(writer.write_pdf, letter, shaping=False)
    caches.clear()
    return letter, shaped, whole


def test_a_letter_with_shaped_texts_is_the_letter_with_them_laid_out(both_ways):
    """The same glyphs at the same places (within 0.01 pt), the same rules, and the same
    text copied out by pdfium, page for page."""
    from lettergen.pdf.actualtext import strip
    from test_copy_text import pdfium_pages

    _, shaped, whole = both_ways
    same_layout(strip(shaped), strip(whole))
    same_drawing(shaped, whole)
    assert pdfium_pages(shaped) == pdfium_pages(whole)


@pytest.mark.optional_tools
def test_poppler_copies_the_same_text_out_of_both(both_ways):
    """pdftotext reads the same text (the lines' spans, and the glyphs' own text where a
    line has no span: one that ends in "-"), so the fonts map the shaped glyphs too."""
    from test_copy_text import poppler_pages

    require_tool("pdftotext")
    letter, shaped, whole = both_ways
    assert poppler_pages(shaped) == poppler_pages(whole)
    text = "".join(poppler_pages(shaped))
    assert "bench00001" in text and "FAKE-" in text


def test_a_document_drawn_otherwise_is_laid_out_whole(example, monkeypatch):
    """When WeasyPrint does not draw a like as the shaper does (here the shaper is made to
    draw otherwise), nothing is shaped: every text of the document is laid out, and the
    letter is still the letter laid out whole."""
    from lettergen import caches
    from lettergen.pdf import cells, weasy_shape, writer
    from lettergen.pdf.actualtext import strip

    letter = district_letter(example, 12)
    caches.clear()
    draw = weasy_shape.draw
    monkeypatch.setattr(weasy_shape, "draw", lambda shaped: [b"[<0001>] TJ", *draw(shaped)])
    made = []
    real = writer._own_sheet
    monkeypatch.setattr(writer, "_own_sheet", lambda *a, **k: made.append(real(*a, **k)) or made[-1])
    placed = writer.write_pdf(letter)
    monkeypatch.undo()
    assert made and all(not sheet.texts.shaped for sheet in made if sheet.texts)
    assert not any(isinstance(line, cells.ShapedLine) for sheet in made if sheet.texts
                   for lines in sheet.texts.lines.values() for line in lines)
    caches.clear()
    reference = writer.render_document([letter]).write_pdf()
    caches.clear()
    same_layout(strip(placed), reference)


def test_a_document_whose_like_breaks_otherwise_is_laid_out_whole(example, monkeypatch):
    """When WeasyPrint breaks a like into other lines than the shaper found (here the shaper
    is made to break each first line halfway), nothing is shaped, and the letter is still
    the letter laid out whole."""
    import unicodedata

    from lettergen import caches
    from lettergen.pdf import cells, weasy_shape, writer
    from lettergen.pdf.actualtext import strip

    def broken_early(self, text, width):
        first, rest = real_first_line(self, text, width)
        cut = next((i for i in range(len(first) // 2, len(first))
                    if unicodedata.category(first[i]) not in ("Mn", "Mc") and first[i] != " "), None)
        return (first, rest) if cut is None or rest is None else (first[:cut], text[cut:])

    letter = district_letter(example, 12)
    caches.clear()
    real_first_line = weasy_shape.Shaper.first_line
    monkeypatch.setattr(weasy_shape.Shaper, "first_line", broken_early)
    made, tried = [], []
    real = writer._own_sheet
    monkeypatch.setattr(writer, "_own_sheet", lambda *a, **k: made.append(real(*a, **k)) or made[-1])
    real_apart = cells.set_apart
    monkeypatch.setattr(cells, "set_apart", lambda *a: tried.append(real_apart(*a)) or tried[-1])
    placed = writer.write_pdf(letter)
    monkeypatch.undo()
    assert any(len(lines) > 1 for _, shaped in tried for lines in shaped.values())  # it was tried
    assert made and all(not sheet.texts.shaped for sheet in made if sheet.texts)
    caches.clear()
    reference = writer.render_document([letter]).write_pdf()
    caches.clear()
    same_layout(strip(placed), reference)


def test_the_written_font_holds_the_glyphs_only_shaped_texts_draw(example):
    """A glyph that no text laid out by WeasyPrint draws (a "Q" found only in a shaped
    password) is in the font's subset."""
    from lettergen import caches
    from lettergen.pdf import cells, weasy, writer

    rows = [(cell("๑", "center"), cell("ก"), cell("bench1", literal=True), cell("abc", literal=True)),
            (cell("๒", "center"), cell("ข"), cell("bench2", literal=True), cell("Qz", literal=True))]
    letter = letter_with(example, rows)
    caches.clear()
    flows, common, own, texts, emblems = writer._plan([letter])
    sheet = writer._own_sheet(own, texts, emblems)
    assert any(isinstance(line, cells.ShapedLine) for lines in sheet.texts.lines.values() for line in lines)
    ((_, _, (shaped_q,)),) = sheet.texts.shaped[next(t for t in texts if "Qz" in t.html)]
    held = weasy.font_glyphs(sheet.texts.resources)[shaped_q.face.name]
    assert {glyph[0] for glyph in shaped_q.glyphs} <= held
    sheet.pdf.close()
    caches.clear()
