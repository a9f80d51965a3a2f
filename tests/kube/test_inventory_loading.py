"""How an inventory loads: a bounded pool of loaders, selection order, a small first page,
rows handed on page by page, and a stop that ends every thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kubechat_tui.config.settings import KubeSettings, Settings
from kubechat_tui.kube import inventory as inventory_module
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.inventory import KINDS, Inventory
from tests.kube.conftest import wait_for

FIRST_PAGE = 4
PAGE = 15
PODS = {"prod-eu": 20, "prod-us": 20, "staging": 7, "canary": 6}  # the incident scenario


class RecordingFleet:
    """The real fleet whose list requests (watches are not requests) are recorded in the
    order they start, each held open `delay` seconds so that concurrent ones overlap."""

    def __init__(self, fleet: Fleet, delay: float = 0.0) -> None:
        self.fleet = fleet
        self.settings = fleet.settings
        self.delay = delay
        self.lists: list[tuple[str, int, bool]] = []  # (cluster, limit, has continue token)
        self.events: list[tuple[str, str]] = []  # ("start" | "end", cluster), in order
        self.in_flight = 0
        self.peak = 0
        self.lock = threading.Lock()

    def client(self, cluster: str) -> Any:
        return RecordingClient(self, self.fleet.client(cluster))


class RecordingClient:
    """A ClusterClient whose `request` is recorded by its RecordingFleet."""

    def __init__(self, owner: RecordingFleet, real: Any) -> None:
        self.owner = owner
        self.real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def request(self, method: str, path: str, **kwargs: Any) -> tuple[int, bytes]:
        owner, query = self.owner, kwargs.get("query") or {}
        with owner.lock:
            owner.lists.append((self.real.name, int(query["limit"]), "continue" in query))
            owner.events.append(("start", self.real.name))
            owner.in_flight += 1
            owner.peak = max(owner.peak, owner.in_flight)
        try:
            time.sleep(owner.delay)
            result: tuple[int, bytes] = self.real.request(method, path, **kwargs)
            return result
        finally:
            with owner.lock:
                owner.in_flight -= 1
                owner.events.append(("end", self.real.name))


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inventory_module, "FIRST_PAGE", FIRST_PAGE)
    monkeypatch.setattr(inventory_module, "FIRST_PAGE_GRACE", 30.0)  # never runs out here


def fleet_with(sim_kubeconfig: Path, workers: int) -> Iterator[Fleet]:
    settings = Settings(kube=KubeSettings(page_size=PAGE, list_workers=workers))
    fleet = Fleet.from_kubeconfig(settings, str(sim_kubeconfig))
    try:
        yield fleet
    finally:
        fleet.close()


@pytest.fixture
def two_loaders(sim_kubeconfig: Path) -> Iterator[Fleet]:
    yield from fleet_with(sim_kubeconfig, 2)


@pytest.fixture
def one_loader(sim_kubeconfig: Path) -> Iterator[Fleet]:
    yield from fleet_with(sim_kubeconfig, 1)


def load(fleet: Any, clusters: list[str]) -> Inventory:
    inventory = Inventory(fleet, KINDS["pods"], clusters)
    inventory.start(lambda: None)
    wait_for(lambda: all(p.done for p in inventory.progress().values()))
    return inventory


def finish(inventory: Inventory) -> None:
    inventory.stop()
    assert inventory.join(3.0)


def first_limits(lists: list[tuple[str, int, bool]]) -> dict[str, int]:
    return {cluster: limit for cluster, limit, more in lists if not more}


def loader_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if "-loader-" in t.name]


@pytest.mark.usefixtures("small_pages")
def test_at_most_list_workers_clusters_are_listed_at_once(two_loaders: Fleet) -> None:
    recording = RecordingFleet(two_loaders, delay=0.03)
    inventory = load(recording, list(PODS))
    try:
        assert recording.peak <= 2
        assert inventory.workers == 2
        assert len(inventory.rows()) == sum(PODS.values())
        assert {c: p.rows for c, p in inventory.progress().items()} == PODS
    finally:
        finish(inventory)
    wait_for(lambda: not loader_threads())  # the loaders end once every cluster is listed


@pytest.mark.usefixtures("small_pages")
def test_the_first_wave_asks_for_a_small_first_page(two_loaders: Fleet) -> None:
    recording = RecordingFleet(two_loaders)
    inventory = load(recording, list(PODS))
    try:
        assert first_limits(recording.lists) == {
            "prod-eu": FIRST_PAGE, "prod-us": FIRST_PAGE, "staging": PAGE, "canary": PAGE}
        assert all(limit == PAGE for _, limit, more in recording.lists if more)
        by_cluster = [c for c, _, _ in recording.lists]
        assert by_cluster.count("prod-eu") == 3  # 4 + 15 + 1 rows
    finally:
        finish(inventory)


@pytest.mark.usefixtures("small_pages")
def test_the_first_clusters_first_page_comes_before_any_other_request(
        two_loaders: Fleet) -> None:
    recording = RecordingFleet(two_loaders, delay=0.03)
    inventory = load(recording, list(PODS))
    try:
        first_request_done = recording.events.index(("end", "prod-eu"))
        assert recording.events[:first_request_done + 1] == [("start", "prod-eu"),
                                                             ("end", "prod-eu")]
        assert [r[0] for r in inventory.rows()][:FIRST_PAGE] == ["prod-eu"] * FIRST_PAGE
    finally:
        finish(inventory)


def test_the_others_wait_only_a_moment_for_a_slow_first_cluster(
        two_loaders: Fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inventory_module, "FIRST_PAGE_GRACE", 0.05)
    recording = RecordingFleet(two_loaders, delay=0.5)  # every request takes half a second
    inventory = Inventory(recording, KINDS["pods"], ["prod-eu", "staging"])
    inventory.start(lambda: None)
    try:
        wait_for(lambda: len(recording.events) >= 2)
        assert recording.events[:2] == [("start", "prod-eu"), ("start", "staging")]
    finally:
        finish(inventory)


@pytest.mark.usefixtures("small_pages")
def test_clusters_are_listed_in_selection_order(one_loader: Fleet) -> None:
    order = ["staging", "prod-us", "canary", "prod-eu"]
    recording = RecordingFleet(one_loader)
    inventory = load(recording, order)
    try:
        clusters = [c for c, _, _ in recording.lists]
        assert list(dict.fromkeys(clusters)) == order
        assert clusters == sorted(clusters, key=order.index)  # one cluster after another
        assert first_limits(recording.lists)["staging"] == FIRST_PAGE
        assert first_limits(recording.lists)["prod-eu"] == PAGE
        assert [r[0] for r in inventory.rows()] == sorted(
            (r[0] for r in inventory.rows()), key=order.index)
    finally:
        finish(inventory)


@pytest.mark.usefixtures("small_pages")
def test_rows_are_handed_on_after_every_page(one_loader: Fleet) -> None:
    seen: list[int] = []
    inventory = Inventory(one_loader, KINDS["pods"], ["prod-eu"])
    inventory.start(lambda: seen.append(len(inventory.rows())))
    try:
        wait_for(lambda: inventory.progress()["prod-eu"].done)
        assert seen[:3] == [FIRST_PAGE, FIRST_PAGE + PAGE, PODS["prod-eu"]]
    finally:
        finish(inventory)


@pytest.mark.usefixtures("small_pages")
def test_stop_while_loading_ends_loaders_and_skips_the_rest(two_loaders: Fleet) -> None:
    recording = RecordingFleet(two_loaders, delay=0.05)
    changed = threading.Event()
    inventory = Inventory(recording, KINDS["pods"], list(PODS))
    inventory.start(changed.set)
    changed.wait(10)
    inventory.stop()
    asked = len(recording.lists)
    assert inventory.join(3.0)
    assert len(recording.lists) <= asked + 2  # at most the pages already in flight
    assert not all(p.done for p in inventory.progress().values())
