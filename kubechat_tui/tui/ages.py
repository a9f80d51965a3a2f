"""The console's clock; kubectl-style ages come from `domain.ages`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from kubechat_tui.domain.ages import age, human_duration, parse_timestamp

Clock = Callable[[], datetime]
__all__ = ["Clock", "age", "human_duration", "parse_timestamp", "system_clock"]


def system_clock() -> datetime:
    """The real clock (UTC); tests inject a fixed one."""
    return datetime.now(UTC)
