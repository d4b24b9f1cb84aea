"""How much of a letter's text comes out of its PDF verbatim, in pdfium and in poppler.

    python benchmarks/measure_extract.py            the three sets below, one line each
    python benchmarks/measure_extract.py --show     ... and each paragraph that fails, as extracted
    python benchmarks/measure_extract.py PDF...     (no: the script needs the letters' model
                                                     to know what went in; it renders them itself)

The sets of letters:
  demo-3     the demo's three kinds of letter: the circular to a district office (5701), the
             direct letters to the อบจ. (570101) and to the เทศบาลนคร (570102)
  demo-20    all 20 letters of the demo
  reminders  the reminder letters of the example (`lettergen remind`) to the pending ones
  other      two letters of another text: names that contain spaces, a long Google-Forms-like
             URL, a LINE OpenChat link, an e-mail address, numbers and dates

What counts as a paragraph: every Paragraph of the letter's model of 80 characters or more
(the body paragraphs, the titles of the attachments, the step table's items and texts),
with each distinct text of a letter counted once.

The rules for comparing (one paragraph, one extractor):
  - the extractor's text of the whole PDF: pdfium, each page's `PdfTextPage.get_text_range()`
    (what Chrome copies); poppler, `pdftotext -enc UTF-8 FILE -` (its reading order, not
    -layout), split into pages at its form feeds; both NFC;
  - the number at the top of a continuation page ("- ๒ -", which poppler and pdfium take
    for a hyphenated line and join to the next) is removed from the start of its page;
  - a line break is "\r\n", "\n" or the end of a page; joining the lines means removing
    the line breaks, and nothing else (no space is added where lines join, none removed);
  - verbatim: the paragraph's text occurs in the joined text exactly. So a space added
    between two Thai words or inside a word fails, and so does a real space lost, also where
    a line broke at it (the line before must end with it, or the next begin with it);
  - "both": pdfium and poppler each give the paragraph verbatim.
  The second figure, "lenient", lets a line break stand for a space (and strips spaces
  around line breaks): what the extractors give when only the spaces at line breaks are lost.
Run by hand; the numbers go into the README.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

MIN_CHARS = 80

OTHER_PARAGRAPHS = [
    "ด้วยกรมส่งเสริมการปกครองท้องถิ่นกำหนดจัดการประชุมเชิงปฏิบัติการเพื่อพัฒนาศักยภาพบุคลากร"
    "ขององค์กรปกครองส่วนท้องถิ่นด้านการจัดทำแผนพัฒนาท้องถิ่น ระหว่างวันที่ 14 - 16 มีนาคม 2568 "
    "ณ โรงแรมดุสิตดีทู เชียงราย อำเภอเมืองเชียงราย จังหวัดเชียงราย โดยมีนายสมชาย ใจดี "
    "ผู้อำนวยการกองพัฒนาและส่งเสริมการบริหารงานท้องถิ่น เป็นประธานในพิธีเปิด",
    "ในการนี้ ขอให้องค์กรปกครองส่วนท้องถิ่นพิจารณาส่งผู้แทนเข้าร่วมการประชุมแห่งละไม่เกิน 2 คน "
    "และลงทะเบียนล่วงหน้าทาง https://docs.google.com/forms/d/e/1FAIpQLSfD3kq8ZxY2mB7vN4pW9hR6tL1cJ5gE0aU/viewform?usp=sf_link "
    "ภายในวันศุกร์ที่ 28 กุมภาพันธ์ 2568 หากมีข้อสงสัยให้สอบถามได้ที่ นางสาวพิมพ์ชนก แสงอรุณ "
    "หรือ saraban.chiangrai@dla.go.th",
    "ทั้งนี้ ผู้เข้าร่วมการประชุมสามารถเข้ากลุ่มไลน์โอเพนแชตเพื่อรับข่าวสารและเอกสารประกอบการประชุมได้ที่ "
    "https://line.me/ti/g2/Xq7vK2mPz9TbR4nW8sLcYdHf3JgA5uE6?utm_source=invitation&utm_medium=link_copy&utm_campaign=default "
    "โดยองค์การบริหารส่วนตำบลบ้านดู่และเทศบาลตำบลแม่ยาวได้ยืนยันการเข้าร่วมแล้ว",
]


def paragraphs_of(letter) -> list[str]:
    """The distinct texts of ``letter``'s paragraphs of MIN_CHARS characters or more."""
    from lettergen.model import Paragraph, Table

    texts = [p.text for p in letter.body]
    for section in letter.attachments:
        texts.append(section.title)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                texts.append(block.text)
            elif isinstance(block, Table):
                texts += [b.text for row in block.rows for cell in row for b in cell
                          if isinstance(b, Paragraph)]
    return [t for t in dict.fromkeys(unicodedata.normalize("NFC", t) for t in texts)
            if len(t) >= MIN_CHARS]


PAGE_NUMBER = re.compile(r"^\s*- ?[๐-๙]+ ?-?\n?")


