"""One letter's own edit: before producing, the clerk may change the text of one
addressee's letter (its body paragraphs) and say why. The edit is kept with the session's
working set (and its draft), applied to that addressee's row as overrides of its spec keys
(the same way a sheet's dotted-key column overrides a value for one row), and its note
goes into the register's หมายเหตุ of that letter (``register.remark``).

An edit is {"paragraphs": [texts], "note": text}; a session keeps one per recipient id."""

from __future__ import annotations

import dataclasses
import json
from typing import Mapping

NOTE = "แก้ไขเฉพาะฉบับ"  # how the register's remark begins


def as_text(edits: Mapping[str, Mapping]) -> str:
    """The edits as one canonical text (what the engine is sent, and a cache key)."""
    return json.dumps(edits, ensure_ascii=False, sort_keys=True) if edits else ""


def from_text(text: str) -> dict[str, dict]:
    return json.loads(text) if text else {}


def overrides(edit: Mapping) -> dict:
    """The spec keys one edit overrides for its letter."""
    note = str(edit.get("note", "")).strip()
    return {"body.paragraphs": [str(p) for p in edit.get("paragraphs", ())],
            "register.remark": f"{NOTE}: {note}" if note else NOTE}


def with_own_edits(book, edits_text: str):
    """``book`` with each edited addressee's row carrying its edit's overrides."""
    edits = from_text(edits_text)
    if not edits:
        return book
    rows = tuple(dataclasses.replace(row, overrides={**row.overrides, **overrides(edits[row.id])})
                 if row.id in edits else row for row in book.rows)
    return dataclasses.replace(book, rows=rows)
