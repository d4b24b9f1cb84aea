"""What a set keeps for `lettergen send`: ``mail.json`` beside its letters, written by the
batch engine when the recipients sheet gives e-mail addresses. Per letter: its file stem,
addressee, addresses, number, subject, whether it carries credentials, and the files made
of it; for the set, the sending office (from the spec's [sender]). Never a password."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..errors import InputError

MAIL_FILE = "mail.json"
VERSION = 1


@dataclass(frozen=True)
class MailLetter:
    stem: str
    recipient_id: str
    name: str
    addresses: tuple[str, ...]
    number: str
    subject: str
    credentials: bool  # the letter carries logins: it travels only as its encrypted copy
    files: dict  # format ("pdf", "docx", "delivery.pdf") -> file name in the set's folder


@dataclass(frozen=True)
class Mailing:
    folder: Path
    sender: dict  # agency, unit, section, phone, email
    letters: tuple[MailLetter, ...]


def mailing_json(spec, entries: Sequence, stems: Sequence[str], formats: Sequence[str]) -> bytes | None:
    """mail.json for the letters ``entries`` (batch.Entry) written as ``stems`` in
    ``formats``; None when no letter has an address (the sheet has no e-mail column)."""
    if not any(entry.email for entry in entries):
        return None
    sender = spec.sender
    record = {
        "version": VERSION,
        "sender": {"agency": sender.agency, "unit": sender.unit, "section": sender.section,
                   "phone": sender.phone, "email": sender.email},
        "letters": [{"stem": stem, "recipient_id": e.recipient_id, "name": e.recipient_name,
                     "addresses": [a for a in e.email.split(", ") if a], "number": e.number,
                     "subject": e.subject, "credentials": e.credentials,
                     "files": {fmt: f"{stem}.{fmt}" for fmt in formats}}
                    for e, stem in zip(entries, stems)],
    }
    return (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def read_mailing(folder: Path) -> Mailing:
    """The mail.json of the set in ``folder``; an InputError saying what to do when there is
    none or it cannot be read."""
    path = Path(folder) / MAIL_FILE
    if not Path(folder).is_dir():
        raise InputError("ไม่พบโฟลเดอร์ของชุดหนังสือนี้", file=folder)
    if not path.is_file():
        raise InputError("ชุดหนังสือนี้ไม่มีที่อยู่อีเมลของผู้รับ (mail.json): เพิ่มคอลัมน์ \"อีเมล\" ในไฟล์รายชื่อ"
                         "ผู้รับ แล้วสร้างหนังสือชุดนี้ใหม่ (lettergen render)", file=folder)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("version") != VERSION:
            raise ValueError(record.get("version"))
        letters = tuple(MailLetter(item["stem"], item["recipient_id"], item["name"],
                                   tuple(item["addresses"]), item["number"], item["subject"],
                                   bool(item["credentials"]), dict(item["files"]))
                        for item in record["letters"])
        return Mailing(Path(folder), dict(record["sender"]), letters)
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError("อ่าน mail.json ไม่ได้ (ไฟล์เสีย หรือสร้างด้วย lettergen รุ่นอื่น): "
                         "สร้างหนังสือชุดนี้ใหม่", file=path) from None
