"""Spec texts as Jinja2 templates, and the small inline markup they may use.

Texts in a spec are Jinja2 templates (sandboxed, StrictUndefined: an undefined variable is
an error, not an empty string) with the filters of ``thai.py``. After rendering, two marks
set emphasis: ``**bold**`` and ``__underlined__``.

Data never acts as markup or code: every value a template prints passes through
``finalize``, which swaps the markup characters for private-use stand-ins; they become the
original characters again only after the markup has been read. HTML needs no such care
here: the writers escape every run.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Mapping

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .errors import TemplateError
from .model import Run
from .thai import FILTERS, LITERAL_SPAN, arabic_digit_to_thai_digit, nfc

# Private-use stand-ins for markup characters coming from data.
_PROTECT = str.maketrans({"*": "\ue000", "_": "\ue001"})
_RESTORE = str.maketrans({"\ue000": "*", "\ue001": "_"})
_PROTECTED = re.compile("[\ue000\ue001]")
_MARKUP = re.compile(r"\*\*(.+?)\*\*|__(.+?)__", re.S)


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    return str(value).translate(_PROTECT)


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        keep_trailing_newline=False,
    )
    env.filters.update(FILTERS)
    return env


@lru_cache(maxsize=4096)
def _compile(source: str) -> jinja2.Template:
    return environment().from_string(source)


@lru_cache(maxsize=4096)
def template_names(source: str) -> frozenset[str] | None:
    """The variables ``source`` reads, or None when it does not parse (rendering it then
    reports the error)."""
    from jinja2 import meta

    try:
        return frozenset(meta.find_undeclared_variables(environment().parse(source)))
    except jinja2.TemplateError:
        return None


def render_text(source: str, context: Mapping[str, Any], *, key: str, file=None) -> str:
    """The rendered template, markup unread (data characters still protected)."""
    try:
        return nfc(_compile(source).render(context))
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"ตัวแปรในข้อความไม่มีค่า: {exc.message}", file=file, key=key) from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"ข้อความแม่แบบผิด: {exc}", file=file, key=key) from None


def to_runs(rendered: str, *, thai_digits: bool = True) -> tuple[Run, ...]:
    """Rendered text -> runs: markup read, data characters restored, Thai digits in prose."""
    runs: list[Run] = []
    pos = 0

    def add(text: str, bold: bool = False, underline: bool = False) -> None:
        if _PROTECTED.search(text):
            text = text.translate(_RESTORE)
        pos = 0
        for match in LITERAL_SPAN.finditer(text):  # URLs and e-mail: kept whole, as written
            prose(text[pos:match.start()], bold, underline)
            runs.append(Run(match.group(), bold=bold, underline=underline, literal=True))
            pos = match.end()
        prose(text[pos:], bold, underline)

    def prose(text: str, bold: bool, underline: bool) -> None:
        if text:
            runs.append(Run(arabic_digit_to_thai_digit(text) if thai_digits else text,
                            bold=bold, underline=underline))

    for match in _MARKUP.finditer(rendered):
        add(rendered[pos:match.start()])
        if match.group(1) is not None:
            add(match.group(1), bold=True)
        else:
            add(match.group(2), underline=True)
        pos = match.end()
    add(rendered[pos:])
    return tuple(runs)


def plain(runs: tuple[Run, ...]) -> str:
    return "".join(run.text for run in runs)


def check_templates(spec) -> None:
    """Compile every template text of ``spec`` so syntax errors surface at load time,
    naming the spec key. Undefined variables surface when a letter is composed."""
    texts: dict[str, str] = {
        "letter.salutation": spec.salutation,
        "enclosure.title": spec.enclosure_title,
        "steps.title": spec.steps_title,
    }
    texts.update({f"body.paragraphs[{i}]": p for i, p in enumerate(spec.body)})
    for name, variant in spec.variants.items():
        texts[f"variants.{name}.addressee"] = variant.addressee
        texts.update({f"variants.{name}.text.{k}": v for k, v in variant.text.items()})
    for i, step in enumerate(spec.steps):
        texts[f"steps.step[{i}].title"] = step.title
        texts.update({f"steps.step[{i}].items[{j}]": t for j, t in enumerate(step.items)})
    for key, source in texts.items():
        try:
            _compile(source)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"ข้อความแม่แบบผิด (บรรทัด {exc.lineno}): {exc.message}", file=spec.path, key=key
            ) from None
