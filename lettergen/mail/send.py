"""A finished set sent by e-mail: each addressee its own letter, through the office's SMTP
server, no faster than ``per_minute`` messages, every message recorded (journal.Journal)
so that sending the set again sends only what was not sent.

Rules that hold whatever the clerk asks:
- a letter that carries logins (credentials) travels only as its encrypted delivery copy
  (`render --encrypt`), never as the plain PDF or the DOCX;
- the password that opens it never travels in the message: the clerk says how it goes
  (``channel``: SHARED, each LAO's own secret agreed before; PRINTED, on paper apart), and
  without that choice nothing is sent;
- every file attached is one of that letter's own files, named in the set's mail.json.
"""

from __future__ import annotations

import smtplib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ..errors import InputError
from .journal import REFUSED, SENT, UNCERTAIN, Journal
from .mailing import MailLetter, Mailing, read_mailing
from .message import PRINTED, SHARED, build_message, message_id

NO_ADDRESS, DRY_RUN, SKIPPED = "no-address", "dry-run", "not-sent"
CHANNELS = (SHARED, PRINTED)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    timeout: float = 60.0


@dataclass(frozen=True)
class Outcome:
    """Where one letter stands after a `send`."""

    stem: str
    recipient_id: str
    name: str
    to: str
    message_id: str
    status: str  # journal.SENT / REFUSED / UNCERTAIN, NO_ADDRESS, DRY_RUN, SKIPPED
    detail: str = ""
    now: bool = False  # handled by this `send` (not found so in the journal)
    sent_at: str = ""  # when the server took it (ISO, UTC), from the journal


@dataclass(frozen=True)
class SendReport:
    outcomes: tuple[Outcome, ...]

    @property
    def problems(self) -> tuple[Outcome, ...]:
        """The letters that did not reach the server, or may not have: to be named."""
        return tuple(o for o in self.outcomes if o.status not in (SENT, DRY_RUN))

    def count(self, status: str, now: bool | None = None) -> int:
        return sum(1 for o in self.outcomes if o.status == status and (now is None or o.now == now))


