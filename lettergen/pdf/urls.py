"""Where a long URL or e-mail address may break across lines: after "/", before ".", "-",
"?", "&" and "@" (never after "-", which readers take for a hyphen), with no hyphen added.

Used by the PDF's justified body lines (lettergen/pdf/justify.py cuts a link into its
parts), by its table cells and by the DOCX (a ZERO WIDTH SPACE, U+200B, at each break:
Pango and Word break there; Pango draws no glyph for it, so it is not in the text copied
out of the PDF). The QR codes and the document model keep the link as written.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"

# The lookahead first makes sure no space or "@" follows, so the domain's "." is found in
# one pass (without it, each "." of "a@b.b.b...b x" started a scan to the space).
_LINK = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)|^[^\s@]+@(?=[^\s@]+$)[^\s@]+\.[^\s@]+$",
                   re.IGNORECASE)
_BREAK = re.compile(r"(?<=/)(?=[^/])|(?<=[^/])(?=[.\-?&@])")


def is_link(text: str) -> bool:
    """A URL (with its scheme, or www.) or an e-mail address: the texts that get breaks."""
    return bool(_LINK.search(text))


def link_parts(text: str) -> list[str]:
    """``text`` cut where it may break: "https://a.go.th/x?y=1" -> "https://a", ".go",
    ".th/", "x", "?y=1". The scheme's "//" stays whole; the parts join to ``text``."""
    if not is_link(text):
        return [text]
    head = ""
    scheme = re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE)
    if scheme:
        head, text = scheme.group(), text[scheme.end():]
    parts = [part for part in _BREAK.split(text) if part]
    if parts:
        parts[0] = head + parts[0]
    else:
        parts = [head]
    return parts


def with_breaks(text: str) -> str:
    """``text`` with a ZERO WIDTH SPACE at each place a link in it may break (a run that is
    not a link is returned as it is: usernames and passwords are copied, never broken)."""
    return ZWSP.join(link_parts(text))
