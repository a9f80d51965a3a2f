"""The first load gets the machine to itself: the detail of a row the cursor merely rests on,
and the fleet's health checks, wait until every cluster's list is in; a key does not wait."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from kubechat_tui.kube.types import Health
from kubechat_tui.sim import SimServer
from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.screens.main_screen import MainScreen
from tests.tui.helpers import SIZE, main_screen, wait_for

Factory = Callable[..., KubechatApp]
SLOW_MS = 1500  # canary answers this late: the load is still running for that long


@pytest.fixture
def slow_canary(sim_server: SimServer) -> Iterator[None]:
    sim_server.faults("canary").set(latency_ms=SLOW_MS)
    yield
    sim_server.faults("canary").clear()


def rows_in_and_selected(screen: MainScreen) -> Callable[[], bool]:
    """Rows are shown and the table has told the screen which one the cursor is on."""
    return lambda: screen.table.row_count > 0 and screen.table._selected not in ((), None)


@asynccontextmanager
async def first_rows(make_console: Factory) -> AsyncIterator[tuple[Any, MainScreen]]:
    """The console once its first rows are in and the table reported the row under the
    cursor (canary still loading)."""
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(pilot)
        await wait_for(pilot, rows_in_and_selected(screen), what="first rows")
        yield pilot, screen


def loading(screen: MainScreen) -> bool:
    return not screen.feed.progress()["canary"].done


@pytest.mark.usefixtures("slow_canary")
async def test_the_resting_rows_detail_waits_for_the_load(make_console: Factory) -> None:
    async with first_rows(make_console) as (pilot, screen):
        assert loading(screen)
        assert screen.selected is None  # no describe, events or logs fetched yet
        assert all(s.health is Health.CONNECTING for s in pilot.app.fleet.statuses())  # no probes
        await wait_for(pilot, lambda: screen.selected is not None, what="held detail")
        assert not loading(screen)
        row = screen.table.selected_row
        assert row is not None and screen.selected.name == row[2]
        await wait_for(pilot, lambda: all(s.health is not Health.CONNECTING
                                          for s in pilot.app.fleet.statuses()), what="health")


@pytest.mark.usefixtures("slow_canary")
async def test_a_row_chosen_by_key_shows_at_once(make_console: Factory) -> None:
    async with first_rows(make_console) as (pilot, screen):
        await pilot.press("j")
        await wait_for(pilot, lambda: screen.selected is not None, what="detail on a key")
        assert loading(screen)
        row = screen.table.selected_row
        assert row is not None and screen.selected.name == row[2]
        assert screen.table.cursor == 1


@pytest.mark.usefixtures("slow_canary")
async def test_a_scope_switch_drops_the_held_row(make_console: Factory) -> None:
    """The held pod is not described under the next kind's columns after `:nodes`."""
    async with first_rows(make_console) as (pilot, screen):
        held = screen.table.selected_row
        assert held is not None and screen.selected is None
        await pilot.press("colon", *"nodes", "enter")
        await wait_for(pilot, lambda: screen.selected is not None, timeout=15,
                       what="the node under the cursor")
        row = screen.table.selected_row
        assert row is not None and screen.selected.kind == "nodes"
        assert screen.selected.name == row[1] != held[1]
