"""`lettergen send` through a real SMTP server in-process (aiosmtpd): what arrives is each
recipient's own files and nothing else, no password travels in a message, refusals are
recorded per recipient, a second send sends only what was not sent, and a send killed
between the server's acceptance and its record sends nobody twice."""

from __future__ import annotations

import contextlib
import csv
import email
import email.policy
import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import EXAMPLE, ROOT
from lettergen.cli import main

SPEC = EXAMPLE / "letter.toml"
SENDER = "saraban@chiangrai.go.th"
LETTERS = "5701,5702,570101,570102"  # two district circulars, the อบจ. and the เทศบาลนคร


def cli(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main([str(a) for a in argv])
    return rc, out.getvalue(), err.getvalue()


def address(recipient_id: str) -> str:
    return f"saraban-{recipient_id}@example.go.th"


def mail_sheet(folder: Path, email_header: str = "อีเมล", value=address) -> Path:
    """The example sheet with an e-mail column and a column of opening passwords."""
    with (EXAMPLE / "recipients.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[0] += [email_header, "รหัสเปิดไฟล์"]
    for row in rows[1:]:
        row += [value(row[0]), f"open-{row[0]}-7ab"]
    path = folder / "recipients.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def secrets() -> set[str]:
    """Every password of the sheet: logins and opening passwords."""
    with (EXAMPLE / "recipients.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {r["password"] for r in rows if r["password"]} | {f"open-{r['id']}-7ab" for r in rows}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A finished set (PDF, DOCX, encrypted delivery copies) of four letters with addresses."""
    folder = tmp_path_factory.mktemp("made")
    sheet = mail_sheet(folder)
    rc, _, err = cli(["render", SPEC, "--recipients", sheet, "--only", LETTERS, "--encrypt",
                      "--out", folder / "set", "--jobs", "1"])
    assert rc == 0, err
    return folder / "set"


@pytest.fixture
def run_dir(made, tmp_path):
    """A copy of the finished set, so that each test sends it afresh."""
    import shutil

    return Path(shutil.copytree(made, tmp_path / "set"))


class Inbox:
    """An aiosmtpd handler that keeps what it accepts; it refuses the addresses in
    ``refuse``, and kills ``pid`` once it has accepted ``kill_after`` messages (after taking
    the message, before answering)."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse: set[str] = set()
        self.kill_after: int | None = None
        self.pid: int | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        if self.kill_after is not None and len(self.messages) == self.kill_after:
            os.kill(self.pid, signal.SIGKILL)  # accepted, and the sender never hears it
        return "250 2.0.0 Accepted"

    def parsed(self):
        return [email.message_from_bytes(raw, policy=email.policy.default) for _, _, raw in self.messages]


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.where = f"127.0.0.1:{port}"
    yield inbox
    controller.stop()


def send(run_dir, smtp, *extra):
    return cli(["send", run_dir, "--smtp", smtp.where, "--from", SENDER, "--per-minute", "6000",
                "--pdf-password", "shared", *extra])


def raw_header(raw: bytes, name: str) -> str:
    """A header as RFC 2047 reads it (adjacent encoded words joined without the space
    between them; Python's own address parser keeps that space in a display name)."""
    from email.header import decode_header, make_header

    return str(make_header(decode_header(email.message_from_bytes(raw)[name])))


def mailing(run_dir) -> dict:
    return json.loads((run_dir / "mail.json").read_text(encoding="utf-8"))


def journal(run_dir) -> dict[str, tuple]:
    with sqlite3.connect(run_dir / "deliveries.sqlite3") as db:
        return {row[0]: row[1:] for row in db.execute(
            "SELECT recipient_id, to_addresses, message_id, status, sent_at, detail FROM deliveries")}


def test_each_recipient_gets_its_own_encrypted_letter_and_nothing_else(run_dir, smtp):
    rc, out, err = send(run_dir, smtp)
    assert rc == 0, err
    assert out.startswith("ส่งอีเมลแล้ว 4 ฉบับ")
    letters = {item["recipient_id"]: item for item in mailing(run_dir)["letters"]}
    assert set(letters) == set(LETTERS.split(","))
    received = smtp.parsed()
    assert len(received) == 4
    records = journal(run_dir)
    for (mail_from, rcpt_tos, raw), message in zip(smtp.messages, received):
        (rid,) = [r for r in letters if rcpt_tos == [address(r)]]
        letter = letters[rid]
        assert mail_from == SENDER
        attachments = [(part.get_filename(), part.get_content()) for part in message.iter_attachments()]
        own = letter["files"]["delivery.pdf"]
        assert [name for name, _ in attachments] == [own]  # only its encrypted copy
        assert attachments[0][1] == (run_dir / own).read_bytes()
        assert str(message["Subject"]) == f"ที่ {letter['number']} เรื่อง {letter['subject']}"
        assert message["To"].addresses[0].addr_spec == address(rid)
        assert raw_header(raw, "To") == f"{letter['name']} <{address(rid)}>"  # RFC 2047 decoded
        body = message.get_body(("plain",)).get_content()
        assert body.startswith(f"เรียน {letter['name']}\n")
        assert f"ที่ {letter['number']} เรื่อง {letter['subject']}" in body
        assert "รหัสเปิดไฟล์ที่หน่วยงานของท่านตกลงไว้กับสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด" in body
        assert "โทร. ๐-๕๓๑๗-๗๓๒๘-๙" in body
        to, message_id, status, sent_at, _ = records[rid]
        assert (to, status) == (address(rid), "sent") and sent_at
        assert message["Message-ID"] == message_id
    ids = [m["Message-ID"] for m in received]
    assert len(set(ids)) == 4 and all(i.endswith("@chiangrai.go.th>") for i in ids)
    report = (run_dir / "deliveries.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(report) == 5 and all(",ส่งแล้ว," in line for line in report[1:])


def test_no_password_travels_in_any_message(run_dir, smtp):
    assert send(run_dir, smtp)[0] == 0
    words = secrets()
    for (_, _, raw), message in zip(smtp.messages, smtp.parsed()):
        headers = "\n".join(f"{k}: {v}" for k, v in message.items())
        text = message.get_body(("plain",)).get_content()
        for secret in words:
            assert secret not in headers and secret not in text
            assert secret.encode() not in raw  # nor in the encrypted attachment's bytes


def test_a_second_send_sends_only_what_was_not_sent(run_dir, smtp):
    smtp.refuse = {address("570101")}
    rc, out, err = send(run_dir, smtp)
    assert rc == 2
    assert out.startswith("ส่งอีเมลแล้ว 3 ฉบับ")
    assert f"เซิร์ฟเวอร์ไม่รับ: 570101 องค์การบริหารส่วนจังหวัดเชียงราย {address('570101')}" in err
    assert "550 5.1.1 No such mailbox" in err and err.strip().splitlines()[-1].startswith(
        "ข้อผิดพลาด: ยังส่งไม่ได้ 1 ฉบับ")
    assert journal(run_dir)["570101"][2] == "refused"
    assert len(smtp.messages) == 3
    smtp.refuse = set()
    rc, out, err = send(run_dir, smtp)
    assert rc == 0, err
    assert out.startswith("ส่งอีเมลแล้ว 1 ฉบับ (ส่งไว้ก่อนหน้านี้แล้ว 3 ฉบับ)")
    assert len(smtp.messages) == 4 and smtp.messages[-1][1] == [address("570101")]
    assert send(run_dir, smtp)[1].startswith("ส่งอีเมลแล้ว 0 ฉบับ (ส่งไว้ก่อนหน้านี้แล้ว 4 ฉบับ)")
    assert len(smtp.messages) == 4


def test_letters_with_logins_need_a_way_for_the_opening_password(run_dir, smtp):
    rc, out, err = cli(["send", run_dir, "--smtp", smtp.where, "--from", SENDER])
    assert rc == 2 and out == ""
    assert err.startswith(f"ข้อผิดพลาด: {run_dir}: หนังสือ 4 ฉบับมีชื่อผู้ใช้และรหัสผ่าน จึงส่งเป็นไฟล์"
                          "เข้ารหัส และรหัสเปิดไฟล์ต้องไม่ไปกับอีเมลฉบับเดียวกัน")
    assert "--pdf-password shared" in err and "--pdf-password printed" in err
    assert smtp.messages == [] and not (run_dir / "deliveries.sqlite3").exists()


def test_printed_passwords_say_so_in_the_message(run_dir, smtp):
    rc, _, err = cli(["send", run_dir, "--smtp", smtp.where, "--from", SENDER, "--pdf-password",
                      "printed", "--per-minute", "6000"])
    assert rc == 0, err
    body = smtp.parsed()[0].get_body(("plain",)).get_content()
    assert "รหัสเปิดไฟล์จะแจ้งให้ทราบเป็นหนังสือแยกต่างหาก ไม่ส่งทางอีเมล" in body


def test_a_set_without_encrypted_copies_is_refused(tmp_path, smtp):
    sheet = mail_sheet(tmp_path)
    assert cli(["render", SPEC, "--recipients", sheet, "--only", "570102", "--out", tmp_path / "s"])[0] == 0
    rc, _, err = send(tmp_path / "s", smtp, "--with-docx")
    assert rc == 2 and "ส่งทางอีเมลได้เฉพาะสำเนาที่เข้ารหัส" in err and "render --encrypt" in err
    assert smtp.messages == []


def test_a_set_without_addresses_says_how_to_get_them(tmp_path, smtp):
    assert cli(["render", SPEC, "--only", "570102", "--out", tmp_path / "s"])[0] == 0
    rc, _, err = send(tmp_path / "s", smtp)
    assert rc == 2 and "ไม่มีที่อยู่อีเมลของผู้รับ (mail.json): เพิ่มคอลัมน์ \"อีเมล\"" in err


def test_dry_run_writes_eml_files_and_sends_nothing(run_dir, smtp, tmp_path):
    rc, out, err = cli(["send", run_dir, "--from", SENDER, "--pdf-password", "shared",
                        "--dry-run", tmp_path / "eml"])
    assert rc == 0, err and out.startswith("เขียนอีเมล 4 ฉบับเป็นไฟล์ .eml")
    files = sorted((tmp_path / "eml").glob("*.eml"))
    assert [f.stem for f in files] == sorted(item["stem"] for item in mailing(run_dir)["letters"])
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert [p.get_filename() for p in message.iter_attachments()] == [f"{path.stem}.delivery.pdf"]
    assert smtp.messages == [] and not (run_dir / "deliveries.sqlite3").exists()


def test_with_a_workspace_deliveries_go_into_the_register_of_record(run_dir, smtp, tmp_path):
    workspace = tmp_path / "ws"
    assert send(run_dir, smtp, "--workspace", workspace)[0] == 0
    with sqlite3.connect(workspace / "register.sqlite3") as db:
        rows = db.execute("SELECT recipient_id, status FROM deliveries ORDER BY recipient_id").fetchall()
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone() == (0,)  # the register's own tables
    assert rows == [(rid, "sent") for rid in sorted(LETTERS.split(","))]
    assert not (run_dir / "deliveries.sqlite3").exists()


def test_a_send_killed_between_acceptance_and_record_sends_nobody_twice(run_dir, smtp):
    """The server takes the second message and the sender is killed before it hears the
    answer (so before it records it). The next send sends the two letters never begun,
    not the second one: that one is named as uncertain with its Message-ID, and goes again,
    with the same Message-ID, only when the clerk says --resend."""
    argv = [sys.executable, "-m", "lettergen", "send", str(run_dir), "--smtp", smtp.where, "--from",
            SENDER, "--per-minute", "6000", "--pdf-password", "shared"]
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    smtp.pid, smtp.kill_after = process.pid, 2
    assert process.wait(timeout=120) == -signal.SIGKILL
    assert len(smtp.messages) == 2
    first, second = (rcpt[0] for _, rcpt, _ in smtp.messages)
    smtp.kill_after = None
    rc, out, err = send(run_dir, smtp)
    assert rc == 2
    assert out.startswith("ส่งอีเมลแล้ว 2 ฉบับ (ส่งไว้ก่อนหน้านี้แล้ว 1 ฉบับ)")
    delivered = [rcpt[0] for _, rcpt, _ in smtp.messages]
    assert len(delivered) == 4 and len(set(delivered)) == 4  # nobody twice
    uncertain = next(rid for rid in LETTERS.split(",") if address(rid) == second)
    record = journal(run_dir)[uncertain]
    assert record[2] == "uncertain"
    assert f"ไม่ทราบผล (อาจส่งถึงแล้ว): {uncertain} " in err and f"Message-ID {record[1]}" in err
    assert f"--resend {uncertain}" in err
    assert smtp.parsed()[1]["Message-ID"] == record[1]
    assert send(run_dir, smtp)[0] == 2 and len(smtp.messages) == 4  # still not sent again
    rc, out, err = send(run_dir, smtp, "--resend", uncertain)
    assert rc == 0, err
    assert len(smtp.messages) == 5 and smtp.messages[-1][1] == [second]
    assert smtp.parsed()[-1]["Message-ID"] == record[1]  # the same message, known as such
    assert first != second


def test_rate_limit_spaces_the_messages():
    from lettergen.mail.send import RateLimit

    now, slept = [100.0], []

    def sleep(seconds):
        slept.append(round(seconds, 6))
        now[0] += seconds

    limit = RateLimit(30, clock=lambda: now[0], sleep=sleep)
    starts = []
    for gap in (0, 0, 0.5, 3.0, 0):
        now[0] += gap
        limit.wait()
        starts.append(now[0])
    assert slept == [2.0, 1.5, 2.0]
    assert all(b - a >= 2.0 - 1e-9 for a, b in zip(starts, starts[1:]))


def test_every_message_of_a_send_waits_its_turn(run_dir, smtp):
    from lettergen.mail.journal import Journal
    from lettergen.mail.send import RateLimit, SmtpSettings, send_run

    host, port = smtp.where.split(":")
    now = [0.0]
    limit = RateLimit(2, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    report = send_run(run_dir, sender=SENDER, smtp=SmtpSettings(host, int(port)), channel="shared",
                      journal=Journal(run_dir / "deliveries.sqlite3"), limit=limit)
    assert [o.status for o in report.outcomes] == ["sent"] * 4
    assert now[0] == pytest.approx(3 * 30.0)  # 2 a minute: 30 s between four messages


def test_an_unreachable_server_is_exit_2_before_anything_is_recorded(run_dir):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    rc, _, err = cli(["send", run_dir, "--smtp", f"127.0.0.1:{port}", "--from", SENDER,
                      "--pdf-password", "shared"])
    assert rc == 2 and err.startswith(f"ข้อผิดพลาด: เชื่อมต่อเซิร์ฟเวอร์อีเมล 127.0.0.1:{port} ไม่ได้")
    assert journal(run_dir) == {}


@pytest.mark.parametrize("header", ["อีเมล", "E-mail", "ไปรษณีย์อิเล็กทรอนิกส์", "saraban", "อีเมล์"])
def test_the_email_column_is_read_under_its_headers(header, tmp_path):
    from lettergen.sheets.recipients import load_recipients
    from lettergen.spec import load_spec

    book = load_recipients(mail_sheet(tmp_path, header), load_spec(SPEC))
    assert {row.id: row.email for row in book.rows}["570101"] == address("570101")


def test_several_addresses_in_a_cell_are_kept_and_each_gets_the_letter(tmp_path, smtp):
    sheet = mail_sheet(tmp_path, value=lambda rid: f"{address(rid)}; boss-{rid}@example.go.th")
    assert cli(["render", SPEC, "--recipients", sheet, "--only", "570102", "--encrypt",
                "--out", tmp_path / "s"])[0] == 0
    assert send(tmp_path / "s", smtp)[0] == 0
    assert smtp.messages[0][1] == [address("570102"), "boss-570102@example.go.th"]


def test_a_bad_address_names_its_row_and_column(tmp_path):
    sheet = mail_sheet(tmp_path, value=lambda rid: "สารบรรณ@เชียงราย" if rid == "570102" else address(rid))
    rc, _, err = cli(["check", SPEC, "--recipients", sheet])
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert f"{sheet}, แถว 21, คอลัมน์ H \"อีเมล\": \"สารบรรณ@เชียงราย\" มีตัวอักษรที่ไม่ใช่ภาษาอังกฤษ" in err


def test_a_letter_without_logins_goes_as_its_pdf_and_docx_when_asked(tmp_path):
    from lettergen.mail.mailing import MailLetter
    from lettergen.mail.send import attachments_of

    files = {"pdf": "a.pdf", "docx": "a.docx", "delivery.pdf": "a.delivery.pdf"}
    plain = MailLetter("a", "1", "n", ("x@y.go.th",), "ที่", "เรื่อง", False, files)
    logins = MailLetter("a", "1", "n", ("x@y.go.th",), "ที่", "เรื่อง", True, files)
    assert attachments_of(plain, tmp_path, True) == [tmp_path / "a.pdf", tmp_path / "a.docx"]
    assert attachments_of(plain, tmp_path, False) == [tmp_path / "a.pdf"]
    assert attachments_of(logins, tmp_path, True) == [tmp_path / "a.delivery.pdf"]
