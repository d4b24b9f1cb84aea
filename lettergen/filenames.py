"""Output file names: the recipient's id and a readable Thai name, safe on every system."""

from __future__ import annotations

import re

from .thai import nfc

MAX_BYTES = 200
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_SPACES = re.compile(r"\s+")


def file_stem(key: str, name: str, max_bytes: int = MAX_BYTES) -> str:
    """"5701-สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเมืองเชียงราย": NFC, no path separators
    or characters Windows refuses, no leading dots, at most ``max_bytes`` UTF-8 bytes
    (cut at a character boundary, before any extension is added)."""
    raw = f"{key}-{name}" if name else key
    stem = _SPACES.sub(" ", _UNSAFE.sub("_", nfc(raw))).strip(" .")
    encoded = stem.encode("utf-8")[:max_bytes]
    stem = encoded.decode("utf-8", errors="ignore").rstrip(" .")
    return stem or "letter"


def unique_stems(pairs: list[tuple[str, str]]) -> list[str]:
    """A stem per (key, name), made unique by a counter where two would collide."""
    taken: set[str] = set()
    counted: dict[str, int] = {}  # base -> the last count it took: counting goes on from there
    stems = []
    for key, name in pairs:
        base = file_stem(key, name, MAX_BYTES - 12)
        n = counted.get(base.casefold(), 1)
        stem = base if n == 1 else f"{base}~{n}"
        while stem.casefold() in taken:  # the counted name may be taken too: count on
            n += 1
            stem = f"{base}~{n}"
        counted[base.casefold()] = n
        taken.add(stem.casefold())
        stems.append(stem)
    return stems
