"""The web app without a browser: the letter form's TOML round trip, and the server as a
clerk starts it (``lettergen serve``): the host and password rules, the login, CSRF, the
upload limit, one session's uploads hidden from another, the workspace's permissions,
secrets kept out of the server's output, and a clean stop on SIGTERM."""

from __future__ import annotations

import dataclasses
import html
import datetime as dt
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import EXAMPLE, page_layout, same_layout
from web_server import Client, Server, bad_sheet, free_port, raw_post, wait_for

from lettergen.spec import load_spec
from lettergen.web import specform


def comparable(spec):
    return dataclasses.replace(spec, path=None, recipients=dataclasses.replace(spec.recipients, file=None))


# --- the letter form and its TOML ----------------------------------------------------------------


def test_toml_round_trip_of_the_example(tmp_path):
    """load, save, load: the spec the CLI reads from the saved TOML is the same spec."""
    first = load_spec(EXAMPLE / "letter.toml")
    (tmp_path / "letter.toml").write_text(specform.toml_text(first.raw), encoding="utf-8")
    second = load_spec(tmp_path / "letter.toml")
    assert comparable(second) == comparable(first)
    (tmp_path / "again.toml").write_text(specform.toml_text(second.raw), encoding="utf-8")
    assert (tmp_path / "again.toml").read_text() == (tmp_path / "letter.toml").read_text()


def test_the_form_as_shown_gives_back_the_same_spec(tmp_path):
    """Every field the letter page shows, sent back unchanged, is the same spec (steps with
    their QR lines, links, both variants, the sender)."""
    spec = load_spec(EXAMPLE / "letter.toml")
    v = specform.form_values(spec.raw)
    form = {"letter.kind": v["kind"], "letter.urgency": v["urgency"], "letter.date": v["date"],
            "letter.subject": v["subject"], "letter.agency_code": v["agency_code"],
            "letter.salutation": v["salutation"], "letter.closing": v["closing"],
            "deadline.date": v["deadline"], "body.paragraphs": v["paragraphs"],
            "links": [list(pair) for pair in v["links"]], "steps.title": v["steps_title"],
            "steps.step": v["steps"]}
    form.update({f"sender.{k}": value for k, value in v["sender"].items()})
    for name, x in v["variants"].items():
        form.update({f"variants.{name}.addressee": x["addressee"], f"variants.{name}.number": str(x["number"]),
                     f"variants.{name}.circular": x["circular"], f"variants.{name}.cites.number": x["cites_number"],
                     f"variants.{name}.cites.date": x["cites_date"], f"variants.{name}.text": x["text"]})
    raw = specform.apply_form(spec.raw, form)
    specform.write_spec(raw, tmp_path)
    assert comparable(load_spec(tmp_path / "letter.toml")) == comparable(spec)


def test_a_buddhist_era_date_typed_in_the_form_is_read_as_the_cli_reads_it(tmp_path):
    spec = load_spec(EXAMPLE / "letter.toml")
    raw = specform.apply_form(spec.raw, {"letter.date": "27 กรกฎาคม 2561", "deadline.date": "10 ส.ค. 2561"})
    specform.write_spec(raw, tmp_path)
    again = load_spec(tmp_path / "letter.toml")
    assert again.date == dt.date(2018, 7, 27)
    assert again.deadline == dt.date(2018, 8, 10)


def test_qr_lines_of_a_step_become_qr_blocks():
    assert specform.channel_value("ให้ Scan QR Code\nQR: android | ระบบ Android\nqr:ios") == [
        "ให้ Scan QR Code", {"qr": "android", "caption": "ระบบ Android"}, {"qr": "ios"}]


# --- the server ----------------------------------------------------------------------------------


@pytest.fixture
def server(tmp_path):
    """A server of the test's own: for a test that stops it, makes a set or reads the
    whole workspace."""
    srv = Server(tmp_path / "workspace")
    yield srv
    srv.stop()



