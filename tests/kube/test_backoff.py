"""Retry pacing: full-jitter doubling from 0.2 s to at most 5 s, Retry-After bounded."""

from __future__ import annotations

from kubechat_tui.kube.backoff import MAX_SECONDS, RETRY_AFTER_MAX, Backoff


def test_delays_double_up_to_the_cap_with_full_jitter() -> None:
    highest = Backoff(rng=lambda: 1.0)
    assert [round(highest.delay(), 3) for _ in range(7)] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]
    assert Backoff(rng=lambda: 0.0).delay() == 0.0  # any share of the ceiling, down to none
    many = Backoff()
    assert all(0 <= many.delay() <= MAX_SECONDS for _ in range(200))


def test_a_reset_starts_again_from_the_shortest_delay() -> None:
    backoff = Backoff(rng=lambda: 1.0)
    for _ in range(5):
        backoff.delay()
    backoff.reset()
    assert backoff.delay() == 0.2


def test_retry_after_is_honoured_up_to_a_bound() -> None:
    backoff = Backoff(rng=lambda: 1.0)
    assert backoff.delay(retry_after=3) == 3.0
    assert backoff.delay(retry_after=3600) == RETRY_AFTER_MAX
    assert backoff.delay() == 0.8  # a Retry-After still counts as a failure
