"""Unit tests of lettergen/thai.py: Thai digits, Buddhist-era dates, percentages, words.

Table-driven cases pin the exact text a letter shows; the hypothesis properties check the
invariants the letters rely on (digit conversion is lossless, URLs and e-mail addresses
keep their Arabic digits, a date written in Thai reads back as the same date, percentages
round half up).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lettergen.thai import (
    THAI_DIGITS,
    DateError,
    arabic_digit_to_thai_digit,
    parse_thai_date,
    thai_date,
    thai_digit_to_arabic_digit,
    thai_digits_in_prose,
    thai_percent,
    thai_strftime,
    thai_weekday_date,
    thai_year,
    word_tokenize,
)

# No example database: the property tests leave no files behind in the project.
PROPERTY = settings(database=None, deadline=None)

D = dt.date


# --- digits ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10", "๑๐"),
        ("0123456789", "๐๑๒๓๔๕๖๗๘๙"),
        ("ระยะที่ 2", "ระยะที่ ๒"),
        ("พระราชบัญญัติ พ.ศ. 2558 แผนงานที่ 4", "พระราชบัญญัติ พ.ศ. ๒๕๕๘ แผนงานที่ ๔"),
        ("ชร 0023.1/ว 18858", "ชร ๐๐๒๓.๑/ว ๑๘๘๕๘"),
        ("โทร. 0-5317-7328-9", "โทร. ๐-๕๓๑๗-๗๓๒๘-๙"),
        ("ดำเนินการแล้ว 25 แห่ง จาก 144 แห่ง", "ดำเนินการแล้ว ๒๕ แห่ง จาก ๑๔๔ แห่ง"),
        ("สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด", "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด"),
        ("ข้อ ๒.๒ และข้อ 2.3", "ข้อ ๒.๒ และข้อ ๒.๓"),  # Thai digits stay as they are
        ("", ""),
        (144, "๑๔๔"),  # not a str: converted through str()
    ],
)
def test_arabic_digit_to_thai_digit(text, expected):
    assert arabic_digit_to_thai_digit(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("๑๐", "10"),
        ("๐๑๒๓๔๕๖๗๘๙", "0123456789"),
        ("วันศุกร์ที่ ๑๐ สิงหาคม ๒๕๖๑", "วันศุกร์ที่ 10 สิงหาคม 2561"),
        ("ชร ๐๐๒๓.๑/๑๓๓๐๓", "ชร 0023.1/13303"),
        ("ร้อยละ 17.36", "ร้อยละ 17.36"),
        ("", ""),
    ],
)
def test_thai_digit_to_arabic_digit(text, expected):
    assert thai_digit_to_arabic_digit(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # The report form of the Chiang Rai letter: the URL keeps its digits, the deadline not.
        (
            "รายงานผลให้จังหวัดทราบทาง https://goo.gl/forms/BsPUHa4Ql7BZ56853 ภายใน 10 วัน",
            "รายงานผลให้จังหวัดทราบทาง https://goo.gl/forms/BsPUHa4Ql7BZ56853 ภายใน ๑๐ วัน",
        ),
        (
            "https://goo.gl/forms/BsPUHa4Ql7BZ56853",
            "https://goo.gl/forms/BsPUHa4Ql7BZ56853",
        ),
        # A full stop or a bracket after the URL is prose, not part of the URL.
        (
            "ดูรายละเอียดที่ https://citizen.info.go.th/2561. ข้อ 3",
            "ดูรายละเอียดที่ https://citizen.info.go.th/2561. ข้อ ๓",
        ),
        (
            "(https://citizensurvey.info.go.th/login2) ขั้นตอนที่ 1 - 3",
            "(https://citizensurvey.info.go.th/login2) ขั้นตอนที่ ๑ - ๓",
        ),
        # Percent-escapes and query strings are URL digits too.
        (
            "Android https://play.google.com/store/search?q=Longdo%20Map&c=apps "
            "และ iOS https://apps.apple.com/th/search?term=Longdo%20Map ข้อ 2.1",
            "Android https://play.google.com/store/search?q=Longdo%20Map&c=apps "
            "และ iOS https://apps.apple.com/th/search?term=Longdo%20Map ข้อ ๒.๑",
        ),
        (
            "ส่งไปรษณีย์อิเล็กทรอนิกส์ถึง saraban2561@chiangrai.go.th ภายใน 7 วัน",
            "ส่งไปรษณีย์อิเล็กทรอนิกส์ถึง saraban2561@chiangrai.go.th ภายใน ๗ วัน",
        ),
        (
            "เว็บไซต์ www.dla2561.go.th/page3 โทร. 0-2241-9000",
            "เว็บไซต์ www.dla2561.go.th/page3 โทร. ๐-๒๒๔๑-๙๐๐๐",
        ),
        ("ระยะที่ 2 พ.ศ. 2558", "ระยะที่ ๒ พ.ศ. ๒๕๕๘"),
        ("", ""),
    ],
)
def test_thai_digits_in_prose(text, expected):
    assert thai_digits_in_prose(text) == expected


# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "date, expected",
    [
        (D(2018, 6, 4), "๔ มิถุนายน ๒๕๖๑"),
        (D(2018, 8, 10), "๑๐ สิงหาคม ๒๕๖๑"),
        (D(2018, 7, 27), "๒๗ กรกฎาคม ๒๕๖๑"),
        (D(2024, 2, 29), "๒๙ กุมภาพันธ์ ๒๕๖๗"),
        (D(2023, 12, 31), "๓๑ ธันวาคม ๒๕๖๖"),
        (D(2024, 1, 1), "๑ มกราคม ๒๕๖๗"),
        (D(1941, 1, 1), "๑ มกราคม ๒๔๘๔"),
        (D(1940, 3, 31), "๓๑ มีนาคม ๒๔๘๒"),  # before 1941 the year began on 1 April
        (D(1940, 4, 1), "๑ เมษายน ๒๔๘๓"),
    ],
)
def test_thai_date(date, expected):
    assert thai_date(date) == expected


@pytest.mark.parametrize(
    "date, expected",
    [
        (D(2018, 8, 10), "วันศุกร์ที่ ๑๐ สิงหาคม ๒๕๖๑"),
        (D(2018, 8, 6), "วันจันทร์ที่ ๖ สิงหาคม ๒๕๖๑"),
        (D(2018, 8, 7), "วันอังคารที่ ๗ สิงหาคม ๒๕๖๑"),
        (D(2018, 8, 8), "วันพุธที่ ๘ สิงหาคม ๒๕๖๑"),
        (D(2018, 8, 9), "วันพฤหัสบดีที่ ๙ สิงหาคม ๒๕๖๑"),
        (D(2018, 8, 11), "วันเสาร์ที่ ๑๑ สิงหาคม ๒๕๖๑"),
        (D(2018, 8, 12), "วันอาทิตย์ที่ ๑๒ สิงหาคม ๒๕๖๑"),
        (D(2018, 6, 4), "วันจันทร์ที่ ๔ มิถุนายน ๒๕๖๑"),
    ],
)
def test_thai_weekday_date(date, expected):
    assert thai_weekday_date(date) == expected


@pytest.mark.parametrize(
    "date, expected",
    [
        (D(2018, 6, 4), 2561),
        (D(2024, 1, 1), 2567),
        (D(1941, 1, 1), 2484),  # the first year that began on 1 January
        (D(1941, 3, 31), 2484),
        (D(1940, 12, 31), 2483),
        (D(1940, 4, 1), 2483),
        (D(1940, 3, 31), 2482),  # January to March before 1941: offset 542
        (D(1940, 1, 1), 2482),
        (D(1913, 3, 31), 2455),
        (D(1912, 4, 1), 2455),
        (D(1912, 3, 31), 2454),
    ],
)
def test_thai_year(date, expected):
    assert thai_year(date) == expected


@pytest.mark.parametrize(
    "date, fmt, thaidigit, expected",
    [
        (D(2018, 8, 10), "%A ที่ %-d %B %Y", True, "วันศุกร์ ที่ ๑๐ สิงหาคม ๒๕๖๑"),
        (D(2018, 8, 1), "%d/%m/%Y", True, "๐๑/๐๘/๒๕๖๑"),
        (D(2018, 8, 1), "%d/%m/%Y", False, "01/08/2561"),
        (D(2018, 8, 1), "%-d %b %Y", True, "๑ ส.ค. ๒๕๖๑"),
        (D(2018, 12, 5), "%-d %b %Y", False, "5 ธ.ค. 2561"),
        (D(1940, 2, 1), "%B %Y", True, "กุมภาพันธ์ ๒๔๘๒"),
        (D(2018, 8, 1), "ร้อยละ 100%%", True, "ร้อยละ ๑๐๐%"),
        (D(2018, 8, 1), "%%d %d", False, "%d 01"),  # %% is a literal percent sign
        (D(2018, 8, 1), "ไม่มีรหัส", True, "ไม่มีรหัส"),
    ],
)
def test_thai_strftime(date, fmt, thaidigit, expected):
    assert thai_strftime(date, fmt, thaidigit=thaidigit) == expected


# --- percentages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "part, whole, places, expected",
    [
        (25, 144, 2, "๑๗.๓๖"),  # the Chiang Rai letter: 25 of 144 LAOs
        (0, 144, 2, "๐.๐๐"),
        (144, 144, 2, "๑๐๐.๐๐"),
        (1, 3, 2, "๓๓.๓๓"),
        (2, 3, 2, "๖๖.๖๗"),
        (1, 6, 2, "๑๖.๖๗"),
        (1, 8, 2, "๑๒.๕๐"),
        (3, 2, 2, "๑๕๐.๐๐"),
        # Exact halves round up (banker's rounding would give 12, 62, 6.2, 1.2, 0.2).
        (1, 8, 0, "๑๓"),
        (5, 8, 0, "๖๓"),
        (1, 16, 1, "๖.๓"),
        (1, 80, 1, "๑.๓"),
        (1, 400, 1, "๐.๓"),
        (3, 16, 1, "๑๘.๘"),
        (1, 7, 6, "๑๔.๒๘๕๗๑๔"),
    ],
)
def test_thai_percent(part, whole, places, expected):
    assert thai_percent(part, whole, places) == expected


@pytest.mark.parametrize("whole", [0, -1, -144])
def test_thai_percent_refuses_a_whole_that_is_not_positive(whole):
    with pytest.raises(ValueError):
        thai_percent(0, whole)


# --- reading dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2018-08-10", D(2018, 8, 10)),
        ("2018-08-10T09:30:00", D(2018, 8, 10)),
        (D(2018, 8, 10), D(2018, 8, 10)),
        (dt.datetime(2018, 8, 10, 13, 5), D(2018, 8, 10)),  # an Excel date-time cell
        ("10/08/2561", D(2018, 8, 10)),
        ("10.08.2561", D(2018, 8, 10)),
        ("10-08-2561", D(2018, 8, 10)),
        (" 10/08/2561 ", D(2018, 8, 10)),
        ("๑๐/๐๘/๒๕๖๑", D(2018, 8, 10)),
        ("29/02/2567", D(2024, 2, 29)),
        ("๑๐ สิงหาคม ๒๕๖๑", D(2018, 8, 10)),
        ("10 สิงหาคม 2561", D(2018, 8, 10)),
        ("10 ส.ค. 2561", D(2018, 8, 10)),
        ("10 สค 2561", D(2018, 8, 10)),
        ("4 มิ.ย. 2561", D(2018, 6, 4)),
        ("วันศุกร์ที่ 10 สิงหาคม 2561", D(2018, 8, 10)),
        ("วันศุกร์ที่ ๑๐ สิงหาคม พ.ศ. ๒๕๖๑", D(2018, 8, 10)),
        ("1 มกราคม 2484", D(1941, 1, 1)),
    ],
)
def test_parse_thai_date(value, expected):
    assert parse_thai_date(value) == expected


@pytest.mark.parametrize(
    "value, fragments",
    [
        ("31/02/2567", ["ไม่มีวันที่", "31/02/2567", "ในปฏิทิน"]),  # impossible day
        ("29/02/2566", ["ไม่มีวันที่", "29/02/2566"]),  # 2023 is no leap year
        ("2018-13-01", ["ไม่มีวันที่", "2018-13-01"]),
        ("10/08/2018", ["ปี 2018", "ดูเป็นปี ค.ศ.", "2561"]),  # CE year where BE belongs
        ("10 สิงหาคม 2018", ["ปี 2018", "ดูเป็นปี ค.ศ."]),
        ("10/08/3561", ["ปี พ.ศ. 3561", "ไม่สมเหตุสมผล"]),
        ("3104-01-01", ["ปี ค.ศ. 3104", "ไม่สมเหตุสมผล"]),
        ("2561-08-10", ["ปี 2561", "ต้องเป็นปี ค.ศ.", "2018-08-10"]),  # BE year in ISO form
        ("", ["ไม่มีวันที่"]),
        ("   ", ["ไม่มีวันที่"]),
        ("พรุ่งนี้", ["อ่านวันที่", "พรุ่งนี้", "ไม่ได้"]),
        ("hello world", ["อ่านวันที่", "hello world"]),
        ("10 สิงหา 2561", ["ไม่รู้จักชื่อเดือน", "สิงหา"]),
    ],
)
def test_parse_thai_date_errors(value, fragments):
    with pytest.raises(DateError) as info:
        parse_thai_date(value)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_date_error_is_a_value_error():
    assert issubclass(DateError, ValueError)


# --- words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("สำนักงาน", ["สำนักงาน"]),
        ("วันศุกร์ที่", ["วัน", "ศุกร์", "ที่"]),
        ("น้ำ", ["น้ำ"]),
        ("ที่", ["ที่"]),
        ("ดื่มน้ำที่บ้าน", ["ดื่ม", "น้ำ", "ที่", "บ้าน"]),
        ("วันศุกร์ที่ 10 สิงหาคม", ["วัน", "ศุกร์", "ที่", " ", "10", " ", "สิงหาคม"]),
    ],
)
def test_word_tokenize(text, expected):
    assert word_tokenize(text) == expected


# --- properties ------------------------------------------------------------------------

THAI_WORDS = (
    "จังหวัด", "เชียงราย", "อำเภอ", "เทศบาล", "ตำบล", "องค์การบริหารส่วนตำบล", "สำนักงาน",
    "ส่งเสริม", "การปกครอง", "ท้องถิ่น", "หนังสือ", "ที่", "ลงวันที่", "ภายใน", "วันศุกร์",
    "สิงหาคม", "ร้อยละ", "แห่ง", "รายงานผล", "ทาง", "ขั้นตอน", "ข้อ", "น้ำ", "ด่วนที่สุด",
    "ชื่อผู้ใช้", "รหัสผ่าน", "พ.ศ.", "โทร.", "ผู้ประสานงาน",
)
NUMBERS = st.integers(min_value=0, max_value=10**8).map(str)
PROSE_TOKEN = st.one_of(st.sampled_from(THAI_WORDS), NUMBERS, st.sampled_from([" ", " ", "\n", ", ", " - "]))
THAI_PROSE = st.lists(PROSE_TOKEN, max_size=12).map("".join)

REAL_URLS = (
    "https://goo.gl/forms/BsPUHa4Ql7BZ56853",
    "https://citizen.info.go.th/",
    "https://citizensurvey.info.go.th/login",
    "https://play.google.com/store/search?q=Longdo%20Map&c=apps",
    "https://apps.apple.com/th/search?term=Longdo%20Map",
    "http://www.chiangrai.go.th/2561/index.php?id=18858",
)
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_LABEL = st.text(_ALNUM, min_size=1, max_size=10)
_URL_CHARS = _ALNUM + "-_~%=&?/+"
GENERATED_URLS = st.builds(
    lambda scheme, labels, tld, path: f"{scheme}://{'.'.join(labels)}.{tld}{path}",
    st.sampled_from(["http", "https", "ftp"]),
    st.lists(_LABEL, min_size=1, max_size=3),
    st.sampled_from(["go.th", "or.th", "com", "net", "gl"]),
    st.one_of(
        st.just(""),
        st.just("/"),
        st.builds(lambda a, b: "/" + a + b, st.text(_URL_CHARS, max_size=20), st.text(_ALNUM, min_size=1, max_size=5)),
    ),
)
EMAILS = st.builds(
    lambda user, host: f"{user}@{host}.go.th",
    st.text(_ALNUM + "._+-", min_size=1, max_size=12).filter(lambda s: s[-1] != "."),
    _LABEL,
)
LITERALS = st.one_of(st.sampled_from(REAL_URLS), GENERATED_URLS, EMAILS)

TEXT_WITHOUT_THAI_DIGITS = st.text(st.characters(exclude_characters=THAI_DIGITS))
TEXT_WITHOUT_ARABIC_DIGITS = st.text(st.characters(exclude_characters="0123456789"))


@PROPERTY
@given(TEXT_WITHOUT_THAI_DIGITS)
def test_thai_digits_round_trip(text):
    thai = arabic_digit_to_thai_digit(text)
    assert thai_digit_to_arabic_digit(thai) == text
    assert not re.search(r"[0-9]", thai)
    assert len(thai) == len(text)


@PROPERTY
@given(TEXT_WITHOUT_ARABIC_DIGITS)
def test_arabic_digits_round_trip(text):
    assert arabic_digit_to_thai_digit(thai_digit_to_arabic_digit(text)) == text


@PROPERTY
@given(
    before=THAI_PROSE,
    open_=st.sampled_from(["", " ", "(", " ("]),
    literal=LITERALS,
    close=st.sampled_from([" ", "\n", ". ", ", ", ") ", ")\n"]),
    after=THAI_PROSE,
)
def test_thai_digits_in_prose_keeps_urls_and_converts_the_prose(before, open_, literal, close, after):
    if "://" not in literal and not open_:
        # An e-mail address needs a break before it, or its user part would take in the
        # Arabic digits of the prose just before.
        open_ = " "
    head, tail = before + open_, close + after
    result = thai_digits_in_prose(head + literal + tail)
    assert result[len(head):len(head) + len(literal)] == literal
    assert result[:len(head)] == arabic_digit_to_thai_digit(head)
    assert result[len(head) + len(literal):] == arabic_digit_to_thai_digit(tail)


@PROPERTY
@given(THAI_PROSE)
def test_thai_digits_in_prose_without_urls_is_plain_conversion(text):
    assert thai_digits_in_prose(text) == arabic_digit_to_thai_digit(text)


DATES_1941_2200 = st.dates(min_value=D(1941, 1, 1), max_value=D(2200, 12, 31))


@PROPERTY
@given(DATES_1941_2200)
def test_thai_date_reads_back(date):
    assert parse_thai_date(thai_date(date)) == date
    assert parse_thai_date(thai_weekday_date(date)) == date
    assert parse_thai_date(thai_digit_to_arabic_digit(thai_date(date))) == date


@PROPERTY
@given(DATES_1941_2200, st.sampled_from(["%d/%m/%Y", "%-d %B %Y", "%-d %b %Y", "%Aที่ %d %B พ.ศ. %Y"]),
       st.booleans())
def test_thai_strftime_reads_back(date, fmt, thaidigit):
    assert parse_thai_date(thai_strftime(date, fmt, thaidigit=thaidigit)) == date


@PROPERTY
@given(DATES_1941_2200)
def test_iso_text_reads_back(date):
    assert parse_thai_date(date.isoformat()) == date


def _half_up_by_integers(part: int, whole: int, places: int) -> str:
    """part/whole as a percentage, half up, by integer arithmetic only."""
    quotient, remainder = divmod(part * 100 * 10**places, whole)
    if 2 * remainder >= whole:
        quotient += 1
    digits = str(quotient).rjust(places + 1, "0")
    return f"{digits[:-places]}.{digits[-places:]}" if places else digits


@PROPERTY
@given(
    part=st.integers(min_value=0, max_value=10**7),
    whole=st.integers(min_value=1, max_value=10**7),
    places=st.integers(min_value=0, max_value=6),
)
def test_thai_percent_agrees_with_decimal_half_up(part, whole, places):
    with localcontext() as ctx:
        ctx.prec = 100
        value = (Decimal(part) * 100 / Decimal(whole)).quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
        )
    expected = f"{value:.{places}f}"
    assert expected == _half_up_by_integers(part, whole, places)
    assert thai_percent(part, whole, places) == arabic_digit_to_thai_digit(expected)


@PROPERTY
@given(part=st.integers(min_value=0, max_value=5000), whole=st.integers(min_value=1, max_value=5000))
def test_thai_percent_of_counts(part, whole):
    text = thai_digit_to_arabic_digit(thai_percent(part, whole))
    assert re.fullmatch(r"\d+\.\d\d", text)
    assert abs(Decimal(text) - Decimal(part * 100) / Decimal(whole)) <= Decimal("0.005")


@PROPERTY
@given(st.lists(st.sampled_from(THAI_WORDS + (" ", "10", "2561")), max_size=8).map("".join))
def test_word_tokenize_loses_nothing(text):
    tokens = word_tokenize(text)
    assert "".join(tokens) == text
    assert all(tokens)


def test_sorted_word_list_finds_the_words_pythainlps_trie_finds():
    """The sorted list newmm is given answers exactly as PyThaiNLP's own trie, at every
    place of a real letter's text, so the words cut (and the justified lines) are the same."""
    from pythainlp.corpus import thai_words
    from pythainlp.tokenize import word_tokenize as pythainlp_tokenize
    from pythainlp.util import Trie

    from conftest import EXAMPLE
    from lettergen.dictionary import SortedWords, thai_dictionary
    from lettergen.thai import nfc

    text = nfc((EXAMPLE / "letter.toml").read_text(encoding="utf-8"))
    trie, ours = Trie(thai_words()), thai_dictionary()
    assert len(ours) == len(trie)
    for start in range(len(text)):
        assert ours.prefixes(text, start) == trie.prefixes(text, start), text[start:start + 20]
    assert word_tokenize(text) == pythainlp_tokenize(text, engine="newmm", keep_whitespace=True)
    assert "สำนักงาน" in ours and "สำนักงา" not in ours
    assert SortedWords([" น้ำ ", "", "ที่"]).prefixes("ที่น้ำ", 3) == ["น้ำ"]


