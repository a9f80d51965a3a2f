"""The aggregated inventory on the incident scenario: rows, columns, filters, watches, 410."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from pathlib import Path

import pytest
import yaml

from kubechat_tui.config.settings import Settings
from kubechat_tui.kube.feed import ClusterFeed, FeedSpec
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.inventory import KINDS, Inventory
from kubechat_tui.kube.kinds import collection_path, reader_for
from kubechat_tui.sim import SimServer
from tests.kube.conftest import wait_for


def loaded(fleet: Fleet, kind: str, clusters: list[str] | None = None,
           **scope: str) -> Iterator[Inventory]:
    inventory = Inventory(fleet, KINDS[kind], clusters or fleet.cluster_names(), **scope)
    inventory.start(lambda: None)
    try:
        wait_for(lambda: all(p.done or p.error for p in inventory.progress().values()))
        yield inventory
    finally:
        started = time.monotonic()
        inventory.stop()
        assert time.monotonic() - started < 0.1  # never blocks the caller
        assert inventory.join(3.0)  # open watches were cut


@pytest.fixture
def pods(fleet: Fleet) -> Iterator[Inventory]:
    yield from loaded(fleet, "pods")


def test_pod_rows_have_the_kubectl_columns(pods: Inventory, fleet: Fleet) -> None:
    rows = pods.rows()
    assert pods.kind.columns == ("CLUSTER", "NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS",
                                 "AGE", "NODE")
    assert all(len(r) == len(pods.kind.columns) for r in rows)
    assert {r[0] for r in rows} == set(fleet.cluster_names())
    assert len({(r[0], r[1], r[2]) for r in rows}) == len(rows)
    for row in rows:
        datetime.fromisoformat(row[6].replace("Z", "+00:00"))  # AGE is RFC 3339
    progress = pods.progress()
    assert sum(p.rows for p in progress.values()) == len(rows)
    assert all(p.done and p.error is None and p.pages >= 1 for p in progress.values())


def test_pod_status_is_what_the_server_prints(pods: Inventory, fleet: Fleet) -> None:
    crashing = [r for r in pods.rows() if r[0] == "prod-eu" and r[4] == "CrashLoopBackOff"
                and r[2].startswith("payments-api-")]  # the OOM-killed workers back off too
    assert crashing and all(r[1] == "payments" and r[3] == "1/2" for r in crashing)
    status, doc = fleet.request_json("prod-eu", "GET",
                                     f"/api/v1/namespaces/payments/pods/{crashing[0][2]}")
    assert status == 200 and doc["spec"]["nodeName"] == crashing[0][7]
    restarts = sum(c["restartCount"] for c in doc["status"]["containerStatuses"])
    assert crashing[0][5].split()[0] == str(restarts)


def test_namespace_and_label_selector_are_server_side(fleet: Fleet) -> None:
    for inventory in loaded(fleet, "pods", ["prod-eu", "staging"], namespace="payments",
                            label_selector="app=payments-api"):
        rows = inventory.rows()
        assert rows and {r[1] for r in rows} == {"payments"}
        assert all(r[2].startswith("payments-api-") for r in rows)
    assert collection_path(KINDS["pods"], "payments") == "/api/v1/namespaces/payments/pods"
    assert collection_path(KINDS["nodes"], "payments") == "/api/v1/nodes"


def test_nodes_deployments_events(fleet: Fleet) -> None:
    for nodes in loaded(fleet, "no", ["prod-eu"]):
        node = nodes.rows()[0]
        assert nodes.kind.key_columns == (0, 1, 1) and not nodes.kind.namespaced
        assert node[0] == "prod-eu" and node[2] in ("Ready", "NotReady", "Ready,SchedulingDisabled")
        assert node[5].startswith("v1.")
    for deployments in loaded(fleet, "deploy", ["prod-eu"]):
        row = next(r for r in deployments.rows() if r[2] == "payments-api")
        assert row[1] == "payments" and "/" in row[3] and row[4].isdigit() and row[5].isdigit()
    for events in loaded(fleet, "ev", ["prod-eu"], namespace="payments"):
        rows = events.rows()
        assert events.kind.columns[events.kind.key_columns[2]] == "NAME"
        backoff = [r for r in rows if r[4] == "BackOff"]
        assert backoff and backoff[0][3] == "Warning" and backoff[0][5].startswith("pod/")
        assert all(r[2] for r in rows) and "LAST SEEN" in events.kind.age_columns


def test_watch_applies_changes(own_fleet: Fleet) -> None:
    changes = threading.Event()
    inventory = Inventory(own_fleet, KINDS["pods"], ["staging"], namespace="payments")
    inventory.start(changes.set)
    try:
        wait_for(lambda: inventory.progress()["staging"].done)
        victim = inventory.rows()[0][2]
        status, _ = own_fleet.request_json(
            "staging", "DELETE", f"/api/v1/namespaces/payments/pods/{victim}",
            body={"gracePeriodSeconds": 0})
        assert status == 200
        wait_for(lambda: victim not in {r[2] for r in inventory.rows()})
        status, _ = own_fleet.request_json(
            "staging", "PATCH", "/apis/apps/v1/namespaces/payments/deployments/payments-api",
            body={"spec": {"replicas": 6}}, content_type="application/merge-patch+json")
        assert status == 200
        wait_for(lambda: sum(r[2].startswith("payments-api-") for r in inventory.rows()) >= 6)
    finally:
        inventory.stop()


def test_watch_resumes_from_its_resource_version(own_fleet: Fleet,
                                                  own_sim: SimServer) -> None:
    """A change made while the watch is down is replayed when it reconnects."""
    for inventory in loaded(own_fleet, "pods", ["prod-us"], namespace="checkout"):
        relists = inventory.progress()["prod-us"].relists
        victim = inventory.rows()[0][2]
        own_sim.faults("prod-us").set(drop_watches=True)
        time.sleep(0.7)  # the simulator notices within 0.5 s and ends the open watch
        status, _ = own_fleet.request_json(
            "prod-us", "DELETE", f"/api/v1/namespaces/checkout/pods/{victim}",
            body={"gracePeriodSeconds": 0})
        assert status == 200
        own_sim.faults("prod-us").clear()
        wait_for(partial(_gone, inventory, victim))
        assert inventory.progress()["prod-us"].relists == relists  # resumed, no re-list


def _gone(inventory: Inventory, name: str) -> bool:
    return name not in {r[2] for r in inventory.rows()}


def test_throttled_cluster_waits_as_told(own_fleet: Fleet, own_sim: SimServer) -> None:
    own_sim.faults("staging").set(throttle=True, retry_after=1)
    inventory = Inventory(own_fleet, KINDS["deployments"], ["staging"])
    inventory.start(lambda: None)
    try:
        wait_for(lambda: inventory.progress()["staging"].error)
        assert inventory.progress()["staging"].error == \
            "HTTP 429: Too many requests, please try again later. (retry in 1 s)"
        own_sim.faults("staging").clear()
        wait_for(lambda: inventory.progress()["staging"].done, timeout=3)
        assert inventory.rows() and inventory.progress()["staging"].error is None
    finally:
        inventory.stop()


def test_relists_when_the_watch_expires(own_fleet: Fleet, own_sim: SimServer) -> None:
    """Resuming from a compacted resourceVersion gets 410: the feed lists again."""
    stop, lock = threading.Event(), threading.Lock()
    spec = FeedSpec(collection_path(KINDS["pods"], None), None, 500, 10_000)
    feed = ClusterFeed("prod-us", lambda: own_fleet.client("prod-us"),
                       reader_for(KINDS["pods"]), spec, lock, lambda: None, stop,
                       threading.Semaphore(1))
    runner = threading.Thread(target=feed.run, args=("1",), daemon=True)
    runner.start()
    try:
        wait_for(lambda: feed.progress.done)
        assert feed.progress.relists == 1 and feed.progress.error is None
        assert len(feed.rows) == feed.progress.rows > 0
    finally:
        stop.set()
        feed.interrupt()
        runner.join(timeout=5)


def test_unreachable_cluster_shows_as_progress_error(own_fleet: Fleet,
                                                     own_sim: SimServer) -> None:
    own_sim.faults("canary").set(unreachable=True)
    for inventory in loaded(own_fleet, "pods"):
        progress = inventory.progress()
        assert progress["canary"].error and "retry in" in progress["canary"].error
        assert not progress["canary"].done
        assert all(progress[c].done for c in ("prod-eu", "prod-us", "staging"))
        assert {r[0] for r in inventory.rows()} == {"prod-eu", "prod-us", "staging"}


def test_rejected_list_is_an_error_not_a_crash(own_sim: SimServer, tmp_path: Path) -> None:
    path = own_sim.write_kubeconfig(tmp_path / "kc")
    doc = yaml.safe_load(path.read_text())
    for user in doc["users"]:
        if user["name"] == "admin@staging":
            user["user"]["token"] = "revoked"
    path.write_text(yaml.safe_dump(doc))
    fleet = Fleet.from_kubeconfig(Settings(), str(path), ["staging", "canary"])
    try:
        for inventory in loaded(fleet, "pods"):
            progress = inventory.progress()
            assert "HTTP 401" in (progress["staging"].error or "")
            assert progress["canary"].done
            assert {r[0] for r in inventory.rows()} == {"canary"}
    finally:
        fleet.close()


def test_rows_are_capped_per_cluster(own_fleet: Fleet) -> None:
    small = own_fleet.settings.model_copy(deep=True)
    small.kube.max_rows_per_cluster = 5  # below the validated minimum, to stay fast
    small.kube.page_size = 3
    own_fleet.settings = small
    for inventory in loaded(own_fleet, "pods", ["prod-eu"]):
        progress = inventory.progress()["prod-eu"]
        assert len(inventory.rows()) == progress.rows == 5
        assert progress.note == "showing the first 5 rows" and progress.error is None
        assert progress.pages >= 3


def test_a_new_inventory_after_stop_loads_promptly(fleet: Fleet) -> None:
    """Stopped watches close their connections instead of leaving them half-read in the pool
    (a later list on such a connection would hang until the read timeout)."""
    for attempt in range(6):
        inventory = Inventory(fleet, KINDS["pods"], fleet.cluster_names())
        inventory.start(lambda: None)
        wait_for(partial(_all_done, inventory), timeout=5)
        time.sleep(0.05 * (attempt % 3))  # stop before, while and after watches open
        inventory.stop()


def _all_done(inventory: Inventory) -> bool:
    return all(p.done for p in inventory.progress().values())


def test_a_user_bound_to_one_namespace_lists_it_and_says_so(sim_kubeconfig: Path) -> None:
    """All namespaces asked for, cluster-wide list forbidden (wire sample 27): the context's
    namespace is listed instead, with a note; never a 403 retried in a loop."""
    fleet = Fleet.from_kubeconfig(Settings(), str(sim_kubeconfig), ["dev@staging"])
    try:
        for inventory in loaded(fleet, "pods", ["staging"]):
            rows = inventory.rows()
            [progress] = inventory.progress().values()
            assert rows and {r[1] for r in rows} == {"payments"}
            assert progress.error is None and progress.done
            assert progress.note == ("namespace payments only: not allowed to list across "
                                     "namespaces here")
        for inventory in loaded(fleet, "nodes", ["staging"]):  # nothing to fall back to
            [progress] = inventory.progress().values()
            assert progress.error and "forbidden" in progress.error.lower()
    finally:
        fleet.close()
