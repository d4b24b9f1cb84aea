"""Spreadsheet cells as Excel shows them.

A number in an XLSX cell is stored as a binary float; what the clerk sees is that number
passed through the cell's number format: 123 with the format ``00000`` is "00123", 100000
with ``0.00E+00`` is "1.00E+05". ``shown_number`` reproduces the formats that sheets of
names and credentials use (General, ``0``, ``00000``, ``#,##0``, ``0.00``, ``@``, percent,
scientific, quoted text and ``[$฿-41E]`` currency around them) and returns None for any
other, so that the caller refuses the cell instead of guessing.

Cells that cannot be read as a value at all are kept as markers: ``FormulaWithoutValue``
(the file was saved by a program that does not store the results of formulas),
``ErrorValue`` (``#N/A``, ``#REF!`` ...) and ``TooLong`` (text past limits.CELL_CHARS).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..limits import CELL_CHARS

# Excel keeps 15 significant digits; a longer number has already lost its tail.
EXACT_DIGITS = 15
# Excel takes number formats of at most 255 characters: a longer one is not Excel's, and
# is not read (the patterns below then never see more than that).
FORMAT_CHARS = 255


@dataclass(frozen=True)
class NumberCell:
    """A number read from an XLSX cell, with the text Excel shows for it (None when the
    cell's format is one lettergen cannot reproduce, or the number is not exact)."""

    number: int | float
    text: str | None
    number_format: str

    @property
    def general(self) -> bool:
        return self.number_format.strip().lower() in ("general", "@", "")


@dataclass(frozen=True)
class FormulaWithoutValue:
    """A formula cell whose result was never saved in the file."""

    formula: str


@dataclass(frozen=True)
class ErrorValue:
    """An Excel error value: #N/A, #REF!, #DIV/0!, #VALUE! ..."""

    code: str


@dataclass(frozen=True)
class TooLong:
    """A cell whose text is longer than limits.CELL_CHARS, kept as its length only (the
    text is dropped as soon as it is read). A row that uses it is refused, naming the cell."""

    length: int

    def __str__(self) -> str:  # as a page that shows the sheet prints the cell
        return f"(ข้อความยาว {self.length:,} ตัวอักษร)"


def bounded_text(text: str) -> str | TooLong:
    """A cell's text, or TooLong when it passes limits.CELL_CHARS."""
    return TooLong(len(text)) if len(text) > CELL_CHARS else text


def number_cell(value: int | float, number_format: str | None) -> NumberCell:
    fmt = number_format or "General"
    return NumberCell(value, shown_number(value, fmt), fmt)


def plain_number(value: int | float) -> int | float:
    """An integral float as an int (123.0 -> 123), any other number unchanged."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 10 ** EXACT_DIGITS:
        return int(value)
    return value


# --- number formats ----------------------------------------------------------------------

_SECTION_SPLIT = re.compile(r'((?:"[^"]*"|\\.|[^;"\\])*)(?:;|$)')
_CURRENCY = re.compile(r"\[\$([^\]-]*)(?:-[0-9A-Fa-f]+)?\]")
_BRACKET = re.compile(r"\[(?:Red|Black|Blue|Green|White|Yellow|Magenta|Cyan|Color\s*\d+)\]", re.I)
_CONDITION = re.compile(r"\[[<>=]")
# Characters Excel shows as they are, without quotes.
_LITERAL_CHARS = set(" $-+()/:!^&'~{}<>=฿€£¥")


def shown_number(value: int | float, number_format: str) -> str | None:
    """``value`` as Excel shows it with ``number_format``, or None when this format (or a
    number beyond Excel's 15 exact digits) cannot be reproduced faithfully."""
    if isinstance(value, bool) or not math.isfinite(value):
        return None
    if abs(value) >= 10 ** EXACT_DIGITS and not isinstance(value, int):
        return None
    fmt = number_format.strip()
    if len(fmt) > FORMAT_CHARS:
        return None
    if fmt.lower() in ("general", "@", ""):
        return _general(value)
    if _CONDITION.search(fmt):
        return None
    sections = [s for s in _SECTION_SPLIT.findall(fmt)]
    sections = sections[:-1] if len(sections) > 1 and sections[-1] == "" else sections
    negative = value < 0
    if negative and len(sections) >= 2 and sections[1].strip():
        section, sign = sections[1], ""
        value = -value
    elif value == 0 and len(sections) >= 3 and sections[2].strip():
        section, sign = sections[2], ""
    else:
        section, sign = sections[0], "-" if negative else ""
        value = abs(value)
    text = _section(value, section)
    if text is None:
        return None
    return sign + text if sign and any(ch.isdigit() for ch in text) else text


def _general(value: int | float) -> str | None:
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 10 ** EXACT_DIGITS:
        return str(int(value))
    text = f"{value:.{EXACT_DIGITS}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}E{exponent[0]}{abs(int(exponent)):02d}"
    return text


def _section(value: float, section: str) -> str | None:
    """One section of a format: literal text around one numeric placeholder group."""
    section = _CURRENCY.sub(lambda m: '"' + m.group(1).replace('"', "") + '"', section)
    section = _BRACKET.sub("", section)
    if "[" in section:
        return None  # elapsed time, locale codes lettergen does not know
    parts: list[str | None] = []  # literal text, or None where the number goes
    core = ""
    percent = False
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            if end < 0:
                return None
            parts.append(section[i + 1:end])
            i = end + 1
        elif ch == "\\" and i + 1 < len(section):
            parts.append(section[i + 1])
            i += 2
        elif ch == "_" and i + 1 < len(section):
            parts.append(" ")  # padding as wide as the next character
            i += 2
        elif ch == "*" and i + 1 < len(section):
            i += 2  # a fill character: repeats to the column's width
        elif ch in "0#,." or (ch in "Ee" and core and section[i + 1:i + 2] in ("+", "-")):
            if core and parts and parts[-1] is not None:
                return None  # two numeric groups (fractions, phone masks)
            if not parts or parts[-1] is not None:
                parts.append(None)
            if ch in "Ee":
                core += "E" + section[i + 1]
                i += 2
                continue
            core += ch
            i += 1
        elif ch == "%":
            percent = True
            parts.append("%")
            i += 1
        elif ch == "@":
            parts.append(_general(value) or "")
            i += 1
        elif ch in _LITERAL_CHARS or not ch.isascii():
            parts.append(ch)
            i += 1
        else:
            return None  # letters (dates, times), ? and / (fractions): not reproduced
    if not core:
        return "".join(p for p in parts if p is not None) if parts else _general(value)
    number = _digits(value * 100 if percent else value, core)
    if number is None:
        return None
    return "".join(number if p is None else p for p in parts)


def _digits(value: float, core: str) -> str | None:
    """``value`` (not negative) through the placeholders ``core`` (0 # , . E+00)."""
    mantissa_fmt, _, exponent_fmt = core.partition("E")
    if exponent_fmt:
        return _scientific(value, mantissa_fmt, exponent_fmt)
    integer_fmt, dot, fraction_fmt = mantissa_fmt.partition(".")
    if "." in fraction_fmt or "," in fraction_fmt or integer_fmt.endswith(","):
        return None  # two decimal points, or a scaling comma
    group = "," in integer_fmt
    min_int = integer_fmt.count("0")
    min_frac, max_frac = fraction_fmt.count("0"), len(fraction_fmt)
    if fraction_fmt and fraction_fmt.rstrip("#") != "0" * min_frac:
        return None  # 0#0 mixtures after the point
    rounded = _round(value, max_frac)
    integer, _, fraction = f"{rounded:f}".partition(".")
    fraction = fraction.ljust(max_frac, "0")[:max_frac].rstrip("0").ljust(min_frac, "0")
    if integer == "0" and min_int == 0:
        integer = ""  # "#.00" shows 0.5 as ".50"
    integer = integer.rjust(min_int, "0")
    if group:
        integer = _grouped(integer)
    return f"{integer}.{fraction}" if dot else integer


def _grouped(digits: str) -> str:
    """"1234567" -> "1,234,567"."""
    out = []
    for i, ch in enumerate(reversed(digits)):
        if i and i % 3 == 0:
            out.append(",")
        out.append(ch)
    return "".join(reversed(out))


def _scientific(value: float, mantissa_fmt: str, exponent_fmt: str) -> str | None:
    sign, digits = exponent_fmt[0], exponent_fmt[1:]
    integer_fmt, _, fraction_fmt = mantissa_fmt.partition(".")
    if integer_fmt not in ("0", "#") or set(digits) - {"0"} or not digits or set(fraction_fmt) - {"0"}:
        return None  # engineering notation and other shapes
    places = len(fraction_fmt)
    exact = Decimal(repr(value))
    if value == 0:
        exponent = 0
    else:
        exponent = math.floor(math.log10(value))
        if _round(exact / Decimal(10) ** exponent, places) >= 10:
            exponent += 1
    mantissa = _round(exact / Decimal(10) ** exponent, places)
    shown_sign = "-" if exponent < 0 else ("+" if sign == "+" else "")
    return f"{mantissa:.{places}f}E{shown_sign}{abs(exponent):0{len(digits)}d}"


def _round(value, places: int) -> Decimal:
    """Half away from zero, on the decimal digits Excel shows (not on the binary float)."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
