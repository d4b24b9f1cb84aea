"""The letter's edits as the engine's worker takes them: each edit carries the whole form,
so the working letter ends as the last edit received says, whatever order the worker's
threads reach it in, and an edit a later one has followed is neither checked nor drawn."""

from __future__ import annotations

import tomllib

import pytest

from conftest import EXAMPLE


@pytest.fixture
def session(tmp_path):
    from lettergen.web import work
    from lettergen.web.specform import write_spec
    from lettergen.web.state import Files, Upload, digest, example_raw

    sheet = EXAMPLE / "recipients.csv"
    write_spec(example_raw(), tmp_path)
    upload = Upload("s1", "รายชื่อ.csv", sheet, digest(sheet.read_bytes()))
    return work.WorkSession(Files(tmp_path, upload, None, None))


def edit(session, number: int, subject: str):
    """Call ``number`` of the worker: the edit that sets the subject to ``subject``."""
    from lettergen.web import tasks, work

    work.CALL.set(number)
    return tasks.edit_letter(session, {"letter.subject": subject})


def subject(session) -> str:
    return tomllib.loads(session.spec_path().read_text(encoding="utf-8"))["letter"]["subject"]


def test_an_edit_reaching_the_lock_late_does_not_undo_a_later_one(session):
    session.newest_edit = 2
    drawn = edit(session, 2, "ขอเชิญประชุมสำนักงานที่ว่าการอำเภอ วันศุกร์ที่")
    assert drawn is not None and drawn["pages"] >= 1 and drawn["version"]
    assert edit(session, 1, "เรื่องที่แก้ไว้ก่อน") is None  # taken out of turn: not written
    assert subject(session) == "ขอเชิญประชุมสำนักงานที่ว่าการอำเภอ วันศุกร์ที่"


def test_an_edit_followed_by_a_later_one_is_written_but_not_drawn(session):
    from lettergen.web import work

    session.newest_edit = 4  # edits 3 and 4 are both in the worker's hands
    drawings = []
    draw = work.drawn_preview
    work.drawn_preview = lambda s: drawings.append(s) or draw(s)
    try:
        assert edit(session, 3, "การจัดการน้ำ ครั้งที่ ๑") is None
        assert subject(session) == "การจัดการน้ำ ครั้งที่ ๑"  # written: nothing typed is lost
        assert drawings == []
        drawn = edit(session, 4, "การจัดการน้ำ ครั้งที่ ๒")
    finally:
        work.drawn_preview = draw
    assert drawings == [session] and drawn["version"]
    assert subject(session) == "การจัดการน้ำ ครั้งที่ ๒"


def test_each_edit_in_turn_is_checked_and_drawn(session):
    versions = set()
    for number, text in enumerate(("ที่ว่าการอำเภอ", "สำนักงานท้องถิ่น", "น้ำประปา"), start=1):
        session.newest_edit = number
        versions.add(edit(session, number, text)["version"])
        assert subject(session) == text
    assert len(versions) == 3  # each edit's own preview
