"""One recipient's message: a Thai subject and body from the spec (the letter's number and
subject, one line of text, the sending office) and that letter's own files attached."""

from __future__ import annotations

import datetime as dt
import hashlib
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Sequence

from ..thai import arabic_digit_to_thai_digit
from .mailing import MailLetter, Mailing

SHARED, PRINTED = "shared", "printed"  # how the opening password of an encrypted copy goes
PASSWORD_LINES = {
    SHARED: "ไฟล์แนบเข้ารหัสไว้เพราะมีชื่อผู้ใช้และรหัสผ่านของหน่วยงาน เปิดไฟล์ด้วยรหัสเปิดไฟล์ที่หน่วยงาน"
            "ของท่านตกลงไว้กับ{office}",
    PRINTED: "ไฟล์แนบเข้ารหัสไว้เพราะมีชื่อผู้ใช้และรหัสผ่านของหน่วยงาน รหัสเปิดไฟล์จะแจ้งให้ทราบเป็นหนังสือ"
             "แยกต่างหาก ไม่ส่งทางอีเมล",
}
TYPES = {".pdf": ("application", "pdf"),
         ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")}


def message_id(mailing: Mailing, letter: MailLetter, sender: str) -> str:
    """The letter's Message-ID: the same for the same set, letter and sender, so that a
    message sent again (``--resend``) is known by mail clients for the one sent before."""
    seed = f"{Path(mailing.folder).resolve()}\0{letter.stem}\0{letter.number}\0{sender}"
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}.lettergen@{sender.rsplit('@', 1)[1]}>"


def subject_line(letter: MailLetter) -> str:
    return f"ที่ {letter.number} เรื่อง {letter.subject}"


def body_text(mailing: Mailing, letter: MailLetter, channel: str | None) -> str:
    sender = mailing.sender
    office = sender.get("unit") or sender.get("agency", "")
    lines = [f"เรียน {letter.name}", "",
             f"{sender.get('agency', '')}ขอส่งหนังสือ ที่ {letter.number} เรื่อง {letter.subject} "
             "มาเพื่อโปรดทราบและดำเนินการ รายละเอียดตามไฟล์แนบ"]
    if letter.credentials:
        lines.append(PASSWORD_LINES[channel].format(office=office))
    lines += ["", *(v for v in (sender.get("section"), sender.get("unit"), sender.get("agency")) if v)]
    if sender.get("phone"):
        lines.append(f"โทร. {arabic_digit_to_thai_digit(sender['phone'])}")
    if sender.get("email"):
        lines.append(f"ไปรษณีย์อิเล็กทรอนิกส์ {sender['email']}")
    return "\n".join(lines) + "\n"


def build_message(mailing: Mailing, letter: MailLetter, sender: str, attachments: Sequence[Path],
                  channel: str | None, when: dt.datetime | None = None) -> EmailMessage:
    """The message to ``letter``'s addressee from ``sender``, ``attachments`` attached."""
    message = EmailMessage()
    office = mailing.sender.get("unit") or mailing.sender.get("agency", "")
    message["From"] = formataddr((office, sender))
    message["To"] = ", ".join(formataddr((letter.name, address)) for address in letter.addresses)
    message["Subject"] = subject_line(letter)
    message["Date"] = format_datetime(when or dt.datetime.now(dt.timezone.utc))
    message["Message-ID"] = message_id(mailing, letter, sender)
    message.set_content(body_text(mailing, letter, channel), charset="utf-8")
    for path in attachments:
        maintype, subtype = TYPES[Path(path).suffix.lower()]
        message.add_attachment(Path(path).read_bytes(), maintype=maintype, subtype=subtype,
                               filename=Path(path).name)
    return message