def test_other_hosts_need_a_password(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "LETTERGEN_PASSWORD"}
    result = subprocess.run(
        [sys.executable, "-m", "lettergen", "serve", "--host", "0.0.0.0", "--port", str(free_port()),
         "--workspace", str(tmp_path / "ws")],
        capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert "ต้องตั้งรหัสผ่าน" in result.stderr and "LETTERGEN_PASSWORD" in result.stderr
    assert not (tmp_path / "ws").exists()


def test_password_gate_and_login(tmp_path):
    password = "รหัส-ลับ-7391"
    (tmp_path / "pw").write_text(password + "\n", encoding="utf-8")
    srv = Server(tmp_path / "ws", host="0.0.0.0", extra=["--password-file", str(tmp_path / "pw")])
    try:
        clerk = Client(srv.url)
        status, body, _ = clerk.get("/letter")
        assert status == 200 and "รหัสผ่าน".encode() in body and b'action="/login"' in body
        status, _, _ = clerk.get("/preview/api", headers={"Accept": "application/json"})
        assert status == 401
        status, body, _ = clerk.post_form("/login", {"password": "ผิด"})
        assert status == 200 and "รหัสผ่านไม่ถูกต้อง".encode() in body and b"id=\"letter-form\"" not in body
        clerk.get("/login")
        status, _, head = clerk.post_form("/login", {"password": password})
        assert status == 303 and head["location"] == "/letter"
        cookie = head["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        status, body, _ = clerk.get("/letter")
        assert status == 200 and b'id="letter-form"' in body
    finally:
        srv.stop()
    assert password not in srv.text()


def test_without_a_password_only_this_machines_names_are_answered(shared_server):
    """A DNS name pointed at 127.0.0.1 by another site gets nothing (DNS rebinding)."""
    clerk = Client(shared_server.url)
    assert clerk.get("/letter")[0] == 200
    assert clerk.get("/letter", headers={"Host": f"evil.example:{shared_server.port}"})[0] == 400


def test_state_changing_requests_need_the_csrf_token(shared_server):
    clerk = Client(shared_server.url)
    clerk.get("/letter")
    status, body, _ = clerk.post_json("/letter/update", {"letter.urgency": "ด่วน"}, token="forged")
    assert status == 403
    assert "CSRF" in json.loads(body)["error"]
    status, body, _ = clerk.upload("/recipients/upload", "r.csv", b"id,name\n", token="")
    assert status == 403
    status, body, _ = clerk.post_json("/letter/update", {"letter.urgency": "ด่วน"})
    assert status == 200 and json.loads(body)["ok"] is True


def test_validation_errors_name_the_field_as_the_cli_does(shared_server):
    clerk = Client(shared_server.url)
    clerk.get("/letter")
    status, body, _ = clerk.post_json("/letter/update", {"letter.urgency": "ด่วนจี๋"})
    error = json.loads(body)["error"]
    assert error["key"] == "letter.urgency"
    assert "ชั้นความเร็วต้องเป็น ด่วนที่สุด, ด่วนมาก, ด่วน" in error["text"]
    status, body, _ = clerk.post_json("/letter/update", {"letter.urgency": "ด่วน", "variants.district.number": "สิบ"})
    error = json.loads(body)["error"]
    assert error["key"] == "variants.district.number" and "จำนวนเต็ม" in error["text"]
    # a template naming an unknown value is found as `check` finds it: by composing the letters
    status, body, _ = clerk.post_json("/letter/update", {
        "variants.district.number": "18858",
        "body.paragraphs": ["ตามที่ {{ recipient.nmae }} ได้แจ้งไว้ นั้น"]})
    error = json.loads(body)["error"]
    assert error["key"] == "body.paragraphs[0]" and "nmae" in error["text"], error


def test_too_large_upload_is_refused_in_thai(shared_server):
    clerk = Client(shared_server.url)
    clerk.get("/recipients")
    cookie = "; ".join(f"{c.name}={c.value}" for c in clerk.jar)
    body = b"x" * (21 * 1024 * 1024)
    status, answer = raw_post(shared_server.url, "/recipients/upload", {
        "Cookie": cookie, "X-CSRF-Token": clerk.csrf, "Accept": "application/json",
        "Content-Type": "multipart/form-data; boundary=b"}, body)
    assert status == 413
    assert json.loads(answer)["error"] == "ไฟล์ใหญ่เกินไป: อัปโหลดได้ไม่เกิน 20 MB ต่อครั้ง"


def test_upload_type_is_checked(shared_server):
    clerk = Client(shared_server.url)
    clerk.get("/recipients")
    status, body, _ = clerk.upload("/recipients/upload", "รายชื่อ.pdf", b"%PDF-1.7")
    assert status == 400 and "ไม่ใช่ชนิดที่รับ" in json.loads(body)["error"]
    status, body, _ = clerk.upload("/recipients/upload", "รายชื่อ.xlsx", b"id,name\n")
    assert status == 400 and "ไม่ใช่ไฟล์ Excel" in json.loads(body)["error"]


def test_a_bad_sheet_shows_the_cli_message_at_its_cell(shared_server):
    clerk = Client(shared_server.url)
    clerk.get("/recipients")
    status, _, _ = clerk.upload("/recipients/upload", "รายชื่อ.csv", bad_sheet(EXAMPLE))
    assert status == 200
    status, body, _ = clerk.get("/recipients")
    page = html.unescape(body.decode())
    assert 'แถว 31, คอลัมน์ C "kind": ไม่รู้จักประเภทหน่วยงาน "อบตต."' in page
    cell = re.search(r'<td class="bad" id="problem-0"[^>]*>(.*?)</td>', body.decode(), re.S)
    assert cell and cell.group(1).startswith("อบตต.")


def test_one_sessions_upload_is_not_visible_to_another(shared_server):
    first, second = Client(shared_server.url), Client(shared_server.url)
    first.get("/recipients")
    second.get("/recipients")
    first.upload("/recipients/upload", "ของคนแรก.csv", bad_sheet(EXAMPLE))
    assert "ของคนแรก.csv".encode() in first.get("/recipients")[1]
    assert "ของคนแรก.csv".encode() not in second.get("/recipients")[1]
    first_preview = json.loads(first.get("/preview/api?rid=5701", headers={"Accept": "application/json"})[1])
    assert "error" in first_preview  # the bad sheet
    first.upload("/recipients/upload", "ดี.csv", (EXAMPLE / "recipients.csv").read_bytes())
    version = json.loads(first.get("/preview/api", headers={"Accept": "application/json"})[1])["version"]
    assert first.get(f"/preview/{version}/1.png")[0] == 200
    assert second.get(f"/preview/{version}/1.png")[0] == 404
    assert second.get(f"/preview/{version}/letter.pdf")[0] == 404


def test_workspace_is_private_and_secrets_stay_out_of_the_output(server):
    clerk = Client(server.url)
    clerk.get("/recipients")
    clerk.upload("/recipients/upload", "รายชื่อ.csv", (EXAMPLE / "recipients.csv").read_bytes())
    assert clerk.post_form("/recipients/save", {"name": "เชียงราย"})[0] == 303
    assert clerk.post_form("/letter/save", {"name": "หนังสือเวียน"})[0] == 303
    clerk.get("/preview/api", headers={"Accept": "application/json"})
    root = server.workspace
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    paths = list(root.rglob("*"))
    assert any(p.name == "เชียงราย.csv" for p in paths) and any(p.name == "หนังสือเวียน.toml" for p in paths)
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path
    server.stop()
    passwords = [line.split(",")[5] for line in (EXAMPLE / "recipients.csv").read_text().splitlines()[1:]]
    output = server.text()
    assert not [p for p in passwords if p and p in output]


def test_sigterm_cancels_a_running_job_and_leaves_no_half_set(server):
    clerk = Client(server.url)
    clerk.get("/produce")
    status, body = clerk.start_set()
    job = json.loads(body)["job"]
    while True:  # wait until letters are being made
        info = json.loads(clerk.get(f"/jobs/{job}", headers={"Accept": "application/json"})[1])
        if info["state"] != "running" or info["phase"] == "render":
            break
        time.sleep(0.1)
    server.process.send_signal(signal.SIGTERM)
    # uvicorn stops, then ends by the signal it caught, as a process stopped by it does
    assert server.process.wait(30) in (0, -signal.SIGTERM)
    folder = server.workspace / "runs" / job
    record = json.loads((folder / "job.json").read_text())
    print("job state after SIGTERM:", record["state"])
    if record["state"] == "cancelled":
        assert not (folder / "out").exists()
    else:  # it finished first: then the whole set is there
        assert record["state"] == "done"
        assert (folder / "out" / "letters.zip").is_file() and not (folder / "out" / ".incomplete").exists()


def test_batch_reports_progress_to_a_callback(tmp_path):
    """The web app's progress bar reads what batch.run reports: counts that rise to the total."""
    from lettergen.batch import RunOptions, run
    from lettergen.sheets.recipients import load_recipients

    spec = load_spec(EXAMPLE / "letter.toml")
    book = load_recipients(EXAMPLE / "recipients.csv", spec)
    calls = []
    result = run(spec, book, tmp_path / "out", RunOptions(formats=("docx",), only=["5701", "5702", "570101"],
                                                         jobs=1, progress=False),
                 on_progress=lambda done, total: calls.append((done, total)))
    assert result.letters == 3
    assert calls[-1] == (3, 3)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_preview_made_of_rows_laid_out_before_has_the_pages_of_the_letter_alone():
    """The preview takes the rows laid out for earlier previews from its row library and
    lays out only the others (after an edit, the edited rows; for another recipient, the
    rows that differ): each letter's pages must show what the letter rendered alone by the
    batch writer shows, where it shows it."""
    from lettergen.compose import compose_all
    from lettergen.pdf.actualtext import strip
    from lettergen.pdf.placement import RowLibrary
    from lettergen.sheets.recipients import load_recipients
    from lettergen.rendering import render_letters
    from lettergen.spec import with_overrides

    spec = load_spec(EXAMPLE / "letter.toml")
    book = load_recipients(EXAMPLE / "recipients.csv", spec)
    before = compose_all(spec, book, ["5701"])[0]
    edited_spec = with_overrides(spec, {"letter.urgency": "ด่วน", "letter.date": dt.date(2018, 7, 30)}, origin="test")
    edited, lao = compose_all(edited_spec, book, ["5701", "570101"])

    library = RowLibrary(keep=2)
    for letter in (before, edited, lao, before):
        drawn = render_letters([letter], ("pdf",), rows=library)[0]
        alone = render_letters([letter], ("pdf",))[0]
        assert drawn.pages == alone.pages
        # every glyph at the same place, within 0.01 pt (pdfium places the characters of an
        # /ActualText span in the coordinates of the row's form, so the glyphs are compared)
        same_layout(strip(drawn.files["pdf"]), strip(alone.files["pdf"]))
    assert len(library) >= 2  # the edit and the other recipient added rows of their own
    assert page_layout(render_letters([edited], ("pdf",), rows=library)[0].files["pdf"])[0] != \
        page_layout(render_letters([before], ("pdf",), rows=library)[0].files["pdf"])[0]  # the edit shows


def test_a_port_in_use_is_said_in_thai(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "lettergen", "serve", "--port", str(port), "--workspace", str(tmp_path / "ws")],
            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"เปิดพอร์ต {port}" in result.stderr and "--port อื่น" in result.stderr


def test_the_web_app_and_the_cli_never_hand_out_one_number_twice(server, tmp_path):
    """A set made in the web app while `lettergen render --workspace` makes another into the
    same workspace: every register number of the year is used once. When the command line
    took the numbers the clerk agreed to first, the web's set takes none and says so, and
    the clerk's second try takes the next ones."""
    from lettergen.registers.record import OfficeRegister

    def made() -> dict:
        return wait_for(clerk, f"/jobs/{json.loads(clerk.start_set()[1])['job']}", seconds=600)

    clerk = Client(server.url)
    clerk.get("/produce")
    cli = subprocess.Popen(
        [sys.executable, "-m", "lettergen", "render", str(EXAMPLE / "letter.toml"), "--workspace",
         str(server.workspace), "--out", str(tmp_path / "cli"), "--format", "docx", "--jobs", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    info = made()
    _, errors = cli.communicate(timeout=600)
    assert cli.returncode == 0, errors
    if info["state"] == "failed":
        assert "เลขที่หนังสือในทะเบียนเปลี่ยนไปแล้ว" in info["error"], info
        info = made()
    assert info["state"] == "done", info
    entries = OfficeRegister(server.workspace / "register.sqlite3").entries()
    assert len(entries) == 40  # 20 letters from each
    runs = sorted({e.run_id for e in entries})
    assert len(runs) == 2
    for series in {e.series for e in entries}:  # a circular's copies share its ว number
        web, cli_numbers = ({e.register_number for e in entries if e.series == series and e.run_id == run}
                            for run in runs)
        assert web and cli_numbers and not web & cli_numbers, series


def test_a_jobs_time_is_shown_in_the_buddhist_era():
    from lettergen.web.views.base import when as _when

    thai = dt.timezone(dt.timedelta(hours=7))  # in Thai time, whatever the server's zone
    assert _when(dt.datetime(2026, 12, 1, 9, 30, tzinfo=thai).timestamp()) == "1 ธ.ค. 2569 09:30 น."
    assert _when(dt.datetime(2027, 1, 15, 2, 5, tzinfo=dt.timezone.utc).timestamp()) == "15 ม.ค. 2570 09:05 น."
    assert _when(None) == ""


def test_the_follow_up_page_reads_its_date_as_the_letters_are_read_and_says_when_it_cannot(shared_server):
    """The "as of" date is typed as the letter's dates are (Buddhist era), shown back in Thai,
    and a date that cannot be read is said at the field, never replaced by today."""
    from urllib.parse import quote

    clerk = Client(shared_server.url)
    clerk.get("/letter")
    status, _, _ = clerk.upload("/followup/upload", "tracking.xlsx", (EXAMPLE / "tracking.xlsx").read_bytes())
    assert status in (200, 303)
    status, body, _ = clerk.get("/followup?date=" + quote("3 ส.ค. 2561"))
    page = body.decode()
    assert 'value="3 สิงหาคม 2561"' in page
    assert "ลงวันที่ 3 สิงหาคม 2561" in page and "ถึงกำหนด 10 สิงหาคม 2561" in page
    status, body, _ = clerk.get("/followup?date=32018-12-01")
    page = body.decode()
    assert status == 200 and 'id="as-of-error"' in page and "ข้อมูล ณ วันที่" in page
    assert 'id="urgency-rule"' not in page  # no figures for a day that is not a date


def test_producing_says_the_numbers_it_will_take_and_a_second_click_is_the_same_job(server):
    """Each set takes new numbers from the office's register, so the page says which before
    the click, and a second click (or the form sent twice) while the set is being made gives
    back the job already running instead of a second set with numbers of its own."""
    clerk = Client(server.url)
    clerk.get("/letter")
    page = clerk.get("/produce")[1].decode()
    assert 'id="numbers-now"' in page and "ถ้าสร้างตอนนี้ จะได้เลขที่" in page
    text = " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert re.search(r"ชร ๐๐๒๓\.๑/ว [๐-๙]+, ชร ๐๐๒๓\.๑/[๐-๙]+–[๐-๙]+ \(ทะเบียนหนังสือส่งปี พ\.ศ\. ๒๕๖๑\)", text), text
    assert "ถ้าสร้างตอนนี้จะได้ ชร ๐๐๒๓.๑/ว" in clerk.get("/preview")[1].decode()
    headers = {"Accept": "application/json", "X-CSRF-Token": clerk.csrf}
    first = json.loads(clerk.start_set()[1])["job"]
    second = json.loads(clerk.start_set()[1])["job"]
    assert second == first
    clerk.request("POST", f"/jobs/{first}/cancel", b"", headers)


def test_the_recipients_page_marks_every_bad_row_and_hides_passwords_under_any_header(shared_server):
    """A sheet with three bad rows: the first is the message, as the CLI says it, and every
    one is marked at its cell. A password column under a header the engine knows as one
    ("pwd") is shown as dots below its header, the header itself as written."""
    lines = (EXAMPLE / "recipients.csv").read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("password", "pwd")
    for number, column, value in ((23, 1, ""), (29, 2, "อบตต."), (40, 1, "")):
        cells = lines[number - 1].split(",")
        cells[column] = value
        lines[number - 1] = ",".join(cells)
    secret = lines[30].split(",")[5]
    clerk = Client(shared_server.url)
    clerk.get("/letter")
    clerk.upload("/recipients/upload", "รายชื่อ.csv", ("\n".join(lines) + "\n").encode())
    page = clerk.get("/recipients")[1].decode()
    assert "พบปัญหา 3 แถว" in page and "ปัญหาที่ 1 จาก 3" in page
    assert all(f'data-text="รายชื่อ.csv, แถว {row}, คอลัมน์' in page for row in (23, 29, 40))
    assert page.count('class="bad"') == 3
    assert "ไม่รู้จักประเภทหน่วยงาน" in page
    assert secret and secret not in page and ">pwd<" in page and "••••••" in page


def test_a_preview_the_row_library_cannot_make_is_laid_out_alone():
    """The letter of one date with an urgency mark, then the same without one: the row
    library fails on the second (pdf/weasy.row_groups: "min() arg is an empty sequence"),
    which the page said as an internal error, most often just after a clerk typed a date
    and chose "ปกติ". The preview is then laid out alone, as the letter is."""
    from lettergen.compose import compose_all
    from lettergen.pdf.actualtext import strip
    from lettergen.sheets.recipients import load_recipients
    from lettergen.rendering import render_letters
    from lettergen.spec import with_overrides
    from lettergen.web import work

    spec = load_spec(EXAMPLE / "letter.toml")
    book = load_recipients(EXAMPLE / "recipients.csv", spec)
    work.rows.cache_clear()
    for urgency in ("ด่วน", ""):
        edited = with_overrides(spec, {"letter.date": dt.date(2018, 7, 2), "letter.urgency": urgency}, origin="test")
        letter = compose_all(edited, book, ["5701"])[0]
        pdf, pages = work.render_pdf(letter)
        alone = render_letters([letter], ("pdf",))[0]
        assert pages == alone.pages
        same_layout(strip(pdf), strip(alone.files["pdf"]))
    work.rows.cache_clear()


@pytest.mark.parametrize("text, blocks", [
    ("QR: https://dla.go.th/x | แบบสอบถาม น้ำ ที่", [{"qr": "https://dla.go.th/x", "caption": "แบบสอบถาม น้ำ ที่"}]),
    ("qr:https://a.b/c", [{"qr": "https://a.b/c"}]),
    ("QR : https://a.b/c |", [{"qr": "https://a.b/c"}]),
    ("QR: a | b | c", [{"qr": "a", "caption": "b | c"}]),
    ("QR: two words", ["QR: two words"]),  # not a code: a line of text
    ("QRS: x", ["QRS: x"]),
    ("สำนักงาน\nQR: x", ["สำนักงาน", {"qr": "x"}]),
])
def test_a_channels_lines_and_qr_codes_are_read_back(text, blocks):
    assert specform.channel_value(text) == blocks
    assert specform.channel_value(specform.channel_text(blocks)) == blocks


@pytest.mark.parametrize("line", [
    "QR: x|a" + " " * 100_000 + "b",
    "QR: x" + " " * 100_000 + "y",
    "QR:" + "x" * 100_000,
    "QR: x | " + "น้ำ " * 33_000,
])
def test_a_channel_line_of_100000_characters_is_read_in_linear_time(line):
    """A channel's line is split, not matched by a pattern that backtracks: 100,000
    characters are read in well under a second (the old pattern took minutes on the first)."""
    import time

    start = time.process_time()
    specform.channel_value(line)
    assert time.process_time() - start < 2.0


def test_a_job_past_its_memory_limit_fails_with_a_message_and_takes_no_number(tmp_path):
    """A job's process (and its workers) may take LETTERGEN_WEB_JOB_MEMORY_MB more address
    space than it has when its libraries are loaded: here 40 MB, less than laying out the
    example's letters takes. The job fails with a Thai message, the register keeps none of its numbers as issued, and the
    server goes on answering."""
    from lettergen.registers.record import OfficeRegister

    server = Server(tmp_path / "ws", env={"LETTERGEN_WEB_JOB_MEMORY_MB": "40"})
    try:
        clerk = Client(server.url)
        # the example's sheet has no opening passwords: no encrypted copies are announced
        assert "(PDF และ DOCX) พร้อมไฟล์รวมสำหรับสั่งพิมพ์" in clerk.get("/produce")[1].decode()
        job = json.loads(clerk.start_set()[1])["job"]
        info = wait_for(clerk, f"/jobs/{job}", seconds=120)
        assert info["state"] == "failed", info
        # a MemoryError, a worker that died, or the job's process crashed in a C library
        # (Pango and cairo end with SIGSEGV when an allocation fails): each said so
        assert "หน่วยความจำเกินที่กำหนด" in info["error"], info["error"]
        register = OfficeRegister(server.workspace / "register.sqlite3")
        assert not [e for e in register.entries() if e.status == "issued"]
        assert not [run for run in register.runs() if run.status == "reserved"]
        assert clerk.get("/produce")[0] == 200
    finally:
        server.stop()


def test_a_set_over_the_print_files_size_offers_its_print_files_as_one_zip(tmp_path):
    """288 letters, each LAO its own (more than batch.PRINT_LETTERS): the set is printed from
    print-01.pdf and print-02.pdf, which the page offers as one print.zip, named like the
    set's other downloads; together they hold every page of every letter."""
    import csv
    import io as stdio
    import urllib.parse
    import zipfile

    import pikepdf

    from lettergen.batch import PRINT_LETTERS

    letter = (EXAMPLE / "letter.toml").read_text(encoding="utf-8").replace(
        'via_district = ["ทม.", "ทต.", "อบต."]\ndirect = ["อบจ.", "ทน."]',
        'via_district = []\ndirect = ["อบจ.", "ทน.", "ทม.", "ทต.", "อบต."]')
    assert 'via_district = []' in letter
    rows = list(csv.reader((EXAMPLE / "recipients.csv").read_text(encoding="utf-8").splitlines()))
    laos = [row for row in rows[1:] if row[2] != "สถ.อ."]
    sheet = stdio.StringIO()
    writer = csv.writer(sheet)
    writer.writerow(rows[0])
    for copy in ("", "9"):
        for row in laos:
            writer.writerow([row[0] + copy, row[1] + (" ๒" if copy else ""), row[2], row[3],
                             row[4] + copy, row[5], row[6]])
    assert 2 * len(laos) > PRINT_LETTERS
    server = Server(tmp_path / "ws")
    try:
        clerk = Client(server.url)
        clerk.get("/letter")
        assert clerk.upload("/letter/upload", "letter.toml", letter.encode())[0] in (200, 303)
        clerk.get("/recipients")
        assert clerk.upload("/recipients/upload", "รายชื่อ.csv", sheet.getvalue().encode())[0] in (200, 303)
        clerk.get("/produce")
        job = json.loads(clerk.start_set()[1])["job"]
        info = wait_for(clerk, f"/jobs/{job}", seconds=300)
        assert info["state"] == "done", info
        assert info["letters"] == 2 * len(laos)
        status, body, head = clerk.get(f"/jobs/{job}/print", follow=False)
        head = {key.lower(): value for key, value in head.items()}
        assert status == 200 and head.get("content-type", "").startswith("application/zip"), head
        assert "-print.zip" in urllib.parse.unquote(head.get("content-disposition", ""))
        with zipfile.ZipFile(stdio.BytesIO(body)) as archive:
            assert archive.namelist() == ["print-01.pdf", "print-02.pdf"]
            pages = sum(len(pikepdf.open(stdio.BytesIO(archive.read(name))).pages) for name in archive.namelist())
        assert pages == info["pages"]
    finally:
        server.stop()