class RateLimit:
    """At most ``per_minute`` messages a minute: each waits until 60/per_minute seconds
    after the one before it started."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval, self.clock, self.sleep = 60.0 / per_minute, clock, sleep
        self.last: float | None = None

    def wait(self) -> None:
        if self.last is not None:
            left = self.last + self.interval - self.clock()
            if left > 0:
                self.sleep(left)
        self.last = self.clock()


def attachments_of(letter: MailLetter, folder: Path, with_docx: bool) -> list[Path]:
    """The files the letter's message carries: its encrypted copy alone when it carries
    logins; else its PDF, and its DOCX when asked for."""
    if letter.credentials:
        names = [letter.files.get("delivery.pdf")]
    else:
        names = [letter.files.get("pdf")] + ([letter.files.get("docx")] if with_docx else [])
    return [folder / name for name in names if name]


def check_set(mailing: Mailing, channel: str | None, with_docx: bool) -> list[list[Path]]:
    """Per letter its attachments, once the set is known fit to send; else an InputError
    that says why and what to do. Nothing is sent before this passes."""
    with_logins = [letter for letter in mailing.letters if letter.credentials]
    unencrypted = [letter for letter in with_logins if "delivery.pdf" not in letter.files]
    if unencrypted:
        raise InputError(
            f"หนังสือ {len(unencrypted)} ฉบับ (เช่น ถึง {unencrypted[0].name}) มีชื่อผู้ใช้และรหัสผ่าน "
            "จึงส่งทางอีเมลได้เฉพาะสำเนาที่เข้ารหัส แต่ชุดนี้ไม่มีสำเนานั้น: สร้างชุดนี้ใหม่ด้วย "
            "lettergen render --encrypt (คอลัมน์รหัสเปิดไฟล์ในรายชื่อผู้รับ)", file=mailing.folder)
    if with_logins and channel not in CHANNELS:
        raise InputError(
            f"หนังสือ {len(with_logins)} ฉบับมีชื่อผู้ใช้และรหัสผ่าน จึงส่งเป็นไฟล์เข้ารหัส และรหัสเปิดไฟล์"
            "ต้องไม่ไปกับอีเมลฉบับเดียวกัน: ระบุว่ารหัสเปิดไฟล์ไปถึงผู้รับทางใด ด้วย --pdf-password shared "
            "(คอลัมน์รหัสเปิดไฟล์เป็นรหัสที่แต่ละหน่วยงานตกลงไว้กับสำนักงานแล้ว) หรือ --pdf-password printed "
            "(สำนักงานแจ้งรหัสเปิดไฟล์เป็นหนังสือหรือรายการที่พิมพ์ส่งแยกต่างหาก)", file=mailing.folder)
    planned = []
    for letter in mailing.letters:
        files = attachments_of(letter, mailing.folder, with_docx)
        missing = [path.name for path in files if not path.is_file()]
        if missing:
            raise InputError(f"ไม่พบไฟล์ {missing[0]} ของหนังสือถึง {letter.name} ในชุดนี้: "
                             "ใช้โฟลเดอร์ผลลัพธ์ของการสร้างที่เสร็จแล้ว", file=mailing.folder)
        planned.append(files)
    return planned


def send_run(folder: str | Path, *, sender: str, smtp: SmtpSettings | None, journal: Journal | None,
             channel: str | None = None, with_docx: bool = False, per_minute: int = 30,
             dry_run: str | Path | None = None, resend: Sequence[str] = (),
             limit: RateLimit | None = None, on_progress=None) -> SendReport:
    """Send the set in ``folder`` (its mail.json) from ``sender``: every letter not yet sent,
    each recorded in ``journal``; ``resend``: recipient ids of letters whose earlier sending
    is uncertain, to be sent again. With ``dry_run`` (a folder) the messages are written
    there as .eml files and nothing is sent or recorded. ``on_progress(outcome)`` is called
    as each letter is handled (the web app's per-recipient status)."""
    mailing = read_mailing(Path(folder))
    attachments = check_set(mailing, channel, with_docx)
    if dry_run is not None:
        return _dry_run(mailing, attachments, sender, channel, Path(dry_run))
    journal.mark_uncertain(mailing.folder)
    known = journal.deliveries(mailing.folder)
    limit = limit or RateLimit(per_minute)
    outcomes, connection = [], _Connection(smtp)
    try:
        for letter, files in zip(mailing.letters, attachments):
            outcome = _send_one(mailing, letter, files, sender, channel, journal, known.get(letter.stem),
                                set(resend), limit, connection)
            outcomes.append(outcome)
            if on_progress is not None:
                on_progress(outcome)
    finally:
        connection.close()
    return SendReport(tuple(outcomes))


def statuses(folder: str | Path, journal: Journal) -> SendReport:
    """Where each letter of the set in ``folder`` stands, from the journal, sending nothing
    (the web app's per-recipient status; a letter never sent is SKIPPED)."""
    mailing = read_mailing(Path(folder))
    known = journal.deliveries(mailing.folder)
    outcomes = []
    for letter in mailing.letters:
        record = known.get(letter.stem)
        outcomes.append(Outcome(
            letter.stem, letter.recipient_id, letter.name, ", ".join(letter.addresses),
            record.message_id if record else "", record.status if record else
            (SKIPPED if letter.addresses else NO_ADDRESS), record.detail if record else "",
            sent_at=record.sent_at.isoformat() if record and record.sent_at else ""))
    return SendReport(tuple(outcomes))


def deliveries_csv(report: SendReport) -> bytes:
    """The set's deliveries as a CSV a clerk opens in Excel (UTF-8 with BOM)."""
    import csv
    import io

    from .journal import STATUS_TEXT

    names = {**STATUS_TEXT, NO_ADDRESS: "ไม่มีอีเมล", SKIPPED: "ยังไม่ได้ส่ง", DRY_RUN: "ทดลอง (.eml)"}
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("รหัสผู้รับ", "ถึง", "อีเมล", "Message-ID", "สถานะ", "ส่งเมื่อ (UTC)", "หมายเหตุ"))
    for o in report.outcomes:
        writer.writerow((o.recipient_id, o.name, o.to, o.message_id, names.get(o.status, o.status),
                         o.sent_at, o.detail))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _send_one(mailing, letter, files, sender, channel, journal, before, resend, limit, connection) -> Outcome:
    msgid = message_id(mailing, letter, sender)
    to = ", ".join(letter.addresses)

    def outcome(status, detail="", now=False, record=None):
        return Outcome(letter.stem, letter.recipient_id, letter.name, to,
                       record.message_id if record else msgid, status, detail, now)

    if before is not None and before.status == SENT:
        return outcome(SENT, before.detail, record=before)
    if before is not None and before.status == UNCERTAIN and letter.recipient_id not in resend:
        return outcome(UNCERTAIN, before.detail, record=before)
    if not letter.addresses:
        return outcome(NO_ADDRESS, "ไม่มีที่อยู่อีเมลในรายชื่อผู้รับ")
    if not connection.ready():
        return outcome(SKIPPED, connection.failure)
    limit.wait()
    message = build_message(mailing, letter, sender, files, channel)
    journal.begin(mailing.folder, letter.stem, letter.recipient_id, to, msgid)
    status, detail = connection.send(message, sender, list(letter.addresses))
    journal.finish(mailing.folder, letter.stem, status, detail)
    return outcome(status, detail, now=True)


