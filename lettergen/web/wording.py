"""The engine's messages as a clerk at the web app reads them: no spec key, no command-line
option, no TOML table name. The engine's errors name the spec key or the option a user of
the command line must change (``letter.date``, ``--set deadline.date=...``,
``[recipients.columns]``); the web app names the field on the page instead, and says what
to do there. Everything the pages say of an InputError goes through ``clerk_text``.
"""

from __future__ import annotations

import re

from .specform import SENDER_FIELDS

SPEC_FILE = "หนังสือ (spec)"  # how work.shown_name names the working letter
FIELDS = {
    "letter.kind": "ชนิดหนังสือ", "letter.urgency": "ชั้นความเร็ว", "letter.date": "ลงวันที่",
    "letter.subject": "เรื่อง", "letter.agency_code": "รหัสส่วนราชการ", "letter.salutation": "คำขึ้นต้น",
    "letter.closing": "คำลงท้าย", "letter.emblem": "ตราครุฑ", "letter.enclosures": "สิ่งที่ส่งมาด้วย",
    "letter.docx_font": "แบบอักษรของไฟล์ Word", "letter": "ส่วนหัวของหนังสือ",
    "deadline.date": "กำหนดให้ดำเนินการภายใน", "deadline": "กำหนดให้ดำเนินการภายใน",
    "steps.title": "ชื่อตารางขั้นตอน", "steps": "ตารางขั้นตอน", "body": "เนื้อความ",
    "body.paragraphs": "เนื้อความ", "links": "ลิงก์และ QR Code", "enclosure.title": "ชื่อบัญชีแนบท้าย",
    "signing_memo.signer_name": "ชื่อผู้ลงนามบันทึกเสนอลงนาม",
    "signing_memo.signer_position": "ตำแหน่งผู้ลงนามบันทึกเสนอลงนาม",
    "signing_memo": "บันทึกเสนอลงนาม", "reminder": "หนังสือติดตาม", "reminder.date": "ลงวันที่ (หนังสือติดตาม)",
    "reminder.subject": "เรื่อง (หนังสือติดตาม)", "reminder.urgency": "เกณฑ์ชั้นความเร็วของหนังสือติดตาม",
    "reminder.paragraphs": "เนื้อความของหนังสือติดตาม", "addressee.name": "ผู้รับ", "addressee.id": "รหัสผู้รับ",
    "addressee.number": "เลขที่หนังสือ", "addressee": "ผู้รับ", "recipients": "รายชื่อผู้รับ",
    "routing": "การส่งถึงผู้รับ", "register": "ทะเบียนหนังสือส่ง", "variants": "เลขที่หนังสือและผู้รับ",
    "sender": "ผู้ส่ง", **{f"sender.{name}": label for name, label in SENDER_FIELDS},
}
VARIANT_PARTS = {"number": "เลขที่หนังสือ", "circular": "หนังสือเวียน", "cites": "อ้างถึง",
                 "cites.number": "อ้างถึงหนังสือที่", "cites.date": "ลงวันที่ (อ้างถึง)", "addressee": "ถึง",
                 "text": "ข้อความตามกลุ่มผู้รับ"}
# A spec key: one of the spec's tables, then its fields (a file name such as "garuda.png" is
# the clerk's, and stays as written).
TABLES = sorted({key.split(".")[0] for key in FIELDS} | {"links", "variants"}, key=len, reverse=True)
KEY = re.compile(r"(?<![\w.])(?:" + "|".join(TABLES) + r")(?:\.[a-z_0-9]+|\[\d+\])+")
FILE_NAME = re.compile(r"\.(?:toml|csv|xlsx?|png|jpe?g|svg|pdf|docx|zip|p12|pfx|pem|txt)$")
# What the command line asks for, and what the web page asks for instead.
ADVICE = (
    (re.compile(r"[;,]? ?(?:ตั้งชื่อหัวคอลัมน์ให้ตรง หรือกำหนดใน|เลือกคอลัมน์ที่ใช้ใน) spec: \[recipients\.columns\][^;]*"),
     "; ตั้งชื่อหัวคอลัมน์ในไฟล์ให้ตรง แล้วอัปโหลดอีกครั้ง"),
    (re.compile(r"ระบุแผ่นงานที่ใช้ใน spec: \[recipients\] sheet = \"\.\.\.\" หรือ --set recipients\.sheet=\.\.\. "),
     "ซ่อนแผ่นงานที่ไม่ใช้ในไฟล์ Excel "),
    (re.compile(r"ถ้าขยายเวลา ให้กำหนดวันใหม่ เช่น --set deadline\.date=YYYY-MM-DD"),
     "ถ้าขยายเวลา ให้แก้กำหนดให้ดำเนินการภายในที่หน้าหนังสือ"),
    (re.compile(r"ไม่ได้กำหนดไว้ใน \[routing\] ของ spec \(via_district หรือ direct\)"),
     "ไม่ใช่ประเภทที่หนังสือนี้ส่งถึง (ส่งผ่าน สถ.อ. หรือส่งถึงโดยตรง)"),
    (re.compile(r"spec ไม่มีตาราง \[reminder\] สำหรับหนังสือติดตาม"), "หนังสือนี้ยังไม่มีเนื้อความของหนังสือติดตาม"),
    (re.compile(r" ของ spec"), " ของหนังสือ"),
    # the office's certificate and mail server, set on the office's page
    (re.compile(r"; ตรวจ --smtp และเครือข่าย"), "; ตรวจชื่อเครื่องและช่องทางของเซิร์ฟเวอร์อีเมลที่หน้าตั้งค่าสำนักงาน และเครือข่าย"),
    (re.compile(r" \(--user, --password-file\)"), " ที่ตั้งไว้ในหน้าตั้งค่าสำนักงาน"),
    (re.compile(r"สร้างชุดนี้ใหม่ด้วย lettergen render --encrypt \(คอลัมน์รหัสเปิดไฟล์ในรายชื่อผู้รับ\)"),
     "เพิ่มคอลัมน์ \"รหัสเปิดไฟล์\" ในรายชื่อผู้รับ แล้วสร้างหนังสือชุดนี้ใหม่"),
    (re.compile(r" \(mail\.json\)| \(lettergen render\)"), ""),
    (re.compile(r"อ่าน mail\.json ไม่ได้"), "อ่านรายการส่งอีเมลของชุดนี้ไม่ได้"),
    (re.compile(r" \(Key Usage ไม่มี digitalSignature หรือ nonRepudiation\)| \(private key\)"), ""),
    (re.compile(r" \((?:\w+Error|\w*Exception|SMTP\w+|timeout)\b[^()]*\)"), ""),  # a system error's name
    (re.compile(r"แบบ PKCS#12 \(\.p12 หรือ \.pfx\)"), "ของหน่วยงาน"),
)


