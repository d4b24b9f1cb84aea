"""The office's signing certificate: a PKCS#12 file (.p12 / .pfx) and its passphrase.

The passphrase is read from a file, from $LETTERGEN_SIGN_PASSWORD or from the terminal, kept
in memory only while the key is opened, and handed to error_log so that no log can show it.
Everything that can be wrong with the file is found here, before any letter is written, and
said in Thai: a wrong passphrase, a file that is no certificate, no private key, a
certificate expired or not yet valid, or one not made for signing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

PASSWORD_ENV = "LETTERGEN_SIGN_PASSWORD"
MAX_P12_BYTES = 1 << 20  # a certificate file is a few kB; a larger file is not one


class SigningError(InputError):
    """A certificate file, its passphrase or a time-stamp server that cannot be used."""


@dataclass(frozen=True)
class Certificate:
    """What the register and the visible signature say of the signer's certificate."""

    subject: str  # the whole subject, RFC 4514 (CN=...,O=...,C=TH)
    name: str  # the common name: the signer's name as the signature shows it
    serial: str  # upper-case hex
    sha256: str  # of the certificate (DER): which certificate signed, for a run's key
    issuer: str
    not_after: dt.datetime
    not_before: dt.datetime | None = None  # from when it may sign (the web app shows it)


@dataclass(frozen=True)
class Signature:
    """What the register keeps of one signed file: the certificate's subject and serial,
    and the signing time written in the file."""

    subject: str
    serial: str
    signed_at: dt.datetime

    def record(self) -> dict:
        return {"subject": self.subject, "serial": self.serial,
                "signed_at": self.signed_at.isoformat()}

    @classmethod
    def from_record(cls, record: dict) -> "Signature":
        return cls(record["subject"], record["serial"],
                   dt.datetime.fromisoformat(record["signed_at"]))


@dataclass(frozen=True)
class Signer:
    """The office's key and certificate, opened, and how it signs: PAdES B-B, or B-T with
    a time-stamp from ``tsa`` (an RFC 3161 server's URL)."""

    certificate: Certificate
    tsa: str | None
    backend: object = field(repr=False, compare=False)  # pyHanko's signer (pyhanko_adapter)

    @property
    def identity(self) -> str:
        """What a signed file depends on besides its letter: the certificate and the level
        (the batch engine keeps finished chunks only when this is the same)."""
        return f"{self.certificate.sha256}:{'B-T ' + self.tsa if self.tsa else 'B-B'}"

    @property
    def level(self) -> str:
        return "PAdES B-T" if self.tsa else "PAdES B-B"

    def sign(self, pdf: bytes, place, *, password: str = "") -> tuple[bytes, Signature]:
        """``pdf`` signed, its visible signature in ``place`` (place.Place): an incremental
        update of the same file; ``password`` opens an encrypted one (a delivery copy)."""
        from .pyhanko_adapter import TimeStampFailed, sign_pdf

        try:
            signed, when = sign_pdf(pdf, self, place, password=password)
        except TimeStampFailed as exc:
            raise SigningError(f"ขอประทับเวลาจาก {self.tsa} ไม่ได้ ({exc}); ตรวจที่อยู่ --tsa และการ"
                               "เชื่อมต่อเครือข่าย แล้วสั่งคำสั่งเดิมอีกครั้ง") from None
        return signed, Signature(self.certificate.subject, self.certificate.serial, when)


def read_passphrase(file: Path | None = None, *, environ=None, stdin=None) -> str:
    """The passphrase: the first line of ``file``, else $LETTERGEN_SIGN_PASSWORD, else asked
    on the terminal (without echo). With none of them, a SigningError that says how."""
    environ = os.environ if environ is None else environ
    stdin = stdin or sys.stdin
    if file is not None:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SigningError("ไม่พบไฟล์รหัสผ่านของใบรับรอง", file=file) from None
        except (OSError, UnicodeDecodeError):
            raise SigningError("อ่านไฟล์รหัสผ่านของใบรับรองไม่ได้ (ต้องเป็นข้อความ UTF-8 บรรทัดเดียว)",
                               file=file) from None
        return text.splitlines()[0] if text.splitlines() else ""
    if environ.get(PASSWORD_ENV):
        return environ[PASSWORD_ENV]
    if stdin.isatty():
        import getpass

        return getpass.getpass("รหัสผ่านของไฟล์ใบรับรอง (.p12): ")
    raise SigningError(f"ต้องมีรหัสผ่านของไฟล์ใบรับรอง: ระบุ --sign-password-file FILE หรือตัวแปร "
                       f"{PASSWORD_ENV} หรือสั่งจากหน้าจอเทอร์มินัลเพื่อพิมพ์รหัสผ่าน")


