"""Issue 20.7/20.8 in the console, on the simulated fleet through the real engine:
`:rollback` of an execution whose end never reached the audit log rebuilds its rollback from
the intents (and says the execution was interrupted), the audit screen's verification names
it; after a 500 half-way through a two-cluster restart, the rollback key undoes the first
cluster only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.engine import trail as stage
from kubechat_tui.engine.run_state import RunOptions
from kubechat_tui.engine.wiring import open_fleet_engine
from kubechat_tui.store.errors import StoreError
from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.screens.audit_screen import AuditScreen
from kubechat_tui.tui.screens.main_screen import MainScreen
from kubechat_tui.tui.widgets.chat_pane import ChatPane
from tests.e2e.conftest import World
from tests.e2e.test_console_flow import checked, command, submit
from tests.e2e.test_console_flow import console as console  # the fixture
from tests.e2e.test_execution_journal import FailingAudit
from tests.e2e.test_guards import scale_plan
from tests.e2e.test_preview_screen import execute, text_of
from tests.tui.helpers import SIZE, confirm, rich_text, wait_for

RESTART = "restart orders-api in namespace orders in staging and canary"


@pytest.fixture
def kubechat(console: Callable[[], KubechatApp]) -> Callable[[], KubechatApp]:
    """The console as `kubechat` builds it (test_console_flow's fixture)."""
    return console


def interrupted_execution(world: World, data: Path) -> str:
    """Scale staging to 2 on the console's store; the record of its end cannot be written."""
    handle = open_fleet_engine(Settings(ai=AISettings(enabled=False)), world.fleet, data,
                               world.fleet.cluster_names())
    try:
        handle.pipeline.audit = FailingAudit(handle.audit, stage.SUCCEEDED)
        prep = handle.pipeline.prepare(scale_plan(("staging", "payments", 2)), RunOptions())
        with pytest.raises(StoreError):
            handle.pipeline.execute(prep, confirmed=True)
        return prep.execution_id
    finally:
        handle.close()


async def test_rollback_command_restores_an_interrupted_execution(
        kubechat: Callable[[], KubechatApp], world: World, tmp_path: Path) -> None:
    execution_id = interrupted_execution(world, tmp_path / "data")
    assert world.replicas("staging") == 2
    app = kubechat()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
        main = app.screen
        await command(pilot, "audit")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditScreen), what=":audit")
        await wait_for(pilot, lambda: f"interrupted execution {execution_id}"
                       in text_of(app, "#audit-status"), what="the verification")
        assert "chain intact" in text_of(app, "#audit-status")
        await pilot.press("escape")

        await command(pilot, f"rollback {execution_id}")
        await confirm(pilot)
        undo = await checked(pilot, after=main)
        last = rich_text(main.query_one(ChatPane).thread.children[-1].render())
        assert f"execution {execution_id} was interrupted before its outcome" in last
        assert f"Note: execution {execution_id} was interrupted" in text_of(
            app, "#preview-checks")
        assert undo.options.rollback_of == execution_id
        prep = undo.prepared
        assert prep is not None and prep.status == "needs_confirmation", prep.message
        await execute(pilot)
        await wait_for(pilot, lambda: undo.result is not None, what="the rollback")
        assert undo.result is not None and undo.result.status == "done", undo.result.message
    assert world.replicas("staging") == 1


async def test_rollback_key_after_a_500_half_way_undoes_the_first_cluster_only(
        kubechat: Callable[[], KubechatApp], world: World) -> None:
    world.sim.faults("canary").set(error_rate=1.0, error_status=500, error_writes=True)
    app = kubechat()
    async with app.run_test(size=SIZE) as pilot:
        screen = await submit(pilot, RESTART)
        assert screen.prepared is not None and screen.prepared.status == "needs_confirmation"
        await execute(pilot)
        await wait_for(pilot, lambda: screen.result is not None, what="the execution")
        result = screen.result
        assert result is not None and result.status == "failed", result.message
        assert "ctrl+o: preview the rollback" in text_of(app, "#preview-status")

        await pilot.press("ctrl+o")
        await confirm(pilot)
        undo = await checked(pilot, after=screen)
        assert undo.prepared is not None
        assert undo.prepared.status == "needs_confirmation", undo.prepared.message
        assert [c.target.cluster for c in undo.prepared.changes] == ["staging"]
        await execute(pilot)
        await wait_for(pilot, lambda: undo.result is not None, what="the rollback")
        assert undo.result is not None and undo.result.status == "done", undo.result.message
    template = world.fleet.request_json(
        "staging", "GET", "/apis/apps/v1/namespaces/orders/deployments/orders-api")[1]
    annotations = template["spec"]["template"]["metadata"].get("annotations") or {}
    assert "kubectl.kubernetes.io/restartedAt" not in annotations