def _pages(pages) -> str:
    """The pages' texts, each line break one "\\n", the numbers of continuation pages
    removed, joined with line breaks."""
    texts = []
    for number, text in enumerate(pages):
        text = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
        if number:
            text = PAGE_NUMBER.sub("", text, count=1)
        texts.append(text)
    return "\n".join(texts)


def pdfium_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return _pages([page.get_textpage().get_text_range() for page in doc])
    finally:
        doc.close()


def poppler_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", file.name, "-"],
                             capture_output=True, check=True).stdout.decode("utf-8")
    return _pages(out.split("\f"))


def verbatim(paragraph: str, text: str) -> bool:
    """The rule of the issue: the lines joined hold the paragraph exactly."""
    return paragraph in text.replace("\n", "")


def lenient(paragraph: str, text: str) -> bool:
    """A line break may stand for a space, and the spaces around it do not count."""
    return pattern(paragraph).search(re.sub(r"[ \t]*\n[ \t\n]*", "\n", text)) is not None


def pattern(paragraph: str) -> re.Pattern:
    """The paragraph as it may come out with a line break for a space (``lenient``)."""
    parts = []
    for i, ch in enumerate(paragraph):
        if ch == " ":
            parts.append("[ \n]")
        else:
            parts.append(re.escape(ch))
            if i + 1 < len(paragraph) and paragraph[i + 1] != " ":
                parts.append("\n?")
    return re.compile("".join(parts))


def letter_sets() -> dict[str, list]:
    from lettergen.compose import compose_all
    from lettergen.sheets.recipients import load_recipients
    from lettergen.remind import pending_book, reminder_spec
    from lettergen.resources import EXAMPLES
    from lettergen.spec import load_spec

    example = EXAMPLES / "chiang-rai-2561"
    spec = load_spec(example / "letter.toml")
    book = load_recipients(spec.recipients.file, spec)
    demo = compose_all(spec, book)
    reminders_spec = reminder_spec(spec, spec.reminder.date)
    tracking = load_recipients(example / "tracking.xlsx", reminders_spec)
    reminders = compose_all(reminders_spec, pending_book(reminders_spec, tracking, {}))
    other_spec = load_spec(example / "letter.toml", {
        "body.paragraphs": json.dumps(OTHER_PARAGRAPHS, ensure_ascii=False)})
    other = compose_all(other_spec, load_recipients(other_spec.recipients.file, other_spec),
                        only=["5701", "570102"])
    return {
        "demo-3": [l for l in demo if l.recipient_id in ("5701", "570101", "570102")],
        "demo-20": demo,
        "reminders": reminders,
        "other": other,
    }


def measure(letters, show: bool = False) -> dict[str, int]:
    """How many paragraphs of ``letters`` come out verbatim: "pdfium", "poppler", "both",
    and "lenient" (both, by the lenient rule), of "paragraphs"."""
    from lettergen.pdf.writer import write_pdfs

    counts = dict.fromkeys(("paragraphs", "pdfium", "poppler", "both", "lenient"), 0)
    for letter, data in zip(letters, write_pdfs(letters)):
        texts = {"pdfium": pdfium_text(data), "poppler": poppler_text(data)}
        for paragraph in paragraphs_of(letter):
            ok = {name: verbatim(paragraph, text) for name, text in texts.items()}
            counts["paragraphs"] += 1
            counts["pdfium"] += ok["pdfium"]
            counts["poppler"] += ok["poppler"]
            counts["both"] += all(ok.values())
            counts["lenient"] += all(lenient(paragraph, text) for text in texts.values())
            if show and not all(ok.values()):
                print(f"--- {letter.recipient_id}: {paragraph[:60]}...")
                for name, good in ok.items():
                    if not good:
                        print(f"  {name}: {_nearest(paragraph, texts[name].replace(chr(10), ''))!r}")
    return counts


def _nearest(paragraph: str, text: str) -> str:
    """The stretch of ``text`` that starts like ``paragraph`` (to show what came out)."""
    head = pattern(paragraph[:12])
    match = head.search(text)
    if not match:
        return "(its start is not found)"
    return text[match.start():match.start() + len(paragraph) + 40]


def main(argv=None) -> None:
    args = sys.argv[1:] if argv is None else argv
    show = "--show" in args
    names = [a for a in args if not a.startswith("--")]
    sets = letter_sets()
    columns = ("pdfium", "poppler", "both", "lenient")
    print(f"{'set':<10} {'letters':>7} {'paragraphs':>10} " + " ".join(f"{c:>14}" for c in columns))
    for name, letters in sets.items():
        if names and name not in names:
            continue
        counts = measure(letters, show)
        total = counts["paragraphs"]
        cells = [f"{counts[c]} ({100 * counts[c] / max(total, 1):.0f} %)" for c in columns]
        print(f"{name:<10} {len(letters):>7} {total:>10} " + " ".join(f"{c:>14}" for c in cells))


if __name__ == "__main__":
    main()
