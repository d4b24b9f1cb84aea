"""lettergen: Thai official letters in bulk, as PDF and DOCX.

The library entry points: ``load_spec``, ``load_recipients`` and ``render``. They are loaded
when first asked for, so a module of the package (a command, a worker, the web server) loads
only what it uses.
"""

import time

LOADED = time.monotonic()  # when lettergen was first imported: a command's times count from here

__all__ = ["load_spec", "load_recipients", "render"]
__version__ = "0.1.0"
_ENTRY_POINTS = {"load_spec": "spec", "load_recipients": "sheets.recipients", "render": "rendering"}


def __getattr__(name: str):
    if name not in _ENTRY_POINTS:
        raise AttributeError(f"module 'lettergen' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{_ENTRY_POINTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), *_ENTRY_POINTS])
