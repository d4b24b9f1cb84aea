"""Where a long URL or e-mail address may break across lines: after "/", before ".", "-",
"?", "&" and "@" (never after "-", which readers take for a hyphen), with no hyphen added.

Pure text rules shared by both writers: the PDF's justified body lines
(lettergen/pdf/justify.py cuts a link into its parts), its table cells, and the DOCX (a ZERO
WIDTH SPACE, U+200B, at each break: Pango and Word break there; Pango draws no glyph for it,
so it is not in the text copied out of the PDF). The QR codes and the document model keep
the link as written.
"""

from __future__ import annotations

import re
import unicodedata

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


# A run this long with no place to break (no space, no Thai letter, no ZERO WIDTH SPACE
# yet) gets one every BREAK_EVERY characters. Without them, WeasyPrint lays a run that must
# wrap anywhere (a name of 2,000 "x") out again from each line to its end, which takes time
# in the square of its length (0.35 s at 2,000 letters, 5.7 s at 8,000); with them, a line
# at a time. A shorter run (a username, a password, a code) is left as it is: its cell
# wraps it anywhere, line by line full, where marks every BREAK_EVERY characters would cut
# short lines of the bits between a full line and the next mark. The marks come close
# together so that a line of a long run loses at most a few characters' room.
LONG_RUN = 100
BREAK_EVERY = 8
_UNBROKEN = re.compile(rf"[^\s\u0e00-\u0e7f{ZWSP}]{{{LONG_RUN},}}")


def breakable(text: str) -> str:
    """``text`` with a ZERO WIDTH SPACE every BREAK_EVERY characters of each run of LONG_RUN
    or more that has nowhere to break (never before a combining mark). Pango draws nothing
    for it and the text copied out of the PDF leaves it out; text with a place to break
    comes back unchanged."""
    text = str(text)
    if len(text) < LONG_RUN:
        return text
    return _UNBROKEN.sub(lambda match: _broken(match.group()), text)


def _broken(run: str) -> str:
    out, since = [], 0
    for ch in run:
        if since >= BREAK_EVERY and not unicodedata.combining(ch):
            out.append(ZWSP)
            since = 0
        out.append(ch)
        since += 1
    return "".join(out)
