"""Snapshot tests of the main screen on the incident scenario (frozen simulator clock).

The simulator is started here with every `now()` of the sim package pinned to one instant,
so timestamps, restart counts, events and log lines are identical on every run; the console
gets the same instant as its clock, so ages are fixed too. Update with `--snapshot-update`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

import kubechat_tui.sim
from kubechat_tui.config.settings import Settings
from kubechat_tui.kube import kinds
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.types import Health
from kubechat_tui.sim import SimServer, clock
from kubechat_tui.tui.app import KubechatApp, initial_scope
from tests.tui.conftest import CLUSTER_SETS
from tests.tui.helpers import SIZE, loaded, main_screen, wait_for

FROZEN = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


def freeze_sim_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin `now()` in every sim module (they import it by name)."""
    for info in pkgutil.walk_packages(kubechat_tui.sim.__path__, "kubechat_tui.sim."):
        importlib.import_module(info.name)
    pinned, original = FROZEN.timestamp, clock.now
    for name, module in list(sys.modules.items()):
        if name.startswith("kubechat_tui.sim.") and getattr(module, "now", None) is original:
            monkeypatch.setattr(module, "now", pinned)


@pytest.fixture(scope="module")
def frozen_kubeconfig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        original = clock.now
        freeze_sim_clock(monkeypatch)
        assert clock.now is not original
        server = SimServer(scenario="incident", port=0).start()
        try:
            yield server.write_kubeconfig(tmp_path_factory.mktemp("frozen") / "kubeconfig")
        finally:
            server.stop()


@pytest.fixture
def incident_app(frozen_kubeconfig: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[KubechatApp]:
    monkeypatch.setattr(kinds, "reading_time", lambda: FROZEN)  # "3m ago" is as of FROZEN
    settings = Settings(cluster_sets=CLUSTER_SETS)
    fleet = Fleet.from_kubeconfig(settings, str(frozen_kubeconfig))
    app = KubechatApp(settings, fleet, initial_scope(fleet, settings), clock=lambda: FROZEN)
    yield app
    fleet.close()


def settled(pilot: Pilot[Any]) -> Callable[[], bool]:
    """Rows loaded, every cluster probed, detail and logs of the selected row shown, the
    fleet health card in the chat."""
    rows_loaded = loaded(pilot)

    def check() -> bool:
        if not rows_loaded():
            return False
        screen = main_screen(pilot)
        probed = all(s.health is Health.OK and s.identity for s in screen.statuses.values())
        key = screen.selected
        under_cursor = screen.table.selected_row
        return probed and key is not None and under_cursor is not None and \
            key.name == under_cursor[2] and screen.shown_detail == key and \
            screen.shown_logs == key and screen.health_shown

    return check


async def wait_settled(pilot: Pilot[Any]) -> None:
    pilot.app.animation_level = "none"
    try:
        await wait_for(pilot, settled(pilot), timeout=20, what="a settled main screen")
    except AssertionError:
        raise AssertionError(f"not settled: {unsettled(pilot)}") from None
    await pilot.pause(0.2)


def unsettled(pilot: Pilot[Any]) -> str:
    """What `settled` is still waiting for (for the failure message)."""
    screen = main_screen(pilot)
    row, reported = screen.table.selected_row, screen.table._selected
    return (f"loaded={loaded(pilot)()} statuses="
            f"{[(s.name, s.health.value, bool(s.identity)) for s in screen.statuses.values()]} "
            f"selected={screen.selected} row={row and row[:3]} shown_detail="
            f"{screen.shown_detail} shown_logs={screen.shown_logs} held={screen._held} "
            f"holding={screen._holding} table_reported={reported and reported[:3]}")


def test_main_screen_on_incident(snap_compare: Any, incident_app: KubechatApp) -> None:
    assert snap_compare(incident_app, terminal_size=SIZE, run_before=wait_settled)


def test_main_screen_filtered_to_crashing_pods(snap_compare: Any,
                                               incident_app: KubechatApp) -> None:
    async def filter_then_settle(pilot: Pilot[Any]) -> None:
        await wait_settled(pilot)
        await pilot.press("slash", *"status:crash", "enter", "g")
        await wait_settled(pilot)

    assert snap_compare(incident_app, terminal_size=SIZE, run_before=filter_then_settle)
