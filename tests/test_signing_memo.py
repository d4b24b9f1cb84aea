"""The signing memo (บันทึกเสนอลงนาม) of a set, and a memo's own series of numbers in the
register of record."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from conftest import EXAMPLE
from lettergen.cli import main
from test_batch import pdf_pages_text
from test_office_register import small_sheet

MEMO_STEM = "บันทึกเสนอลงนาม-ผู้ว่าราชการจังหวัดเชียงราย"


def register_rows(out: Path) -> list[dict]:
    with (out / "register.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def demo_with_memo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("signing") / "out"
    assert main(["demo", "--out", str(out), "--signing-memo"]) == 0
    return out


def test_the_demo_adds_the_signing_memo_to_the_circulars(demo_with_memo):
    out = demo_with_memo
    assert len(list(out.glob("*.pdf"))) == len(list(out.glob("*.docx"))) == 21
    rows = register_rows(out)
    assert len(rows) == 21 and rows[0]["รหัสผู้รับ"] == "บันทึกเสนอลงนาม"
    assert rows[0]["ไฟล์ PDF"] == f"{MEMO_STEM}.pdf"
    assert (rows[0]["ที่"], rows[0]["ถึง"]) == ("ชร ๐๐๒๓.๑/๒๒๖๖", "ผู้ว่าราชการจังหวัดเชียงราย")
    assert rows[0]["เรื่อง"] == "ขอส่งหนังสือ เรื่อง " + rows[1]["เรื่อง"]
    # the other kinds' examples are as without it
    assert len(list(out.glob("*/*.pdf"))) == 2


def test_the_signing_memo_says_how_many_letters_go_to_whom_with_their_numbers(demo_with_memo):
    """Per route: the kind, to whom, how many, the numbers the register gives them; then
    the request to sign; addressed to the spec's signer, signed by [signing_memo]'s."""
    out = demo_with_memo
    rows = register_rows(out)[1:]
    circular = sorted({r["ที่"] for r in rows if r["หมายเหตุ"] == "หนังสือเวียน"})
    direct = [r["ที่"] for r in rows if r["หมายเหตุ"] != "หนังสือเวียน"]
    assert len(circular) == 1 and len(direct) == 2
    pages = pdf_pages_text((out / f"{MEMO_STEM}.pdf").read_bytes())
    assert len(pages) == 1
    text = squeezed(pages[0])
    for expected in (
        "บันทึกข้อความ", "ที่ชร๐๐๒๓.๑/๒๒๖๖", "วันที่๒๗กรกฎาคม๒๕๖๑",
        "เรื่องขอส่งหนังสือเรื่องการดำเนินการโครงการ", "เรียนผู้ว่าราชการจังหวัดเชียงราย",
        "รวม๒๐ฉบับดังนี้",
        "๑.หนังสือประทับตรา(หนังสือเวียน)ถึงสำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ๑๘แห่ง"
        f"เพื่อแจ้งต่อองค์กรปกครองส่วนท้องถิ่นในพื้นที่๑๔๒แห่งจำนวน๑๘ฉบับที่{squeezed(circular[0])}",
        "๒.หนังสือประทับตราถึงองค์การบริหารส่วนจังหวัดเชียงรายและเทศบาลนครเชียงรายจำนวน๒ฉบับ"
        f"ที่{squeezed(direct[0])}-{squeezed(direct[1]).rsplit('/', 1)[1]}",
        "จึงเรียนมาเพื่อโปรดพิจารณาลงนาม", "(นายอนุชา ศรีสุข)", "ท้องถิ่นจังหวัดเชียงราย",
    ):
        assert squeezed(expected) in text, expected


def test_with_a_workspace_the_memo_takes_a_number_of_the_memos_series(tmp_path, capsys):
    """The circular's ว number, the direct letters' ordinary numbers and the memo's
    internal one, each from its own series; the memo lists the numbers the register gave,
    and the register of record holds its row; a second memo continues its series."""
    from lettergen.registers.record import CIRCULAR, INTERNAL, ORDINARY
    from lettergen.registers.workspace import Workspace

    ws, sheet = tmp_path / "ws", small_sheet(tmp_path / "recipients.csv")

    def render(out: str, *extra: str) -> int:
        return main(["render", str(EXAMPLE / "letter.toml"), "--recipients", str(sheet), "--workspace",
                     str(ws), "--out", str(tmp_path / out), "--jobs", "1", *extra])

    assert render("one", "--signing-memo") == 0
    assert "ชร ๐๐๒๓.๑/๑ (บันทึกข้อความ)" in capsys.readouterr().out
    entries = Workspace(ws).register().entries(2561)
    assert [(e.series, e.register_number) for e in entries] == [
        (INTERNAL, 1), (CIRCULAR, 1), (CIRCULAR, 1), (ORDINARY, 1), (ORDINARY, 2)]
    assert entries[0].recipient_id == "บันทึกเสนอลงนาม" and entries[0].register_label == "ภายใน 1"
    memo = squeezed(pdf_pages_text((tmp_path / "one" / f"{MEMO_STEM}.pdf").read_bytes())[0])
    assert "ที่ชร๐๐๒๓.๑/๑วันที่" in memo
    assert "จำนวน๒ฉบับที่ชร๐๐๒๓.๑/ว๑" in memo and "จำนวน๒ฉบับที่ชร๐๐๒๓.๑/๑-๒" in memo
    assert main(["render", str(EXAMPLE / "memo.toml"), "--workspace", str(ws),
                 "--out", str(tmp_path / "memo"), "--jobs", "1"]) == 0
    last = Workspace(ws).register().entries(2561)[-1]
    assert (last.series, last.register_number, last.number) == (INTERNAL, 2, "ชร ๐๐๒๓.๑/๒")
    assert render("two") == 0  # the ordinary series went on from 2, untouched by the memos
    assert [e.register_number for e in Workspace(ws).register().entries(2561)[-2:]] == [3, 4]


def test_the_numbers_a_set_with_its_signing_memo_would_take(tmp_path):
    """What the web app's produce page can show before the set is made: the public
    engine call plans the memo, and the register's next numbers include its series."""
    from lettergen.compose import plan_letters
    from lettergen.sheets.recipients import load_recipients
    from lettergen.spec import load_spec
    from lettergen.registers.workspace import Workspace, next_numbers_text

    spec = load_spec(EXAMPLE / "letter.toml")
    book = load_recipients(small_sheet(tmp_path / "recipients.csv"), spec)
    planning = plan_letters(spec, book, signing_memo=True)
    assert len(planning) == 5 and planning.planned[0].variant == "signing-memo"
    assert next_numbers_text(Workspace(tmp_path / "ws"), planning).endswith(
        "ชร ๐๐๒๓.๑/ว ๑, ชร ๐๐๒๓.๑/๑–๒, ชร ๐๐๒๓.๑/๑ (บันทึกข้อความ) ปี พ.ศ. ๒๕๖๑")


