"""What one render of a spec text may use, and the checks that keep it there (limits.py).

Every operation of a text that can make a large value checks the size before making it,
and counts what it handled; ``budget()`` is the count of the render under way (a context
variable, set by sandbox.BoundedTemplate for each render). Past a limit: TemplateLimitError,
its message in Thai.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Mapping, Sized
from typing import Any

import jinja2

from .limits import (TEMPLATE_NUMBER_DIGITS, TEMPLATE_OUTPUT_CHARS, TEMPLATE_RANGE,
                     TEMPLATE_STEPS, TEMPLATE_WORK_CHARS, thousands)

NUMBER_BITS = int(TEMPLATE_NUMBER_DIGITS * 3.33)  # log2(10) bits a digit


class TemplateLimitError(Exception):
    """A text went past one of the limits; the message, in Thai, says which."""


class Budget:
    """What one render has used: steps, characters handled, characters output."""

    def __init__(self) -> None:
        self.steps = self.work = self.output = 0

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > TEMPLATE_STEPS:
            raise TemplateLimitError(
                f"ข้อความแม่แบบทำงานเกิน {thousands(TEMPLATE_STEPS)} ขั้น (วนซ้ำหรือเรียกใช้มากเกินไป)")

    def handle(self, size: int) -> None:
        self.work += size
        if self.work > TEMPLATE_WORK_CHARS:
            raise TemplateLimitError(
                f"ข้อความแม่แบบประมวลผลข้อมูลเกิน {thousands(TEMPLATE_WORK_CHARS)} ตัวอักษร")

    def emit(self, size: int) -> None:
        self.output += size
        if self.output > TEMPLATE_OUTPUT_CHARS:
            raise TemplateLimitError(
                f"ข้อความแม่แบบให้ผลยาวเกิน {thousands(TEMPLATE_OUTPUT_CHARS)} ตัวอักษร")


_BUDGET: contextvars.ContextVar[Budget] = contextvars.ContextVar("lettergen_template_budget")


@contextlib.contextmanager
def new_budget():
    """A fresh Budget for the render inside the ``with``."""
    token = _BUDGET.set(Budget())
    try:
        yield
    finally:
        _BUDGET.reset(token)


def budget() -> Budget:
    """The budget of the render under way (one is set by BoundedTemplate for each)."""
    return _BUDGET.get()


def too_big(size: int, what: str = "ค่า") -> TemplateLimitError:
    return TemplateLimitError(f"ข้อความแม่แบบสร้าง{what}ยาว {thousands(size)} ตัวอักษรขึ้นไป "
                              f"เกินขีดจำกัด {thousands(TEMPLATE_OUTPUT_CHARS)}")


def size_of(value: Any, limit: int = TEMPLATE_OUTPUT_CHARS, depth: int = 0) -> int:
    """How long ``value`` is as text (or how many items a list has, if more), counted only
    up to a little past ``limit``: a list of a thousand copies of one long text is known too
    long after two of them."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if value is None or isinstance(value, (bool, float, dt.date, dt.time)):
        return 32
    if isinstance(value, int):
        return len(str(value)) if value.bit_length() < 64 else value.bit_length() * 10 // 33 + 2
    if isinstance(value, (list, tuple, range, set, frozenset, Mapping, type({}.keys()),
                          type({}.values()), type({}.items()))):
        if depth > 20:
            return limit + 1
        total = 2
        items = value.items() if isinstance(value, Mapping) else value
        for item in items:
            total += 2 + size_of(item, limit, depth + 1)
            if total > limit:
                break
        return total
    return 100  # a loop, a macro, a cycler, a namespace: their text is a short name


_SIZED = (str, bytes, list, tuple, dict, set, frozenset, type({}.keys()), type({}.values()),
          type({}.items()))


def check_size(value: Any) -> Any:
    """``value``, counted as handled, when it is not too big: a text of at most
    TEMPLATE_OUTPUT_CHARS characters, a list or table of at most as many items. (A list of
    long texts may be made: printing it, joining it or giving it to a text filter is what
    is checked, by size_of.)"""
    if isinstance(value, _SIZED):
        if len(value) > TEMPLATE_OUTPUT_CHARS:
            raise too_big(len(value))
        budget().handle(len(value))
    return value


def length(value: Any) -> int:
    try:
        return len(value) if isinstance(value, Sized) and not isinstance(value, jinja2.Undefined) else 1
    except TypeError:
        return 1


# --- the checks ------------------------------------------------------------------------------


def bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > TEMPLATE_RANGE:
        raise TemplateLimitError(f"range() ให้ตัวเลข {thousands(len(numbers))} ตัว เกินขีดจำกัด "
                                 f"{thousands(TEMPLATE_RANGE)}")
    return numbers