def field_label(key: str | None) -> str:
    """The page's name for what a spec key holds: "ลงวันที่" for letter.date, "ย่อหน้าที่ 2"
    for body.paragraphs[1]; a key the pages do not show is named by its table's field."""
    if not key:
        return ""
    if key.startswith("--set "):
        key = key[len("--set "):]
    if key in FIELDS:
        return FIELDS[key]
    found = re.match(r"body\.paragraphs\[(\d+)\]", key)
    if found:
        return f"ย่อหน้าที่ {int(found.group(1)) + 1}"
    found = re.match(r"steps\.step\[(\d+)\](?:\.(title|items|channel))?", key)
    if found:
        part = {"title": "หัวข้อ", "items": "รายการ", "channel": "ช่องทาง"}.get(found.group(2) or "", "")
        return f"ขั้นตอนที่ {int(found.group(1)) + 1}" + (f" {part}" if part else "")
    found = re.match(r"(?:reminder\.)?variants\.(district|direct)(?:\.(.+))?", key)
    if found:
        part = found.group(2) or ""
        label = VARIANT_PARTS.get(part) or VARIANT_PARTS.get(part.split(".")[0], "")
        reminder = "หนังสือติดตาม" if key.startswith("reminder.") else "หนังสือ"
        whom = {"district": f"{reminder}ถึง สถ.อ.", "direct": f"{reminder}ถึงหน่วยงานโดยตรง"}[found.group(1)]
        return f"{label} ({whom})" if label else whom
    found = re.match(r"links\.(.+)", key)
    if found:
        return "ลิงก์และ QR Code"
    top = key.split(".")[0].split("[")[0]
    return FIELDS.get(top, "หนังสือ")


# A column the sheet lacks, named by lettergen's own name for it, then the headers it is known
# by: said by those headers; and the sheet's own headers, quoted (they are the clerk's).
MISSING = re.compile(r'ไม่มีคอลัมน์ "([a-z_]+)" \(\1((?: / [^/()]+(?:\([^)]*\))?)*)\)')
FOUND = re.compile(r"หัวคอลัมน์ที่พบ: ([^;]+)")


def _missing(found: re.Match) -> str:
    words = [w.strip() for w in found.group(2).split(" / ") if w.strip()]
    if not words:
        return found.group(0)
    return f'ไม่มีคอลัมน์ "{words[0]}"' + (f' (หรือ "{words[1]}")' if len(words) > 1 else "")


def clerk_message(message: str) -> str:
    """An engine message without the command line's advice or a spec key in it."""
    for pattern, instead in ADVICE:
        message = pattern.sub(instead, message)
    message = MISSING.sub(_missing, message)
    message = FOUND.sub(lambda found: "หัวคอลัมน์ที่พบ: " + ", ".join(
        f'"{header.strip()}"' for header in found.group(1).split(", ")), message)
    return KEY.sub(lambda found: found.group() if FILE_NAME.search(found.group())
                   else field_label(found.group()), message)


def clerk_text(error) -> str:
    """An InputError as the pages say it: where (the file and its row and column, or the
    field on the letter page) and what is wrong."""
    message = clerk_message(error.message)
    if error.key or error.file == SPEC_FILE:
        field = field_label(error.key)
        return f"{field or 'หนังสือ'}: {message}" if field or error.file else message
    where = error.where() if (error.file or error.row or error.column) else ""
    return f"{where}: {message}" if where else message
