"""Signed letters and delivery by e-mail from the web app, over HTTP against a real
`lettergen serve`: the office's certificate uploaded once (kept 0600, never served back),
its passphrase asked at each produce and never reaching the disk, a wrong one refused at
its field with nothing made and no number taken; the mail server's settings kept with
their password never shown back; and a set delivered through a real SMTP server
in-process (aiosmtpd), each recipient's status shown, a refusal with the server's reason,
and a retry that sends only what was not sent."""

from __future__ import annotations

import csv
import json
import stat
import time
import uuid
from pathlib import Path

import pytest

from conftest import EXAMPLE
from pki import SIGNER_NAME, issue, make_ca, p12
from test_send import Inbox, address, smtp  # noqa: F401  (smtp: a fixture)
from web_server import Client, Server, wait_for

PASSPHRASE = "ลงนาม-ผ่าน 2569 น้ำ"  # Thai and digits, as a clerk's may be
SMTP_PASSWORD = "สำนักงาน-ลับ-7x9"
IDS = ("5701", "570101", "570102", "570103", "570104")  # 3 letters: a district circular, 2 direct


def mail_sheet() -> bytes:
    """Five rows of the example with their e-mail addresses and opening passwords."""
    with (EXAMPLE / "recipients.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    lines = [",".join(rows[0] + ["อีเมล", "รหัสเปิดไฟล์"])]
    lines += [",".join(row + [address(row[0]), f"open-{row[0]}-7ab"]) for row in rows[1:] if row[0] in IDS]
    return ("\n".join(lines) + "\n").encode("utf-8")


def multipart(client: Client, path: str, fields: dict, files: dict):
    boundary = uuid.uuid4().hex
    parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
             for k, v in {"csrf": client.csrf, **fields}.items()]
    parts += [f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\n"
              "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n"
              for k, (name, data) in files.items()]
    return client.request("POST", path, b"".join(parts) + f"--{boundary}--\r\n".encode(), {
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "application/json"})


