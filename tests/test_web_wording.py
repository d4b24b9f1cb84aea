"""The engine's messages in the clerk's words: a spec key becomes the field on the page; a
file name the clerk wrote, or any other dotted word, stays as written."""

from __future__ import annotations

import pytest

from lettergen.web.wording import clerk_message


@pytest.mark.parametrize("message, shown", [
    ("ต้องกำหนด letter.date ก่อน", "ต้องกำหนด ลงวันที่ ก่อน"),
    ("body.paragraphs[1] ยาวเกิน", "ย่อหน้าที่ 2 ยาวเกิน"),
    ("steps.step[0].items ว่าง", "ขั้นตอนที่ 1 รายการ ว่าง"),
    ('เช่น "garuda.png" ไม่ใช่ตำแหน่ง "/etc/passwd"', 'เช่น "garuda.png" ไม่ใช่ตำแหน่ง "/etc/passwd"'),
    ("อ่านไฟล์ letter.toml ไม่ได้", "อ่านไฟล์ letter.toml ไม่ได้"),
    ("ไฟล์ recipients.xlsx แถวที่ 3", "ไฟล์ recipients.xlsx แถวที่ 3"),
    ("ดูที่ www.dla.go.th", "ดูที่ www.dla.go.th"),
    ("วันที่ 4.12.2569 ผิด", "วันที่ 4.12.2569 ผิด"),
])
def test_spec_keys_become_fields_and_file_names_stay(message, shown):
    assert clerk_message(message) == shown
