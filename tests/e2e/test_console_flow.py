"""The console on the simulated fleet over real HTTP, through the real engine: chat →
plan → submit → preview (diff, waiting for approval) → a second person approves →
confirm → the deployment has 5 replicas → the rollback key restores 3; cancelling is
audited; :approvals, :audit and :rollback open on the session's engine (their keys:
tests/tui/test_console_units.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.engine import trail as stage
from kubechat_tui.engine.wiring import open_fleet_engine
from kubechat_tui.kube.lookup import FleetView
from kubechat_tui.planner.service import PlannerService
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.store.timeline import Timeline
from kubechat_tui.tui.app import KubechatApp, initial_scope
from kubechat_tui.tui.engine_slot import EngineSlot
from kubechat_tui.tui.screens.approvals_screen import ApprovalsScreen
from kubechat_tui.tui.screens.audit_screen import AuditScreen
from kubechat_tui.tui.screens.main_screen import MainScreen
from kubechat_tui.tui.screens.preview_screen import PreviewScreen
from kubechat_tui.tui.widgets.chat_pane import ChatInput, ChatPane
from kubechat_tui.tui.widgets.plan_view import PlanView
from kubechat_tui.tui.widgets.status_bar import StatusBar
from tests.e2e.conftest import LEAD, World
from tests.e2e.test_preview_screen import execute, text_of
from tests.tui.helpers import SIZE, confirm, rich_text, wait_for

SCALE = "scale payments-api in prod-eu to 5"
STAGING = "scale payments-api in staging to 2"


@pytest.fixture
def console(world: World, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], KubechatApp]]:
    """The console as `kubechat` builds it, on the world's fleet and a fresh data dir."""
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    settings = Settings(ai=AISettings(enabled=False))
    slots: list[EngineSlot] = []

    def build() -> KubechatApp:
        slot = EngineSlot(lambda: open_fleet_engine(settings, world.fleet, tmp_path / "data",
                                                    world.fleet.cluster_names()))
        slots.append(slot)
        planner = PlannerService(settings, FleetView(world.fleet), mode="rules")
        scope = initial_scope(world.fleet, settings, namespace="payments")  # a light table
        return KubechatApp(settings, world.fleet, replace(scope, kind="deployments"),
                           planner=planner, engine=slot, start_fleet=False)

    yield build
    for slot in slots:
        slot.close()


def engine(app: KubechatApp) -> Any:
    """The app's open engine handle."""
    assert app.engine is not None and app.engine.handle is not None
    return app.engine.handle


async def submit(pilot: Pilot[Any], text: str) -> PreviewScreen:
    """Type `text` in the chat, submit the plan, wait for the checks."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
    await pilot.press("i")
    app.screen.query_one(ChatInput).insert_text_at_cursor(text)
    await pilot.press("enter")
    thread = app.screen.query_one(ChatPane).thread
    await wait_for(pilot, lambda: bool(thread.query(PlanView))
                   and thread.query(PlanView).last().has_focus, what="the plan")
    await pilot.press("enter")
    return await checked(pilot)


async def checked(pilot: Pilot[Any], after: Any = None) -> PreviewScreen:
    """The preview on top (other than `after`), once its checks are done."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen)
                   and app.screen is not after, what="the preview")
    screen = app.screen
    assert isinstance(screen, PreviewScreen)
    await wait_for(pilot, lambda: screen.prepared is not None and not screen.busy,
                   what="the checks")
    return screen


async def command(pilot: Pilot[Any], text: str) -> None:
    """Run a `:` command (typed in one go: every key press waits for the app to idle)."""
    await pilot.press("colon")
    pilot.app.screen.query_one("#command-input", Input).insert_text_at_cursor(text)
    await pilot.press("enter")