def load_signer(p12: str | Path | bytes, passphrase: str, *, tsa: str | None = None,
                now: dt.datetime | None = None) -> Signer:
    """The signer of the PKCS#12 file ``p12`` (a path, or its bytes), opened with
    ``passphrase``. Every problem is a SigningError naming the file; nothing is logged."""
    from ..error_log import remember_secret

    remember_secret(passphrase)
    name = "ไฟล์ใบรับรอง" if isinstance(p12, bytes) else str(p12)
    data = p12 if isinstance(p12, bytes) else _read(Path(p12))
    key, cert, chain = _open(data, passphrase, name)
    certificate = describe(cert)
    _check_usable(cert, certificate, name, now or dt.datetime.now(dt.timezone.utc))
    from .pyhanko_adapter import make_signer

    if tsa is not None:
        _check_tsa(tsa)
    return Signer(certificate, tsa, make_signer(key, cert, chain))


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_P12_BYTES:
            raise SigningError("ไฟล์ใหญ่เกินกว่าจะเป็นไฟล์ใบรับรอง (.p12)", file=path)
        return path.read_bytes()
    except FileNotFoundError:
        raise SigningError("ไม่พบไฟล์ใบรับรอง (.p12)", file=path) from None
    except IsADirectoryError:
        raise SigningError("เป็นโฟลเดอร์ ไม่ใช่ไฟล์ใบรับรอง (.p12)", file=path) from None
    except OSError:
        raise SigningError("เปิดไฟล์ใบรับรองไม่ได้ (ไม่มีสิทธิ์อ่าน)", file=path) from None


def _open(data: bytes, passphrase: str, name: str):
    """(private key, certificate, other certificates) of a PKCS#12 file."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase.encode("utf-8"))
    except ValueError:
        if _is_pkcs12(data):
            raise SigningError("รหัสผ่านของไฟล์ใบรับรองไม่ถูกต้อง", file=name) from None
        raise SigningError("ไฟล์นี้ไม่ใช่ไฟล์ใบรับรองแบบ PKCS#12 (.p12 หรือ .pfx) หรือไฟล์เสีย",
                           file=name) from None
    except Exception:  # the parser's other complaints about a damaged file
        raise SigningError("ไฟล์ใบรับรองเสีย อ่านไม่ได้", file=name) from None
    if key is None:
        raise SigningError("ไฟล์ใบรับรองไม่มีกุญแจส่วนตัว (private key) จึงใช้ลงนามไม่ได้; "
                           "ส่งออกใบรับรองพร้อมกุญแจส่วนตัวอีกครั้ง", file=name)
    if cert is None:
        raise SigningError("ไฟล์ใบรับรองไม่มีใบรับรองของผู้ลงนาม", file=name)
    return key, cert, list(chain or ())


def _is_pkcs12(data: bytes) -> bool:
    """True when ``data`` is a PKCS#12 structure (so a failure to open it is the passphrase)."""
    try:
        from asn1crypto import pkcs12

        pfx = pkcs12.Pfx.load(data)
        pfx["auth_safe"]["content_type"].native  # noqa: B018  (parses the outer layers)
        return pfx["version"].native == "v3"
    except Exception:
        return False


def describe(cert) -> Certificate:
    """The facts of a ``cryptography`` certificate the register and the signature show."""
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    common = str(names[0].value) if names else cert.subject.rfc4514_string()
    return Certificate(
        subject=cert.subject.rfc4514_string(), name=common, serial=f"{cert.serial_number:X}",
        sha256=hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest(),
        issuer=cert.issuer.rfc4514_string(), not_after=cert.not_valid_after_utc,
        not_before=cert.not_valid_before_utc)


def _check_usable(cert, certificate: Certificate, name: str, now: dt.datetime) -> None:
    from cryptography import x509

    from ..thai import thai_date

    if now > cert.not_valid_after_utc:
        raise SigningError(f"ใบรับรองของ {certificate.name} หมดอายุแล้วเมื่อ "
                           f"{thai_date(cert.not_valid_after_utc.date())}; ใช้ใบรับรองที่ยังไม่หมดอายุ",
                           file=name)
    if now < cert.not_valid_before_utc:
        raise SigningError(f"ใบรับรองของ {certificate.name} ยังไม่เริ่มใช้ได้จนถึง "
                           f"{thai_date(cert.not_valid_before_utc.date())}", file=name)
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise SigningError(f"ใบรับรองของ {certificate.name} ไม่ได้ออกมาเพื่อลงนาม "
                           "(Key Usage ไม่มี digitalSignature หรือ nonRepudiation)", file=name)


def _check_tsa(url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SigningError(f"--tsa ต้องเป็นที่อยู่ http:// หรือ https:// ของเครื่องประทับเวลา "
                           f"ไม่ใช่ \"{url}\"")
    from .pyhanko_adapter import TimeStampFailed, check_time_stamp_server

    try:
        check_time_stamp_server(url)
    except TimeStampFailed as exc:
        raise SigningError(f"ขอประทับเวลาจาก {url} ไม่ได้ ({exc}); ตรวจที่อยู่ --tsa และการเชื่อมต่อ"
                           "เครือข่าย (ยังไม่ได้เขียนไฟล์ใด)") from None