def start_set(client: Client, **fields):
    """The produce page's start: the numbers asked, then agreed to, with ``fields``."""
    from urllib.parse import urlencode

    numbers = json.loads(client.get("/produce/numbers", headers={"Accept": "application/json"})[1])["numbers"]
    body = urlencode({"csrf": client.csrf, "expect": numbers, **fields}).encode()
    status, answer, _ = client.request("POST", "/produce/start", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    return status, json.loads(answer)


def files_holding(root: Path, secret: str) -> list[Path]:
    """Every file under ``root`` whose bytes hold ``secret`` (UTF-8, or UTF-16 as some
    stores write)."""
    needles = [secret.encode("utf-8"), secret.encode("utf-16-le")]
    return [p for p in root.rglob("*") if p.is_file() and any(n in p.read_bytes() for n in needles)]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pki")
    ca = make_ca("ผู้ออกใบรับรองทดสอบ")
    signer = issue(ca, SIGNER_NAME)
    return {"p12": p12(signer, ca, folder / "office.p12", PASSPHRASE).read_bytes(), "cert": signer.cert,
            "ca_pem": ca.pem(folder / "ca.pem")}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    workspace = tmp_path_factory.mktemp("eletters") / "ws"
    scratch = tmp_path_factory.mktemp("server-tmp")  # the server's and its jobs' temporary files
    server = Server(workspace, env={"TMPDIR": str(scratch)})
    server.scratch = scratch
    client = Client(server.url)
    client.get("/office")
    yield server, client, workspace
    server.stop()


@pytest.fixture(scope="module")
def uploaded(served, certificate):
    """The office's certificate uploaded, and the five-row sheet with addresses in use."""
    server, client, workspace = served
    status, body, _ = multipart(client, "/office/certificate", {"passphrase": PASSPHRASE},
                                {"file": ("สำนักงาน.p12", certificate["p12"])})
    assert status == 200, body
    status, body, _ = client.upload("/recipients/upload", "รายชื่อ-อีเมล.csv", mail_sheet())
    assert status == 200, body
    return served


@pytest.fixture(scope="module")
def made(uploaded):
    """A signed set of three letters made on the produce page: its job id and folder."""
    server, client, workspace = uploaded
    client.get("/produce")
    status, answer = start_set(client, sign="1", passphrase=PASSPHRASE)
    assert status == 200, answer
    job = wait_for(client, f"/jobs/{answer['job']}")
    assert job["state"] == "done", job
    assert job["signed"] and job["mail"] and job["letters"] == 3
    return answer["job"], workspace / "runs" / answer["job"]


def test_the_certificate_is_checked_kept_0600_and_never_served(served, certificate):
    server, client, workspace = served
    status, body, _ = client.get("/office")
    assert status == 200 and "ยังไม่มีใบรับรองของสำนักงาน" in body.decode()
    # a wrong passphrase: said at its field, nothing kept
    status, body, _ = multipart(client, "/office/certificate", {"passphrase": "ผิด-1234"},
                                {"file": ("สำนักงาน.p12", certificate["p12"])})
    answer = json.loads(body)
    assert status == 400 and answer["field"] == "passphrase"
    assert answer["error"] == "รหัสผ่านของไฟล์ใบรับรองไม่ถูกต้อง"
    assert not (workspace / "office" / "certificate.p12").exists()
    assert not list((workspace / "office").iterdir())  # not even the file being tried
    # a file that is no certificate: said at the file's field, in the clerk's words
    status, body, _ = multipart(client, "/office/certificate", {"passphrase": PASSPHRASE},
                                {"file": ("letter.pdf", b"%PDF-1.7\n")})
    assert status == 400 and json.loads(body) == {
        "error": "ไฟล์นี้ไม่ใช่ไฟล์ใบรับรองของหน่วยงาน หรือไฟล์เสีย", "field": "file",
        "errors": {"file": "ไฟล์นี้ไม่ใช่ไฟล์ใบรับรองของหน่วยงาน หรือไฟล์เสีย"}}
    status, body, _ = multipart(client, "/office/certificate", {"passphrase": PASSPHRASE},
                                {"file": ("สำนักงาน.p12", certificate["p12"])})
    assert status == 200 and json.loads(body)["go"] == "/office?m=certificate"
    kept = workspace / "office" / "certificate.p12"
    assert kept.read_bytes() == certificate["p12"]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE((workspace / "office").stat().st_mode) == 0o700
    page = client.get("/office")[1].decode()
    cert = certificate["cert"]
    assert SIGNER_NAME in page and f"{cert.serial_number:X}" in page
    assert "ผู้ออกใบรับรองทดสอบ" in page and "ประเทศ</dt><dd data-data>ไทย" in page
    until = cert.not_valid_after_utc.date()
    from lettergen.thai import thai_strftime

    assert f"ถึง {thai_strftime(until, '%-d %B %Y', thaidigit=False)}" in page  # Buddhist era
    assert "CN=" not in page and "PKCS" not in page
    # no route gives the file back
    for path in ("/office/certificate", "/office/certificate.p12", "/office/../office/certificate.p12",
                 "/static/../office/certificate.p12"):
        status, body, _ = client.get(path)
        assert status in (404, 405) and certificate["p12"][:64] not in body
    assert files_holding(workspace, PASSPHRASE) == []


def test_a_wrong_passphrase_at_produce_makes_nothing_and_takes_no_number(uploaded):
    server, client, workspace = uploaded
    client.get("/produce")
    before = sorted(p.name for p in (workspace / "runs").iterdir())
    status, answer = start_set(client, sign="1", passphrase="ไม่ใช่รหัสนี้")
    assert status == 400 and answer["field"] == "passphrase"
    assert answer["error"].startswith("รหัสผ่านของไฟล์ใบรับรองไม่ถูกต้อง")
    assert "ไม่ได้ใช้เลขใด" in answer["error"]
    status, answer = start_set(client, sign="1", passphrase="")
    assert status == 400 and answer == {"error": "ใส่รหัสผ่านของใบรับรอง เพื่อลงลายมือชื่ออิเล็กทรอนิกส์",
                                        "field": "passphrase"}
    # a plain form (no script): the page again, the message at the passphrase's field
    numbers = json.loads(client.get("/produce/numbers", headers={"Accept": "application/json"})[1])["numbers"]
    status, _, head = client.post_form("/produce/start", {"expect": numbers, "sign": "1", "passphrase": "ผิดอีก"})
    assert status == 303 and head["location"] == "/produce?se=refused"
    page = client.get(head["location"])[1].decode()
    assert '<p class="field-error" role="alert" id="sign-error">เปิดใบรับรองไม่ได้: รหัสผ่านของใบรับรองไม่ถูกต้อง' in page
    assert sorted(p.name for p in (workspace / "runs").iterdir()) == before
    page = client.get("/produce")[1].decode()
    assert "ทะเบียนหนังสือส่งของสำนักงาน (แบบที่ ๑๔)" not in page  # no year
    assert "พร้อมสำเนา PDF ที่เข้ารหัสไว้สำหรับส่งทางอีเมล" in page  # the sheet has opening passwords
    import sqlite3

    with sqlite3.connect(workspace / "register.sqlite3") as db:  # made when the server started
        for table in ("runs", "numbers", "entries"):
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_a_signed_set_verifies_and_its_passphrase_never_reaches_the_disk(made, served, certificate):
    from lettergen.signing import verify_paths

    job_id, folder = made
    server, client, workspace = served
    verdicts = verify_paths([folder / "out"], [certificate["ca_pem"]])
    assert len(verdicts) == 3 and all(v.ok and v.signer == SIGNER_NAME for v in verdicts), verdicts
    assert sorted(p.name.split(".", 1)[1] for p in (folder / "out").glob("*.pdf")
                  if p.name != "print.pdf").count("delivery.pdf") == 3  # the encrypted copies
    job = json.loads((folder / "job.json").read_text(encoding="utf-8"))
    assert job["options"]["sign"] is True and PASSPHRASE not in json.dumps(job, ensure_ascii=False)
    assert files_holding(workspace, PASSPHRASE) == [] and files_holding(server.scratch, PASSPHRASE) == []
    assert any(server.scratch.rglob("*"))  # where the sessions' scratch folders are, searched too
    assert PASSPHRASE not in server.text()
    # the register records who signed each letter
    import sqlite3

    with sqlite3.connect(workspace / "register.sqlite3") as db:
        signed = db.execute("SELECT subject, serial FROM signatures").fetchall()
    assert len(signed) == 3 and {serial for _, serial in signed} == {f"{certificate['cert'].serial_number:X}"}
    assert all(f"CN={SIGNER_NAME}" in subject for subject, _ in signed)


def test_the_mail_servers_password_is_kept_0600_and_never_shown(made, served):
    job_id, folder = made
    server, client, workspace = served
    client.get("/office")
    status, body, _ = client.post_form("/office/mail", {
        "host": "mail server", "port": "70000", "sender": "สารบรรณ@ชร", "per_minute": "0",
        "password": SMTP_PASSWORD})
    page = body.decode()
    assert status == 400 and not (workspace / "office" / "smtp.json").exists()
    assert "ช่องทาง (พอร์ต) ต้องเป็นตัวเลข 1 ถึง 65535" in page and "จำนวนฉบับต่อนาทีต้องเป็นตัวเลข 1 ถึง 600" in page
    assert "ที่อยู่อีเมลต้องเขียนด้วยตัวอักษร" in page and "ใส่ชื่อเครื่องของเซิร์ฟเวอร์อีเมล" in page
    assert SMTP_PASSWORD not in page
    fields = {"host": "mail.chiangrai.go.th", "port": "587", "starttls": "1", "user": "saraban",
              "sender": "saraban@chiangrai.go.th", "per_minute": "30"}
    status, _, head = client.post_form("/office/mail", {**fields, "password": SMTP_PASSWORD})
    assert status == 303 and head["location"] == "/office?m=mail"
    kept = workspace / "office" / "smtp-password"
    assert kept.read_text(encoding="utf-8") == SMTP_PASSWORD and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert SMTP_PASSWORD not in (workspace / "office" / "smtp.json").read_text(encoding="utf-8")
    # an empty password field keeps the one saved
    client.post_form("/office/mail", {**fields, "password": ""})
    assert kept.read_text(encoding="utf-8") == SMTP_PASSWORD
    for path in ("/office", "/produce", f"/send/{job_id}", f"/send/{job_id}/status", f"/jobs/{job_id}",
                 "/letter", "/preview", "/recipients", "/followup"):
        status, body, _ = client.get(path)
        assert status == 200 and SMTP_PASSWORD.encode() not in body, path
    page = client.get("/office")[1].decode()
    assert "มีรหัสผ่านบันทึกไว้แล้ว (ไม่แสดง)" in page and 'name="password" type="password" autocomplete="new-password" value=""' in page
    assert files_holding(workspace, SMTP_PASSWORD) == [kept]


def test_a_set_goes_by_mail_with_each_recipients_status_and_a_retry(made, served, smtp):  # noqa: F811
    import email
    import email.policy

    job_id, folder = made
    server, client, workspace = served
    host, port = smtp.where.split(":")
    client.get("/office")
    status, _, _ = client.post_form("/office/mail", {"host": host, "port": port, "sender": "saraban@chiangrai.go.th",
                                                     "per_minute": "600", "forget_password": "1"})
    assert status == 303
    smtp.refuse = {address("570101")}
    page = client.get(f"/send/{job_id}")[1].decode()
    assert page.count("<td data-status-text>รอส่ง</td>") == 3 and "ส่งทางอีเมล 3 ฉบับ" in page
    assert "รหัสเปิดไฟล์ไปถึงผู้รับทางใด" in page
    # logins travel only encrypted, the opening password apart: the clerk says how it goes
    status, body, _ = client.post_form(f"/send/{job_id}/start", {})
    assert status == 400 and "เลือกว่ารหัสเปิดไฟล์ไปถึงผู้รับทางใด" in body.decode() and not smtp.messages
    status, _, head = client.post_form(f"/send/{job_id}/start", {"channel": "shared"})
    assert status == 303 and head["location"] == f"/send/{job_id}?m=started"
    done = wait_for(client, f"/send/{job_id}/status")
    by_id = {row["id"]: row for row in done["rows"]}
    assert done["state"] == "done" and {k: r["status"] for k, r in by_id.items()} == {
        "5701": "sent", "570101": "refused", "570102": "sent"}
    assert by_id["570101"]["detail"] == f"{address('570101')} (550 5.1.1 No such mailbox)"
    assert by_id["570101"]["status_text"] == "เซิร์ฟเวอร์ไม่รับ"
    assert len(smtp.messages) == 2
    mailing = json.loads((folder / "out" / "mail.json").read_text(encoding="utf-8"))
    own = {item["recipient_id"]: item["files"]["delivery.pdf"] for item in mailing["letters"]}
    for (_, rcpt_tos, raw) in smtp.messages:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        (rid,) = [r for r in own if rcpt_tos == [address(r)]]
        assert [p.get_filename() for p in message.iter_attachments()] == [own[rid]]
        assert b"open-" not in raw
    page = client.get(f"/send/{job_id}")[1].decode()
    assert "550 5.1.1 No such mailbox" in page and "ส่งฉบับที่ยังไม่ได้ส่งอีกครั้ง (1 ฉบับ)" in page
    assert "ส่งครั้งนี้ 2 ฉบับ ยังส่งไม่ได้ 1 ฉบับ" in page
    # the retry sends only what was not sent
    smtp.refuse = set()
    status, _, _ = client.post_form(f"/send/{job_id}/start", {"channel": "shared"})
    assert status == 303
    done = wait_for(client, f"/send/{job_id}/status")
    assert {row["status"] for row in done["rows"]} == {"sent"}
    assert len(smtp.messages) == 3 and smtp.messages[2][1] == [address("570101")]
    page = client.get(f"/send/{job_id}")[1].decode()
    assert page.count("<td data-status-text>ส่งแล้ว</td>") == 3
    status, listed, head = client.get(f"/send/{job_id}/deliveries.csv")  # the record, for Excel
    lines = listed.decode("utf-8-sig").splitlines()
    assert status == 200 and "attachment" in head["content-disposition"] and len(lines) == 4
    assert all(",ส่งแล้ว," in line and address(line.split(",")[0]) in line for line in lines[1:])
    # a third send finds nothing to send
    status, _, _ = client.post_form(f"/send/{job_id}/start", {"channel": "shared"})
    wait_for(client, f"/send/{job_id}/status")
    assert len(smtp.messages) == 3


def test_no_send_page_for_a_set_that_is_not_there(served):
    server, client, workspace = served
    for path in ("/send/20990101-000000-abcdef", "/send/..", "/send/20990101-000000-abcdef/status",
                 "/send/20990101-000000-abcdef/deliveries.csv"):
        assert client.get(path)[0] == 404, path


def test_a_send_killed_mid_message_sends_nobody_twice_and_asks_before_sending_again(made, served, smtp):  # noqa: F811
    """The send's process is killed (kill -9) right after the mail server took a message and
    before it heard back: the page says the send stopped; the next send does not send that
    letter again but names it as uncertain, and sends it again only when the clerk ticks it,
    with the same Message-ID."""
    import os
    import signal
    import sqlite3

    job_id, folder = made
    server, client, workspace = served
    with sqlite3.connect(workspace / "register.sqlite3") as db:
        db.execute("DELETE FROM deliveries")  # this set afresh, as if never sent
    host, port = smtp.where.split(":")
    client.get("/office")
    client.post_form("/office/mail", {"host": host, "port": port, "sender": "saraban@chiangrai.go.th",
                                      "per_minute": "600"})

    async def take_then_kill(server_, session, envelope):  # the second message taken, no answer heard
        smtp.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        if len(smtp.messages) == 2:
            os.kill(json.loads((folder / "send.json").read_text(encoding="utf-8"))["pid"], signal.SIGKILL)
        return "250 2.0.0 Accepted"

    smtp.handle_DATA = take_then_kill
    try:
        status, _, _ = client.post_form(f"/send/{job_id}/start", {"channel": "printed"})
        assert status == 303
        stopped = wait_for(client, f"/send/{job_id}/status")
    finally:
        del smtp.handle_DATA
    assert stopped["state"] == "stopped" and len(smtp.messages) == 2
    page = client.get(f"/send/{job_id}")[1].decode()
    assert "การส่งหยุดกลางคัน" in page and page.count("<td data-status-text>ส่งแล้ว</td>") == 1
    assert page.count("<td data-status-text>ไม่ทราบผล (อาจส่งถึงแล้ว)</td>") == 1  # its answer never heard
    second = {tuple(rcpt): raw for _, rcpt, raw in smtp.messages}
    # the next send: the letter whose answer was never heard is not sent again
    client.post_form(f"/send/{job_id}/start", {"channel": "printed"})
    done = wait_for(client, f"/send/{job_id}/status")
    by_status = {}
    for row in done["rows"]:
        by_status.setdefault(row["status"], []).append(row["id"])
    assert sorted(map(len, by_status.values())) == [1, 2] and len(by_status["uncertain"]) == 1
    (uncertain,) = by_status["uncertain"]
    assert len(smtp.messages) == 3 and [address(uncertain)] in [m[1] for m in smtp.messages[:2]]
    page = client.get(f"/send/{job_id}")[1].decode()
    assert "ฉบับที่ไม่ทราบผล (อาจส่งถึงแล้ว)" in page and f'id="resend-{uncertain}"' in page
    assert "ส่งครบทุกฉบับ" not in page
    # sent again only when ticked, with the Message-ID it went with the first time
    client.post_form(f"/send/{job_id}/start", {"channel": "printed", "resend": uncertain})
    done = wait_for(client, f"/send/{job_id}/status")
    assert {row["status"] for row in done["rows"]} == {"sent"} and len(smtp.messages) == 4
    first_id = email_id(second[(address(uncertain),)])
    assert smtp.messages[3][1] == [address(uncertain)] and email_id(smtp.messages[3][2]) == first_id


def email_id(raw: bytes) -> str:
    import email

    return email.message_from_bytes(raw)["Message-ID"]


def test_a_server_stopped_mid_send_stops_between_messages_and_the_next_goes_on(tmp_path, smtp):  # noqa: F811
    """The server stops (SIGTERM) while a send waits out its rate: the send ends at once,
    between two messages (none uncertain); the next server's page says it stopped, and a
    send from there sends the rest."""
    workspace = tmp_path / "ws"
    server = Server(workspace)
    try:
        client = Client(server.url)
        client.get("/recipients")
        assert client.upload("/recipients/upload", "รายชื่อ-อีเมล.csv", mail_sheet())[0] == 200
        # a sheet of opening passwords: the page says the set has its encrypted copies too
        assert "พร้อมสำเนา PDF ที่เข้ารหัสไว้สำหรับส่งทางอีเมล" in client.get("/produce")[1].decode()
        status, answer = start_set(client)
        assert status == 200 and wait_for(client, f"/jobs/{answer['job']}")["state"] == "done"
        job_id = answer["job"]
        host, port = smtp.where.split(":")
        client.get("/office")
        assert client.post_form("/office/mail", {"host": host, "port": port, "sender": "saraban@chiangrai.go.th",
                                                 "per_minute": "1"})[0] == 303  # the second a minute after the first
        client.get(f"/send/{job_id}")
        assert client.post_form(f"/send/{job_id}/start", {"channel": "shared"})[0] == 303
        deadline = time.monotonic() + 60
        while not smtp.messages and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.stop()
    assert len(smtp.messages) == 1
    send = json.loads((workspace / "runs" / job_id / "send.json").read_text(encoding="utf-8"))
    assert send["state"] == "stopped"  # said by the send itself: it stopped, it was not killed
    server = Server(workspace)
    try:
        client = Client(server.url)
        page = client.get(f"/send/{job_id}")[1].decode()
        assert "การส่งหยุดกลางคัน" in page and "ไม่ทราบผล" not in page
        assert page.count("<td data-status-text>ส่งแล้ว</td>") == 1 and page.count("<td data-status-text>รอส่ง</td>") == 2
        client.get("/office")
        assert client.post_form("/office/mail", {"host": host, "port": port, "sender": "saraban@chiangrai.go.th",
                                                 "per_minute": "600"})[0] == 303
        client.get(f"/send/{job_id}")
        assert client.post_form(f"/send/{job_id}/start", {"channel": "shared"})[0] == 303
        done = wait_for(client, f"/send/{job_id}/status")
        assert {row["status"] for row in done["rows"]} == {"sent"} and len(smtp.messages) == 3
        assert len({tuple(rcpt) for _, rcpt, _ in smtp.messages}) == 3
    finally:
        server.stop()


def test_a_set_without_addresses_says_what_to_do_in_the_clerks_words(tmp_path):
    """The send page's plan of a set made from a sheet without an e-mail column (no
    mail.json) and the engine's mail and certificate messages, as a clerk reads them: no
    option of the command line, no file of lettergen's own, no English."""
    import re

    from lettergen.web import sending
    from lettergen.web.wording import clerk_message

    (tmp_path / "out").mkdir()
    plan = sending.plan(tmp_path)
    assert plan == {"error": "ชุดหนังสือนี้ไม่มีที่อยู่อีเมลของผู้รับ: เพิ่มคอลัมน์ \"อีเมล\" ในไฟล์รายชื่อผู้รับ "
                             "แล้วสร้างหนังสือชุดนี้ใหม่", "letters": 0}
    engine_says = [
        "เชื่อมต่อเซิร์ฟเวอร์อีเมล mail.chiangrai.go.th:587 ไม่ได้ (ConnectionRefusedError: [Errno 111] "
        "Connection refused); ตรวจ --smtp และเครือข่าย",
        "เซิร์ฟเวอร์อีเมล mail.chiangrai.go.th:587 ไม่รับชื่อผู้ใช้หรือรหัสผ่าน (--user, --password-file)",
        "ไฟล์นี้ไม่ใช่ไฟล์ใบรับรองแบบ PKCS#12 (.p12 หรือ .pfx) หรือไฟล์เสีย",
        "ไฟล์ใบรับรองไม่มีกุญแจส่วนตัว (private key) จึงใช้ลงนามไม่ได้; ส่งออกใบรับรองพร้อมกุญแจส่วนตัวอีกครั้ง",
        "ใบรับรองของ นายเข้ารหัส ไม่ได้ออกมาเพื่อลงนาม (Key Usage ไม่มี digitalSignature หรือ nonRepudiation)",
        "อ่าน mail.json ไม่ได้ (ไฟล์เสีย หรือสร้างด้วย lettergen รุ่นอื่น): สร้างหนังสือชุดนี้ใหม่",
    ]
    for message in engine_says:
        said = re.sub(r"[\w.-]+\.go\.th(:\d+)?", "", clerk_message(message))
        assert not re.findall(r"[A-Za-z]{2,}", said.replace("lettergen", "")), said
