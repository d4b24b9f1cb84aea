"""The Jinja environment a spec's texts run in: sandboxed, and bounded in time and memory.

Jinja's own sandbox keeps a text from reaching Python's internals, but not from asking
for a value of any size or a loop of any length: ``{{ "a" * 10000000 }}`` ran for minutes,
``{{ range(200000)|list }}`` was an internal error. Here every operation that can make a
large value checks the size first and counts it (limits.py):

- a value (text or list) of at most TEMPLATE_OUTPUT_CHARS, checked before it is made:
  ``*`` and ``+`` on texts and lists, ``%`` formatting (its widths, "%099999999d"), ``~``,
  the filters (``join``, ``replace``, ``batch``...) and the methods of texts;
- at most TEMPLATE_OUTPUT_CHARS of output (in a macro or a ``set`` block too);
- at most TEMPLATE_WORK_CHARS characters and items handled by all operations together
  (a filter counts the items it reads, a comparison the length of what it compares);
- at most TEMPLATE_STEPS steps: each turn of a loop and each call of a macro counts the
  expressions and statements of its body, so nested loops and recursion end;
- ``range()`` of at most TEMPLATE_RANGE items, numbers of at most TEMPLATE_NUMBER_DIGITS
  digits (``2 ** 100000`` is refused before it is computed).

The counting and the checks are in template_bounds.py. Past a limit the text fails with
TemplateLimitError, whose Thai message the composer
reports with the spec key of the text (exit 2). Filters that make no sense in a letter or
make output of unbounded size (center, indent, wordwrap, format's cousins tojson and
pprint, lipsum, random, urlize, striptags, escape) are not offered, nor text methods other
than the ones below; lists and dicts cannot be changed in place.

The bounds are put into the template's tree after parsing (``bounded_tree``): a charge of
its body's size at the start of each loop turn, macro and call block; ``~`` and each
comparison made calls of this environment; each piece of the text's own words counted as
output. The counts live in a context variable set for each render, so two renders (two
threads of the web app) never share one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

import jinja2
from jinja2 import nodes
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace
from jinja2.visitor import NodeTransformer

from .limits import TEMPLATE_OUTPUT_CHARS
from .template_bounds import (bounded_filter, bounded_range, budget, check_join, check_numbers,
                              check_power, check_printf, check_product, check_replace, check_size,
                              length, new_budget, size_of, too_big)

FILTERS = ("abs", "attr", "batch", "capitalize", "count", "d", "default", "dictsort", "first",
           "float", "format", "groupby", "int", "items", "join", "last", "length", "list",
           "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round",
           "select", "selectattr", "slice", "sort", "string", "sum", "title", "trim",
           "truncate", "unique", "upper", "wordcount")
METHODS = {
    str: {"capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha",
          "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper", "join",
          "lower", "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind",
          "rindex", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip",
          "swapcase", "title", "upper"},
    dict: {"get", "items", "keys", "values"},
    list: {"count", "index"},
    tuple: {"count", "index"},
    dt.date: {"isoformat", "isoweekday", "weekday", "strftime", "replace", "date", "time"},
    int: {"is_integer", "bit_length"},
    float: {"is_integer"},
}


class SourceText(str):
    """A piece of a text's own words, given to finalize to be counted as output."""

    lettergen_hook = True


class SmallNamespace(Namespace):
    """``namespace()`` of the texts: printed as a short name, never as its values."""

    def __repr__(self) -> str:
        return "<namespace>"


def _hook_of_the_bounds(function):
    function.lettergen_hook = True  # called as it is, not counted (BoundedEnvironment.call)
    return function


@_hook_of_the_bounds
def _charge(weight: int) -> str:
    """A loop turn, a macro or a call block begins: its body's size in steps."""
    budget().step(weight)
    return ""


@_hook_of_the_bounds
def _concat(*values: Any) -> str:
    """``a ~ b``: checked before the text is made."""
    size = sum(size_of(v) for v in values)
    if size > TEMPLATE_OUTPUT_CHARS:
        raise too_big(size)
    return check_size("".join(str(v) for v in values))


@_hook_of_the_bounds
def _sized(value: Any) -> Any:
    """A value about to be compared: its length counted as handled."""
    budget().handle(length(value))
    return value


