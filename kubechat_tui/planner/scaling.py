"""Replica arithmetic for "scale to 5", "up by 50%", "add 2 replicas", "halve", "to zero"."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_REPLICAS = 1000
_BAD = re.compile(r"\bto -\d|\b\d+\.\d+ ?(replicas?)?\b")
_ABSOLUTE = re.compile(r"\bto (\d+)\b|replicas?[ =:]+(\d+)|\b(?:at|with) (\d+) replicas?")
_ZERO = re.compile(r"\bto (zero|none|nothing)\b")
_PERCENT = re.compile(r"\bby (\d+) ?(%|percent)")
_RELATIVE = re.compile(r"\bby (\d+)\b(?! ?%| ?percent)|\b(?:add|remove) (\d+)\b"
                       r"|\b(\d+) (?:more|fewer|less)\b")
_FACTOR = re.compile(r"\b(double|triple|half|halve)\b")
_DOWN = re.compile(r"\b(down|reduce|decrease|shrink|less|fewer|halve|half|remove)\b")


class ScaleError(ValueError):
    """The request does not say a usable replica count (one-line reason)."""


@dataclass(frozen=True)
class ReplicaTarget:
    """The replica count to set, and from which current count (None when absolute)."""

    replicas: int
    current: int | None = None


def _first(match: re.Match[str]) -> int:
    return int(next(g for g in match.groups() if g))


def replica_target(low: str, current: Callable[[], int]) -> ReplicaTarget:
    """The target count for a lower-cased request; `current()` is asked only when relative
    (it raises ScaleError when the live count is unknown)."""
    if _BAD.search(low):
        raise ScaleError(f"the replica count must be a whole number from 0 to {MAX_REPLICAS}")
    absolute, percent, relative = _ABSOLUTE.search(low), _PERCENT.search(low), \
        _RELATIVE.search(low)
    factor = _FACTOR.search(low)
    if _ZERO.search(low):
        return _checked(ReplicaTarget(0))
    if absolute and not percent and not relative:
        return _checked(ReplicaTarget(_first(absolute)))
    if not (percent or relative or factor):
        raise ScaleError("scale to how many replicas? e.g. 'scale deployment web to 5' or "
                         "'scale deployment web up by 50%'")
    now = current()
    sign = -1 if _DOWN.search(low) else 1
    if percent:
        replicas = now + sign * math.ceil(now * int(percent.group(1)) / 100)
    elif relative:
        replicas = now + sign * _first(relative)
    else:
        word = factor.group(1)  # type: ignore[union-attr]
        replicas = {"double": now * 2, "triple": now * 3}.get(word, math.ceil(now / 2))
    return _checked(ReplicaTarget(max(replicas, 0), now))


def _checked(target: ReplicaTarget) -> ReplicaTarget:
    if target.replicas > MAX_REPLICAS:
        raise ScaleError(f"{target.replicas} replicas is more than the {MAX_REPLICAS} kubechat "
                         "plans; pick a smaller number")
    return target
