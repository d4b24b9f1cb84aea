"""Finding the header of a sheet (sheets.columns.find_header), with Hypothesis: whatever
title and blank rows come above it, whatever synonym, case, spacing and order its headers
use, the header row and every column are found; cells of the rows below are never taken
for a header. And numbers as Excel shows them (sheets.cells.shown_number)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lettergen.sheets.cells import shown_number

from lettergen.sheets.columns import (CANONICAL, NUMBERING, REQUIRED, SYNONYMS, Lookup, column_letter,
                                     find_header, header_key)

LOOKUP = Lookup.build({})
THAI_WORDS = ["บัญชีรายชื่อ", "องค์กรปกครองส่วนท้องถิ่น", "จังหวัดเชียงราย", "ข้อมูล ณ วันที่",
              "ปีงบประมาณ", "พ.ศ. 2561", "แบบรายงาน", "หน่วยงานในสังกัด", "กลุ่มงาน", "หมายเหตุ"]

title_rows = st.lists(
    st.one_of(
        st.just([]),
        st.just([None, None, None]),
        st.lists(st.sampled_from(THAI_WORDS), min_size=1, max_size=2).map(lambda w: [" ".join(w)]),
        st.lists(st.sampled_from(THAI_WORDS), min_size=1, max_size=3).map(lambda w: [*w, None]),
    ),
    max_size=5,
)


@st.composite
def decorated(draw, word: str) -> str:
    """A synonym as a clerk might type it: case, stray or invisible spaces, a trailing dot."""
    if word.isascii() and draw(st.booleans()):
        word = draw(st.sampled_from([word.upper(), word.title(), word.capitalize()]))
    if len(word) > 2 and draw(st.booleans()):
        cut = draw(st.integers(1, len(word) - 1))
        word = word[:cut] + draw(st.sampled_from([" ", "\u00a0", "\u200b"])) + word[cut:]
    if draw(st.booleans()):
        word = draw(st.sampled_from([" ", "", "\u00a0"])) + word + draw(st.sampled_from(["", ".", " ", ":"]))
    return word


@st.composite
def sheets(draw):
    optional = draw(st.lists(st.sampled_from([c for c in CANONICAL if c not in REQUIRED]), unique=True))
    columns = list(REQUIRED) + optional + draw(st.sampled_from([[], [NUMBERING]]))
    columns = draw(st.permutations(columns))
    header = [draw(decorated(draw(st.sampled_from(SYNONYMS[c])))) for c in columns]
    above = draw(title_rows)
    data = [[f"5701{i:02d}" if c == "id" else f"ค่า{i}{j}" for j, c in enumerate(columns)]
            for i in range(draw(st.integers(1, 4)))]
    return above, header, columns, data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_the_header_is_found_under_any_title_and_in_any_spelling(sheet):
    above, header, columns, data = sheet
    found = find_header([*above, header, *data], LOOKUP)
    assert found is not None, header
    assert found.row_index == len(above)
    for index, canonical in enumerate(columns):
        assert LOOKUP.canonical(found.names[index]) == canonical, (header[index], canonical)
    title = next((c for row in above for c in row if c), "")
    assert found.title == title.strip()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(THAI_WORDS + [None, "5701", "FAKE-6jmF"]), max_size=6), max_size=12))
def test_rows_without_known_headers_are_never_a_header(rows):
    assert find_header(rows, LOOKUP) is None


def test_the_spec_chooses_over_a_synonym():
    lookup = Lookup.build({"username": "Login"})
    assert lookup.canonical("LOGIN ") == "username"
    assert lookup.canonical("ชื่อผู้ใช้") is None  # the chosen header replaces the synonyms


def test_header_keys_ignore_what_clerks_vary():
    assert header_key("ชื่อ อปท.") == header_key("ชื่ออปท") == header_key("ชื่อ\u00a0อปท :")
    assert header_key("User Name") == header_key("user_name") == header_key("USERNAME")
    assert LOOKUP.canonical("รหัสผ่าน (Password)") == "password"
    assert LOOKUP.canonical("ลำดับที่") == NUMBERING


def test_column_letters():
    assert [column_letter(i) for i in (0, 5, 25, 26, 27, 701, 702)] == [
        "A", "F", "Z", "AA", "AB", "ZZ", "AAA"]


# --- number formats (sheets.cells.shown_number) -----------------------------------------------

@pytest.mark.parametrize("value, number_format, shown", [
    (123, "00000", "00123"), (123.0, "General", "123"), (570101.0, "0", "570101"),
    (100000.0, "0.00E+00", "1.00E+05"), (0.00012, "0.0E+00", "1.2E-04"), (9.995, "0.00E+00", "1.00E+01"),
    (1234567, "#,##0", "1,234,567"), (1234.5, "#,##0.00", "1,234.50"), (1.005, "0.00", "1.01"),
    (2.5, "0", "3"), (-2.5, "0", "-3"), (0.5, "0%", "50%"), (0.1234, "0.00%", "12.34%"),
    (123, "@", "123"), (0.1, "General", "0.1"), (1e-7, "General", "1E-07"),
    (12345678901234, "General", "12345678901234"), (-5, "#,##0;[Red](#,##0)", "(5)"),
    (1500, "[$฿-41E]#,##0.00", "฿1,500.00"), (5, '0" แห่ง"', "5 แห่ง"), (0.5, "#.00", ".50"),
    (42, "[$-41E]0", "42"),
])
def test_numbers_as_excel_shows_them(value, number_format, shown):
    assert shown_number(value, number_format) == shown


@pytest.mark.parametrize("value, number_format", [
    (12, "d/m/yyyy"), (0.75, "# ?/?"), (1e20, "General"), (5, "[>100]0;0"), (123, "000-000"),
    (1234, "##0.0E+0"), (float("nan"), "0"),
])
def test_formats_that_cannot_be_shown_faithfully(value, number_format):
    assert shown_number(value, number_format) is None
