"""Pilot tests of the plan preview: render, confirm, progress, summary, rollback key (what
stray keys cannot do there: test_confirmations.py)."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.app import App
from textual.widgets import Static, TextArea

from kubechat_tui.tui.screens.preview_screen import PreviewScreen
from tests.e2e.preview_fixtures import ScriptedPipeline, prepared, scale_plan
from tests.tui.helpers import confirm, wait_for

SIZE = (140, 40)


class PreviewApp(App[None]):
    """A bare app showing one preview screen."""

    def __init__(self, pipeline: ScriptedPipeline) -> None:
        super().__init__()
        self.pipeline = pipeline

    def on_mount(self) -> None:
        self.push_screen(PreviewScreen(self.pipeline, scale_plan()))


def text_of(app: App[Any], selector: str) -> str:
    """The plain text a Static shows (rendered wide, so nothing wraps)."""
    console = Console(width=400, file=io.StringIO(), record=True)
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


async def ready(pilot: Any) -> PreviewScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PreviewScreen),
                   what="the preview screen")
    screen = pilot.app.screen
    assert isinstance(screen, PreviewScreen)
    await wait_for(pilot, lambda: screen.prepared is not None, timeout=30,
                   what="the preview")
    await pilot.pause()
    return screen


async def execute(pilot: Any) -> None:
    """ctrl+e, then the confirmation dialog answered with its code."""
    await pilot.press("ctrl+e")
    await confirm(pilot)


async def test_preview_shows_steps_rollback_diff_policy_and_approval() -> None:
    app = PreviewApp(ScriptedPipeline(prepared()))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        steps = text_of(app, "#preview-steps")
        assert "kubectl --context prod-eu scale deployments/payments-api" in steps
        assert "--replicas=3" in steps  # the rollback beside the forward step
        checks = text_of(app, "#preview-checks")
        assert "RBAC ok" in checks and "KC-APPROVE-001" in checks
        assert "Approval: approved" in checks
        diff = text_of(app, "#preview-diff-text")
        assert "+  replicas: 5" in diff and "-  replicas: 3" in diff
        assert "ctrl+e to execute" in text_of(app, "#preview-status")


async def test_preview_lists_the_requests_each_change_sends() -> None:
    app = PreviewApp(ScriptedPipeline(prepared(show_requests=True)))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        diff = text_of(app, "#preview-diff-text")
        assert "GET /apis/apps/v1/namespaces/payments/deployments/payments-api" in diff
        assert ("PATCH /apis/apps/v1/namespaces/payments/deployments/payments-api/scale"
                "?fieldManager=kubechat") in diff
        assert "RBAC ok (2 checks)" in text_of(app, "#preview-checks")


async def test_confirmed_execution_then_the_summary_can_be_edited_and_archived() -> None:
    pipeline = ScriptedPipeline(prepared())
    app = PreviewApp(pipeline)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await execute(pilot)
        await wait_for(pilot, lambda: screen.result is not None, what="the execution")
        await pilot.pause()
        assert pipeline.executed == [True]
        assert "replicas 3 → 5" in text_of(app, "#preview-progress")
        editor = app.screen.query_one("#preview-summary", TextArea)
        assert editor.display and "replicas 3 → 5" in editor.text
        editor.text = editor.text + "\nCause: traffic spike after the promo e-mail."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(pipeline.archived), what="the archive")
        assert pipeline.archived[0].endswith("promo e-mail.")


async def test_waiting_for_approval_cannot_be_executed() -> None:
    pipeline = ScriptedPipeline(prepared("awaiting_approval", approved=False))
    app = PreviewApp(pipeline)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert pipeline.executed == [] and app.screen is not None
        assert isinstance(app.screen, PreviewScreen)  # no dialog for a plan not ready
        assert "cannot execute: awaiting_approval" in text_of(app, "#preview-status")


async def test_rollback_key_previews_the_generated_rollback() -> None:
    pipeline = ScriptedPipeline(prepared())
    app = PreviewApp(pipeline)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+o")
        assert "nothing to roll back" in text_of(app, "#preview-status")
        await execute(pilot)
        await wait_for(pilot, lambda: screen.result is not None, what="the execution")
        await pilot.press("ctrl+o")
        await confirm(pilot)
        await wait_for(pilot, lambda: app.screen is not screen, what="the rollback preview")
        rollback_screen = app.screen
        assert isinstance(rollback_screen, PreviewScreen)
        assert rollback_screen.options.rollback_of == "ex-0123456789"
        await wait_for(pilot, lambda: rollback_screen.prepared is not None, what="rollback")
        assert pipeline.prepared_plans[-1].planner == "rollback"
        assert "--replicas=3" in text_of(app, "#preview-steps")


def test_plan_preview_snapshot(snap_compare: Any) -> None:
    async def settle(pilot: Any) -> None:
        await ready(pilot)

    assert snap_compare(PreviewApp(ScriptedPipeline(prepared())), terminal_size=SIZE,
                        run_before=settle)


async def test_real_pipeline_confirm_then_rollback_key(world: Any) -> None:
    """The screen on the simulated fleet: preview, execute, roll back, execute restores the
    replicas (each act confirmed in its dialog)."""
    plan = world.plan("scale payments-api in staging to 2")
    pipeline = world.pipeline(("alice", "admin"))

    class RealApp(App[None]):
        def on_mount(self) -> None:
            self.push_screen(PreviewScreen(pipeline, plan))

    app = RealApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert screen.prepared is not None and screen.prepared.status == "needs_confirmation"
        assert "+  replicas: 2" in text_of(app, "#preview-diff-text")
        await execute(pilot)
        await wait_for(pilot, lambda: screen.result is not None, timeout=30,
                       what="the execution")
        assert screen.result is not None and screen.result.status == "done"
        assert world.replicas("staging") == 2
        await pilot.press("ctrl+o")
        await confirm(pilot)
        await wait_for(pilot, lambda: app.screen is not screen, what="the rollback preview")
        undo = app.screen
        assert isinstance(undo, PreviewScreen)
        await wait_for(pilot, lambda: undo.prepared is not None, timeout=30,
                       what="the rollback checks")
        await execute(pilot)
        await wait_for(pilot, lambda: undo.result is not None, timeout=30, what="the rollback")
        result = undo.result
        assert result is not None and result.status == "done", result and result.message
        assert world.replicas("staging") == 1
        assert world.audit.verify().ok
