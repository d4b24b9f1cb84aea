"""The office's own settings, kept in the workspace (ROOT/office/, 0700) for every clerk:

- its signing certificate: the .p12 a clerk uploaded once (certificate.p12, 0600, never
  served back by any route), and what the pages show of it (certificate.json: the
  certificate's subject, serial and validity, which are public; never its passphrase,
  which is asked at each produce and kept only in that job's memory);
- its mail server for the ส่งทางอีเมล step: host, port, STARTTLS, user, the sender's address
  and the rate (smtp.json), and the server's password in a file of its own
  (smtp-password, 0600), which no page shows back.

The values come from a clerk's form: each is checked here, and a wrong one is named by
its field in Thai.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from ..files import write_atomic

OFFICE = "office"
CERTIFICATE, CERTIFICATE_FACTS = "certificate.p12", "certificate.json"
SMTP, SMTP_PASSWORD = "smtp.json", "smtp-password"
PER_MINUTE, MAX_PER_MINUTE = 30, 600  # the command line's default; a bound on what a clerk sets
MAX_FIELD = 253
# What a certificate's subject says, by its attribute's OID, as a clerk reads it.
SUBJECT_PARTS = {"2.5.4.3": "ชื่อ", "2.5.4.10": "หน่วยงาน", "2.5.4.11": "ส่วนงาน", "2.5.4.7": "ท้องที่",
                 "2.5.4.8": "จังหวัด", "2.5.4.6": "ประเทศ", "1.2.840.113549.1.9.1": "อีเมล",
                 "2.5.4.5": "เลขประจำตัว", "2.5.4.12": "ตำแหน่ง", "2.5.4.4": "นามสกุล", "2.5.4.42": "ชื่อตัว"}
COUNTRIES = {"TH": "ไทย"}


def folder(root: Path) -> Path:
    """ROOT/office, made 0700."""
    path = Path(root) / OFFICE
    path.mkdir(mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)
    return path


# --- the signing certificate -----------------------------------------------------------------


def certificate_path(root: Path) -> Path | None:
    """The office's .p12, when one was uploaded."""
    path = Path(root) / OFFICE / CERTIFICATE
    return path if path.is_file() else None


