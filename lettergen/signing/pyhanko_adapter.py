"""Everything lettergen takes from pyHanko, in one module: signing a PDF as PAdES with a
visible signature, the time-stamp client, and validating a signed PDF.

pyHanko 0.x changes its API between minor versions, and lettergen uses more than its
high-level calls: the text stamp's parameters (the Thai signing time is written by
``_ThaiStampStyle``), and the producer string pyHanko writes into the document information
and into the XMP metadata (``model.VENDOR``). So the installed version is checked when this
module is imported, against the range the tests ran on (lettergen/versions.py, pinned in
pyproject.toml). An upgrade starts here: raise that range, run tests/test_signing.py, fix what
it finds in this module, move the pin.

PDF/A: the signature is an incremental update of the letter's PDF/A-3u file. pyHanko keeps
the XMP packet with its PDF/A identification and rewrites the producer in both the
document information and the XMP; it writes the same text in both (``PRODUCER``), since
PDF/A wants the two to agree. The visible signature's text is set in the bundled Sarabun
(embedded, with its ToUnicode map), shaped by HarfBuzz for Thai.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import io
from pathlib import Path

from .. import versions
from ..resources import bundled_font_paths
from .place import Place
from .texts import stamp_lines

FIELD = "lettergen-signature"
STAMP_PT = 11  # the visible signature's type size, shrunk further when its box is small
# Room for the CMS signature in the file, in hex digits (two a byte): the signature and
# attributes, the certificates (``reserve``) and, for B-T, the time-stamp token with the
# TSA's certificates. Set here so that pyHanko need not sign a dummy first to measure it.
RESERVE_BASE, RESERVE_TIME_STAMP = 8_192, 32_768


def check_version(version: str) -> None:
    """Refuse a pyHanko outside the tested range (lettergen/versions.py): its API moves
    between minor versions."""
    versions.check("pyhanko", version, "pyHanko")


def _version() -> str:
    return versions.installed("pyhanko", "pyHanko")


check_version(_version())

from asn1crypto import keys as asn1_keys, tsp, x509 as asn1_x509  # noqa: E402
from pyhanko.pdf_utils import layout  # noqa: E402
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory  # noqa: E402
from pyhanko.pdf_utils.generic import TextStringObject  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.pdf_utils.metadata import model as _metadata_model  # noqa: E402
from pyhanko.pdf_utils.text import TextBoxStyle  # noqa: E402
from pyhanko.sign import signers  # noqa: E402
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter  # noqa: E402
from pyhanko.sign.timestamps.api import TimeStamper  # noqa: E402
from pyhanko.sign.timestamps.common_utils import TimestampRequestError  # noqa: E402
from pyhanko.stamp import TextStampStyle  # noqa: E402
from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: E402

PRODUCER = f"lettergen; pyHanko {_version()}"
_metadata_model.VENDOR = PRODUCER  # the producer written into the XMP and the info dictionary


def make_signer(key, cert, chain) -> signers.SimpleSigner:
    """pyHanko's signer for ``cryptography`` key and certificates."""
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    def load(certificate):
        return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))

    _font_bytes(str(bundled_font_paths()["regular"]))  # once, before the workers are forked
    der = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    return signers.SimpleSigner(
        signing_cert=load(cert), signing_key=asn1_keys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs([load(c) for c in chain]))


