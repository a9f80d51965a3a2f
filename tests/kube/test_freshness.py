"""The data state of a cluster's rows, as the feed moves it and the console sees it."""

from __future__ import annotations

from kubechat_tui.kube import freshness
from kubechat_tui.kube.types import DataState, LoadProgress


def listed() -> LoadProgress:
    progress = LoadProgress("prod-us", rows=3, done=True)
    freshness.current(progress, 100.0)
    return progress


def test_a_resuming_watch_counts_as_current_only_for_its_grace() -> None:
    progress = listed()
    freshness.interrupted(progress, 110.0, "stream cut: connection closed by the server")
    soon = freshness.seen(progress, 110.0 + freshness.RECONNECT_GRACE / 2)
    assert soon.state is DataState.RECONNECTING and soon.loaded
    late = freshness.seen(progress, 110.0 + freshness.RECONNECT_GRACE)
    assert late.state is DataState.STALE and not late.loaded and late.since == 110.0
    assert progress.state is DataState.RECONNECTING  # seen() copies


def test_stale_since_the_updates_stopped_until_a_watch_opens() -> None:
    progress = listed()
    freshness.interrupted(progress, 110.0, None)
    freshness.failing(progress, 111.0, "HTTP 503: unavailable (retry in 0.4 s)")
    freshness.failing(progress, 112.0, "HTTP 503: unavailable (retry in 0.8 s)")
    assert (progress.state, progress.since) == (DataState.STALE, 110.0)
    assert progress.error == "HTTP 503: unavailable (retry in 0.8 s)"
    freshness.current(progress, 113.0)
    assert (progress.state, progress.since, progress.error) == (DataState.CURRENT, 113.0, None)


def test_a_failing_open_watch_is_stale_at_once() -> None:
    progress = listed()
    freshness.failing(progress, 120.0, "the watch closed at once")
    assert (progress.state, progress.since) == (DataState.STALE, 120.0)


def test_a_failed_first_list_is_failed_not_stale() -> None:
    progress = LoadProgress("canary", since=100.0)
    freshness.failing(progress, 101.0, "unreachable: connection refused (retry in 0.2 s)")
    freshness.failing(progress, 102.0, "unreachable: connection refused (retry in 0.4 s)")
    assert (progress.state, progress.since) == (DataState.FAILED, 101.0)
    assert not progress.loaded
