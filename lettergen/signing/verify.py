"""A signed letter checked by anyone: who signed it and when, whether the file was changed
after it was signed, and whether the signer's certificate chains to a trust root given (the
issuing CA's certificate, PEM). One Thai line per file (``Verdict.line``).

Checked offline: no certificate, revocation list or OCSP answer is fetched from the
network; the trust roots are the ones given.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..errors import InputError
from .texts import thai_date_time

DELIVERY_SUFFIX = ".delivery.pdf"  # rendering.DELIVERY: encrypted copies, opened by their own password
PRINT_FILE = re.compile(r"print(?:-\d+)?\.pdf")  # the run's print job (batch.print_files), not signed
MAX_PDF_BYTES = 64 << 20  # a letter is a few hundred kB


@dataclass(frozen=True)
class Verdict:
    """What the check found in one file."""

    path: Path
    signer: str = ""  # the certificate's common name
    signed_at: dt.datetime | None = None
    time_stamped: bool = False  # the time comes from a time-stamp authority (PAdES B-T)
    unchanged: bool = False  # every signature intact, the last one covering the whole file
    trusted: bool | None = None  # the chain reaches a trust root; None: no root given
    issuer: str = ""
    problem: str = ""  # why the file could not be checked at all

    @property
    def ok(self) -> bool:
        return not self.problem and self.unchanged and self.trusted is not False

    def line(self) -> str:
        head = f"{'ผ่าน' if self.ok else 'ไม่ผ่าน'}  {self.path.name}: "
        if self.problem:
            return head + self.problem
        when = thai_date_time(self.signed_at) if self.signed_at else "ไม่ระบุเวลา"
        parts = [f"ลงนามโดย {self.signer} เมื่อ {when}"
                 + (" (เวลาจากผู้ให้บริการประทับเวลา)" if self.time_stamped else "")]
        parts.append("ไม่มีการแก้ไขหลังลงนาม" if self.unchanged
                     else "ไฟล์ถูกแก้ไขหลังลงนาม ลายมือชื่อใช้ไม่ได้")
        if self.trusted is None:
            parts.append("ไม่ได้ตรวจผู้ออกใบรับรอง (ไม่ได้ระบุ --trust)")
        elif self.trusted:
            parts.append(f"ใบรับรองออกโดยผู้ออกใบรับรองที่เชื่อถือ ({self.issuer})")
        else:
            parts.append(f"ใบรับรองไม่ได้ออกโดยผู้ออกใบรับรองที่ระบุใน --trust (ผู้ออก: {self.issuer})")
        return head + "; ".join(parts)


def load_trust_roots(paths: Sequence[Path]) -> list:
    """The certificates of the PEM (or DER) files ``paths``; a file that holds none is an
    InputError naming it."""
    from asn1crypto import pem, x509

    roots = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError:
            raise InputError("เปิดไฟล์ใบรับรองของผู้ออกใบรับรอง (--trust) ไม่ได้", file=path) from None
        try:
            if pem.detect(data):
                found = [x509.Certificate.load(der) for kind, _, der in pem.unarmor(data, multiple=True)
                         if kind == "CERTIFICATE"]
            else:
                found = [x509.Certificate.load(data)]
                found[0].subject  # noqa: B018  (parses it)
        except Exception:
            found = []
        if not found:
            raise InputError("ไม่ใช่ใบรับรอง (ต้องเป็นไฟล์ .pem หรือ .cer ของผู้ออกใบรับรอง)", file=path)
        roots += found
    return roots


def letter_files(paths: Sequence[Path]) -> list[Path]:
    """The PDFs to check: the files named, and in each folder named its letters (every
    .pdf but the print job and the encrypted delivery copies), by name."""
    files = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(p for p in path.glob("*.pdf") if p.is_file() and not PRINT_FILE.fullmatch(p.name)
                           and not p.name.endswith(DELIVERY_SUFFIX))
            if not found:
                raise InputError("โฟลเดอร์นี้ไม่มีไฟล์ PDF ของหนังสือ", file=path)
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise InputError("ไม่พบไฟล์หรือโฟลเดอร์นี้", file=path)
    return files


def verify_paths(paths: Sequence[Path], trust: Sequence[Path] = ()) -> list[Verdict]:
    """A verdict per letter file of ``paths`` (files, or folders of a set), checked against
    the trust roots in the files ``trust``."""
    roots = load_trust_roots(trust)
    return [verify_file(path, roots if trust else None) for path in letter_files(paths)]


def verify_file(path: Path, roots: list | None) -> Verdict:
    """The verdict on one file; ``roots``: trust roots (asn1crypto certificates), or None
    to leave the chain unchecked."""
    from .pyhanko_adapter import validate

    try:
        if path.stat().st_size > MAX_PDF_BYTES:
            return Verdict(path, problem="ไฟล์ใหญ่เกินกว่าจะเป็นหนังสือ (เกิน 64 MB) จึงไม่ได้ตรวจ")
        data = path.read_bytes()
    except OSError:
        return Verdict(path, problem="เปิดไฟล์ไม่ได้")
    if not data.startswith(b"%PDF-"):
        return Verdict(path, problem="ไม่ใช่ไฟล์ PDF")
    return Verdict(path, **validate(data, roots))
