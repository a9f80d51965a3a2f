"""Fixtures for the kube layer: fleets on the shared simulator, and a private one to break."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.sim import SimServer


def wait_for(condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Poll until condition() is truthy; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


@pytest.fixture
def fleet(sim_kubeconfig: Path) -> Iterator[Fleet]:
    """A fleet on the shared (read-only use) incident simulator."""
    made = Fleet.from_kubeconfig(Settings(), str(sim_kubeconfig))
    try:
        yield made
    finally:
        made.close()


@pytest.fixture(scope="module")
def own_sim() -> Iterator[SimServer]:
    """A private incident simulator: tests here inject faults and change objects."""
    server = SimServer("incident").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_fleet(own_sim: SimServer, tmp_path: Path) -> Iterator[Fleet]:
    """A fleet on the private simulator; its faults are cleared afterwards."""
    made = Fleet.from_kubeconfig(Settings(), str(own_sim.write_kubeconfig(tmp_path / "kc")))
    try:
        yield made
    finally:
        made.close()
        for cluster in own_sim.clusters:
            own_sim.faults(cluster).clear()
