"""Room on the interpreter's frame stack for deep work: laying out and writing letters.

CPython 3.11 keeps the frames of Python calls in chunks of 16 KiB and frees a chunk (an
munmap) as soon as the frame at its base returns; the next call that does not fit in the
chunk below maps a new one. WeasyPrint's layout recurses up and down across such an edge
all the time: for 998 letters, 32,000 chunks a hundred letters mapped and freed, 185,000
page faults and 1.5 to 2 s of system time, a tenth of the CPU a run took. Work called
through ``roomy`` starts in a chunk of its own, of 512 KiB (its first frame declares an
evaluation stack of 32,768 slots, which it never uses: the chunk is mapped, not touched),
so the frames of the work fit in that chunk and none is mapped or freed until it returns:
the same run has 55,000 page faults and half a second of system time. (On another Python
the frame is only larger than it needs to be.)
"""

from __future__ import annotations

from typing import Callable, TypeVar

T = TypeVar("T")


def _call(function, args, kwargs):
    return function(*args, **kwargs)


_call.__code__ = _call.__code__.replace(co_stacksize=1 << 15)


def roomy(function: Callable[..., T], *args, **kwargs) -> T:
    """``function(*args, **kwargs)``, its frames in a chunk of the frame stack of its own."""
    return _call(function, args, kwargs)
