"""lettergen's per-process caches, and the one ``clear()`` that empties them all.

A cache here is keyed by the content its value is made from, never by an object's identity
or by a list of fields written out by hand (a field added later and left out of such a list
would give one letter a neighbour's text):
- ``cached``: functools' LRU cache, registered for ``clear()``. Its key is the function's
  arguments, which are plain values or frozen model dataclasses: their content.
- ``ByContent``: values made from part of a larger object (a letter, a spec). The maker is
  handed a view of the object that notes every attribute it reads; the value is kept under
  exactly those attributes' values, so whatever the maker reads is in the key by
  construction.

Why the caches: a run's letters share most of their blocks (body paragraphs, the step
sheet, the Garuda band, the signature), and a worker renders many chunks.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from typing import Any, Callable

_REGISTERED: list = []


def cached(maxsize: int):
    """``functools.lru_cache(maxsize)``, emptied by ``clear()``."""
    def wrap(function):
        wrapper = functools.lru_cache(maxsize=maxsize)(function)
        _REGISTERED.append(wrapper)
        return wrapper
    return wrap


def clear() -> None:
    """Empty every cache: the registered ones, and any functools cache still defined in a
    lettergen module without ``cached`` (so none is missed)."""
    for cache in _REGISTERED:
        cache.cache_clear()
    for name, module in list(sys.modules.items()):
        if name == "lettergen" or name.startswith("lettergen."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)) and hasattr(value, "cache_info"):
                    value.cache_clear()


def freeze(value: Any) -> Any:
    """``value`` as something hashable that compares the same (mappings and lists become
    tuples; anything else unhashable, its repr)."""
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


class _Reads:
    """A read-only view of ``target`` that notes each attribute read through it."""

    __slots__ = ("_target", "_read")

    def __init__(self, target):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_read", set())

    def __getattr__(self, name):
        self._read.add(name)
        return getattr(self._target, name)

    def __setattr__(self, name, value):
        raise AttributeError("a cached maker may only read")


class ByContent:
    """Values made by ``make(view)`` from part of an object, kept under the values of the
    attributes the maker read through ``view`` (and a ``context`` the caller names, such
    as the font). At most ``limit`` values are kept; when full, it starts again empty."""

    def __init__(self, limit: int, *, per_process: bool = True):
        self.limit = limit
        self._reads: dict[Any, set[tuple[str, ...]]] = {}  # name -> attribute sets read
        self._made: dict[Any, Any] = {}
        self._equal: dict[Any, Any] = {}
        if per_process:  # (one made for a single run is left to the garbage collector)
            _REGISTERED.append(self)

    def _key(self, name, context, source, attributes: tuple[str, ...]):
        return (name, context, attributes,
                tuple(freeze(getattr(source, attribute)) for attribute in attributes))

    def get(self, name, context, source, make: Callable[[Any], Any]) -> tuple[Any, bool]:
        """(the value, True) when one was made from equal content, else (``make(view)``,
        False), the new value kept."""
        for attributes in self._reads.get(name, ()):
            key = self._key(name, context, source, attributes)
            if key in self._made:
                return self._made[key], True
        view = _Reads(source)
        value = make(view)
        if len(self._made) >= self.limit:
            self.cache_clear()
        attributes = tuple(sorted(view._read))
        self._reads.setdefault(name, set()).add(attributes)
        self._made[self._key(name, context, source, attributes)] = value
        return value, False

    def one_of_equals(self, value):
        """``value``, or an equal value passed here before: equal results kept as one object."""
        return self._equal.setdefault(value, value)

    def __len__(self) -> int:
        return len(self._made)

    def cache_clear(self) -> None:
        self._reads.clear()
        self._made.clear()
        self._equal.clear()
