"""The one home of a cluster's data state in an inventory, derived from its list and watch.

Rows are CURRENT once listed and while the watch is open. When the watch ends (the server's
timeout, a dropped connection, 410 Gone) the feed is RECONNECTING; a reconnect that takes
longer than RECONNECT_GRACE, or an attempt that fails, makes the rows STALE from the moment
updates stopped, with the last error, until a watch is open again. A cluster whose first
list fails is FAILED (it has no rows and is not counted as loaded). The feed calls these
under its lock; readers get `seen` copies.
"""

from __future__ import annotations

from dataclasses import replace

from kubechat_tui.kube.types import DataState, LoadProgress

RECONNECT_GRACE = 2.0  # seconds a resuming watch still counts as current


def current(progress: LoadProgress, now: float) -> None:
    """Listed, or a watch just opened: the rows are kept current."""
    if progress.state is not DataState.CURRENT:
        progress.state, progress.since = DataState.CURRENT, now
    progress.error = None


def interrupted(progress: LoadProgress, now: float, reason: str | None) -> None:
    """The watch ended or expired; a new one (or a re-list) is on its way."""
    if progress.state is DataState.CURRENT:
        progress.state, progress.since = DataState.RECONNECTING, now
    if reason:
        progress.error = reason


def failing(progress: LoadProgress, now: float, reason: str) -> None:
    """An attempt failed: stale rows once listed, else a failed load."""
    if progress.state in (DataState.LOADING, DataState.CURRENT):
        progress.since = now  # else: since the watch ended, or since the first failure
    progress.state = DataState.STALE if progress.done else DataState.FAILED
    progress.error = reason


def seen(progress: LoadProgress, now: float) -> LoadProgress:
    """A copy as the console shows it: a reconnect past its grace is stale."""
    copy = replace(progress)
    if copy.state is DataState.RECONNECTING and now - copy.since >= RECONNECT_GRACE:
        copy.state = DataState.STALE
    return copy
