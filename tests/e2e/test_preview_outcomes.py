"""The preview's way out and its outcomes: escape audits a cancellation (or archives the
summary after a run), `p` checks again, each check shows while it runs, and RBAC and
policy denials show their remediation."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.app import App

from kubechat_tui.domain import Plan
from kubechat_tui.engine.run_state import Prepared, RunOptions
from kubechat_tui.guard.policy import load_policy
from kubechat_tui.tui.screens.preview_screen import PipelineLike, PreviewScreen
from tests.e2e.conftest import REQUESTER, VIEWER, World
from tests.e2e.preview_fixtures import ScriptedPipeline, prepared, scale_plan
from tests.e2e.test_guards import FREEZE
from tests.e2e.test_pipeline_wiring import CONTACT_POLICY
from tests.e2e.test_preview_screen import SIZE, execute, ready, text_of
from tests.tui.helpers import wait_for


class Host(App[None]):
    """A bare app that opens one preview and keeps what it was dismissed with."""

    def __init__(self, pipeline: PipelineLike, plan: Plan | None = None) -> None:
        super().__init__()
        self.pipeline = pipeline
        self.plan = plan or scale_plan()
        self.closed: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(PreviewScreen(self.pipeline, self.plan), self.closed.append)


async def test_escape_audits_the_cancellation() -> None:
    pipeline = ScriptedPipeline(prepared())
    app = Host(pipeline)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: bool(app.closed), what="the preview to close")
    assert pipeline.cancelled == ["closed without executing"]
    assert app.closed == [None] and pipeline.executed == []


async def test_escape_while_waiting_keeps_the_request_open() -> None:
    pipeline = ScriptedPipeline(prepared("awaiting_approval", approved=False))
    app = Host(pipeline)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert "press p to check again" in text_of(app, "#preview-status")
        await pilot.press("escape")
        await wait_for(pilot, lambda: bool(app.closed), what="the preview to close")
    assert pipeline.cancelled == ["closed while waiting for approval; the request stays open"]


async def test_p_checks_the_submitted_plan_again() -> None:
    pipeline = ScriptedPipeline(prepared("awaiting_approval", approved=False))
    app = Host(pipeline)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("p")
        await wait_for(pilot, lambda: len(pipeline.prepared_plans) == 2
                       and screen.prepared is not None, what="the second check")
    assert pipeline.prepared_plans == [app.plan, app.plan]  # approvals bind to this plan
    assert pipeline.cancelled == ["superseded: checked again"]


async def test_escape_after_a_run_archives_the_edited_summary() -> None:
    pipeline = ScriptedPipeline(prepared())
    app = Host(pipeline)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await execute(pilot)
        await wait_for(pilot, lambda: screen.result is not None, what="the execution")
        editor = screen.query_one("#preview-summary")
        editor.text += "\nNote: promo traffic."  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_for(pilot, lambda: bool(app.closed), what="the preview to close")
    assert pipeline.archived and pipeline.archived[0].endswith("promo traffic.")
    assert pipeline.cancelled == [] and app.closed[0] is screen.result


@dataclass
class GatedPipeline(ScriptedPipeline):
    """Announces one check and waits until the test lets it finish."""

    gate: threading.Event = field(default_factory=threading.Event)

    def prepare(self, plan: Plan, options: RunOptions | None = None) -> Prepared:
        assert options is not None and options.on_stage is not None
        options.on_stage("RBAC pre-flight")
        self.gate.wait(10)
        return super().prepare(plan, options)


async def test_each_check_shows_while_it_runs() -> None:
    pipeline = GatedPipeline(prepared())
    app = Host(pipeline)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "checking: RBAC pre-flight…" in text_of(
            app, "#preview-status"), what="the running check")
        await pilot.press("escape")
        assert "still working" in text_of(app, "#preview-status") and not app.closed
        pipeline.gate.set()
        await ready(pilot)


async def test_an_rbac_denial_says_what_is_missing_and_whom_to_ask(world: World,
                                                                   tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(CONTACT_POLICY)
    pipeline = world.pipeline(VIEWER, policy=load_policy(policy_file))
    app = Host(pipeline, world.plan("scale payments-api in prod-eu to 5"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert screen.prepared is not None and screen.prepared.status == "denied"
        checks = text_of(app, "#preview-checks")
        assert "RBAC denied: viewer@prod-eu cannot patch" in checks
        assert "Ask #sre-oncall on Slack to grant it" in checks and "RoleBinding" in checks
        assert "denied:" in text_of(app, "#preview-status")


async def test_a_policy_denial_shows_the_rule_and_remediation(world: World,
                                                              tmp_path: Path) -> None:
    policy_file = tmp_path / "freeze.yaml"
    policy_file.write_text(FREEZE)
    pipeline = world.pipeline(REQUESTER, policy=load_policy(policy_file))
    app = Host(pipeline, world.plan("scale payments-api in prod-eu to 5"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert screen.prepared is not None and screen.prepared.status == "denied"
        checks = text_of(app, "#preview-checks")
        assert "FREEZE-ALWAYS" in checks and "Wait for the freeze to end" in checks
        await pilot.press("ctrl+e")
        assert "cannot execute: denied" in text_of(app, "#preview-status")
    assert world.replicas() == 3