def check_numbers(args: tuple, kwargs: Mapping[str, Any]) -> None:
    """A width, a count or a number of places given to a filter or method (center(10**9),
    batch(10**9), thai_percent(1, 3, 10**9)) is at most TEMPLATE_OUTPUT_CHARS."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > TEMPLATE_OUTPUT_CHARS:
            raise TemplateLimitError(f"ตัวเลข {thousands(value) if value.bit_length() < 64 else 'ที่ใช้'} "
                                     f"ใหญ่เกินกว่าที่ข้อความแม่แบบใช้ได้ ({thousands(TEMPLATE_OUTPUT_CHARS)})")


def check_product(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, (str, list, tuple)) and isinstance(times, int):
            if len(seq) * max(times, 0) > TEMPLATE_OUTPUT_CHARS:
                raise too_big(len(seq) * times)
            return
    if isinstance(left, int) and isinstance(right, int) \
            and left.bit_length() + right.bit_length() > NUMBER_BITS:
        raise _number_too_big()


def check_power(base: Any, exponent: Any) -> None:
    if isinstance(base, int) and isinstance(exponent, int) and abs(base) > 1 and exponent > 0:
        if exponent > NUMBER_BITS or base.bit_length() * exponent > NUMBER_BITS:
            raise _number_too_big()


def _number_too_big() -> TemplateLimitError:
    return TemplateLimitError(f"ข้อความแม่แบบคำนวณตัวเลขยาวเกิน {thousands(TEMPLATE_NUMBER_DIGITS)} หลัก")


def check_printf(fmt: str, args: Any) -> None:
    """``fmt % args`` (also the |format filter) would not pass TEMPLATE_OUTPUT_CHARS: each
    conversion counted at its width and precision plus the longest argument."""
    values = list(args.values()) if isinstance(args, Mapping) else \
        list(args) if isinstance(args, tuple) else [args]
    longest = max((size_of(v) for v in values), default=0)
    widths = [abs(v) for v in values if isinstance(v, int) and not isinstance(v, bool)]
    total, i, n = len(fmt), 0, len(fmt)
    while total <= TEMPLATE_OUTPUT_CHARS:
        i = fmt.find("%", i)
        if i < 0:
            return
        j = i + 1
        if j < n and fmt[j] == "(":
            j = fmt.find(")", j) + 1 or n
        while j < n and fmt[j] in "#0- +":
            j += 1
        for _ in range(2):  # the width, then the precision after "."
            start = j
            while j < n and fmt[j].isdigit():
                j += 1
            if j - start > 9:
                raise too_big(10 ** 9, "ข้อความ")
            total += int(fmt[start:j] or 0)
            if j < n and fmt[j] == "*":
                total += max(widths, default=0)
                j += 1
            if j < n and fmt[j] == ".":
                j += 1
            else:
                break
        total += longest
        i = j + 1
    raise too_big(total, "ข้อความ")


def check_replace(text: str, old: Any = "", new: Any = "", count: Any = -1) -> None:
    if not isinstance(old, str) or not isinstance(new, str):
        return
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    size = len(text) + found * (len(new) - len(old))
    if size > TEMPLATE_OUTPUT_CHARS:
        raise too_big(size, "ข้อความ")


def check_join(items: Any, joiner: str = "") -> None:
    if not isinstance(items, (list, tuple, range, set, frozenset, Mapping, str)):
        return  # a generator: its items are counted as they come (check_size of the result)
    size = len(joiner) * max(length(items) - 1, 0)
    for item in items:
        size += size_of(item)
        if size > TEMPLATE_OUTPUT_CHARS:
            break
    if size > TEMPLATE_OUTPUT_CHARS:
        raise too_big(size, "ข้อความ")


def check_sum(items: Any, attribute: Any = None, start: Any = 0) -> None:
    """|sum(start=[]) joins lists: the joined length must pass the limit."""
    if not isinstance(start, (list, tuple, str)):
        return
    if attribute is not None:
        raise TemplateLimitError("|sum ที่เริ่มจากรายการ ใช้ร่วมกับ attribute ไม่ได้")
    total = length(start)
    for item in items if isinstance(items, (list, tuple)) else ():
        total += length(item)
        if total > TEMPLATE_OUTPUT_CHARS:
            raise too_big(total)


_FILTER_CHECKS = {
    "sum": check_sum,
    "join": lambda value, d="", *_, **__: check_join(value, d if isinstance(d, str) else ""),
    "replace": lambda value, old="", new="", count=None, *_, **__: check_replace(
        str(value), old, new, -1 if count is None else count),
    "format": lambda value, *args, **kwargs: check_printf(str(value), kwargs or args),
}


# Filters that read their input as a list (or a number), not as text: a long list is no
# danger to them, its items are counted as handled.
LIST_FILTERS = frozenset({"abs", "attr", "batch", "count", "d", "default", "dictsort", "first",
                          "float", "groupby", "int", "items", "join", "last", "length", "list", "map", "max",
                          "min", "reject", "rejectattr", "reverse", "round", "select", "selectattr",
                          "slice", "sort", "sum", "unique"})


def bounded_filter(name: str, function, *, test: bool = False):
    """``function`` (a filter, or a ``test``) counted and checked: one step, its input
    handled (as text, unless it is a test or a filter of lists), its numbers and (for join,
    replace, format, sum) the size of its result checked first, its result checked after."""
    pass_arg = getattr(function, "jinja_pass_arg", None)
    check = None if test else _FILTER_CHECKS.get(name)
    as_text = not test and name not in LIST_FILTERS

    def bounded(*args: Any, **kwargs: Any) -> Any:
        spent = budget()
        spent.step()
        values = args[1:] if pass_arg is not None else args
        if values:
            size = size_of(values[0]) if as_text else length(values[0])
            if size > TEMPLATE_OUTPUT_CHARS:
                raise too_big(size)
            spent.handle(length(values[0]))
            check_numbers(values[1:], kwargs)
            if check is not None:
                check(*values, **kwargs)
        return check_size(function(*args, **kwargs))

    if pass_arg is not None:
        bounded.jinja_pass_arg = pass_arg
    bounded.__name__ = getattr(function, "__name__", name)
    return bounded
