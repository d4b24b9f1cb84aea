"""The batch engine: numbering, the register, batched vs one-at-a-time output, progress."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest

from conftest import EXAMPLE, same_layout


def pdf_pages_text(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, example):
    """The example rendered by the batch engine with two workers, a print file and the zip."""
    from lettergen.batch import RunOptions, run

    spec, book, _ = example
    out = tmp_path_factory.mktemp("batch") / "out"
    stderr = io.StringIO()
    result = run(spec, book, out, RunOptions(jobs=2, print_pdf=True, zip_set=True), stderr=stderr)
    return result, out, stderr.getvalue()


def read_register(out):
    with (out / "register.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_circular_copies_share_one_number_and_direct_letters_count_up(example):
    from lettergen.compose import plan

    spec, book, _ = example
    planned = plan(spec, book.rows)
    district = [p for p in planned if p.variant == "district"]
    direct = [p for p in planned if p.variant == "direct"]
    assert {p.number for p in district} == {18858}
    assert [p.number for p in direct] == [18853, 18854]
    assert [len(p.members) for p in district][:3] == [16, 7, 10]  # the LAOs of each district
    assert sum(len(p.members) for p in planned) == 144


def test_numbering_follows_set_overrides(example):
    from lettergen.compose import compose_all
    from lettergen.spec import load_spec

    _, book, _ = example
    spec = load_spec(EXAMPLE / "letter.toml", {"variants.direct.number": "200",
                                                "variants.district.circular": "false"})
    letters = compose_all(spec, book)
    assert [l.number for l in letters[:3]] == ["ชร ๐๐๒๓.๑/๑๘๘๕๘", "ชร ๐๐๒๓.๑/๑๘๘๕๙", "ชร ๐๐๒๓.๑/๑๘๘๖๐"]
    assert [l.number for l in letters[-2:]] == ["ชร ๐๐๒๓.๑/๒๐๐", "ชร ๐๐๒๓.๑/๒๐๑"]


def test_output_folder_holds_the_letters_the_register_the_print_file_and_the_zip(rendered):
    result, out, _ = rendered
    names = sorted(p.name for p in out.iterdir())
    assert len([n for n in names if n.endswith(".pdf")]) == 21  # 20 letters + print.pdf
    assert len([n for n in names if n.endswith(".docx")]) == 20
    assert {"register.csv", "register.xlsx", "print.pdf", "letters.zip"} <= set(names)
    assert len(names) == 44
    assert result.letters == 20 and result.pages > 40
    assert not [n for n in names if n.startswith(".part-")]


def test_zip_holds_every_file_of_the_set_and_is_reproducible(rendered, example, tmp_path):
    import unicodedata
    import zipfile

    from lettergen.archive import write_zip

    result, out, _ = rendered
    spec, _, _ = example
    others = sorted(p.name for p in out.iterdir() if p.name != "letters.zip")
    with zipfile.ZipFile(out / "letters.zip") as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert sorted(i.filename for i in infos) == others
        for info in infos:
            assert archive.read(info) == (out / info.filename).read_bytes(), info.filename
            assert info.date_time[:3] == (spec.date.year, spec.date.month, spec.date.day)
            assert unicodedata.is_normalized("NFC", info.filename)
            expected = zipfile.ZIP_STORED if info.filename.endswith((".pdf", ".docx", ".xlsx")) \
                else zipfile.ZIP_DEFLATED
            assert info.compress_type == expected, info.filename
        thai = [i for i in infos if "สำนักงาน" in i.filename]
        assert thai and all(i.flag_bits & 0x800 for i in thai)  # names marked as UTF-8
    # the files in the order the run listed them give the same bytes again
    again = write_zip(tmp_path / "again.zip", [p for p in result.files if p.name != "letters.zip"],
                      spec.date)
    assert again.read_bytes() == (out / "letters.zip").read_bytes()


def test_register_rows_numbers_and_hashes(rendered, example):
    _, out, _ = rendered
    _, book, _ = example
    rows = read_register(out)
    assert [int(r["เลขทะเบียนส่ง"]) for r in rows] == list(range(1, 21))
    assert {r["ที่"] for r in rows[:18]} == {"ชร ๐๐๒๓.๑/ว ๑๘๘๕๘"}
    assert [r["ที่"] for r in rows[18:]] == ["ชร ๐๐๒๓.๑/๑๘๘๕๓", "ชร ๐๐๒๓.๑/๑๘๘๕๔"]
    assert rows[0]["ลงวันที่"] == "๒๗ กรกฎาคม ๒๕๖๑" and rows[0]["จาก"] == "จังหวัดเชียงราย"
    assert rows[19]["ถึง"] == "เทศบาลนครเชียงราย"
    assert rows[0]["หมายเหตุ"] == "หนังสือเวียน" and rows[19]["หมายเหตุ"] == ""
    for row in rows:
        for fmt in ("PDF", "DOCX"):
            data = (out / row[f"ไฟล์ {fmt}"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == row[f"sha256 {fmt}"]
    register = (out / "register.csv").read_text(encoding="utf-8-sig")
    for recipient in book.rows:
        if recipient.password:
            assert recipient.password not in register


def test_register_xlsx_matches_the_csv(rendered):
    from openpyxl import load_workbook

    _, out, _ = rendered
    sheet = load_workbook(out / "register.xlsx").active
    values = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    rows = read_register(out)
    assert values[0][:2] == ["เลขทะเบียนส่ง", "ที่"]
    assert [str(v[0]) for v in values[1:]] == [r["เลขทะเบียนส่ง"] for r in rows]
    assert [v[10] for v in values[1:]] == [r["sha256 PDF"] for r in rows]


def test_register_cells_never_become_formulas():
    from openpyxl import load_workbook

    from lettergen.registers.run_register import RegisterRow, register_csv, register_xlsx
    import datetime as dt

    row = RegisterRow(1, "=1+1", "+๑", "-x", "@SUM(A1)", "\tx", "ok", "", "=HYPERLINK(\"x\")",
                      "a.pdf", "0", "a.docx", "0")
    text = register_csv([row]).decode("utf-8-sig")
    assert "'=1+1" in text and "'+๑" in text and "'@SUM(A1)" in text
    sheet = load_workbook(io.BytesIO(register_xlsx([row], dt.datetime(2018, 7, 27)))).active
    assert sheet["B2"].data_type == "s" and sheet["B2"].value == "=1+1"


def test_print_file_is_every_letter_in_order(rendered):
    import pikepdf

    result, out, _ = rendered
    with pikepdf.open(out / "print.pdf") as pdf:
        assert len(pdf.pages) == result.pages


def test_a_large_set_is_printed_from_files_of_a_bounded_size():
    """Up to PRINT_LETTERS letters: one print.pdf; more: print-01.pdf, print-02.pdf..., each
    of PRINT_LETTERS letters but the last, every letter once, in order."""
    from lettergen.batch import PRINT_LETTERS, print_files

    assert print_files(list(range(PRINT_LETTERS))) == [("print.pdf", list(range(PRINT_LETTERS)))]
    assert PRINT_LETTERS == 250
    letters = list(range(7_852))
    files = print_files(letters)
    assert [name for name, _ in files] == [f"print-{n:02d}.pdf" for n in range(1, 33)]
    assert [letter for _, part in files for letter in part] == letters
    assert {len(part) for _, part in files[:-1]} == {PRINT_LETTERS}


def test_print_files_join_every_letter_in_order_and_verify_leaves_them_out(example, tmp_path, monkeypatch):
    """The example (20 letters) with 8 letters a print file: print-01.pdf to print-03.pdf,
    every page of every letter in the register's order; `lettergen verify` does not take
    them for letters."""
    import pikepdf

    from lettergen import batch
    from lettergen.batch import RunOptions, run
    from lettergen.signing.verify import PRINT_FILE

    monkeypatch.setattr(batch, "PRINT_LETTERS", 8)
    spec, book, _ = example
    out = tmp_path / "out"
    run(spec, book, out, RunOptions(jobs=1, print_pdf=True, formats=("pdf",)), stderr=io.StringIO())
    letters = [out / row["ไฟล์ PDF"] for row in read_register(out)]
    names = sorted(p.name for p in out.glob("print*.pdf"))
    assert names == ["print-01.pdf", "print-02.pdf", "print-03.pdf"] and len(letters) == 20

    def contents(path) -> list[bytes]:
        with pikepdf.open(path) as pdf:
            return [page.Contents.read_bytes() if "/Contents" in page else b"" for page in pdf.pages]

    joined = [page for name in names for page in contents(out / name)]
    assert joined == [page for letter in letters for page in contents(letter)]
    assert [len(contents(out / name)) for name in names] == [
        sum(len(contents(letter)) for letter in letters[k:k + 8]) for k in (0, 8, 16)]
    assert all(PRINT_FILE.fullmatch(name) for name in names) and not PRINT_FILE.fullmatch("print-x.pdf")


def test_progress_is_silent_when_not_a_terminal(rendered):
    _, _, stderr = rendered
    assert "กำลังสร้างหนังสือ" not in stderr  # no bar: stderr here is not a terminal
    assert stderr.count("\n") == 1  # only the one note about the Garuda band


def test_progress_bar_on_a_terminal(example, tmp_path):
    from lettergen.batch import RunOptions, run

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    spec, book, _ = example
    stream = Terminal()
    run(spec, book, tmp_path / "out", RunOptions(jobs=1, only=["5714"]), stderr=stream)
    assert "กำลังสร้างหนังสือ" in stream.getvalue()


def test_docx_and_pdf_are_split_into_tasks_of_their_own():
    from lettergen.batch import format_parts

    assert format_parts(("pdf", "docx")) == [("docx",), ("pdf",)]
    assert format_parts(("pdf", "docx", "delivery.pdf")) == [("docx",), ("pdf", "delivery.pdf")]
    assert format_parts(("docx",)) == [("docx",)]
    assert format_parts(("pdf",)) == [("pdf",)]


def test_workers_write_the_same_files_as_one_process(rendered, example, tmp_path):
    """Two workers (DOCX started before the PDFs' shared rows are laid out, results coming
    back in any order) and one process write the same bytes and the same register."""
    from lettergen.batch import RunOptions, run

    _, out, _ = rendered
    spec, book, _ = example
    single = tmp_path / "single"
    run(spec, book, single, RunOptions(jobs=1), stderr=io.StringIO())

    def digests(folder):
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()
                if p.suffix in (".pdf", ".docx", ".csv") and p.name != "print.pdf"}

    expected = digests(single)
    assert len(expected) == 41  # 20 letters as PDF and DOCX, and the register
    assert digests(out) == expected


def test_batched_and_one_at_a_time_give_the_same_pages_and_text(example):
    import pypdfium2 as pdfium

    from lettergen.pdf.actualtext import strip
    from lettergen.pdf.writer import write_pdf, write_pdfs

    def texts(data):  # what is copied out, the lines' /ActualText spans read
        doc = pdfium.PdfDocument(data)
        try:
            return [page.get_textpage().get_text_range() for page in doc]
        finally:
            doc.close()

    _, _, letters = example
    some = letters[12:16] + letters[-2:]
    batched = write_pdfs(some)
    for letter, data in zip(some, batched):
        single = write_pdf(letter)
        same_layout(strip(data), strip(single))  # the glyphs and where they are
        assert texts(data) == texts(single)


def test_the_letters_user_agent_stylesheet_changes_no_layout(example, monkeypatch):
    """templates/ua.css stands in for WeasyPrint's user-agent stylesheet (it is faster):
    with WeasyPrint's own, a district circular, a direct letter, an external letter with a
    list of enclosures and a memo (its head lines with their dotted lines) are laid out the
    same, character for character."""
    import weasyprint

    from lettergen.pdf import writer as pdf_writer
    from lettergen.compose import compose_all
    from lettergen.spec import load_spec

    _, book, letters = example
    external = load_spec(EXAMPLE / "letter.toml", {
        "letter.kind": "external", "sender.signer_name": "นายสมชาย ใจดี",
        "sender.signer_position": "ผู้ว่าราชการจังหวัดเชียงราย",
        "letter.enclosures": '["บัญชีชื่อผู้ใช้และรหัสผ่าน 1 ฉบับ", "คู่มือการใช้งาน 1 ชุด"]'})
    memo = load_spec(EXAMPLE / "letter.toml", {
        "letter.kind": "memo", "sender.signer_name": "นายสมชาย ใจดี",
        "sender.signer_position": "ท้องถิ่นจังหวัดเชียงราย"})
    some = [letters[0], letters[-1], compose_all(external, book, only=["570102"])[0],
            compose_all(memo, book, only=["570102"])[0]]
    assert len(some[2].enclosures) == 2 and "๒. คู่มือการใช้งาน ๑ ชุด" in pdf_writer.html([some[2]])
    assert 'class="dots"' in pdf_writer.html([some[3]])
    assert pdf_writer._letter_html() is not weasyprint.HTML
    ours = [pdf_writer.render_document([letter]).write_pdf() for letter in some]
    monkeypatch.setattr(pdf_writer, "_letter_html", lambda: weasyprint.HTML)
    for letter, pdf in zip(some, ours):
        same_layout(pdf, pdf_writer.render_document([letter]).write_pdf())


def test_the_step_sheet_is_composed_once_unless_its_texts_name_the_recipient(example):
    """Letters whose step texts read the same values share one step sheet; a step text
    that names the recipient gives each letter its own."""
    from lettergen.compose import compose_all
    from lettergen.spec import load_spec

    _, book, letters = example
    assert len({id(letter.attachments[-1]) for letter in letters}) == 1
    spec = load_spec(EXAMPLE / "letter.toml", {"steps.title": "ขั้นตอนสำหรับ{{ recipient.name }}"})
    personal = compose_all(spec, book)
    titles = [letter.attachments[-1].title for letter in personal]
    assert titles[0] == "ขั้นตอนสำหรับสำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเมืองเชียงราย"
    assert len(set(titles)) == len(personal) == 20


def test_a_body_paragraph_is_composed_once_unless_it_names_the_recipient(example, monkeypatch):
    """A body paragraph whose template reads nothing of the recipient is rendered once for
    the letters it reads the same values in, and is one object in them; one that names
    the recipient (the direct letters' action) is each letter's own, with its name."""
    from lettergen import compose
    from lettergen.spec import load_spec
    from lettergen.templating import plain

    spec, book, _ = example
    rendered = []
    real = compose.render_text
    monkeypatch.setattr(compose, "render_text",
                        lambda source, context, *, key, file=None: rendered.append(key)
                        or real(source, context, key=key, file=file))
    letters = compose.compose_all(spec, book)
    assert rendered.count("body.paragraphs[0]") == 2  # it reads the cited letter: one per variant
    # body[1] reads the variant's action text: the district one names no recipient (one
    # rendering for the 18 district letters), the direct one does (one for each of 2)
    assert rendered.count("body.paragraphs[1]") == 3
    for circular in (True, False):
        same_variant = [letter for letter in letters if letter.circular == circular]
        assert len({id(letter.body[0]) for letter in same_variant}) == 1
    direct = [letter for letter in letters if not letter.circular]
    assert len(direct) == 2
    texts = [plain(letter.body[1].runs) for letter in direct]
    assert texts[0] != texts[1]
    for letter, text in zip(direct, texts):
        assert letter.recipient_name in text
    spec = load_spec(EXAMPLE / "letter.toml", {
        "body.paragraphs": ["ขอให้{{ recipient.name }}ดำเนินการ", "วันศุกร์ที่ ๑๐ สิงหาคม ๒๕๖๑"]})
    personal = compose.compose_all(spec, book)
    assert len({plain(letter.body[0].runs) for letter in personal}) == len(personal) == 20
    assert len({id(letter.body[1]) for letter in personal}) == 1


def test_a_chunks_key_follows_every_letter_field_secrets_included_and_not_the_process(example):
    """The resume manifest's key: the same for the same letters in another process (no
    hash-seeded order in it), different when a password, a word of a shared paragraph, a
    file name or the formats change."""
    import dataclasses
    import os
    import subprocess
    import sys

    from conftest import ROOT
    from lettergen.batch import Manifest

    _, _, letters = example
    chunk = [l for l in letters if l.secrets][:4]
    stems = [l.key for l in chunk]
    key = Manifest.letters_key(chunk)
    assert Manifest.letters_key(list(chunk)) == key

    changed_secret = [dataclasses.replace(chunk[0], secrets=chunk[0].secrets[:-1] + ("other",))]
    assert Manifest.letters_key(changed_secret + chunk[1:]) != key
    paragraph = chunk[1].body[0]
    runs = (dataclasses.replace(paragraph.runs[0], text=paragraph.runs[0].text + "น้ำ"),) + paragraph.runs[1:]
    changed_body = dataclasses.replace(chunk[1], body=(dataclasses.replace(paragraph, runs=runs),) + chunk[1].body[1:])
    assert Manifest.letters_key(chunk[:1] + [changed_body] + chunk[2:]) != key
    task_key = Manifest.key(key, stems, ("pdf",))
    assert Manifest.key(key, stems[:-1] + ["x"], ("pdf",)) != task_key
    assert Manifest.key(key, stems, ("docx",)) != task_key

    script = ("from conftest import EXAMPLE\n"
              "from lettergen.spec import load_spec\nfrom lettergen.sheets.recipients import load_recipients\n"
              "from lettergen.compose import compose_all\nfrom lettergen.batch import Manifest\n"
              "spec = load_spec(EXAMPLE / 'letter.toml')\n"
              "letters = compose_all(spec, load_recipients(EXAMPLE / 'recipients.csv', spec))\n"
              "print(Manifest.letters_key([l for l in letters if l.secrets][:4]))\n")
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", script], cwd=ROOT / "tests", capture_output=True,
                             text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == key


def test_the_check_keeps_what_the_register_needs_and_no_letter(example):
    """check_letters composes every letter (so bad input stops a run before output) but
    keeps of each only its register entry; the chunks' digests are those of the letters a
    worker composes again from the planned rows."""
    from lettergen.batch import Entry, Manifest, check_letters, chunk_size
    from lettergen.compose import plan_letters

    spec, book, letters = example
    planning = plan_letters(spec, book)
    checked = check_letters(planning)
    size = chunk_size(len(letters))
    assert checked.size == size == 8
    assert [e.number for e in checked.entries] == [l.number for l in letters]
    assert [e.recipient_name for e in checked.entries] == [l.recipient_name for l in letters]
    assert all(type(e) is Entry for e in checked.entries)
    assert not any(secret in repr(checked) for l in letters for secret in l.secrets)
    assert checked.digests == tuple(Manifest.letters_key(planning.part(i, i + size).compose())
                                    for i in range(0, len(letters), size))
    assert checked.digests[0] == Manifest.letters_key(letters[:size])


def _refusing(keys):
    """A check (as check_delivery_passwords) that refuses the letters of these keys."""
    from lettergen.errors import InputError

    def check(letters):
        for letter in letters:
            if letter.key in keys:
                raise InputError(f"หนังสือถึง{letter.recipient_name} ({letter.key}) ใช้ไม่ได้")
    return check


def test_a_large_set_is_checked_in_two_processes_with_the_same_result_and_error(
        example, monkeypatch, alone_in_its_process):
    """From CHECKED_APART letters a forked process checks the second half of the chunks while
    the run checks the first: the entries and digests are those of one process; an error
    in the second half is raised in the run; with errors in both halves, the first letter's
    is raised, as one process would; no process is left behind."""
    import multiprocessing

    from lettergen import batch, workers
    from lettergen.compose import plan_letters
    from lettergen.errors import InputError

    spec, book, letters = example
    planning = plan_letters(spec, book)
    alone = batch.check_letters(planning)  # 20 letters: fewer than CHECKED_APART
    forked = []
    real_init = workers.Forked.__init__
    monkeypatch.setattr(workers.Forked, "__init__",
                        lambda self, *args: real_init(self, *args) or forked.append(self.process))
    monkeypatch.setattr(batch, "CHECKED_APART", 2)
    assert batch.check_letters(planning) == alone
    assert len(forked) == 1 and forked[0] is not None and forked[0].exitcode == 0
    assert batch.check_letters(planning, jobs=1) == alone and len(forked) == 1  # one core: none
    late, early = letters[17], letters[2]  # of the second half (letters 8 on: 3 chunks of 8), and of the first
    with pytest.raises(InputError, match=late.key):
        batch.check_letters(planning, _refusing({late.key}))
    with pytest.raises(InputError, match=early.key):
        batch.check_letters(planning, _refusing({early.key, late.key}))
    assert len(forked) == 3 and all(p is not None for p in forked)
    assert not multiprocessing.active_children()


def test_a_check_process_that_dies_leaves_its_half_to_the_run(example, monkeypatch, alone_in_its_process):
    """The forked half of the check killed (out of memory, say) or not forked at all (another
    thread running, as in the web app): the run checks that half itself, with the same
    result."""
    import os
    import threading

    from lettergen import batch
    from lettergen.compose import plan_letters

    spec, book, _ = example
    planning = plan_letters(spec, book)
    alone = batch.check_letters(planning)
    monkeypatch.setattr(batch, "CHECKED_APART", 2)
    run, real = os.getpid(), batch._checked
    calls = []

    def dying(*args):
        if os.getpid() != run:
            os._exit(9)  # the forked process dies without an answer
        calls.append(args[2:4])
        return real(*args)

    monkeypatch.setattr(batch, "_checked", dying)
    assert batch.check_letters(planning) == alone
    assert calls == [(0, 8), (8, 20)]  # its own half (chunks of 8), then the one the process left
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        calls.clear()
        assert batch.check_letters(planning) == alone
    finally:
        stop.set()
        other.join()
    assert calls == [(0, 8), (8, 20)]


def test_the_register_workbook_made_by_the_side_process_is_the_one_made_in_the_run(example, tmp_path, monkeypatch,
                                                                                 alone_in_its_process):
    """``run`` forks a side process that loads the XLSX library while the letters are
    checked and makes the register's workbook at the end; the bytes are those the run
    makes itself when it cannot fork one (another thread running). With one core asked
    for (``--jobs 1``) there is no side process."""
    import threading

    from lettergen import workers
    from lettergen.batch import RunOptions, run

    spec, book, _ = example
    made = []
    real_call = workers.SideProcess.call

    def call(self, *args):
        try:
            result = real_call(self, *args)
        except workers.WorkerDied:
            made.append("here")  # the run makes it itself
            raise
        made.append(f"side {len(result)} bytes" if self.process is not None else "?")
        return result

    monkeypatch.setattr(workers.SideProcess, "call", call)
    forked = []
    real_init = workers.SideProcess.__init__
    monkeypatch.setattr(workers.SideProcess, "__init__",
                        lambda self, ready: real_init(self, ready) or forked.append(self.process))
    options = RunOptions(formats=("docx",), jobs=2, progress=False)
    run(spec, book, tmp_path / "side", options, stderr=io.StringIO())
    assert len(made) == 1 and made[0].startswith("side ") and forked[0] is not None
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        run(spec, book, tmp_path / "here", options, stderr=io.StringIO())
    finally:
        stop.set()
        other.join()
    assert made[1:] == ["here"] and forked[1] is None
    for name in ("register.xlsx", "register.csv"):
        assert (tmp_path / "side" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()
    run(spec, book, tmp_path / "one", RunOptions(formats=("docx",), jobs=1, progress=False),
        stderr=io.StringIO())
    assert len(forked) == 2 and len(made) == 2  # one core: no side process, nothing asked of one
    assert (tmp_path / "one" / "register.xlsx").read_bytes() == (tmp_path / "here" / "register.xlsx").read_bytes()


def test_more_jobs_than_cores_run_a_process_a_core_and_say_so(example, tmp_path, monkeypatch,
                                                            alone_in_its_process):
    """``--jobs 50`` on two cores: two worker processes, not as many as there are chunks
    (each would hold a copy of the layout engine's memory), a note saying so, and the same
    letters as with ``--jobs 2``."""
    import os

    from lettergen import workers
    from lettergen.batch import RunOptions, run

    spec, book, _ = example
    asked = []
    real = workers.imap_unordered
    monkeypatch.setattr(workers, "imap_unordered", lambda f, tasks, jobs, **kw: asked.append(jobs) or real(
        f, tasks, jobs, **kw))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    said = io.StringIO()
    run(spec, book, tmp_path / "fifty", RunOptions(formats=("docx",), jobs=50, progress=False), stderr=said)
    assert asked == [2]
    assert "หมายเหตุ: --jobs 50 มากกว่าจำนวนคอร์ของเครื่องนี้ (2) จึงใช้ 2 โพรเซส" in said.getvalue()
    quiet = io.StringIO()
    run(spec, book, tmp_path / "two", RunOptions(formats=("docx",), jobs=2, progress=False), stderr=quiet)
    assert asked == [2, 2] and "--jobs" not in quiet.getvalue()
    names = sorted(p.name for p in (tmp_path / "two").iterdir())
    assert sorted(p.name for p in (tmp_path / "fifty").iterdir()) == names and len(names) > 20


def test_letters_with_long_lists_come_fewer_to_a_chunk():
    from lettergen.batch import CHUNK_ROWS, chunk_size

    assert chunk_size(18, 998) == 9  # 998 LAOs in 18 district letters: two chunks, one a worker
    assert chunk_size(17, 998) == 9  # nine and eight
    assert chunk_size(30, 3000) == 5  # six chunks of about 500 rows: three a worker
    assert chunk_size(10, 2000) == 3  # 2,000 rows: four chunks, of 3, 3, 3 and 1 letters
    assert chunk_size(18, 300) == chunk_size(18) == 8  # short lists: as letters without
    assert chunk_size(20, 144) == chunk_size(20) == 8  # the example's
    assert chunk_size(7852, 7852) == chunk_size(7852) == 64  # one LAO a letter
    assert chunk_size(3, 3 * CHUNK_ROWS) == 1
    assert chunk_size(1000, 1000 * CHUNK_ROWS) == 1


def test_a_bad_delivery_password_stops_the_run_before_any_output(example, tmp_path):
    from lettergen.batch import RunOptions, run
    from lettergen.errors import InputError

    spec, book, _ = example
    with pytest.raises(InputError):
        run(spec, book, tmp_path / "out", RunOptions(formats=("pdf", "delivery.pdf")), stderr=io.StringIO())
    assert not (tmp_path / "out").exists()


def test_the_summary_line_names_letters_pages_seconds_and_folder(tmp_path, capsys):
    """The last line a clerk reads: letters, pages (counted in the PDFs, so left out when
    only DOCX files were asked for), seconds and the folder."""
    from lettergen.cli import main

    spec = str(EXAMPLE / "letter.toml")
    assert main(["render", spec, "--only", "5714", "--out", str(tmp_path / "a"), "--jobs", "1"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("เขียนหนังสือ 1 ฉบับ ") and " หน้า ใน " in line and "วินาที" in line
    assert str(tmp_path / "a") in line
    assert main(["render", spec, "--only", "5714", "--out", str(tmp_path / "b"), "--jobs", "1",
                 "--format", "docx"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("เขียนหนังสือ 1 ฉบับ ใน ") and "หน้า" not in line


def test_rows_left_out_make_no_letter_and_still_count_in_the_progress(example):
    """plan_letters(leave_out=...): a direct recipient left out has no letter; a district
    office left out takes its district's LAOs out with it; the figures stay the sheet's."""
    from lettergen.compose import plan_letters

    spec, book, _ = example
    every = plan_letters(spec, book)
    fewer = plan_letters(spec, book, leave_out={"570101", "5702"})
    assert len(every) == 20 and len(fewer) == 18
    assert {p.addressee.id for p in every.planned} - {p.addressee.id for p in fewer.planned} == {"570101", "5702"}
    assert fewer.totals == every.totals
