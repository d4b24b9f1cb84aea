"""District names as clerks write them, and the district offices of a sheet.

"อำเภอเมืองเชียงราย", "อ.เมืองเชียงราย", "อ. เมืองเชียงราย", "กิ่งอำเภอดอยหลวง" and names with
non-breaking or zero-width spaces all name one district: ``district_name`` keeps the bare
name ("เมืองเชียงราย"), since letters write "อำเภอ" before it themselves.

A sheet that lists only LAOs (what a clerk usually has) gets its district offices made by
``district_offices``: one per district of the LAOs routed through them, named by the spec's
``[routing] district_office_name`` and with the id ``<district office kind><district>``
(stable whatever the order of the rows). A sheet that has district-office rows keeps them,
and every district must then have one.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from typing import Sequence

from .sheets.columns import INVISIBLE
from .thai import nfc

_PREFIX = re.compile(r"^(?:กิ่ง\s*อำเภอ|กิ่ง\s*อ\s*\.|อำเภอ|อ\s*\.|amphoe\s+|amphur\s+)\s*", re.I)
_SPACES = re.compile(r"\s+")
_SUFFIX = re.compile(r"(?<!\s)\s*district$", re.I)  # tried once per run of spaces, not per space
_THAI_GAP = re.compile("(?<=[\u0e00-\u0e7f]) (?=[\u0e00-\u0e7f])")


def district_name(text: str) -> str:
    """The bare name of a district: prefixes (อำเภอ, อ., กิ่งอำเภอ) and invisible or repeated
    spaces removed. "อำเภอ เมืองเชียงราย" -> "เมืองเชียงราย"."""
    name = _SPACES.sub(" ", INVISIBLE.sub("", nfc(text)).replace("\u00a0", " ")).strip()
    for _ in range(2):  # "อ.อำเภอX" is a typing slip seen in sheets
        name = _PREFIX.sub("", name, count=1).strip()
    return _THAI_GAP.sub("", _SUFFIX.sub("", name))  # Thai names have no spaces: "เมือง เชียงราย"


def closest(name: str, known: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return close[0] if close else None


def likely_typo(rows: Sequence, via_kinds: set[str]) -> tuple | None:
    """A district written by only one row while a district very like it (one or two letters
    apart) has several rows: (the row, the likely district). Made offices would otherwise
    give the typo a letter of its own."""
    counts: dict[str, int] = {}
    first: dict[str, object] = {}
    for row in rows:
        if row.kind in via_kinds:
            counts[row.district] = counts.get(row.district, 0) + 1
            first.setdefault(row.district, row)
    # Each district of several rows is found from the names one letter away, through the
    # names with one letter deleted: time in proportion to the districts, where comparing
    # every pair took hours for a sheet of tens of thousands.
    order = {district: i for i, district in enumerate(counts)}
    by_deletion: dict[str, list[str]] = {}
    for district, count in counts.items():
        if count > 1 and len(district) <= TYPO_NAME_CHARS:
            for key in {district, *_deletions(district)}:
                by_deletion.setdefault(key, []).append(district)
    for district, count in counts.items():
        if count != 1 or len(district) > TYPO_NAME_CHARS:
            continue
        found = {*by_deletion.get(district, ())}
        for key in _deletions(district):
            found.update(by_deletion.get(key, ()))
        for other in sorted(found - {district}, key=order.__getitem__):
            if _near(district, other):
                return first[district], other
    return None


TYPO_NAME_CHARS = 100  # longer "district names" are no district's: not checked for typos


def _deletions(name: str) -> set[str]:
    """``name`` with one of its letters left out, each way."""
    return {name[:i] + name[i + 1:] for i in range(len(name))}


def _near(a: str, b: str) -> bool:
    """Differ by at most one inserted, deleted or replaced character (a Thai tone mark or
    vowel typed wrong), in names long enough for that to be a slip."""
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1:
        return False
    matcher = difflib.SequenceMatcher(None, a, b)
    changed = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")
    return changed <= 1


DEFAULT_OFFICE_NAME = "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ{{ district }}"


def office_name(pattern: str, district: str) -> str:
    from .templating import render_text, plain, to_runs

    return plain(to_runs(render_text(pattern, {"district": district},
                                     key="routing.district_office_name"), thai_digits=False))


def district_offices(spec, rows: Sequence) -> tuple[dict, int]:
    """District -> the row of its office (from the sheet, or made), and how many were made.
    Offices are made only when the sheet has no district-office row at all."""
    routing = spec.routing
    offices: dict = {}
    for row in rows:
        if row.kind == routing.district_office:
            offices.setdefault(row.district, row)
    if offices:
        return offices, 0
    for row in rows:
        if row.kind in routing.via_district and row.district not in offices:
            offices[row.district] = replace(
                row, id=f"{routing.district_office}{row.district}",
                name=office_name(routing.district_office_name, row.district),
                kind=routing.district_office, username="", password="", done=False,
                done_date=None, extra={}, overrides={}, pdf_password="",
            )
    return offices, len(offices)