class _Connection:
    """The SMTP session, opened on first use and again after it broke."""

    def __init__(self, settings: SmtpSettings | None):
        self.settings, self.smtp, self.failure, self.opened = settings, None, "", False

    def ready(self) -> bool:
        if self.smtp is not None:
            return True
        if self.failure:
            return False
        try:
            self.smtp = _open(self.settings)
            self.opened = True
            return True
        except InputError as exc:
            if not self.opened:  # the first connection: nothing is sent, say why (exit 2)
                raise
            self.failure = f"เชื่อมต่อเซิร์ฟเวอร์อีเมลอีกครั้งไม่ได้ ({exc}) จึงยังไม่ได้ส่ง"
            return False

    def send(self, message, sender: str, to: list[str]) -> tuple[str, str]:
        try:
            refused = self.smtp.send_message(message, from_addr=sender, to_addrs=to)
        except smtplib.SMTPRecipientsRefused as exc:
            return REFUSED, _refusals(exc.recipients)
        except smtplib.SMTPResponseException as exc:  # the sender or the message refused
            return REFUSED, f"{exc.smtp_code} {_text(exc.smtp_error)}"
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            return UNCERTAIN, f"การเชื่อมต่อขาดระหว่างส่ง ({type(exc).__name__})"
        if refused:
            return SENT, "ไม่รับบางที่อยู่: " + _refusals(refused)
        return SENT, ""

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def _open(settings: SmtpSettings) -> smtplib.SMTP:
    where = f"{settings.host}:{settings.port}"
    try:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    except (OSError, smtplib.SMTPException) as exc:
        raise InputError(f"เชื่อมต่อเซิร์ฟเวอร์อีเมล {where} ไม่ได้ ({type(exc).__name__}: {exc}); "
                         "ตรวจ --smtp และเครือข่าย") from None
    try:
        if settings.starttls:
            import ssl

            smtp.starttls(context=ssl.create_default_context())
        if settings.user:
            smtp.login(settings.user, settings.password or "")
    except smtplib.SMTPAuthenticationError:
        smtp.close()
        raise InputError(f"เซิร์ฟเวอร์อีเมล {where} ไม่รับชื่อผู้ใช้หรือรหัสผ่าน (--user, --password-file)") from None
    except smtplib.SMTPNotSupportedError:
        smtp.close()
        raise InputError(f"เซิร์ฟเวอร์อีเมล {where} ไม่รองรับ "
                         f"{'STARTTLS' if settings.starttls else 'การเข้าสู่ระบบ'}") from None
    except (OSError, smtplib.SMTPException) as exc:
        smtp.close()
        raise InputError(f"เริ่มการเชื่อมต่อกับเซิร์ฟเวอร์อีเมล {where} ไม่สำเร็จ ({type(exc).__name__})") from None
    return smtp


def _refusals(refused: dict) -> str:
    return "; ".join(f"{address} ({code} {_text(text)})" for address, (code, text) in refused.items())


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _dry_run(mailing: Mailing, attachments, sender: str, channel, folder: Path) -> SendReport:
    from ..files import write_atomic

    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    outcomes = []
    for letter, files in zip(mailing.letters, attachments):
        to = ", ".join(letter.addresses)
        msgid = message_id(mailing, letter, sender)
        if not letter.addresses:
            outcomes.append(Outcome(letter.stem, letter.recipient_id, letter.name, to, msgid, NO_ADDRESS,
                                    "ไม่มีที่อยู่อีเมลในรายชื่อผู้รับ"))
            continue
        message = build_message(mailing, letter, sender, files, channel)
        write_atomic(folder / f"{letter.stem}.eml", message.as_bytes())
        outcomes.append(Outcome(letter.stem, letter.recipient_id, letter.name, to, msgid, DRY_RUN,
                                f"{letter.stem}.eml", True))
    return SendReport(tuple(outcomes))
