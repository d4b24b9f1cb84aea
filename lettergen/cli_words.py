"""argparse's own words in Thai: the usage line, the headings of ``--help``, and the messages
for a command line it cannot read (an option missing its value, a number that is not one, a
required option left out), which end the command with exit code 2 as any bad input does.

argparse looks each of its texts up through ``gettext`` when it uses it (its module-level
``_`` and ``ngettext``); ``thai_argparse()`` puts a Thai table there while lettergen reads its
command line, and puts argparse's own back after, so a program that imports lettergen keeps
argparse as it was. A text not in the table stays as argparse has it."""

from __future__ import annotations

import argparse
import contextlib

WORDS = {
    "usage: ": "วิธีใช้: ",
    "positional arguments": "อาร์กิวเมนต์",
    "options": "ตัวเลือก",
    "show this help message and exit": "แสดงวิธีใช้นี้แล้วจบ",
    "show program's version number and exit": "แสดงรุ่นของโปรแกรมแล้วจบ",
    "%(prog)s: error: %(message)s\n": "%(prog)s: ข้อผิดพลาด: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "the following arguments are required: %s": "ต้องระบุ %s",
    "unrecognized arguments: %s": "ไม่รู้จัก %s",
    "expected one argument": "ต้องมีค่าตามหลัง",
    "expected at most one argument": "มีค่าตามหลังได้ไม่เกินหนึ่งค่า",
    "expected at least one argument": "ต้องมีค่าตามหลังอย่างน้อยหนึ่งค่า",
    "invalid %(type)s value: %(value)r": "ค่า %(value)r ใช้ไม่ได้ (ต้องเป็น %(type)s)",
    "invalid choice: %(value)r (choose from %(choices)s)": "ไม่มี %(value)r ให้เลือก (เลือกได้: %(choices)s)",
    "ambiguous option: %(option)s could match %(matches)s": "%(option)s กำกวม อาจหมายถึง %(matches)s",
    "not allowed with argument %s": "ใช้ร่วมกับ %s ไม่ได้",
    "one of the arguments %s is required": "ต้องระบุอย่างใดอย่างหนึ่งใน %s",
    "ignored explicit argument %r": "ตัวเลือกนี้ไม่รับค่า %r",
}


def _thai(text: str) -> str:
    return WORDS.get(text, text)


def _thai_n(singular: str, plural: str, n: int) -> str:
    if singular == "expected %s argument":
        return "ต้องมีค่าตามหลัง %s ค่า"
    return singular if n == 1 else plural


def whole_number(text: str) -> int:
    """An option's whole number (``type=`` for argparse)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ค่า {text!r} ใช้ไม่ได้ (ต้องเป็นจำนวนเต็ม)") from None


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser, whose message for a command line it cannot read quotes a long
    value (pasted whole into an option) by its start and its end, not whole."""

    def error(self, message: str):
        if len(message) > MESSAGE_CHARS:
            message = message[:MESSAGE_CHARS - 80] + " … " + message[-80:]
        super().error(message)


MESSAGE_CHARS = 300


@contextlib.contextmanager
def thai_argparse():
    """argparse speaks Thai inside the ``with`` block (see the module's docstring)."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = _thai, _thai_n
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved
