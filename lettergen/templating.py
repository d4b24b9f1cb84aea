"""Spec texts as Jinja2 templates, and the small inline markup they may use.

Texts in a spec are Jinja2 templates (sandboxed and bounded in time and memory by
``sandbox.py``; StrictUndefined: an undefined variable is an error, not an empty string)
with the filters of ``thai.py``. After rendering, two marks
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

from .errors import TemplateError
from .model import Run
from .sandbox import BoundedEnvironment
from .template_bounds import TemplateLimitError
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
def environment() -> BoundedEnvironment:
    """Jinja's sandbox, bounded in time and memory (sandbox.py), with the Thai filters."""
    return BoundedEnvironment(
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        filters=FILTERS,
        autoescape=False,
        keep_trailing_newline=False,
    )


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
    except (jinja2.TemplateError, RecursionError):
        return None


TOO_DEEP = "ข้อความแม่แบบซ้อนวงเล็บหรือคำสั่งกันลึกเกินไป"


def render_text(source: str, context: Mapping[str, Any], *, key: str, file=None) -> str:
    """The rendered template, markup unread (data characters still protected)."""
    try:
        template = _compile(source)
    except RecursionError:
        raise TemplateError(TOO_DEEP, file=file, key=key) from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"ข้อความแม่แบบผิด: {_syntax_message(exc)}", file=file, key=key) from None
    try:
        return nfc(template.render(context))
    except jinja2.UndefinedError as exc:
        raise TemplateError(undefined_message(source, context, exc.message or ""),
                            file=file, key=key) from None
    except jinja2.exceptions.SecurityError:
        raise TemplateError("ข้อความแม่แบบเรียกใช้สิ่งที่ไม่อนุญาต (ใช้ได้แค่ตัวแปรและตัวกรองของ lettergen)",
                            file=file, key=key) from None
    except TemplateLimitError as exc:
        raise TemplateError(f"{exc}; ทำข้อความให้สั้นลง หรือลดการวนซ้ำ", file=file, key=key) from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"ข้อความแม่แบบผิด: {_syntax_message(exc)}", file=file, key=key) from None
    except RecursionError:
        raise TemplateError("ข้อความแม่แบบเรียกตัวเองซ้อนกันลึกเกินไป (macro ที่เรียกตัวเองไม่รู้จบ)",
                            file=file, key=key) from None
    except Exception as exc:  # noqa: BLE001 - whatever a text does wrong is the text's error
        # A filter given a value of the wrong kind (thai_date of a text, ...), a division
        # by zero, a number too large for a float...
        raise TemplateError(f"ใช้ค่าในข้อความแม่แบบไม่ได้ ({_kind_of_problem(exc)}); "
                            "ตรวจตัวกรอง (|) และชนิดของค่าที่ใช้", file=file, key=key) from None


def _kind_of_problem(exc: Exception) -> str:
    for kind, thai in (("TypeError", "ชนิดของค่าไม่ตรง"), ("ZeroDivisionError", "หารด้วยศูนย์"),
                       ("OverflowError", "ตัวเลขใหญ่เกินไป"), ("ValueError", "ค่าไม่ถูกต้อง"),
                       ("AttributeError", "ค่าไม่มีส่วนที่เรียก"), ("IndexError", "ลำดับเกินจำนวน"),
                       ("KeyError", "ไม่มีคีย์ที่เรียก"), ("ArithmeticError", "คำนวณไม่ได้")):
        if any(cls.__name__ == kind for cls in type(exc).__mro__):
            return thai
    return type(exc).__name__


# What every letter's templates can read (compose._context), and the parts of each.
CONTEXT_NAMES = ("recipient", "members", "district", "letter", "sender", "deadline", "links",
                 "cites", "progress", "days_left", "variant", "text")
_UNDEFINED_NAME = re.compile(r"^'([^']+)' is undefined$")
_NO_ATTRIBUTE = re.compile(r"^'?(.+?)'? has no (?:attribute|element) '?([^']+)'?$")


def undefined_message(source: str, context: Mapping[str, Any], message: str) -> str:
    """Jinja's English "'x' is undefined" / "'dict object' has no attribute 'y'" as Thai,
    naming the variable as the text writes it, with the closest name that exists."""
    from .errors import did_you_mean

    if match := _UNDEFINED_NAME.match(message):
        name = match.group(1)
        return (f"ไม่มีตัวแปร \"{name}\"" + did_you_mean(name, context or CONTEXT_NAMES)
                + f"; ตัวแปรที่ใช้ได้: {', '.join(CONTEXT_NAMES)}")
    if match := _NO_ATTRIBUTE.match(message):
        attr = match.group(2)
        base = _base_of(source, attr)
        shown = f"{base}.{attr}" if base else attr
        value = context.get(base) if base else None
        known = list(value) if isinstance(value, Mapping) else []
        if base is None or value is None and base in context:
            return f"\"{shown}\" ไม่มีค่าในหนังสือฉบับนี้"
        return f"ไม่มี \"{shown}\"" + did_you_mean(attr, known) + (
            f"; ที่มี: {', '.join(map(str, known))}" if known and len(known) <= 12 else "")
    return f"ตัวแปรในข้อความไม่มีค่า ({message})"


