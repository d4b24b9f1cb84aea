"""The bounded sandbox the spec's texts run in (lettergen/sandbox.py): what a letter's texts
do keeps working, each render has budgets of its own, and the hooks it adds to a text
change nothing of its output. The refusals themselves, one per kind with its message, are
cases of tests/test_bad_input.py; the issue's hostile texts run bounded in
tests/test_hostile_input.py."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from lettergen.errors import TemplateError
from lettergen.limits import TEMPLATE_STEPS
from lettergen.templating import render_text

MEMBERS = [{"name": f"เทศบาลตำบลที่ {i}", "username": f"u{i}", "password": f"p*{i}_"} for i in range(40)]
CONTEXT = {"recipient": {"name": "องค์การบริหารส่วนจังหวัดเชียงราย"}, "members": MEMBERS,
           "deadline": dt.date(2018, 8, 10), "progress": {"done": 25, "total": 144}}


@pytest.mark.parametrize("source, expected", [
    ("{{ recipient.name }}", "องค์การบริหารส่วนจังหวัดเชียงราย"),
    ("ภายใน{{ deadline | thai_weekday_date }}", "ภายในวันศุกร์ที่ ๑๐ สิงหาคม ๒๕๖๑"),
    ("{% for m in members[:2] %}{{ loop.index }}. {{ m.name }} {% endfor %}",
     "1. เทศบาลตำบลที่ 0 2. เทศบาลตำบลที่ 1 "),
    ("{{ members | map(attribute='username') | join(', ') | truncate(12) }}", "u0, u1,..."),
    ("{{ members | selectattr('username', 'in', ['u3', 'u5']) | map(attribute='name') | list | length }}", "2"),
    ("{{ '%05d' | format(42) }} {{ '%s/%s' % (progress.done, progress.total) }}", "00042 25/144"),
    ("{{ 'ก' ~ 1 ~ 'ข' }} {{ [1, 2] + [3] }} {{ 'ab' * 3 }} {{ 2 ** 10 }}", "ก1ข [1, 2, 3] ababab 1024"),
    ("{% set ns = namespace(n=0) %}{% for m in members %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}", "40"),
    ("{{ recipient.name.replace('จังหวัด', 'จ.') }} {{ recipient.name.startswith('องค์การ') }}",
     "องค์การบริหารส่วนจ.เชียงราย True"),
    ("{% macro row(m) %}[{{ m.username }}]{% endmacro %}{% for m in members[:3] %}{{ row(m) }}{% endfor %}",
     "[u0][u1][u2]"),
    ("{{ range(3) | join('-') }} {{ (range(10000) | list)[9999] }}", "0-1-2 9999"),
])
def test_what_letters_do_keeps_working(source, expected):
    assert render_text(source, CONTEXT, key="k") == expected


def test_a_long_list_may_be_tested_and_filtered_but_not_printed():
    """A district's members whose rows, printed, pass the output limit (many long extra
    columns) can still be looped over, tested and filtered; printing them is what is refused."""
    members = [{"name": f"อบต.ที่ {i}", "note": "ก" * 1_500} for i in range(60)]
    context = {"members": members}
    source = ("{% if members is defined and members | length > 50 %}"
              "{{ members | selectattr('name', 'ne', '') | list | length }}{% endif %}")
    assert render_text(source, context, key="k") == "60"
    with pytest.raises(TemplateError, match="เกินขีดจำกัด 50,000"):
        render_text("{{ members }}", context, key="k")


def test_each_render_has_its_own_budget():
    """A text that takes most of the steps passes every time: the counts do not add up
    from one render (one letter) to the next."""
    turns = TEMPLATE_STEPS // 5  # about four steps a turn
    source = "{% for i in range(" + str(min(turns, 10_000)) + ") %}{% endfor %}ok"
    for _ in range(5):
        assert render_text(source, {}, key="k") == "ok"


def test_renders_in_threads_do_not_share_a_budget():
    """The web app may render in threads: each render counts its own steps."""
    source = "{% for i in range(8000) %}{% endfor %}ok"
    results, errors = [], []

    def render():
        try:
            results.append(render_text(source, {}, key="k"))
        except TemplateError as exc:  # would be a budget shared between threads
            errors.append(exc)

    threads = [threading.Thread(target=render) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == ["ok"] * 8


def test_markup_of_the_text_itself_is_read_and_data_stays_data():
    """The text's own words go through the output counter, not through the protection of
    data: **bold** in the text is bold, ** in a value is printed as it is."""
    from lettergen.templating import to_runs

    runs = to_runs(render_text("**หนา** {{ recipient.name }}", {"recipient": {"name": "**x**"}}, key="k"))
    assert [(r.text, r.bold) for r in runs] == [("หนา", True), (" **x**", False)]
