"""Thai text helpers: digits, Buddhist-era dates, percentages, segmentation.

Pure functions, named after their PyThaiNLP counterparts (``arabic_digit_to_thai_digit``,
``thai_strftime``) or as ``thai_`` + what they produce. Each is also a Jinja filter of the
same name (see ``FILTERS``), so a spec's text can say ``{{ deadline | thai_weekday_date }}``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_THAI = str.maketrans("0123456789", THAI_DIGITS)
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")
# str.translate looks up every character of a Thai text in its table, which costs about as
# much as composing the rest of a letter; most texts have no digit at all, so look first.
_ARABIC_DIGIT = re.compile("[0-9]")
_THAI_DIGIT = re.compile(f"[{THAI_DIGITS}]")

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
THAI_MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
# Monday first, as datetime.date.weekday() counts.
THAI_WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")

BE_OFFSET = 543
# Years a clerk can mean in a Buddhist-era column; anything else is a typo or a CE year.
BE_YEARS = range(2400, 2800)
CE_YEARS = range(1857, 2257)

# Spans whose digits are data, not prose: URLs, e-mail addresses and bare domain names.
# Their Arabic digits must survive digit conversion untouched.
_URL_CHARS = r"A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%"
LITERAL_SPAN = re.compile(
    rf"(?:https?|ftp)://[{_URL_CHARS}]*[A-Za-z0-9\-_~/#=%&+]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    rf"|\bwww\.[\w-]+(?:\.[\w-]+)+(?:[/?#][{_URL_CHARS}]*[A-Za-z0-9\-_~/#=%&+])?",
    re.ASCII,
)


_TYPED_SARA_AM = re.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")


def nfc(text: str) -> str:
    """The NFC form of ``text``, with SARA AM typed as NIKHAHIT + SARA AA (a common typing
    slip that looks the same: "นํ้า") written as SARA AM ("น้ำ"): all text entering
    lettergen goes through here."""
    return _TYPED_SARA_AM.sub("\\1\u0e33", unicodedata.normalize("NFC", text))


def arabic_digit_to_thai_digit(text: str) -> str:
    """Every Arabic digit in ``text`` as a Thai digit ("10" -> "๑๐")."""
    text = str(text)
    return text.translate(_TO_THAI) if _ARABIC_DIGIT.search(text) else text


def thai_digit_to_arabic_digit(text: str) -> str:
    """Every Thai digit in ``text`` as an Arabic digit ("๑๐" -> "10")."""
    text = str(text)
    return text.translate(_TO_ARABIC) if _THAI_DIGIT.search(text) else text


def thai_digits_in_prose(text: str) -> str:
    """Thai digits everywhere in ``text`` except inside URLs and e-mail addresses."""
    text = str(text)
    out, pos = [], 0
    for match in LITERAL_SPAN.finditer(text):
        out.append(arabic_digit_to_thai_digit(text[pos:match.start()]))
        out.append(match.group())
        pos = match.end()
    out.append(arabic_digit_to_thai_digit(text[pos:]))
    return "".join(out)


def thai_date(date: dt.date) -> str:
    """"๔ มิถุนายน ๒๕๖๑": day, full month, Buddhist-era year, Thai digits."""
    return arabic_digit_to_thai_digit(
        f"{date.day} {THAI_MONTHS[date.month - 1]} {thai_year(date)}"
    )


def thai_weekday_date(date: dt.date) -> str:
    """"วันศุกร์ที่ ๑๐ สิงหาคม ๒๕๖๑"."""
    return f"วัน{THAI_WEEKDAYS[date.weekday()]}ที่ {thai_date(date)}"


def thai_year(date: dt.date) -> int:
    """The Buddhist-era year of ``date``.

    Before 1941 the Thai year began on 1 April, so January to March of those years
    belong to the previous BE year (offset 542).
    """
    if date.year < 1941 and date.month < 4:
        return date.year + BE_OFFSET - 1
    return date.year + BE_OFFSET


def thai_strftime(date: dt.date, fmt: str, thaidigit: bool = True) -> str:
    """A small ``strftime`` in Thai: %A weekday, %d/%-d day, %B month, %b abbreviated
    month, %Y Buddhist-era year, %m month number, %%. Thai digits unless told otherwise."""
    fields = {
        "A": f"วัน{THAI_WEEKDAYS[date.weekday()]}",
        "d": f"{date.day:02d}",
        "-d": str(date.day),
        "B": THAI_MONTHS[date.month - 1],
        "b": THAI_MONTHS_ABBR[date.month - 1],
        "Y": str(thai_year(date)),
        "m": f"{date.month:02d}",
        "%": "%",
    }
    text = re.sub(r"%(-d|[AdBbYm%])", lambda m: fields[m.group(1)], fmt)
    return arabic_digit_to_thai_digit(text) if thaidigit else text


def thai_percent(part: int, whole: int, places: int = 2) -> str:
    """``part`` of ``whole`` as a percentage with ``places`` decimals, rounded half up,
    in Thai digits: thai_percent(25, 144) == "๑๗.๓๖"."""
    if whole <= 0:
        raise ValueError("the whole must be positive")
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )
    return arabic_digit_to_thai_digit(f"{value:.{places}f}")


def thai_number(value: int) -> str:
    """An integer in Thai digits, no grouping: 144 -> "๑๔๔"."""
    return arabic_digit_to_thai_digit(str(int(value)))


def word_tokenize(text: str) -> list[str]:
    """Thai words of ``text`` (PyThaiNLP's newmm engine and word list); spaces kept as their
    own tokens."""
    from pythainlp.tokenize import word_tokenize as _tokenize  # heavy import, used lazily

    from .dictionary import thai_dictionary

    return _tokenize(text, custom_dict=thai_dictionary(), engine="newmm", keep_whitespace=True)


# --- reading dates ---------------------------------------------------------------------

_MONTH_NUMBERS = {name: i + 1 for i, name in enumerate(THAI_MONTHS)}
_MONTH_NUMBERS.update({abbr: i + 1 for i, abbr in enumerate(THAI_MONTHS_ABBR)})
_MONTH_NUMBERS.update({abbr.replace(".", ""): i + 1 for i, abbr in enumerate(THAI_MONTHS_ABBR)})
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_SLASHED = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_THAI_TEXT = re.compile(r"(?:วัน\S*ที่\s*)?(\d{1,2})\s*([^\d\s]+)\s*(?:พ\.ศ\.\s*)?(\d{4})")


class DateError(ValueError):
    """A text that is not a date lettergen can read; the message says why, in Thai."""


def parse_thai_date(value: object) -> dt.date:
    """A date from an ISO text ("2018-08-10"), a date or datetime (Excel cells), a
    day/month/BE-year text ("10/08/2561") or Thai text ("๑๐ สิงหาคม ๒๕๖๑",
    "10 ส.ค. 2561"). Thai-style texts must carry a Buddhist-era year; ISO texts a CE year."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return _ce_date(value)
    text = thai_digit_to_arabic_digit(nfc(str(value))).strip()
    if not text:
        raise DateError("ไม่มีวันที่")
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
        if year in BE_YEARS:
            raise DateError(
                f"ปี {year} ในรูปแบบ ปปปป-ดด-วว ต้องเป็นปี ค.ศ. (เช่น {year - BE_OFFSET}-{month:02d}-{day:02d})"
            )
        if year not in CE_YEARS:
            raise DateError(f"ปี ค.ศ. {year} ไม่สมเหตุสมผล")
        return _make_date(year, month, day, text)
    if match := _SLASHED.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        return _make_date(_be_to_ce(year, text), month, day, text)
    if match := _THAI_TEXT.fullmatch(text):
        day, month_name, year = match.groups()
        month = _MONTH_NUMBERS.get(month_name.strip())
        if month is None:
            raise DateError(f"ไม่รู้จักชื่อเดือน \"{month_name}\" ใน \"{text}\"")
        return _make_date(_be_to_ce(int(year), text), month, int(day), text)
    raise DateError(
        f"อ่านวันที่ \"{text}\" ไม่ได้ (ใช้ 2018-08-10, 10/08/2561 หรือ 10 สิงหาคม 2561)"
    )


def _ce_date(date: dt.date) -> dt.date:
    """A date value (TOML, an Excel cell) is a CE date. One whose year is a Buddhist-era
    year (2561-07-27) is refused, not converted: the clerk writes it again as CE
    (2018-07-27) or as Thai text ("27/07/2561"), and no letter shows the year 3104."""
    if date.year in BE_YEARS:
        raise DateError(
            f"ปี {date.year} เป็นปี พ.ศ. แต่วันที่แบบ ปปปป-ดด-วว ต้องเป็นปี ค.ศ.: เขียน "
            f"{date.year - BE_OFFSET}-{date.month:02d}-{date.day:02d} หรือเขียนเป็นข้อความ "
            f"\"{date.day:02d}/{date.month:02d}/{date.year}\""
        )
    if date.year not in CE_YEARS:
        raise DateError(f"ปี ค.ศ. {date.year} ไม่สมเหตุสมผล")
    return date


def _be_to_ce(year: int, text: str) -> int:
    if year in BE_YEARS:
        return year - BE_OFFSET
    if year in CE_YEARS:
        raise DateError(f"ปี {year} ใน \"{text}\" ดูเป็นปี ค.ศ.; ใช้ปี พ.ศ. (เช่น {year + BE_OFFSET})")
    raise DateError(f"ปี พ.ศ. {year} ใน \"{text}\" ไม่สมเหตุสมผล")


def _make_date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateError(f"ไม่มีวันที่ \"{text}\" ในปฏิทิน") from None


FILTERS = {
    "arabic_digit_to_thai_digit": arabic_digit_to_thai_digit,
    "thai_digit_to_arabic_digit": thai_digit_to_arabic_digit,
    "thai_date": thai_date,
    "thai_weekday_date": thai_weekday_date,
    "thai_strftime": thai_strftime,
    "thai_percent": thai_percent,
    "thai_number": thai_number,
}