def _base_of(source: str, attr: str) -> str | None:
    """The variable whose part ``attr`` the text reads (``recipient`` for recipient.nmae)."""
    from jinja2 import nodes

    try:
        tree = environment().parse(source)
    except (jinja2.TemplateError, RecursionError):
        return None
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        part = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if part == attr and isinstance(node.node, nodes.Name):
            return node.node.name
    return None


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
    """Compile every template text of ``spec`` so syntax errors and unknown variables
    surface at load time, naming the spec key. Values missing from one letter surface
    when that letter is composed."""
    from .errors import did_you_mean

    allowed = set(CONTEXT_NAMES) | set(environment().globals)
    for key, source in spec_texts(spec).items():
        try:
            _compile(source)
        except RecursionError:
            raise TemplateError(TOO_DEEP, file=spec.path, key=key) from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"ข้อความแม่แบบผิด (บรรทัด {exc.lineno}): {_syntax_message(exc)}",
                file=spec.path, key=key,
            ) from None
        for name in sorted((template_names(source) or frozenset()) - allowed):
            raise TemplateError(
                f"ไม่มีตัวแปร \"{name}\"" + did_you_mean(name, CONTEXT_NAMES)
                + f"; ตัวแปรที่ใช้ได้: {', '.join(CONTEXT_NAMES)}",
                file=spec.path, key=key,
            )


_SYNTAX_WORDS = (
    (re.compile(r"unexpected end of template"), "ข้อความจบก่อนปิดวงเล็บหรือคำสั่ง"),
    (re.compile(r"unexpected '\}'"), "มีวงเล็บปีกกาปิดเกิน หรือเปิดไม่ครบ"),
    (re.compile(r"No filter named '([^']+)'"), "ไม่มีตัวกรอง \"{0}\""),
    (re.compile(r"unexpected char '([^']+)'"), "มีอักขระ \"{0}\" ที่ใช้ในวงเล็บปีกกาไม่ได้"),
    (re.compile(r"Encountered unknown tag '([^']+)'"), "ไม่รู้จักคำสั่ง \"{0}\""),
)


def _syntax_message(exc: jinja2.TemplateError) -> str:
    """Jinja's syntax message in Thai where it is a common one; the rest keeps Jinja's words
    after a Thai lead."""
    from .errors import did_you_mean

    text = exc.message or ""
    for pattern, thai in _SYNTAX_WORDS:
        if match := pattern.search(text):
            message = thai.format(*match.groups())
            if "filter" in pattern.pattern:
                message += did_you_mean(match.group(1), FILTERS)
            return message
    return f"เขียนคำสั่งแม่แบบไม่ถูกต้อง ({text})"

def spec_texts(spec, *, reminder: bool = False) -> dict[str, str]:
    """Every template text of ``spec`` by its spec key (and of its [reminder] paragraphs)."""
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
        texts.update({f"steps.step[{i}].channel[{j}]": b for j, b in enumerate(step.channel)
                      if isinstance(b, str)})
    if reminder and getattr(spec, "reminder", None) is not None:
        texts.update({f"reminder.paragraphs[{i}]": p for i, p in enumerate(spec.reminder.paragraphs)})
    return texts


def _parse(source: str):
    try:
        return environment().parse(source)
    except (jinja2.TemplateError, RecursionError):
        return None


def recipient_fields(spec, *, reminder: bool = False) -> dict[str, str]:
    """The recipient fields the spec's texts read (``recipient.username``,
    ``recipient["เบอร์โทร"]``, ``m.password`` in a loop over ``members``), each with the
    spec key of the first text that reads it."""
    from jinja2 import nodes

    fields: dict[str, str] = {}
    for key, source in spec_texts(spec, reminder=reminder).items():
        tree = _parse(source)
        if tree is None:
            continue
        aliases = {"recipient"}
        for loop in tree.find_all(nodes.For):
            if (isinstance(loop.iter, nodes.Name) and loop.iter.name == "members"
                    and isinstance(loop.target, nodes.Name)):
                aliases.add(loop.target.name)
        for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
            if not (isinstance(node.node, nodes.Name) and node.node.name in aliases):
                continue
            if isinstance(node, nodes.Getattr):
                part = node.attr
            elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                part = node.arg.value
            else:
                continue
            fields.setdefault(part, key)
    return fields


def texts_reading(spec, name: str, *, reminder: bool = False) -> str | None:
    """The spec key of the first text that reads the variable ``name``, or None."""
    for key, source in spec_texts(spec, reminder=reminder).items():
        names = template_names(source)
        if names and name in names:
            return key
    return None
