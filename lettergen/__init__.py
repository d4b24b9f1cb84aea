"""lettergen: Thai official letters in bulk, as PDF and DOCX.

The library entry points: ``load_spec``, ``load_recipients`` and ``render``.
"""

from .recipients import load_recipients
from .rendering import render
from .spec import load_spec

__all__ = ["load_spec", "load_recipients", "render"]
__version__ = "0.1.0"
