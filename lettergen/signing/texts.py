"""The Thai texts of a signature, pure functions: its time as a Thai office writes it and the
lines the visible signature shows."""

from __future__ import annotations

import datetime as dt

from ..thai import arabic_digit_to_thai_digit, thai_date

THAI_TIME = dt.timezone(dt.timedelta(hours=7), "ICT")  # letters are dated in Thai time


def thai_date_time(when: dt.datetime) -> str:
    """"๒๗ กรกฎาคม ๒๕๖๑ เวลา ๑๔.๐๕ น.": the moment ``when`` in Thai time (a naive time is
    taken as UTC), Buddhist era, Thai digits, the hour as offices write it."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    local = when.astimezone(THAI_TIME)
    clock = arabic_digit_to_thai_digit(f"{local.hour:02d}.{local.minute:02d}")
    return f"{thai_date(local.date())} เวลา {clock} น."


def stamp_lines(signer_name: str, when: dt.datetime) -> tuple[str, str]:
    """The two lines of the visible signature: who signed, and when."""
    return (f"ลงนามโดย {signer_name}", f"เมื่อ {thai_date_time(when)}")