async def approve_and_run(pilot: Pilot[Any], screen: PreviewScreen) -> None:
    """Waiting for approval → the lead approves → p checks again → execute (confirmed)."""
    prep = screen.prepared
    assert prep is not None and prep.status == "awaiting_approval", prep and prep.message
    assert "ask another person to approve it" in text_of(pilot.app, "#preview-status")
    assert prep.approval is not None and prep.approval.request is not None
    fleet = engine(pilot.app).pipeline.fleet  # the lead's contexts of the same kubeconfig
    lead = fleet.via(fleet.topology.contexts_for_user(LEAD[1], fleet.cluster_names()))
    workflow = engine(pilot.app).pipeline.approvals
    workflow.approve(prep.approval.request.id, Operator(*LEAD), comment="go", api=lead)
    await pilot.press("p")
    await wait_for(pilot, lambda: screen.prepared is not None and not screen.busy,
                   what="the second check")
    assert screen.prepared is not None
    assert screen.prepared.status == "needs_confirmation", screen.prepared.message
    await execute(pilot)
    await wait_for(pilot, lambda: screen.result is not None, what="the execution")


async def test_chat_to_approved_execution_and_rollback(console: Callable[[], KubechatApp],
                                                       world: World) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        screen = await submit(pilot, SCALE)
        assert "-  replicas: 3" in text_of(app, "#preview-diff-text")
        assert "+  replicas: 5" in text_of(app, "#preview-diff-text")
        assert "KC-APPROVE-001" in text_of(app, "#preview-checks")
        assert "awaiting_approval: approval requested" in text_of(app, "#preview-status")
        assert world.replicas() == 3

        await approve_and_run(pilot, screen)
        result = screen.result
        assert result is not None and result.status == "done", result and result.message
        assert world.replicas() == 5
        assert "replicas 3 → 5" in text_of(app, "#preview-progress")
        summary = app.screen.query_one("#preview-summary", TextArea)
        assert summary.display and "replicas 3 → 5" in summary.text
        summary.text += "\nCause: checkout traffic spike."

        await pilot.press("ctrl+o")  # the generated rollback, through the same pipeline
        await confirm(pilot)
        undo = await checked(pilot, after=screen)
        assert undo.options.rollback_of == result.execution_id
        assert "--replicas=3" in text_of(app, "#preview-steps")
        await approve_and_run(pilot, undo)  # production: guarded like any change
        assert undo.result is not None and undo.result.status == "done", undo.result.message
        assert world.replicas() == 3

        await pilot.press("escape")  # closing archives the rollback's summary
        await wait_for(pilot, lambda: app.screen is screen, what="back to the first preview")
        assert "rollback ex-" in text_of(app, "#preview-status")
        await pilot.press("escape")  # ... and the edited one of the scale
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
        last = rich_text(app.screen.query_one(ChatPane).thread.children[-1].render())
        assert f":rollback {result.execution_id}" in last
        assert app.last_execution == result.execution_id

    handle = engine(app)
    summaries = Timeline(handle.db).for_execution(result.execution_id, kind="summary")
    assert summaries and summaries[0].body.endswith("Cause: checkout traffic spike.")
    actions = [r.event.action for r in handle.audit.records()]
    assert actions.count("policy.loaded") == 1
    assert actions.count(stage.SUCCEEDED) == 2 and actions.count(stage.ARCHIVED) == 2
    assert actions.count(stage.CANCELLED) == 2  # each waiting preview checked again
    assert handle.audit.verify().ok


async def test_escape_cancels_the_preview_and_is_audited(console: Callable[[], KubechatApp],
                                                         world: World) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        screen = await submit(pilot, STAGING)
        prep = screen.prepared
        assert prep is not None and prep.status == "needs_confirmation", prep.message
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
        last = rich_text(app.screen.query_one(ChatPane).thread.children[-1].render())
        assert "nothing was executed" in last
        records = list(engine(app).audit.records())
        assert records[-1].event.action == stage.CANCELLED
        assert records[-1].event.links.execution_id == prep.execution_id
        assert world.replicas("staging") != 2


async def test_approvals_audit_and_rollback_commands(console: Callable[[], KubechatApp]) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
        main = app.screen
        bar = main.query_one(StatusBar)
        await command(pilot, "approvals")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalsScreen), what=":approvals")
        await pilot.press("escape")
        await command(pilot, "audit")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditScreen), what=":audit")
        await pilot.press("escape")
        await command(pilot, "rollback")
        assert bar.message.startswith(":rollback needs an execution id")
        await command(pilot, "rollback ex-0000000000")
        await wait_for(pilot, lambda: "unknown execution id 'ex-0000000000'" in bar.message,
                       what="the unknown id")
        assert app.screen is main
