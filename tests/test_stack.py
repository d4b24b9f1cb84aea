"""stack.roomy: a call made with room on the frame stack is the call itself."""

from __future__ import annotations

import pytest

from lettergen.stack import roomy


def test_a_roomy_call_returns_what_the_call_returns_and_raises_what_it_raises():
    assert roomy(divmod, 7, 2) == (3, 1)
    assert roomy(sorted, [3, 1, 2], reverse=True) == [3, 2, 1]
    with pytest.raises(ValueError):
        roomy(int, "สำนักงาน")

    def deep(n: int) -> int:
        return 0 if n == 0 else 1 + deep(n - 1)

    assert roomy(deep, 900) == 900  # recursion deeper than the room it was given
