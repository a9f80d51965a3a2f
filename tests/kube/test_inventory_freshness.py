"""Rows are kept current through dropped watches, failing calls and 410, or marked stale.

Real HTTP against a private simulator with its faults; times are asserted on what happened
(measured), polled with generous timeouts so a loaded machine does not turn them into races.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from kubechat_tui.kube import feed as feed_module
from kubechat_tui.kube.feed import ClusterFeed, FeedSpec
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.inventory import KINDS, Inventory
from kubechat_tui.kube.kinds import collection_path, reader_for
from kubechat_tui.kube.types import DataState
from kubechat_tui.sim import SimServer
from tests.kube.conftest import wait_for

CLUSTER, NAMESPACE = "prod-us", "checkout"
# Calls fail by this seed's dice at error_rate 0.5: 22 of the first 40, never 3 in a row.
HALF_FAILING_SEED = 726


@pytest.fixture
def watched(own_fleet: Fleet) -> Iterator[Inventory]:
    """prod-us's checkout pods, listed and watched."""
    inventory = Inventory(own_fleet, KINDS["pods"], [CLUSTER], namespace=NAMESPACE)
    inventory.start(lambda: None)
    try:
        wait_for(lambda: state(inventory) is DataState.CURRENT)
        yield inventory
    finally:
        inventory.stop()
        assert inventory.join(3.0)


def state(inventory: Inventory) -> DataState:
    return inventory.progress()[CLUSTER].state


def create_pod(fleet: Fleet, name: str) -> float:
    """Create a pod (retrying refused calls); returns when it was created."""
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {"containers": [{"name": "app", "image": "registry.local/app:1"}]}}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status, _ = fleet.request_json(CLUSTER, "POST", f"/api/v1/namespaces/{NAMESPACE}/pods",
                                       body=body)
        if status == 201:
            return time.monotonic()
    raise AssertionError(f"could not create pod {name}")


def seconds_until_shown(inventory: Inventory, name: str, created: float) -> float:
    wait_for(lambda: name in {r[2] for r in inventory.rows()}, timeout=60)
    return time.monotonic() - created


def test_a_dropped_watch_resumes_at_once(watched: Inventory, own_fleet: Fleet,
                                         own_sim: SimServer) -> None:
    for round_ in range(4):  # repeated drops do not pile up backoff (1, 2, 4, 8 s before)
        own_sim.faults(CLUSTER).set(drop_watches=True)
        created = create_pod(own_fleet, f"after-drop-{round_}")
        assert seconds_until_shown(watched, f"after-drop-{round_}", created) < 5
    progress = watched.progress()[CLUSTER]
    assert progress.relists == 0 and progress.loaded  # resumed from its resourceVersion


def test_half_of_the_calls_failing_marks_stale_then_recovers(
        watched: Inventory, own_fleet: Fleet, own_sim: SimServer) -> None:
    rows = len(watched.rows())
    faults = own_sim.faults(CLUSTER)
    faults.set(error_rate=1.0, error_status=503, drop_watches=True)
    wait_for(lambda: "HTTP 503" in (watched.progress()[CLUSTER].error or ""))
    progress = watched.progress()[CLUSTER]
    assert progress.error and progress.error.startswith(
        "HTTP 503: the server is currently unable to handle the request (retry in ")
    assert progress.state is DataState.STALE and not progress.loaded
    assert len(watched.rows()) == rows  # the old rows stay, marked stale
    failing_since = progress.since
    time.sleep(0.5)
    assert watched.progress()[CLUSTER].since == failing_since  # since the data stopped

    faults.set(error_rate=0.5)
    faults.reseed(HALF_FAILING_SEED)
    created = create_pod(own_fleet, "while-half-failing")
    assert seconds_until_shown(watched, "while-half-failing", created) < 15
    wait_for(lambda: state(watched) is DataState.CURRENT)
    progress = watched.progress()[CLUSTER]
    assert progress.error is None and progress.loaded and progress.relists == 0


def test_an_expired_resume_lists_again(watched: Inventory, own_fleet: Fleet,
                                       own_sim: SimServer) -> None:
    """The history compacted while the cluster was unreachable: resuming gets 410, so the
    feed lists again (keeping the rows meanwhile) and watches from the new list."""
    status, _ = own_fleet.request_json(  # a change the checkout watch does not see
        CLUSTER, "POST", "/api/v1/namespaces/default/configmaps",
        body={"metadata": {"name": "elsewhere"}})
    assert status == 201
    own_sim.faults(CLUSTER).set(unreachable=True)
    wait_for(lambda: "unreachable" in (watched.progress()[CLUSTER].error or ""))
    assert state(watched) is DataState.STALE
    own_sim.compact(CLUSTER)
    own_sim.faults(CLUSTER).clear()
    wait_for(lambda: watched.progress()[CLUSTER].relists == 1, timeout=20)
    wait_for(lambda: state(watched) is DataState.CURRENT)
    created = create_pod(own_fleet, "after-relist")
    assert seconds_until_shown(watched, "after-relist", created) < 5


def test_a_failed_first_list_is_not_loaded(own_fleet: Fleet, own_sim: SimServer) -> None:
    own_sim.faults("canary").set(error_rate=1.0, error_status=500)
    inventory = Inventory(own_fleet, KINDS["pods"], ["canary", "staging"])
    inventory.start(lambda: None)
    try:
        wait_for(lambda: inventory.progress()["canary"].state is DataState.FAILED)
        wait_for(lambda: inventory.progress()["staging"].loaded)
        canary = inventory.progress()["canary"]
        assert not canary.loaded and not canary.done and "HTTP 500" in (canary.error or "")
        own_sim.faults("canary").clear()
        wait_for(lambda: inventory.progress()["canary"].state is DataState.CURRENT)
        assert inventory.progress()["canary"].rows > 0
    finally:
        inventory.stop()


def test_bookmarks_advance_the_resume_point(own_fleet: Fleet,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A watch that sees no event of its own still resumes from the server's bookmark, and
    one the server ends on its timeout counts as having lasted (the next starts at once)."""
    monkeypatch.setattr(feed_module, "WATCH_SECONDS", 2)  # the simulator bookmarks at 1.5 s
    feed = ClusterFeed(CLUSTER, lambda: own_fleet.client(CLUSTER), reader_for(KINDS["pods"]),
                       FeedSpec(collection_path(KINDS["pods"], NAMESPACE), None, 500, 10_000),
                       threading.Lock(), lambda: None, threading.Event(), threading.Semaphore(1))
    listed = feed.list_all()
    assert listed is not None
    status, created = own_fleet.request_json(
        CLUSTER, "POST", "/api/v1/namespaces/default/configmaps",
        body={"metadata": {"name": "bookmarked"}})
    assert status == 201
    end = feed.watch(listed)
    assert end.lasted and end.reason is None
    assert int(end.version) >= int(created["metadata"]["resourceVersion"]) > int(listed)