class BoundedTemplate(jinja2.Template):
    """A template whose every render gets a fresh Budget."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        with new_budget():
            return super().render(*args, **kwargs)

    def generate(self, *args: Any, **kwargs: Any):
        with new_budget():
            yield from super().generate(*args, **kwargs)


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with the bounds above; ``finalize`` (given by the caller) is called on
    each value a text prints, after its size is checked."""

    intercepted_binops = frozenset({"*", "+", "%", "**"})
    template_class = BoundedTemplate

    def __init__(self, *, finalize, filters: Mapping[str, Any], **options: Any) -> None:
        super().__init__(finalize=self._finalize, **options)
        self._print = finalize
        kept = {name: self.filters[name] for name in FILTERS}
        kept.update(filters)
        self.filters = {name: bounded_filter(name, f) for name, f in kept.items()}
        self.tests = {name: bounded_filter(name, f, test=True) for name, f in self.tests.items()}
        self.globals = {"range": bounded_range, "dict": dict, "namespace": SmallNamespace,
                        "cycler": self.globals["cycler"], "joiner": self.globals["joiner"]}

    # --- what a text prints ---

    def _finalize(self, value: Any) -> Any:
        if type(value) is SourceText:
            budget().emit(len(value))
            return str(value)
        size = size_of(value)
        if size > TEMPLATE_OUTPUT_CHARS:
            raise too_big(size)
        text = self._print(value)
        budget().emit(len(text))
        return text

    # --- the sandbox's hooks ---

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        for kind, names in METHODS.items():
            if isinstance(obj, kind) and callable(value):
                return attr in names
        return True

    def wrap_str_format(self, value: Any):
        return None  # str.format is not offered (its widths are unbounded): a text uses |format

    def getitem(self, obj: Any, argument: Any) -> Any:
        return check_size(super().getitem(obj, argument)) if isinstance(argument, slice) \
            else super().getitem(obj, argument)

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if getattr(__obj, "lettergen_hook", False):  # the bounds themselves
            return __context.call(__obj, *args, **kwargs)
        spent = budget()
        spent.step()
        if __obj is not bounded_range:  # range() says itself what it refuses
            check_numbers(args, kwargs)
        if isinstance(__obj, LoopContext):  # a recursive loop's next level
            spent.handle(length(args[0]) if args else 1)
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, (str, list, tuple, dict)):
            spent.handle(len(owner))
            name = getattr(__obj, "__name__", "")
            if isinstance(owner, str) and name == "replace":
                check_replace(owner, *args)
            elif isinstance(owner, str) and name == "join":
                check_join(args[0] if args else (), owner)
        return check_size(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        budget().step()
        if operator == "*":
            check_product(left, right)
        elif operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            if len(left) + len(right) > TEMPLATE_OUTPUT_CHARS:
                raise too_big(len(left) + len(right))
        elif operator == "**":
            check_power(left, right)
        elif operator == "%" and isinstance(left, str):
            check_printf(left, right)
        return check_size(super().call_binop(context, operator, left, right))

    # --- the hooks bounded_tree puts into a text (environment.lettergen_NAME) ---

    lettergen_charge = staticmethod(_charge)
    lettergen_concat = staticmethod(_concat)
    lettergen_sized = staticmethod(_sized)
    lettergen_text = staticmethod(SourceText)

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002
        """The template of ``source``, with the bounds put into its tree."""
        tree = bounded_tree(self.parse(source))
        cls = template_class or self.template_class
        # its globals as one dict, not Jinja's ChainMap of the environment's and its own:
        # every render copies them, and copying a ChainMap walks it key by key (a tenth of
        # composing a letter); the environment's globals never change after it is made
        return cls.from_code(self, self.compile(tree), dict(self.make_globals(globals)), None)


# --- putting the bounds into a text's tree --------------------------------------------------


def _hook(name: str, *args: nodes.Expr, lineno: int) -> nodes.Call:
    call = nodes.Call(nodes.EnvironmentAttribute(f"lettergen_{name}"), list(args), [], None, None)
    return call.set_lineno(lineno)


def _weight(body: list[nodes.Node]) -> int:
    """The steps one run of ``body`` counts: 1, and 1 for each of its nodes."""
    return 1 + sum(1 + sum(1 for _ in node.find_all(nodes.Node)) for node in body)


class _Bounds(NodeTransformer):
    """Puts the hooks into a text's tree, in one walk."""

    def _charged(self, node):
        weight = _weight(node.body)
        self.generic_visit(node)
        node.body.insert(0, nodes.ExprStmt(_hook("charge", nodes.Const(weight), lineno=node.lineno))
                         .set_lineno(node.lineno))
        return node

    visit_Macro = visit_CallBlock = _charged

    def visit_For(self, node: nodes.For) -> nodes.For:
        test_weight = _weight([node.test]) if node.test is not None else 0
        node = self._charged(node)
        if node.test is not None:  # {% for x in y if test %}: each test counts too
            charge = _hook("charge", nodes.Const(test_weight), lineno=node.lineno)
            node.test = nodes.And(nodes.Not(charge), node.test).set_lineno(node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Call:
        self.generic_visit(node)
        return _hook("concat", *node.nodes, lineno=node.lineno)

    def visit_Compare(self, node: nodes.Compare) -> nodes.Compare:
        self.generic_visit(node)
        node.expr = _hook("sized", node.expr, lineno=node.lineno)
        for operand in node.ops:
            operand.expr = _hook("sized", operand.expr, lineno=node.lineno)
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Output:
        self.generic_visit(node)
        node.nodes = [_hook("text", nodes.Const(child.data), lineno=child.lineno)
                      if isinstance(child, nodes.TemplateData) else child for child in node.nodes]
        return node


def bounded_tree(tree: nodes.Template) -> nodes.Template:
    """``tree`` with the bounds of this module in it."""
    return _Bounds().visit(tree)


