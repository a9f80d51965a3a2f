"""Pure pieces: selectors, patches, continue tokens, ages."""

from __future__ import annotations

import asyncio
import time

import pytest

from kubechat_tui.sim import paging
from kubechat_tui.sim.clock import human_duration
from kubechat_tui.sim.controllers import ClusterControllers
from kubechat_tui.sim.patching import merge_patch, strategic_merge
from kubechat_tui.sim.scenario import build_incident
from kubechat_tui.sim.selectors import (
    format_label_selector,
    labels_match,
    parse_field_selector,
    parse_label_selector,
)
from kubechat_tui.sim.status import ApiError
from kubechat_tui.sim.store import ClusterStore, TooOld


@pytest.mark.parametrize(("selector", "labels", "expected"), [
    ("app=web", {"app": "web"}, True),
    ("app==web", {"app": "api"}, False),
    ("app!=web", {}, True),
    ("app in (web, api),tier", {"app": "api", "tier": "x"}, True),
    ("app notin (web)", {"app": "web"}, False),
    ("!canary", {"canary": "true"}, False),
    ("tier", {"app": "x"}, False),
    ("", {"a": "b"}, True),
])
def test_label_selectors(selector: str, labels: dict[str, str], expected: bool) -> None:
    assert labels_match(parse_label_selector(selector), labels) is expected


def test_field_selector_parsing() -> None:
    parsed = parse_field_selector("status.phase!=Running,spec.nodeName==n1",
                                  ("status.phase", "spec.nodeName"))
    assert parsed == (("status.phase", "!=", "Running"), ("spec.nodeName", "=", "n1"))
    with pytest.raises(ApiError):
        parse_field_selector("nope=1", ("status.phase",))


def test_format_label_selector() -> None:
    assert format_label_selector({"matchLabels": {"b": "2", "a": "1"}, "matchExpressions": [
        {"key": "c", "operator": "In", "values": ["x", "y"]}]}) == "a=1,b=2,c in (x,y)"
    assert format_label_selector(None) == "<none>"


def test_merge_and_strategic_merge() -> None:
    current = {"spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "2"}],
                        "replicas": 3, "paused": True}}
    assert merge_patch(current, {"spec": {"paused": None}})["spec"] == {
        "containers": current["spec"]["containers"], "replicas": 3}
    patched = strategic_merge(current, {"spec": {
        "$setElementOrder/containers": [{"name": "a"}, {"name": "b"}],
        "containers": [{"name": "b", "image": "3"}]}})
    assert patched["spec"]["containers"] == [{"name": "a", "image": "1"},
                                             {"name": "b", "image": "3"}]
    deleted = strategic_merge(current, {"spec": {"containers": [{"name": "a",
                                                                 "$patch": "delete"}]}})
    assert [c["name"] for c in deleted["spec"]["containers"]] == ["b"]
    replaced = strategic_merge(current, {"spec": {"$patch": "replace", "replicas": 1}})
    assert replaced["spec"] == {"replicas": 1}


def test_continue_token_round_trip() -> None:
    token = paging.encode(727, "payments/payments-api-x")
    assert paging.decode(token) == (727, "payments/payments-api-x")


def test_continue_token_expires_after_compaction() -> None:
    store = ClusterStore(history=3)
    for i in range(5):
        store.put("configmaps", {"metadata": {"name": f"c{i}", "namespace": "x"}})
    assert store.compacted_past(101) and not store.compacted_past(store.resource_version)
    with pytest.raises(TooOld):
        store.changes_since(101)


@pytest.mark.parametrize(("seconds", "text"), [
    (55, "55s"), (119, "119s"), (150, "2m30s"), (600, "10m"), (3 * 3600 + 5, "3h"),
    (5 * 3600 + 1800, "5h30m"), (47 * 3600, "47h"), (6 * 86400 + 3600 * 23, "6d23h"),
    (96 * 86400, "96d"), (-5, "<invalid>"),
])
def test_human_duration(seconds: int, text: str) -> None:
    assert human_duration(seconds) == text


def test_crash_loops_keep_counting() -> None:
    prod_eu = build_incident(time.time())[0]
    loop = asyncio.new_event_loop()
    try:
        controllers = ClusterControllers(prod_eu, loop)
        store = prod_eu.store
        pod = next(p for p in store.objects("pods", "payments")
                   if p["metadata"]["name"].startswith("payments-api"))
        uid = pod["metadata"]["uid"]

        def restarts() -> int:
            current = next(p for p in store.objects("pods", "payments")
                           if p["metadata"]["uid"] == uid)
            return int(current["status"]["containerStatuses"][0]["restartCount"])

        def backoffs() -> int:
            return sum(int(e["count"]) for e in store.objects("events", "payments")
                       if e["reason"] == "BackOff" and e["involvedObject"]["uid"] == uid)

        before = (restarts(), backoffs())
        controllers.tick_crashes()
        assert (restarts(), backoffs()) == (before[0] + 1, before[1] + 1)
        controllers.close()
    finally:
        loop.close()
