"""Certificates made for the tests with ``cryptography``: a CA, a signer it certifies (as the
office's PKCS#12 file), a time-stamp authority, and a second CA that certifies nothing we
trust. Nothing here is a real certificate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

OFFICE = "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดเชียงราย"
SIGNER_NAME = "นายสมชาย ใจดี"
PASSPHRASE = "ผ่าน-ลงนาม 2561"  # Thai and digits: read as UTF-8


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, OFFICE),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _usage(**flags) -> x509.KeyUsage:
    names = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
             "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")
    return x509.KeyUsage(**{n: flags.get(n, False) for n in names})


@dataclass(frozen=True)
class Issued:
    key: object
    cert: x509.Certificate

    def pem(self, path: Path) -> Path:
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path


def make_ca(common: str) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name(common)).issuer_name(_name(common))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(key_cert_sign=True, crl_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return Issued(key, cert)


def issue(ca: Issued, common: str, *, days: int = 365, starts: int = -1, usage=None,
          time_stamping: bool = False) -> Issued:
    """A certificate of ``common`` from ``ca`` (RSA 2048), valid from ``starts`` days from
    now for ``days`` days."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(common)).issuer_name(ca.cert.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now + dt.timedelta(days=starts))
               .not_valid_after(now + dt.timedelta(days=starts + days))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(usage or _usage(digital_signature=True, content_commitment=True), critical=True)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                              critical=False))
    if time_stamping:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                                        critical=True)
    return Issued(key, builder.sign(ca.key, hashes.SHA256()))


def p12(issued: Issued, ca: Issued, path: Path, passphrase: str = PASSPHRASE, *, key: bool = True) -> Path:
    """``issued`` with its key (unless ``key`` is False) and its CA as a PKCS#12 file."""
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"office", issued.key if key else None, issued.cert, [ca.cert],
        serialization.BestAvailableEncryption(passphrase.encode("utf-8"))))
    return path


@dataclass(frozen=True)
class Pki:
    """The files of a test PKI, made once per session (tests/test_signing.py)."""

    folder: Path
    ca: Issued
    signer: Issued
    tsa: Issued
    p12: Path
    ca_pem: Path
    other_ca_pem: Path
    other_p12: Path  # a signer certified by the other CA
    expired_p12: Path
    keyless_p12: Path
    encipher_only_p12: Path


def make_pki(folder: Path) -> Pki:
    ca, other = make_ca("ผู้ออกใบรับรองทดสอบ"), make_ca("ผู้ออกใบรับรองอื่น")
    signer = issue(ca, SIGNER_NAME)
    return Pki(
        folder=folder, ca=ca, signer=signer,
        tsa=issue(ca, "ประทับเวลาทดสอบ", usage=_usage(digital_signature=True), time_stamping=True),
        p12=p12(signer, ca, folder / "office.p12"), ca_pem=ca.pem(folder / "ca.pem"),
        other_ca_pem=other.pem(folder / "other-ca.pem"),
        other_p12=p12(issue(other, "นายอื่น ไม่รู้จัก"), other, folder / "other.p12"),
        expired_p12=p12(issue(ca, "นายหมดอายุ แล้ว", days=10, starts=-20), ca, folder / "expired.p12"),
        keyless_p12=p12(signer, ca, folder / "keyless.p12", key=False),
        encipher_only_p12=p12(issue(ca, "นายเข้ารหัส อย่างเดียว", usage=_usage(key_encipherment=True)),
                              ca, folder / "encipher.p12"),
    )
