"""The incident in the console on the real engine: `T` and `:timeline` open the active
incident's timeline (importing the fleet's rollouts) and the context banner names the
active incident."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.engine.incident_desk import IncidentDesk
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.store.opener import open_store
from kubechat_tui.tui.screens.main_screen import MainScreen
from kubechat_tui.tui.screens.timeline_screen import TimelineScreen
from kubechat_tui.tui.widgets.context_banner import ContextBanner
from kubechat_tui.tui.widgets.status_bar import StatusBar
from tests.e2e.test_console_flow import command, console  # noqa: F401  (the fixture)
from tests.tui.helpers import SIZE, wait_for


def _open_incident(data: Path) -> str:
    store = open_store(Settings(ai=AISettings(enabled=False)), data)
    try:
        return IncidentDesk.on(store, Operator("ana")).open(
            "payments-api crashlooping", "SEV2", ("prod-eu", "prod-us")).id
    finally:
        store.close()


def _kinds(app: Any) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [str(table.get_row_at(i)[2]) for i in range(table.row_count)]


async def test_the_timeline_key_command_and_banner(
        console: Any, tmp_path: Path) -> None:  # noqa: F811
    incident_id = _open_incident(tmp_path / "data")
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen),
                       what="the timeline")
        # opening imports the fleet's rollouts (ReplicaSet revisions) on its clusters
        await wait_for(pilot, lambda: {"incident", "rollout"} <= set(_kinds(app)),
                       what="its entries")
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        app.screen.watch_incident()  # what the poll does every incidents.poll_seconds
        banner = app.screen.query_one(ContextBanner)
        await wait_for(pilot, lambda: incident_id in str(banner.render()), what="the banner")
        assert "INCIDENT" in str(banner.render())
        await command(pilot, "timeline a b")
        assert "bad incident id 'a b'" in str(app.screen.query_one(StatusBar).render())
        await command(pilot, f"timeline {incident_id}")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen),
                       what=":timeline")
