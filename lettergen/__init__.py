"""lettergen: Thai official letters in bulk, as PDF and DOCX.

The library entry points: ``load_spec``, ``load_recipients`` and ``render``.
"""

import time

LOADED = time.monotonic()  # when lettergen was first imported: a command's times count from here

from .sheets.recipients import load_recipients  # noqa: E402
from .rendering import render  # noqa: E402
from .spec import load_spec  # noqa: E402

__all__ = ["load_spec", "load_recipients", "render"]
__version__ = "0.1.0"
