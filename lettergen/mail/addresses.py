"""E-mail addresses as clerks type them into a sheet, checked: one or several in a cell,
split by commas, semicolons or spaces. Pure functions."""

from __future__ import annotations

import re

MAX_ADDRESSES = 10  # in one cell
MAX_LENGTH = 254  # of one address (RFC 5321)
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,63}}$")
_SPLIT = re.compile(r"[,;\s]+")


class AddressError(ValueError):
    """A cell that holds something other than e-mail addresses (the message is Thai)."""


def check_addresses(text: str) -> tuple[str, ...]:
    """The addresses in ``text`` ("" gives none), each checked; a mailto: prefix and the
    angle brackets of "<a@b.go.th>" are taken off. Anything else is an AddressError."""
    found = []
    for part in _SPLIT.split(text.strip()):
        if not part:
            continue
        address = part.strip("<>")
        if address.lower().startswith("mailto:"):
            address = address[7:]
        if not address.isascii():
            raise AddressError(f"\"{part}\" มีตัวอักษรที่ไม่ใช่ภาษาอังกฤษ: ที่อยู่อีเมลต้องเขียนด้วยตัวอักษร "
                               "ภาษาอังกฤษ ตัวเลข และ . _ - @ เท่านั้น (เช่น saraban@chiangrai.go.th)")
        if len(address) > MAX_LENGTH or not _ADDRESS.match(address):
            raise AddressError(f"\"{part}\" ไม่ใช่ที่อยู่อีเมล (ต้องเป็นแบบ ชื่อ@โดเมน เช่น "
                               "saraban@chiangrai.go.th; หลายที่อยู่คั่นด้วยจุลภาค)")
        if address not in found:
            found.append(address)
    if len(found) > MAX_ADDRESSES:
        raise AddressError(f"มีที่อยู่อีเมล {len(found)} ที่อยู่ในช่องเดียว เกินที่รับได้ "
                           f"({MAX_ADDRESSES}); ใส่เฉพาะที่อยู่ของสารบรรณหน่วยงาน")
    return tuple(found)