def sign_pdf(data: bytes, signer, place: Place, *, password: str = "") -> tuple[bytes, dt.datetime]:
    """``data`` (a PDF; encrypted with ``password`` when given) signed by ``signer`` (a
    keys.Signer) with its visible signature in ``place``: the signed file and the signing
    time written in it (what the visible signature shows)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    if password:
        writer.encrypt(password.encode("utf-8"))
    if "/Info" in writer.trailer:  # the producer as PRODUCER, in the info dictionary and the XMP
        writer.trailer["/Info"]["/Producer"] = TextStringObject(PRODUCER)
        writer.mark_update(writer.trailer.raw_get("/Info"))
    style = ThaiStampStyle.for_signer(signer.certificate.name)
    meta = signers.PdfSignatureMetadata(field_name=FIELD, subfilter=SigSeedSubFilter.PADES,
                                        md_algorithm="sha256")
    pdf_signer = signers.PdfSigner(
        meta, signer=signer.backend, stamp_style=style,
        new_field_spec=SigFieldSpec(FIELD, on_page=place.page, box=place.box),
        timestamper=UrllibTimeStamper(signer.tsa) if signer.tsa else None)
    try:
        out = _apart_from_any_event_loop(pdf_signer.sign_pdf, writer, bytes_reserved=reserve(signer))
    except TimestampRequestError as exc:
        raise TimeStampFailed(str(exc)) from None
    return out.getvalue(), style.signed_at[0]


def _apart_from_any_event_loop(function, *args, **kwargs):
    """``function(*args, **kwargs)``, in a thread of its own when this thread runs an asyncio
    event loop (a notebook, an asynchronous web framework, a program driving a browser):
    pyHanko signs and validates through ``asyncio.run``, which refuses to start inside a
    running loop; signing then ended in an internal error, and checking took the refusal for
    a damaged signature."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop here: the usual case
        return function(*args, **kwargs)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="lettergen-pyhanko") as pool:
        return pool.submit(function, *args, **kwargs).result()


def reserve(signer) -> int:
    """The hex digits to keep for ``signer``'s signature (see RESERVE_BASE)."""
    backend = signer.backend
    certificates = [backend.signing_cert, *backend.cert_registry]
    size = RESERVE_BASE + 2 * sum(len(c.dump()) for c in certificates)
    return size + (RESERVE_TIME_STAMP if signer.tsa else 0)


SIGNATURE_CHARACTERS = [*range(0x20, 0x7F), *range(0x0E01, 0x0E5C)]  # ASCII and the Thai block


@functools.lru_cache(maxsize=1)
def _font_bytes(path: str) -> bytes:
    """The bundled Sarabun cut down once to the characters a signature shows (its Thai
    shaping kept): pyHanko subsets the font again for every signature, and reading the
    whole font took two thirds of a signature's time."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(Path(path).read_bytes()))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=SIGNATURE_CHARACTERS)
    cutter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


class SarabunFactory(GlyphAccumulatorFactory):
    """pyHanko's OpenType font for the visible signature, read from memory: its own factory
    opens the font file for every signature and never closes it."""

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer, font_handle=io.BytesIO(_font_bytes(self.font_file)),
            font_size=self.font_size, ot_script_tag=self.ot_script_tag,
            ot_language_tag=self.ot_language_tag, writing_direction=self.writing_direction,
            bcp47_lang_code=self.bcp47_lang_code, obj_stream=obj_stream)


class ThaiStampStyle(TextStampStyle):
    """A pyHanko text stamp whose time is written in Thai (Buddhist era, Thai digits), in
    Sarabun: pyHanko formats the signing time with strftime, which knows neither; it is
    given here in ISO form and rewritten. The time it showed is kept in ``signed_at``."""

    @classmethod
    def for_signer(cls, signer_name: str) -> "ThaiStampStyle":
        font = SarabunFactory(str(bundled_font_paths()["regular"]), font_size=STAMP_PT,
                              ot_script_tag="thai", ot_language_tag="THA ", bcp47_lang_code="th")
        style = cls(
            stamp_text="%(first)s\n%(second)s", timestamp_format="%Y-%m-%dT%H:%M:%S%z",
            border_width=1,
            text_box_style=TextBoxStyle(font=font, font_size=STAMP_PT, leading=STAMP_PT + 5),
            inner_content_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins.uniform(4),
                inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT))
        object.__setattr__(style, "signer_name", signer_name)  # a frozen dataclass
        object.__setattr__(style, "signed_at", [])
        return style

    def create_stamp(self, writer, box, text_params):
        when = dt.datetime.strptime(text_params["ts"], self.timestamp_format)
        self.signed_at.append(when)
        first, second = stamp_lines(self.signer_name, when)
        return super().create_stamp(writer, box, {**text_params, "first": first, "second": second})


class TimeStampFailed(Exception):
    """The time-stamp server could not be reached or gave no time-stamp."""


class UrllibTimeStamper(TimeStamper):
    """An RFC 3161 client over HTTP with the standard library (pyHanko's own clients need
    the requests package or an aiohttp session)."""

    TIMEOUT = 20  # seconds for one time-stamp

    def __init__(self, url: str):
        super().__init__()
        self.url = url

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return await asyncio.to_thread(_post_time_stamp_query, self.url, req, self.TIMEOUT)


def _post_time_stamp_query(url: str, request: tsp.TimeStampReq, timeout: float) -> tsp.TimeStampResp:
    import urllib.error
    import urllib.request

    query = urllib.request.Request(url, data=request.dump(), method="POST",
                                   headers={"Content-Type": "application/timestamp-query"})
    try:
        with urllib.request.urlopen(query, timeout=timeout) as answer:
            kind = answer.headers.get("Content-Type", "")
            body = answer.read(1 << 20)
    except (urllib.error.URLError, OSError) as exc:
        raise TimeStampFailed(str(getattr(exc, "reason", exc))) from None
    if kind.split(";")[0].strip() != "application/timestamp-reply":
        raise TimeStampFailed(f"คำตอบไม่ใช่การประทับเวลา ({kind or 'ไม่ระบุชนิด'})")
    try:
        return tsp.TimeStampResp.load(body)
    except Exception:
        raise TimeStampFailed("คำตอบอ่านไม่ได้") from None


def validate(data: bytes, roots: list | None) -> dict:
    """The fields of a verify.Verdict for the PDF ``data``: every signature in it checked,
    the chain against ``roots`` (None: not checked), nothing fetched from the network."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            return dict(problem="ไฟล์เข้ารหัสไว้ (สำเนาสำหรับส่ง): ตรวจลายมือชื่อได้เมื่อเปิดด้วยรหัสเปิด"
                                "ไฟล์ในโปรแกรมอ่าน PDF หรือตรวจฉบับที่ไม่เข้ารหัสที่อยู่คู่กัน")
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        return dict(problem="อ่านไฟล์ไม่ได้ (ไฟล์เสีย หรือถูกแก้ไขจนโครงสร้างผิด)")
    if not signatures:
        return dict(problem="ไม่มีลายมือชื่ออิเล็กทรอนิกส์ในไฟล์นี้")
    context = ValidationContext(trust_roots=list(roots or ()), allow_fetching=False,
                                revocation_mode="soft-fail")
    statuses = []
    for signature in signatures:
        try:
            statuses.append(_apart_from_any_event_loop(validate_pdf_signature, signature, context,
                                                       ts_validation_context=context))
        except Exception:  # a signature damaged in the file: pyHanko raises many kinds
            return dict(signer=_signer_name(signature),
                        problem="ลายมือชื่อในไฟล์เสีย อ่านไม่ได้ (ไฟล์ถูกแก้ไขหลังลงนาม)")
    last = statuses[-1]
    unchanged = all(s.intact and s.valid for s in statuses) \
        and last.coverage == SignatureCoverageLevel.ENTIRE_FILE
    stamp = last.timestamp_validity
    time_stamped = stamp is not None and stamp.intact and stamp.valid
    return dict(
        signer=_common_name(last.signing_cert.subject),
        signed_at=stamp.timestamp if time_stamped else last.signer_reported_dt,
        time_stamped=time_stamped, unchanged=unchanged,
        trusted=None if roots is None else all(s.trusted for s in statuses),
        issuer=_common_name(last.signing_cert.issuer))


def _common_name(name) -> str:
    fields = name.native
    return str(fields.get("common_name") or name.human_friendly)


def _signer_name(signature) -> str:
    try:
        return _common_name(signature.signer_cert.subject)
    except Exception:
        return ""


def check_time_stamp_server(url: str) -> None:
    """Ask ``url`` for one time-stamp (of a digest of nothing in particular): TimeStampFailed
    when it gives none. A run checks its time-stamp server so before any letter is written."""
    import hashlib

    stamper = UrllibTimeStamper(url)
    try:
        _apart_from_any_event_loop(asyncio.run, stamper.async_timestamp(
            hashlib.sha256(b"lettergen").digest(), "sha256"))
    except TimestampRequestError as exc:
        raise TimeStampFailed(str(exc)) from None
