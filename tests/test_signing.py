"""Signed letters: `render --sign` and `lettergen verify`, against a PKI the tests make
themselves (tests/pki.py): the files verify with pyHanko's own validator and with
`lettergen verify`; one changed byte makes them fail; a certificate from another CA is not
trusted; a wrong passphrase or a bad certificate file is exit 2 with nothing written; the
signature is an incremental update of the same PDF/A file; a run killed while it signs is
finished, wholly signed, by the same command."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import http.server
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import EXAMPLE, ROOT
from lettergen.cli import main
from pki import PASSPHRASE, SIGNER_NAME, make_pki

SPEC = EXAMPLE / "letter.toml"
THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "sign-password.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


def cli(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main([str(a) for a in argv])
    return rc, out.getvalue(), err.getvalue()


def sheet_with_pdf_passwords(tmp_path) -> Path:
    with (EXAMPLE / "recipients.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[0].append("pdf_password")
    for row in rows[1:]:
        row.append(f"open-{row[0]}" if row[2] in ("สถ.อ.", "อบจ.", "ทน.") else "")
    path = tmp_path / "recipients.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture(scope="module")
def signed_set(pki, tmp_path_factory):
    """Three letters (a district circular with its LAOs' logins, two direct letters), PDF
    and DOCX and the encrypted delivery copies, signed; and the same set unsigned."""
    folder = tmp_path_factory.mktemp("signed")
    sheet = sheet_with_pdf_passwords(folder)
    password = folder / "password.txt"
    password.write_text(PASSPHRASE, encoding="utf-8")
    common = [SPEC, "--recipients", sheet, "--only", "5701,570101,570102", "--jobs", "1", "--encrypt"]
    assert cli(["render", *common, "--out", folder / "plain"])[0] == 0
    rc, out, err = cli(["render", *common, "--out", folder / "out", "--sign", pki.p12,
                        "--sign-password-file", password, "--print"])
    assert rc == 0, err
    assert f"โดย {SIGNER_NAME}" in out
    return folder / "out", folder / "plain"


def letters(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.pdf") if p.name != "print.pdf"
                  and not p.name.endswith(".delivery.pdf"))


def pyhanko_status(path: Path, roots, password: str | None = None):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from lettergen.signing.verify import load_trust_roots

    with path.open("rb") as handle:
        reader = PdfFileReader(handle)
        if password:
            reader.decrypt(password.encode())
        (signature,) = reader.embedded_signatures
        context = ValidationContext(trust_roots=load_trust_roots(roots), allow_fetching=False)
        return validate_pdf_signature(signature, context)


def test_every_letter_verifies_with_pyhankos_validator(signed_set, pki):
    from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel

    out, _ = signed_set
    assert len(letters(out)) == 3
    for path in letters(out):
        status = pyhanko_status(path, [pki.ca_pem])
        assert status.bottom_line and status.intact and status.valid and status.trusted
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        assert status.modification_level == ModificationLevel.NONE
        assert status.signing_cert.subject.native["common_name"] == SIGNER_NAME
        assert status.signer_reported_dt is not None


def test_delivery_copies_are_encrypted_and_signed_too(signed_set, pki):
    import pikepdf

    out, _ = signed_set
    for path in sorted(out.glob("*.delivery.pdf")):
        key = path.name.split("-", 1)[0]
        with pytest.raises(pikepdf.PasswordError):
            pikepdf.open(path)
        status = pyhanko_status(path, [pki.ca_pem], password=f"open-{key}")
        assert status.bottom_line and status.trusted


def test_lettergen_verify_prints_one_thai_line_per_letter(signed_set, pki):
    out, _ = signed_set
    rc, stdout, stderr = cli(["verify", out, "--trust", pki.ca_pem])
    lines = stdout.splitlines()
    assert rc == 0, stderr
    assert len(lines) == 3 and stderr == ""
    for line, path in zip(lines, letters(out)):
        assert line.startswith(f"ผ่าน  {path.name}: ลงนามโดย {SIGNER_NAME} เมื่อ ")
        assert "ไม่มีการแก้ไขหลังลงนาม" in line and "ผู้ออกใบรับรองที่เชื่อถือ (ผู้ออกใบรับรองทดสอบ)" in line
        when = line.split(" เมื่อ ", 1)[1].split(";", 1)[0]  # "๕ ธันวาคม ๒๕๖๙ เวลา ๐๔.๔๓ น."
        assert when.endswith(" น.") and not any(c.isascii() and c.isdigit() for c in when)
        signed = pyhanko_status(path, [pki.ca_pem]).signer_reported_dt.astimezone(
            dt.timezone(dt.timedelta(hours=7)))
        year = str(signed.year + 543).translate(str.maketrans("0123456789", THAI_DIGITS))
        clock = f"{signed.hour:02d}.{signed.minute:02d}".translate(str.maketrans("0123456789", THAI_DIGITS))
        assert when.endswith(f" {year} เวลา {clock} น."), when


def test_one_changed_byte_makes_the_file_fail(signed_set, pki, tmp_path):
    out, _ = signed_set
    original = letters(out)[0].read_bytes()
    # a byte of the letter's own content, of the signature's dictionary, and the last byte
    contents = original.rindex(b"/Contents <")
    for where in (len(original) // 3, contents + 40, len(original) - 2):
        changed = bytearray(original)
        changed[where] ^= 0x01
        path = tmp_path / f"changed-{where}.pdf"
        path.write_bytes(bytes(changed))
        assert path.read_bytes() != original
        rc, stdout, _ = cli(["verify", path, "--trust", pki.ca_pem])
        assert rc == 2, (where, stdout)
        assert stdout.startswith(f"ไม่ผ่าน  {path.name}: "), stdout
        assert len(stdout.splitlines()) == 1


def test_a_byte_changed_in_the_signed_content_breaks_pyhankos_validation(signed_set, pki, tmp_path):
    out, _ = signed_set
    data = bytearray(letters(out)[1].read_bytes())
    stream = data.index(b"stream", len(data) // 4) + 20  # inside a page's compressed content
    data[stream] ^= 0x20
    path = tmp_path / "changed.pdf"
    path.write_bytes(bytes(data))
    status = pyhanko_status(path, [pki.ca_pem])
    assert not status.intact and not status.bottom_line


def test_a_certificate_from_another_ca_is_not_trusted(signed_set, pki, tmp_path, password_file):
    out, _ = signed_set
    rc, stdout, _ = cli(["verify", letters(out)[0], "--trust", pki.other_ca_pem])
    assert rc == 2
    assert "ใบรับรองไม่ได้ออกโดยผู้ออกใบรับรองที่ระบุใน --trust (ผู้ออก: ผู้ออกใบรับรองทดสอบ)" in stdout
    assert "ไม่มีการแก้ไขหลังลงนาม" in stdout  # intact, only not trusted
    # and the other way round: a letter signed with the other CA's certificate
    rc, _, err = cli(["render", SPEC, "--only", "570102", "--format", "pdf", "--out", tmp_path / "o",
                      "--sign", pki.other_p12, "--sign-password-file", password_file])
    assert rc == 0, err
    (path,) = letters(tmp_path / "o")
    assert not pyhanko_status(path, [pki.ca_pem]).trusted
    rc, stdout, _ = cli(["verify", tmp_path / "o", "--trust", pki.ca_pem])
    assert rc == 2 and "ผู้ออก: ผู้ออกใบรับรองอื่น" in stdout
    assert cli(["verify", tmp_path / "o", "--trust", pki.other_ca_pem])[0] == 0


def test_an_unsigned_letter_fails_and_says_so(signed_set, pki):
    _, plain = signed_set
    rc, stdout, _ = cli(["verify", plain, "--trust", pki.ca_pem])
    assert rc == 2
    assert all(line.startswith("ไม่ผ่าน  ") and line.endswith("ไม่มีลายมือชื่ออิเล็กทรอนิกส์ในไฟล์นี้")
               for line in stdout.splitlines())


def test_without_trust_root_the_chain_is_not_checked_and_says_so(signed_set):
    out, _ = signed_set
    rc, stdout, _ = cli(["verify", letters(out)[0]])
    assert rc == 0
    assert stdout.strip().endswith("ไม่ได้ตรวจผู้ออกใบรับรอง (ไม่ได้ระบุ --trust)")


def test_signature_is_an_incremental_update_of_the_same_pdf_a_file(signed_set):
    """The unsigned letter's bytes are the signed file's first bytes, and the PDF/A
    structure the archive tests check is still there."""
    import pikepdf

    out, plain = signed_set
    for signed_path, plain_path in zip(letters(out), letters(plain)):
        signed, unsigned = signed_path.read_bytes(), plain_path.read_bytes()
        assert signed_path.name == plain_path.name
        assert signed[:len(unsigned)] == unsigned and len(signed) > len(unsigned)
        with pikepdf.open(signed_path) as pdf, pikepdf.open(plain_path) as before:
            meta = pdf.open_metadata()
            assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "U"
            for key in ("/Title", "/Author", "/Subject", "/CreationDate"):
                assert str(pdf.docinfo[key]) == str(before.docinfo[key])
            assert meta.get("dc:title") == str(before.docinfo["/Title"])
            assert str(pdf.docinfo["/Producer"]) == meta.get("pdf:Producer")  # PDF/A: they agree
            assert str(pdf.Root.Lang) == "th" and len(pdf.Root.OutputIntents) == 1
            assert pdf.Root.Metadata.get("/Filter") is None
            (field,) = pdf.Root.AcroForm.Fields
            assert int(field.F) & 4 and not int(field.F) & (1 | 2 | 32)  # printed, shown
            assert set(field.AP.keys()) == {"/N"}
            font = next(iter(field.AP.N.Resources.Font.values()))
            assert "Sarabun" in str(font.BaseFont) and "/ToUnicode" in font
            assert "/FontFile2" in font.DescendantFonts[0].FontDescriptor


def test_register_records_each_letters_certificate_and_signing_time(signed_set, pki):
    from lettergen.registers.run_register import read_rows

    out, _ = signed_set
    rows = {row.pdf: row for row in read_rows(out / "register.csv")}
    assert read_rows(out / "register.xlsx") == list(rows.values())
    serial = f"{pki.signer.cert.serial_number:X}"
    for path in letters(out):
        row = rows[path.name]
        assert row.signer == pki.signer.cert.subject.rfc4514_string() and SIGNER_NAME in row.signer
        assert row.certificate_serial == serial
        status = pyhanko_status(path, [pki.ca_pem])
        assert dt.datetime.fromisoformat(row.signed_at) == status.signer_reported_dt
        assert row.pdf_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_visible_signature_stands_in_the_stamp_space_on_blank_paper(signed_set):
    """The widget lies where the unsigned letter has only white paper (the room under the
    agency's line of the signature block), on the page of the signature block, and the
    print copy shows there the signer's name and the signing time in Thai."""
    import pikepdf
    import pypdfium2

    from lettergen import geometry as g
    from lettergen.kinds import STAMPED

    out, plain = signed_set
    for signed_path, plain_path in zip(letters(out), letters(plain)):
        with pikepdf.open(signed_path) as pdf:
            (field,) = pdf.Root.AcroForm.Fields
            page = next(i for i, p in enumerate(pdf.pages) if any(a.objgen == field.objgen
                                                                  for a in p.get("/Annots", [])))
            x0, y0, x1, y1 = (float(v) for v in field.Rect)
        assert (x1 - x0, y1 - y0) == pytest.approx((g.pt(STAMPED.signature.width_cm), g.pt(g.STAMP_SPACE_CM)),
                                                    abs=0.05)  # the signature block's width, the stamp's room
        document = pypdfium2.PdfDocument(str(plain_path))
        scale = 2
        image = document[page].render(scale=scale).to_pil().convert("L")
        height = image.height
        box = (int(x0 * scale) + 1, int(height - y1 * scale) + 1, int(x1 * scale) - 1, int(height - y0 * scale) - 1)
        assert image.crop(box).getextrema() == (255, 255), signed_path.name  # nothing there before
        above = image.crop((box[0], box[1] - 40, box[2], box[1]))  # the agency's line just above
        assert above.getextrema()[0] < 128
        text = document[page].get_textpage().get_text_range()
        assert "จังหวัดเชียงราย" in text
        document.close()
    printed = pypdfium2.PdfDocument(str(out / "print.pdf"))
    shown = "".join(printed[i].get_textpage().get_text_range() for i in range(len(printed)))
    printed.close()
    assert shown.count(f"ลงนามโดย {SIGNER_NAME}") == 3
    assert shown.count("เมื่อ ") >= 3 and " น." in shown


def test_external_letters_sign_under_the_closing(pki):
    """An external letter's signature goes in the room between the closing and the signer's
    name (2 cm), under its closing line."""
    from lettergen import geometry as g
    from lettergen.compose import compose_all
    from lettergen.pdf.writer import write_pdfs_with_pages
    from lettergen.sheets.recipients import load_recipients
    from lettergen.signing.place import signature_place
    from lettergen.spec import load_spec

    spec = load_spec(SPEC, {"letter.kind": "external", "sender.signer_name": "นายสมชาย ใจดี",
                            "sender.signer_position": "ผู้ว่าราชการจังหวัดเชียงราย"})
    book = load_recipients(EXAMPLE / "recipients.csv", spec)
    letters_ = compose_all(spec, book, ["570102"])
    pages: list = []
    ((pdf, _),) = write_pdfs_with_pages(letters_, own_pages=pages)
    place = signature_place(letters_[0], pages[0])
    assert place.height == pytest.approx(g.pt(g.SIGN_SPACE_CM), abs=0.02)
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    image = document[place.page].render(scale=2).to_pil().convert("L")
    x0, y0, x1, y1 = place.box
    box = (int(x0 * 2) + 1, int(image.height - y1 * 2) + 1, int(x1 * 2) - 1, int(image.height - y0 * 2) - 1)
    assert image.crop(box).getextrema() == (255, 255)
    assert image.crop((box[0], box[1] - 40, box[2], box[1])).getextrema()[0] < 128  # the closing
    assert image.crop((box[0], box[3], box[2], box[3] + 40)).getextrema()[0] < 128  # the name
    document.close()


# --- bad certificates and passphrases: exit 2, one Thai line, nothing written ------------

@pytest.mark.parametrize("case", ["wrong-passphrase", "not-a-p12", "no-key", "expired",
                                  "not-for-signing", "missing", "no-passphrase"])
def test_a_certificate_that_cannot_sign_is_exit_2_with_nothing_written(case, pki, tmp_path, monkeypatch):
    password = tmp_path / "password.txt"
    password.write_text("ผิด" if case == "wrong-passphrase" else PASSPHRASE, encoding="utf-8")
    p12 = {"not-a-p12": pki.ca_pem, "no-key": pki.keyless_p12, "expired": pki.expired_p12,
           "not-for-signing": pki.encipher_only_p12, "missing": tmp_path / "nowhere.p12"}.get(case, pki.p12)
    expected = {
        "wrong-passphrase": f"{p12}: รหัสผ่านของไฟล์ใบรับรองไม่ถูกต้อง",
        "not-a-p12": f"{p12}: ไฟล์นี้ไม่ใช่ไฟล์ใบรับรองแบบ PKCS#12 (.p12 หรือ .pfx) หรือไฟล์เสีย",
        "no-key": f"{p12}: ไฟล์ใบรับรองไม่มีกุญแจส่วนตัว (private key) จึงใช้ลงนามไม่ได้; "
                  "ส่งออกใบรับรองพร้อมกุญแจส่วนตัวอีกครั้ง",
        "expired": f"{p12}: ใบรับรองของ นายหมดอายุ แล้ว หมดอายุแล้วเมื่อ ",
        "not-for-signing": f"{p12}: ใบรับรองของ นายเข้ารหัส อย่างเดียว ไม่ได้ออกมาเพื่อลงนาม",
        "missing": f"{p12}: ไม่พบไฟล์ใบรับรอง (.p12)",
        "no-passphrase": "ต้องมีรหัสผ่านของไฟล์ใบรับรอง: ระบุ --sign-password-file FILE",
    }[case]
    monkeypatch.delenv("LETTERGEN_SIGN_PASSWORD", raising=False)
    out = tmp_path / "out"
    argv = ["render", SPEC, "--only", "570102", "--out", out, "--sign", p12]
    if case != "no-passphrase":
        argv += ["--sign-password-file", password]
    rc, stdout, stderr = cli(argv)
    assert rc == 2 and stdout == ""
    assert len(stderr.strip().splitlines()) == 1
    assert stderr.startswith("ข้อผิดพลาด: " + expected), stderr
    assert not out.exists()
    assert PASSPHRASE not in stderr


def test_passphrase_comes_from_the_environment(pki, tmp_path, monkeypatch):
    monkeypatch.setenv("LETTERGEN_SIGN_PASSWORD", PASSPHRASE)
    rc, _, err = cli(["render", SPEC, "--only", "570102", "--format", "pdf", "--out", tmp_path / "o",
                      "--sign", pki.p12])
    assert rc == 0, err
    assert cli(["verify", tmp_path / "o", "--trust", pki.ca_pem])[0] == 0


def test_the_passphrase_is_in_no_file_and_no_error_log(pki, signed_set, tmp_path, monkeypatch):
    from lettergen import error_log

    out, _ = signed_set
    secret = PASSPHRASE.encode("utf-8")
    for path in out.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path.name
    monkeypatch.setenv("LETTERGEN_LOG_DIR", str(tmp_path / "logs"))
    try:
        raise RuntimeError(f"something went wrong near {PASSPHRASE}")
    except RuntimeError as exc:
        log = error_log.write_error_log(exc, ["render", "--sign", "office.p12"])
    assert PASSPHRASE not in log.read_text(encoding="utf-8") and error_log.HIDDEN in log.read_text()


# --- PAdES B-T: a time-stamp authority in-process ---------------------------------------

@pytest.fixture(scope="module")
def tsa_url(pki):
    from asn1crypto import keys as asn1_keys, tsp, x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(pki.tsa.cert.public_bytes(Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(pki.tsa.key.private_bytes(
            Encoding.DER, PrivateFormat.PKCS8, NoEncryption())),
        certs_to_embed=[asn1_x509.Certificate.load(pki.ca.cert.public_bytes(Encoding.DER))])

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    server.shutdown()
    server.server_close()


def test_tsa_gives_pades_b_t(pki, tsa_url, tmp_path, password_file):
    rc, out, err = cli(["render", SPEC, "--only", "570102", "--format", "pdf", "--out", tmp_path / "o",
                        "--sign", pki.p12, "--sign-password-file", password_file, "--tsa", tsa_url])
    assert rc == 0, err
    assert "(PAdES B-T)" in out
    (path,) = letters(tmp_path / "o")
    status = pyhanko_status(path, [pki.ca_pem])
    assert status.bottom_line and status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.valid
    rc, stdout, _ = cli(["verify", path, "--trust", pki.ca_pem])
    assert rc == 0 and "(เวลาจากผู้ให้บริการประทับเวลา)" in stdout


def test_signing_time_stamping_and_checking_work_inside_a_running_event_loop(pki, tsa_url, tmp_path,
                                                                            password_file):
    """lettergen called from code that runs an asyncio event loop (a notebook, an
    asynchronous web framework, a program driving a browser): pyHanko's own asyncio.run
    cannot start there, so lettergen runs it in a thread of its own. Before, the render
    ended in an internal error and `verify` called a good signature damaged."""
    import asyncio

    from lettergen.signing.verify import verify_paths

    async def inside_a_loop():
        asyncio.get_running_loop()  # the loop runs while lettergen is called
        rendered = cli(["render", SPEC, "--only", "570102", "--format", "pdf", "--out", tmp_path / "o",
                        "--sign", pki.p12, "--sign-password-file", password_file, "--tsa", tsa_url])
        return rendered, verify_paths([tmp_path / "o"], [Path(pki.ca_pem)])

    (rc, out, err), verdicts = asyncio.run(inside_a_loop())
    assert rc == 0, err
    assert "(PAdES B-T)" in out
    (verdict,) = verdicts
    assert verdict.problem == "" and verdict.unchanged and verdict.trusted and verdict.time_stamped
    assert verdict.signer == SIGNER_NAME


def test_an_unreachable_tsa_is_exit_2_before_anything_is_written(pki, tmp_path, password_file):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "o"
    rc, _, err = cli(["render", SPEC, "--only", "570102", "--out", out, "--sign", pki.p12,
                      "--sign-password-file", password_file, "--tsa", f"http://127.0.0.1:{port}/"])
    assert rc == 2 and err.startswith(f"ข้อผิดพลาด: ขอประทับเวลาจาก http://127.0.0.1:{port}/ ไม่ได้")
    assert not out.exists()


# --- a run killed while it signs ---------------------------------------------------------

def test_a_run_killed_while_it_signs_is_finished_wholly_signed(pki, tmp_path, password_file):
    """kill -9 once the first chunk of the demo's 20 letters is signed and recorded: the
    output folder is untouched, the same command keeps that chunk's signed files and signs
    the rest, and every letter of the set verifies."""
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "lettergen", "render", str(SPEC), "--format", "pdf", "--jobs", "1",
            "--out", str(out), "--sign", str(pki.p12), "--sign-password-file", str(password_file)]
    env = {k: v for k, v in os.environ.items() if k != "LETTERGEN_SIGN_PASSWORD"}
    process = subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    manifest = out / ".incomplete" / "manifest.jsonl"
    deadline = time.monotonic() + 300
    while not (manifest.is_file() and manifest.read_bytes().count(b"\n") >= 1):
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the first chunk was never recorded"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    process.stderr.close()
    kept = {p.name: p.read_bytes() for p in (out / ".incomplete").glob("*.pdf")}
    first = manifest.read_text(encoding="utf-8").splitlines()[0]
    import json

    recorded = {f"{e['stem']}.pdf": e["sha256"]["pdf"] for e in json.loads(first)["letters"]}
    assert recorded and set(recorded) <= set(kept)
    assert not letters(out)  # nothing in the output folder itself
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, timeout=600)
    assert result.returncode == 0, result.stderr.decode()
    for name, digest in recorded.items():  # the chunk signed before the kill is kept as it was
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert len(letters(out)) == 20
    rc, stdout, _ = cli(["verify", out, "--trust", pki.ca_pem])
    assert rc == 0 and len(stdout.splitlines()) == 20


def test_the_register_of_record_keeps_each_letters_signature(pki, tmp_path, password_file):
    from lettergen.registers.run_register import read_rows
    from lettergen.registers.workspace import Workspace

    workspace = tmp_path / "ws"
    rc, _, err = cli(["render", SPEC, "--only", "5701,570102", "--format", "pdf", "--jobs", "1",
                      "--workspace", workspace, "--out", tmp_path / "o", "--sign", pki.p12,
                      "--sign-password-file", password_file])
    assert rc == 0, err
    register = Workspace(workspace).register()
    (run,) = register.runs()
    kept = register.signatures(run.id)
    rows = read_rows(tmp_path / "o" / "register.csv")
    assert len(kept) == len(rows) == 2
    for position, row in enumerate(rows):
        assert kept[position] == (row.signer, row.certificate_serial, row.signed_at)
        assert kept[position][1] == f"{pki.signer.cert.serial_number:X}"
