"""Pure pieces: selectors, patches, continue tokens, ages."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from kubechat_tui.sim import kubelet, paging
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
    assert parsed == (("spec.nodeName", "=", "n1"), ("status.phase", "!=", "Running"))
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


def test_compaction_is_one_rule_for_lists_and_watches() -> None:
    store = ClusterStore(history=3)
    store.load("configmaps", {"metadata": {"name": "seed", "namespace": "x"}})
    loaded = store.resource_version
    assert store.compacted == loaded and store.too_old(loaded - 1)
    for i in range(2):
        store.put("configmaps", {"metadata": {"name": f"c{i}", "namespace": "x"}})
    # history not full yet: every version since the load can be listed and watched from
    assert [o["metadata"]["name"] for o in store.objects_at("configmaps", loaded)] == ["seed"]
    assert len(store.changes_since(loaded)) == 2
    for i in range(2, 5):
        store.put("configmaps", {"metadata": {"name": f"c{i}", "namespace": "x"}})
    assert store.compacted == loaded + 2  # the two oldest changes fell out of the history
    for read in (store.changes_since, lambda rv: store.objects_at("configmaps", rv)):
        with pytest.raises(TooOld, match=rf"too old resource version: {loaded + 1} "
                                         rf"\({loaded + 2}\)"):
            read(loaded + 1)
    assert [o["metadata"]["name"] for o in store.objects_at("configmaps", loaded + 2)] == [
        "c0", "c1", "seed"]
    store.compact()
    assert store.too_old(store.resource_version - 1) and store.changes_since(
        store.resource_version) == []


def test_objects_at_rolls_back_changes_in_etcd_key_order() -> None:
    store = ClusterStore()
    for ns, name in (("pay", "a"), ("pay-x", "b"), ("pay", "c")):
        store.load("pods", {"metadata": {"name": name, "namespace": ns, "labels": {}}})
    before = store.resource_version
    store.put("pods", {"metadata": {"name": "a", "namespace": "pay", "labels": {"v": "2"}}})
    store.remove("pods", "pay", "c")
    store.put("pods", {"metadata": {"name": "d", "namespace": "pay", "labels": {}}})
    then = store.objects_at("pods", before)
    assert [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in then] == [
        ("pay-x", "b"), ("pay", "a"), ("pay", "c")]  # "pay-x/b" < "pay/a" as etcd keys
    assert then[1]["metadata"]["labels"] == {}
    assert [o["metadata"]["name"] for o in store.objects_at("pods", before, "pay")] == [
        "a", "c"]


def test_crash_loop_follows_the_kubelet_backoff() -> None:
    # a 2 s run, then 10 s, 20 s, 40 s, 80 s, 160 s and from then on 5 min between restarts
    starts = [0, 12, 34, 76, 158, 320, 622, 924, 1226]
    for count, start in enumerate(starts):
        assert kubelet.restarts_since(0, start - 0.1) == max(0, count - 1)
        assert kubelet.restarts_since(0, start) == count
    loop = kubelet.cycle(0, 625, "crashloop")
    assert (loop.start, loop.end, loop.backoff, loop.previous) == (622, 624, 300, (320, 322))
    assert [loop.phase(t) for t in (623, 624.5, 626)] == ["running", "terminated", "waiting"]
    oom = kubelet.cycle(0, 2 * 86400, "oomkilled")
    assert oom.backoff == 300 and oom.end - oom.start == 40 and oom.restarts > 500
    assert [kubelet.go_duration(s) for s in (10, 80, 160, 300)] == ["10s", "1m20s", "2m40s",
                                                                    "5m0s"]


@pytest.mark.parametrize(("seconds", "text"), [
    (55, "55s"), (119, "119s"), (150, "2m30s"), (600, "10m"), (3 * 3600 + 5, "3h"),
    (5 * 3600 + 1800, "5h30m"), (47 * 3600, "47h"), (6 * 86400 + 3600 * 23, "6d23h"),
    (96 * 86400, "96d"), (-5, "<invalid>"),
])
def test_human_duration(seconds: int, text: str) -> None:
    assert human_duration(seconds) == text


def test_crash_loops_restart_on_the_backoff_schedule() -> None:
    prod_eu = build_incident(time.time())[0]
    loop = asyncio.new_event_loop()
    try:
        controllers = ClusterControllers(prod_eu, loop)
        store = prod_eu.store
        pod = next(p for p in store.objects("pods", "payments")
                   if p["metadata"]["name"].startswith("payments-api"))
        ns, name, uid = "payments", pod["metadata"]["name"], pod["metadata"]["uid"]

        def api() -> Any:
            current = store.get("pods", ns, name)
            assert current is not None
            return current["status"]["containerStatuses"][0]

        def backoffs() -> int:
            return sum(int(e["count"]) for e in store.objects("events", ns)
                       if e["reason"] == "BackOff" and e["involvedObject"]["uid"] == uid)

        before, counted = api(), backoffs()
        assert "waiting" in before["state"]
        started = prod_eu.started[uid]
        restart = kubelet.cycle(started, time.time(), "crashloop")
        next_start = restart.end + restart.backoff
        controllers.tick_crashes(next_start - 1)
        assert api() == before  # still backing off: nothing changes
        controllers.tick_crashes(next_start + 0.5)
        running = api()
        assert running["restartCount"] == before["restartCount"] + 1
        assert "running" in running["state"] and backoffs() == counted + 1
        controllers.tick_crashes(next_start + 2.5)
        assert api()["state"]["terminated"]["reason"] == "Error"
        controllers.tick_crashes(next_start + 4)
        waiting = api()["state"]["waiting"]
        assert waiting["reason"] == "CrashLoopBackOff"
        assert waiting["message"].startswith("back-off 5m0s restarting failed container=api ")
        controllers.close()
    finally:
        loop.close()
