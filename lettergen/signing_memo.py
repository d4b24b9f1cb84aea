"""The signing memo (บันทึกเสนอลงนาม): the memo that takes a set of letters up to the person
who signs them.

``lettergen render --signing-memo`` (and batch.run's ``signing_memo``, which the web app's
produce page can ask for) puts it before the set's letters: a memo (kinds.MEMO) from the
owner unit to the spec's signer (``[sender] signer_position``), whose subject is the set's
("ขอส่งหนังสือ เรื่อง …"), which says how many letters go to whom, per kind and route, with
the register numbers they take, and asks for signature ("จึงเรียนมาเพื่อโปรดพิจารณาลงนาม").
It is signed by ``[signing_memo] signer_name`` and ``signer_position``, takes its number
from the register's internal series (a memo's; without a workspace, ``[signing_memo]
number``) and is recorded in the register like any letter.

This module holds its words; compose.py plans it (compose.with_signing_memo) and composes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SpecError
from .kinds import CIRCULAR, KINDS, number_prefix
from .spec import RECIPIENT_KINDS, Spec
from .thai import arabic_digit_to_thai_digit, thai_date, thai_number

VARIANT = "signing-memo"  # the planned item of the memo (compose.Planned.variant)
KEY = "บันทึกเสนอลงนาม"  # its file name's first part and its recipient id in the register
CLOSING = "จึงเรียนมาเพื่อโปรดพิจารณาลงนาม"
NAMED_AT_MOST = 3  # a group of letters to more addressees than this is counted by kind


@dataclass(frozen=True)
class Group:
    """The letters of one route of the set (a variant): to whom, and their numbers."""

    circular: bool
    addressees: tuple[tuple[str, str], ...]  # (recipient kind, name) of each letter
    members: int  # the recipients whose credentials these letters carry, to be relayed
    relayed: bool  # the letters go to offices that relay them (the district route)
    numbers: tuple[int, ...]  # each letter's running number (a circular's copies share one)


def check(spec: Spec) -> None:
    """What the memo needs from the spec: who signs it, and whom it goes to."""
    if spec.signing_memo is None:
        raise SpecError("ใช้ --signing-memo ต้องมีตาราง [signing_memo] ที่ระบุผู้ลงนามบันทึกเสนอลงนาม "
                        "(signer_name และ signer_position)", file=spec.path, key="signing_memo")
    if not spec.sender.signer_position:
        raise SpecError("บันทึกเสนอลงนามเรียนผู้ลงนามหนังสือ: ระบุตำแหน่งผู้ลงนาม", file=spec.path,
                        key="sender.signer_position")


def subject(spec_subject: str) -> str:
    return f"ขอส่งหนังสือ เรื่อง {spec_subject}"


def paragraphs(spec: Spec, subject_text: str, groups: list[Group], code: str) -> tuple[str, ...]:
    """The memo's body: what was made, a line per group, and the request to sign."""
    total = sum(len(g.addressees) for g in groups)
    sender = spec.sender
    lines = [f"ด้วย{sender.unit}ได้จัดทำหนังสือ{sender.agency} เรื่อง {subject_text} "
             f"ลงวันที่ {thai_date(spec.date)} รวม {thai_number(total)} ฉบับ ดังนี้"]
    kind = KINDS[spec.kind].thai
    for i, group in enumerate(groups, start=1):
        what = kind + (" (หนังสือเวียน)" if group.circular else "")
        relay = (f" เพื่อแจ้งต่อองค์กรปกครองส่วนท้องถิ่นในพื้นที่ {thai_number(group.members)} แห่ง"
                 if group.relayed and group.members else "")
        lines.append(f"{thai_number(i)}. {what} ถึง {_to_whom(group)}{relay} "
                     f"จำนวน {thai_number(len(group.addressees))} ฉบับ ที่ {_numbers(group, code)}")
    lines.append(CLOSING)
    return tuple(lines)


def _to_whom(group: Group) -> str:
    """The addressees by name, or, when there are many, how many of each kind."""
    names = list(dict.fromkeys(name for _, name in group.addressees))
    if len(names) <= NAMED_AT_MOST:
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " และ" + names[-1]
    counts: dict[str, int] = {}
    for kind, _ in group.addressees:
        counts[kind] = counts.get(kind, 0) + 1
    return ", ".join(f"{RECIPIENT_KINDS.get(kind, kind)} {thai_number(n)} แห่ง" for kind, n in counts.items())


def _numbers(group: Group, code: str) -> str:
    """"ชร ๐๐๒๓.๑/ว ๑๘๘๕๘", "ชร ๐๐๒๓.๑/๑๘๘๕๓ - ๑๘๘๕๔" (consecutive), or the numbers listed."""
    prefix = number_prefix(CIRCULAR) if group.circular else ""
    numbers = list(dict.fromkeys(group.numbers))
    if len(numbers) == 1:
        text = f"{code}/{prefix}{numbers[0]}"
    elif numbers == list(range(numbers[0], numbers[0] + len(numbers))):
        text = f"{code}/{prefix}{numbers[0]} - {numbers[-1]}"
    else:
        text = ", ".join(f"{code}/{prefix}{n}" for n in numbers)
    return arabic_digit_to_thai_digit(text)

