"""Replica arithmetic."""

from __future__ import annotations

import pytest

from kubechat_tui.planner.scaling import ScaleError, replica_target


def unknown() -> int:
    raise ScaleError("current count unknown")


@pytest.mark.parametrize(("text", "current", "expected"), [
    ("scale web to 5", 3, 5),
    ("bump web to 6 replicas", 3, 6),
    ("set replicas=4 on web", 3, 4),
    ("scale web to zero", 3, 0),
    ("scale web up by 50%", 3, 5),
    ("scale web down by 50 percent", 3, 1),
    ("scale web by 2", 3, 5),
    ("add 2 replicas to web", 3, 5),
    ("remove 1 replica from web", 3, 2),
    ("give web 3 more replicas", 3, 6),
    ("double web", 3, 6),
    ("halve web", 3, 2),
    ("scale web down by 10", 3, 0),
])
def test_targets(text: str, current: int, expected: int) -> None:
    assert replica_target(text, lambda: current).replicas == expected


def test_absolute_targets_never_ask_for_the_live_count() -> None:
    assert replica_target("scale web to 7", unknown).replicas == 7


@pytest.mark.parametrize(("text", "message"), [
    ("scale web to -5", "whole number"),
    ("scale web to 2.5", "whole number"),
    ("scale web to 5000", "more than the 1000"),
    ("scale down web", "how many"),
    ("scale web up by 50%", "unknown"),
])
def test_refusals(text: str, message: str) -> None:
    with pytest.raises(ScaleError, match=message):
        replica_target(text, unknown)