def test_the_sorted_word_list_is_kept_in_the_cache_folder_and_read_back_the_same(tmp_path, monkeypatch):
    """Sorted once, then read from the cache folder: the same words either way, those of
    PyThaiNLP's thai_words(); a cache folder that cannot be written, or a file there that is
    not UTF-8, changes nothing but the time."""
    from pythainlp.corpus import thai_words

    from lettergen import dictionary
    from lettergen.caches import clear

    expected = dictionary.SortedWords(thai_words()).words
    monkeypatch.setenv("LETTERGEN_CACHE", str(tmp_path / "cache"))
    clear()
    made = dictionary.thai_dictionary().words
    (kept,) = (tmp_path / "cache" / "words").iterdir()
    assert made == expected and kept.read_text(encoding="utf-8").split("\n") == expected
    clear()
    sorted_again = []
    monkeypatch.setattr(dictionary.SortedWords, "__init__",
                        lambda self, words: sorted_again.append(1) or setattr(self, "words", []))
    assert dictionary.thai_dictionary().words == expected and not sorted_again  # read back
    monkeypatch.undo()
    kept.write_bytes(b"\xff\xfe")
    (tmp_path / "file").write_text("")
    for cache in (tmp_path / "cache", tmp_path / "file"):  # a broken file; a folder that is a file
        monkeypatch.setenv("LETTERGEN_CACHE", str(cache))
        clear()
        assert dictionary.thai_dictionary().words == expected
    clear()


def test_the_short_word_list_is_the_word_list_without_its_long_compounds():
    """Taken out of the sorted list rather than sorted again: the same words, in order."""
    from pythainlp.corpus import thai_words

    from lettergen.dictionary import SortedWords, short_words, thai_dictionary

    assert short_words().words == SortedWords(w for w in thai_words() if len(w) <= 8).words
    assert "น้ำ" in short_words() and "สำนักงาน" in short_words()
    long_ones = [w for w in thai_dictionary().words if len(w) > 8]
    assert long_ones and not any(w in short_words() for w in long_ones)
