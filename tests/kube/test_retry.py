"""Throttled requests: a 429 with Retry-After is retried by the Mutator within its bounds,
each retry told first, and the error says why it stopped; the header of a
plain-text 429 (what priority and fairness send) reaches the Status every reader uses."""

from __future__ import annotations

import orjson
import pytest

from kubechat_tui.config.settings import KubeSettings
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.mutations import MutationError, Mutator, target
from kubechat_tui.kube.retry import Throttled, ThrottleRetry, fold_retry_after, throttle_retry
from kubechat_tui.sim import SimServer

DEPLOY = target("staging", "deployments", "payments", "payments-api")


def test_a_plain_text_429_gets_its_retry_after_in_a_status() -> None:
    doc = orjson.loads(fold_retry_after(429, "2", b"Too many requests, please try again "
                                                 b"later.\n"))
    assert doc["code"] == 429 and doc["reason"] == "TooManyRequests"
    assert doc["message"] == "Too many requests, please try again later."
    assert doc["details"] == {"retryAfterSeconds": 2}
    status = orjson.dumps({"kind": "Status", "details": {"causes": []}})
    assert orjson.loads(fold_retry_after(503, "4", status))["details"] == {
        "causes": [], "retryAfterSeconds": 4}
    told = orjson.dumps({"details": {"retryAfterSeconds": 7}})
    assert orjson.loads(fold_retry_after(429, "2", told))["details"]["retryAfterSeconds"] == 7
    for status_code, header in ((200, "2"), (429, None), (429, "Wed, 21 Oct 2026 07:28:00 GMT")):
        assert fold_retry_after(status_code, header, b"x") == b"x"


def test_the_bounds_come_from_the_settings() -> None:
    retry = throttle_retry(KubeSettings(retry_attempts=4, retry_wait_seconds=9))
    assert (retry.attempts, retry.max_wait_seconds) == (4, 9)
    assert retry.wait(429, 2, attempt=1, waited=0) == 2
    assert retry.wait(429, 2, attempt=4, waited=0) is None  # no tries left
    assert retry.wait(429, 2, attempt=2, waited=8) is None  # beyond the budget
    assert retry.wait(429, None, attempt=1, waited=0) is None  # no Retry-After
    assert retry.wait(500, 2, attempt=1, waited=0) is None


def test_a_throttled_write_is_retried_after_the_delay_asked_for(own_sim: SimServer,
                                                                 own_fleet: Fleet) -> None:
    told: list[Throttled] = []
    slept: list[float] = []

    def on_retry(notice: Throttled) -> None:
        told.append(notice)
        if len(told) == 2:
            own_sim.faults("staging").clear()

    own_sim.faults("staging").set(error_rate=1.0, error_status=429, retry_after=3,
                                  error_writes=True)
    mutator = Mutator(own_fleet, retry=ThrottleRetry(3, 10, on_retry, slept.append))
    current = mutator.get(DEPLOY)
    mutator.scale(DEPLOY, 2, current["metadata"]["resourceVersion"])
    assert slept == [3.0, 3.0]
    assert [(t.attempt, t.attempts, t.wait) for t in told] == [(1, 3, 3.0), (2, 3, 3.0)]
    assert told[0].request == f"PATCH {DEPLOY.path}/scale"
    assert told[0].line() == ("staging answered 429 (Too many requests, please try again "
                              "later.): retrying in 3s (try 2 of 3)")
    assert mutator.get(DEPLOY)["spec"]["replicas"] == 2
    mutator.scale(DEPLOY, 1, None)


def test_without_a_policy_a_429_is_final_and_with_one_it_is_bounded(own_sim: SimServer,
                                                        own_fleet: Fleet) -> None:
    own_sim.faults("staging").set(error_rate=1.0, error_status=429, retry_after=1,
                                  error_writes=True)
    with pytest.raises(MutationError) as refused:
        Mutator(own_fleet).scale(DEPLOY, 2, None)  # no policy: never retried
    assert refused.value.status == 429 and refused.value.retry_after == 1
    assert "(" not in refused.value.message  # nothing about retries it never made
    slept: list[float] = []
    with pytest.raises(MutationError) as exhausted:
        Mutator(own_fleet, retry=ThrottleRetry(2, 10, sleep=slept.append)).scale(DEPLOY, 2,
                                                                                 None)
    assert slept == [1.0]
    assert exhausted.value.message.endswith("(still throttled after 2 tries (1s waited))")