def certificate_facts(root: Path) -> dict | None:
    """What the pages show of the office's certificate (``facts_of``), or None."""
    if certificate_path(root) is None:
        return None
    try:
        return json.loads((Path(root) / OFFICE / CERTIFICATE_FACTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def save_certificate(root: Path, data: bytes, facts: dict) -> None:
    """The uploaded .p12 kept as the office's (0600), with its facts."""
    where = folder(root)
    write_atomic(where / CERTIFICATE, data, mode=0o600)
    write_atomic(where / CERTIFICATE_FACTS, json.dumps(facts, ensure_ascii=False).encode("utf-8"))


def facts_of(certificate) -> dict:
    """The public facts of a signing.keys.Certificate, for the pages: its subject in parts
    (each named in Thai), its serial, its issuer's name, and the days it is valid between."""
    issuer = subject_parts(certificate.issuer)
    return {"name": certificate.name, "subject": subject_parts(certificate.subject),
            "issuer": next((value for label, value in issuer if label == "ชื่อ"), issuer[0][1] if issuer else ""),
            "serial": certificate.serial,
            "not_before": certificate.not_before.isoformat() if certificate.not_before else "",
            "not_after": certificate.not_after.isoformat()}


def subject_parts(subject: str) -> list[tuple[str, str]]:
    """An RFC 4514 name ("CN=...,O=...,C=TH") as (Thai label, value) pairs, most specific first."""
    from cryptography import x509

    try:
        name = x509.Name.from_rfc4514_string(subject)
    except ValueError:
        return [("ชื่อ", subject)]
    parts = [(SUBJECT_PARTS.get(a.oid.dotted_string, "อื่น ๆ"), COUNTRIES.get(str(a.value), str(a.value)))
             for a in name]
    return list(reversed(parts))  # from_rfc4514_string gives them in the reverse of writing order


def validity(facts: dict, today: dt.date | None = None) -> dict:
    """The certificate's days as the page says them ("5 ธันวาคม 2569") and whether it may
    sign today."""
    from ..thai import thai_strftime

    def day(text: str) -> dt.date | None:
        return dt.datetime.fromisoformat(text).date() if text else None

    today = today or dt.date.today()
    start, end = day(facts.get("not_before", "")), day(facts["not_after"])
    shown = {"from": thai_strftime(start, "%-d %B %Y", thaidigit=False) if start else "",
             "until": thai_strftime(end, "%-d %B %Y", thaidigit=False)}
    shown["usable"] = (start is None or start <= today) and today <= end
    return shown


# --- the mail server -------------------------------------------------------------------------


def mail_settings(root: Path) -> dict:
    """The mail server's settings as saved (empty ones when none were), and whether a
    password is kept (never the password)."""
    try:
        saved = json.loads((Path(root) / OFFICE / SMTP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        saved = {}
    return {"host": str(saved.get("host", "")), "port": int(saved.get("port") or 587),
            "starttls": bool(saved.get("starttls", True)), "user": str(saved.get("user", "")),
            "sender": str(saved.get("sender", "")), "per_minute": int(saved.get("per_minute") or PER_MINUTE),
            "has_password": (Path(root) / OFFICE / SMTP_PASSWORD).is_file(),
            "saved": bool(saved)}


def save_mail_settings(root: Path, form: dict) -> dict[str, str]:
    """The form's settings saved, after each is checked; else {field: Thai message} and
    nothing saved. An empty password field keeps the saved password; "forget" removes it."""
    values, errors = check_mail_form(form)
    if errors:
        return errors
    where = folder(root)
    write_atomic(where / SMTP, json.dumps(values, ensure_ascii=False).encode("utf-8"))
    password = str(form.get("password", ""))
    if password:
        write_atomic(where / SMTP_PASSWORD, password.encode("utf-8"), mode=0o600)
    elif form.get("forget_password"):
        (where / SMTP_PASSWORD).unlink(missing_ok=True)
    return {}


def check_mail_form(form: dict) -> tuple[dict, dict[str, str]]:
    """The settings a clerk typed, checked: (values, {field: message})."""
    from ..mail.addresses import AddressError, check_addresses

    errors: dict[str, str] = {}
    host = str(form.get("host", "")).strip()
    if not host or len(host) > MAX_FIELD or not host.isascii() or any(c.isspace() or c in "/:@" for c in host):
        errors["host"] = "ใส่ชื่อเครื่องของเซิร์ฟเวอร์อีเมล เช่น mail.chiangrai.go.th (ไม่มีช่องว่าง ไม่มี :// )"
    port = _whole(form.get("port"), 1, 65535)
    if port is None:
        errors["port"] = "ช่องทาง (พอร์ต) ต้องเป็นตัวเลข 1 ถึง 65535 เช่น 587 หรือ 25"
    per_minute = _whole(form.get("per_minute"), 1, MAX_PER_MINUTE)
    if per_minute is None:
        errors["per_minute"] = f"จำนวนฉบับต่อนาทีต้องเป็นตัวเลข 1 ถึง {MAX_PER_MINUTE}"
    user = str(form.get("user", "")).strip()
    if len(user) > MAX_FIELD or any(c.isspace() for c in user):
        errors["user"] = "ชื่อผู้ใช้ต้องไม่มีช่องว่าง"
    sender = ""
    try:
        found = check_addresses(str(form.get("sender", "")))
        if len(found) != 1:
            raise AddressError("ใส่ที่อยู่อีเมลผู้ส่งหนึ่งที่อยู่ เช่น saraban@chiangrai.go.th")
        sender = found[0]
    except AddressError as exc:
        errors["sender"] = str(exc)
    if len(str(form.get("password", ""))) > 1024:
        errors["password"] = "รหัสผ่านยาวเกินไป"
    values = {"host": host, "port": port, "starttls": bool(form.get("starttls")), "user": user,
              "sender": sender, "per_minute": per_minute}
    return values, errors


def _whole(text, low: int, high: int) -> int | None:
    text = str(text or "").strip()
    return int(text) if text.isdigit() and low <= int(text) <= high else None


def smtp_of(root: Path):
    """(mail.send.SmtpSettings with its password, the sender's address, messages a minute)
    of the saved settings, for a send; None when none are saved."""
    from ..error_log import remember_secret
    from ..mail.send import SmtpSettings

    saved = mail_settings(root)
    if not saved["saved"]:
        return None
    password = None
    if saved["user"] and saved["has_password"]:
        password = (Path(root) / OFFICE / SMTP_PASSWORD).read_text(encoding="utf-8")
        remember_secret(password)
    settings = SmtpSettings(saved["host"], saved["port"], saved["starttls"], saved["user"] or None, password)
    return settings, saved["sender"], saved["per_minute"]