@pytest.mark.parametrize("edit, key, message", [
    (lambda s: s.replace("[signing_memo]", "[unused]").replace("number = 2266\n", "")
     .replace('signer_name = "นายอนุชา ศรีสุข"\nsigner_position = "ท้องถิ่นจังหวัดเชียงราย"\n', ""),
     "signing_memo", "ใช้ --signing-memo ต้องมีตาราง [signing_memo]"),
    (lambda s: s.replace("number = 2266\n", ""), "signing_memo.number", "บันทึกเสนอลงนามต้องมีเลขที่"),
    (lambda s: s.replace('signer_position = "ผู้ว่าราชการจังหวัดเชียงราย"\n', ""),
     "sender.signer_position", "บันทึกเสนอลงนามเรียนผู้ลงนามหนังสือ"),
])
def test_what_the_signing_memo_needs_from_the_spec(edit, key, message, tmp_path, capsys):
    """Exit 2, one line naming the spec key, nothing written."""
    import shutil

    folder = tmp_path / "spec"
    shutil.copytree(EXAMPLE, folder)
    spec = folder / "letter.toml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(edit(text).replace("[unused]\n", ""), encoding="utf-8")
    assert spec.read_text(encoding="utf-8") != text
    out = tmp_path / "out"
    assert main(["render", str(spec), "--signing-memo", "--out", str(out), "--only", "570102"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"คีย์ {key}: {message}" in err, err
    assert not out.exists() or not any(out.iterdir())
