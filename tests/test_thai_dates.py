"""Thai dates through PyThaiNLP's thai_strftime: every directive it knows in Thai, the
Buddhist-era year before 1941 still right, and an unknown directive an error naming the
spec key, never printed into a letter."""

from __future__ import annotations

import datetime as dt

import pytest

from lettergen.thai import FormatError, thai_date, thai_strftime, thai_weekday_date

D = dt.date


@pytest.mark.parametrize("date, fmt, expected", [
    (D(2018, 8, 10), "%d %b %y", "๑๐ ส.ค. ๖๑"),
    (D(2019, 6, 9), "%a %e %B %Y", "อา  ๙ มิถุนายน ๒๕๖๒"),
    (D(2019, 6, 9), "%H:%M น.", "๐๐:๐๐ น."),
    (D(2019, 6, 9), "%x", "๐๙/๐๖/๒๕๖๒"),
    (D(2019, 6, 9), "%c", "อา  ๙ มิ.ย. ๐๐:๐๐:๐๐ ๒๕๖๒"),
    (D(2019, 6, 9), "%F", "๒๕๖๒-๐๖-๐๙"),
    (D(2019, 6, 9), "%Od", "๐๙"),
    # January to March before 1941 belong to the previous Buddhist-era year
    (D(1940, 2, 1), "%x", "๐๑/๐๒/๒๔๘๒"),
    (D(1940, 2, 1), "%A %-d %b %y", "วันพฤหัสบดี ๑ ก.พ. ๘๒"),
    (D(1940, 4, 1), "%Y", "๒๔๘๓"),
])
def test_thai_strftime_takes_pythainlps_directives(date, fmt, expected):
    assert thai_strftime(date, fmt) == expected


def test_dates_in_letters_are_unchanged():
    assert thai_date(D(2018, 6, 4)) == "๔ มิถุนายน ๒๕๖๑"
    assert thai_weekday_date(D(2018, 8, 10)) == "วันศุกร์ที่ ๑๐ สิงหาคม ๒๕๖๑"
    assert thai_date(D(1940, 3, 31)) == "๓๑ มีนาคม ๒๔๘๒"


@pytest.mark.parametrize("fmt", ["%d %q", "%Z", "%p", "%h", "วันที่ %", "%-", "%s"])
def test_an_unknown_directive_is_refused(fmt):
    with pytest.raises(FormatError, match="thai_strftime ไม่รู้จัก"):
        thai_strftime(D(2018, 8, 10), fmt)


def test_an_unknown_directive_in_a_spec_text_is_an_input_error_naming_its_key(tmp_path, capsys):
    from lettergen.cli import main
    from lettergen.resources import EXAMPLES

    spec = EXAMPLES / "chiang-rai-2561" / "letter.toml"
    paragraph = 'body.paragraphs=["ภายใน {{ deadline | thai_strftime(\\"%d %q\\") }}"]'
    code = main(["render", str(spec), "--out", str(tmp_path / "out"), "--set", paragraph])
    err = capsys.readouterr().err
    assert code == 2
    assert "คีย์ body.paragraphs[0]" in err and '"%q"' in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()
