"""kubectl-style ages ("45s", "5m12s", "3h", "12d"): the one home of their words, shown by
the console's tables and by the read path's results."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache

_DURATION = re.compile(r"(?:(\d+)y)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_UNIT_SECONDS = (365 * 86400, 86400, 3600, 60, 1)
# A RESTARTS cell: the count, and when the last restart was ("3m ago" as the server prints
# it; an RFC 3339 time once read, so the view can say how long ago it is *now*).
_RESTARTS = re.compile(r"(\d+) \((.*?)(?: ago)?\)")


@lru_cache(maxsize=65536)
def parse_timestamp(value: str) -> datetime | None:
    """An aware datetime, or None for empty / malformed input."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def human_duration(seconds: float) -> str:
    """The kubectl HumanDuration rendering."""
    s = max(0, int(seconds))
    if s < 120:
        return f"{s}s"
    minutes, hours, days = s // 60, s // 3600, s // 86400
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if hours < 3:
        return f"{minutes}m"
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if days < 8:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    if days < 365 * 2:
        return f"{days}d"
    return f"{days // 365}y{days % 365}d" if days < 365 * 8 else f"{days // 365}y"


def age(value: str, now: datetime) -> str:
    """The age of a timestamp at `now`; the raw text when it does not parse."""
    stamp = parse_timestamp(value)
    if stamp is None:
        return value or "<none>"
    return human_duration((now - stamp).total_seconds())


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """Seconds of a Go-style duration (`30s`, `10m`, `1h30m`, `2d`); ValueError (one line)
    when it is not one or is not positive."""
    total, number = 0, ""
    for char in text.strip():
        if char.isdigit():
            number += char
        elif char in _DURATION_UNITS and number:
            total += int(number) * _DURATION_UNITS[char]
            number = ""
        else:
            number = "x"
            break
    if number or total <= 0:
        raise ValueError(f"{text!r} is not a duration such as 30s, 10m, 1h30m or 2d")
    return total


def parse_human_duration(text: str) -> float | None:
    """Seconds of a HumanDuration ("5m12s", "3h", "2d4h"); None for anything else
    (`<invalid>`, which the API server prints for a time in its future)."""
    match = _DURATION.fullmatch(text.strip())
    if not text.strip() or match is None:
        return None
    return float(sum(int(v) * unit for v, unit in zip(match.groups(), _UNIT_SECONDS,
                                                        strict=True) if v))


def restarts_since(cell: str, now: datetime) -> str:
    """A RESTARTS cell as read: "5 (3m ago)" becomes "5 (<time of the last restart>)", so
    its age stays right; an unreadable time (`<invalid>`) is dropped, the count kept."""
    match = _RESTARTS.fullmatch(cell)
    if match is None:
        return cell
    seconds = parse_human_duration(match.group(2))
    if seconds is None:
        return match.group(1)
    stamp = (now - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{match.group(1)} ({stamp})"


def restarts_shown(cell: str, now: datetime) -> str:
    """A RESTARTS cell as shown: "5 (<time>)" becomes "5 (3m ago)" at `now`."""
    match = _RESTARTS.fullmatch(cell)
    stamp = parse_timestamp(match.group(2)) if match else None
    if match is None or stamp is None:
        return cell
    return f"{match.group(1)} ({human_duration((now - stamp).total_seconds())} ago)"


def leading_count(value: str) -> int | None:
    """The number a cell sorts by: "17", or "17 (3m ago)"; None for other text."""
    if value.isdigit():
        return int(value)
    match = _RESTARTS.fullmatch(value)
    return int(match.group(1)) if match else None
