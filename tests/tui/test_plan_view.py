"""PlanView: keys edit, re-score, accept/skip, copy and submit; plus a snapshot."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Input

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import Plan, Risk, Scope
from kubechat_tui.planner.service import PlannerService
from kubechat_tui.tui.widgets.plan_view import PlanView, edit_prefill, parse_edit
from tests.tui.helpers import wait_for

NOW = datetime(2026, 11, 25, 20, 0, 0, tzinfo=UTC)
SETTINGS = Settings(cluster_sets={"prod": ["prod-eu", "prod-us"], "staging": ["staging"]},
                    ai=AISettings(enabled=False))


def make_plan(service: PlannerService) -> Plan:
    result = service.plan("scale deployment payments-api in payments on staging to 3",
                          Scope())
    assert result.plan is not None
    return result.plan


class PlanApp(App[None]):
    """One PlanView, recording the messages it posts."""

    def __init__(self) -> None:
        super().__init__()
        self.service = PlannerService(SETTINGS, None, mode="rules", clock=lambda: NOW)
        self.plan = make_plan(self.service)
        self.changed: list[Plan] = []
        self.submitted: list[Plan] = []

    def compose(self) -> ComposeResult:
        yield PlanView(self.plan, self.service.rescore, id="plan")

    def on_mount(self) -> None:
        self.query_one(PlanView).focus()

    def on_plan_view_changed(self, message: PlanView.Changed) -> None:
        self.changed.append(message.plan)

    def on_plan_view_submit_requested(self, message: PlanView.SubmitRequested) -> None:
        self.submitted.append(message.plan)


def steps_text(app: App[Any]) -> str:
    return str(app.query_one("#plan-steps").render())


async def test_edit_rescores_the_selected_step() -> None:
    app = PlanApp()
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(PlanView)
        assert "kubectl scale deployments/payments-api -n payments --replicas=3" in \
            steps_text(app)
        for _ in range(len(view.plan.steps)):
            await pilot.press("down")
        assert view.current is not None and view.current.mutating
        await pilot.press("e")
        edit = app.query_one("#plan-edit", Input)
        assert edit.has_focus and "replicas=3" in edit.value
        edit.value = ""
        await pilot.press(*"replicas=0")
        assert edit.value == "replicas=0"
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(app.changed), what="re-score")
        change = view.plan.steps[-1]
        assert change.params["replicas"] == 0 and change.risk is Risk.HIGH
        assert "--replicas=0" in steps_text(app)
        assert view.selected == len(view.plan.steps) - 1


async def test_bad_edit_shows_the_reason() -> None:
    app = PlanApp()
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(PlanView)
        view.selected = len(view.plan.steps) - 1
        await pilot.press("e")
        app.query_one("#plan-edit", Input).value = "replicas=lots"
        await pilot.press("enter")
        status = app.query_one("#plan-status")
        await wait_for(pilot, lambda: "whole number" in str(status.render()), what="error")
        assert view.plan == app.plan and not app.changed


async def test_skip_reorders_and_changes_cannot_be_skipped() -> None:
    app = PlanApp()
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(PlanView)
        first = view.plan.steps[0].id
        await pilot.press("space")
        await wait_for(pilot, lambda: bool(app.changed), what="skip")
        assert view.plan.steps[-1].id == first and not view.plan.steps[-1].accepted
        mutating = next(i for i, s in enumerate(view.plan.steps) if s.mutating)
        view.selected = mutating
        await pilot.press("space")
        assert "cannot be skipped" in str(app.query_one("#plan-status").render())


async def test_copy_and_submit() -> None:
    app = PlanApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        lines = app.clipboard.splitlines()
        assert len(lines) == len(app.plan.steps)
        assert all(line.startswith("kubectl --context staging ") for line in lines)
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(app.submitted), what="submit")
        assert app.submitted[0] == app.plan


def test_edit_text_round_trips() -> None:
    plan = make_plan(PlannerService(SETTINGS, None, mode="rules", clock=lambda: NOW))
    change = plan.steps[-1]
    assert parse_edit(edit_prefill(change)) == {
        "replicas": "3", "namespace": "payments", "clusters": ["staging"]}
    assert parse_edit("image='repo/app:1.2' clusters=a,b") == {
        "image": "repo/app:1.2", "clusters": ["a", "b"]}


def test_plan_view_snapshot(snap_compare: Any) -> None:
    assert snap_compare(PlanApp(), terminal_size=(120, 40))


async def test_escape_cancels_an_edit_without_changes() -> None:
    app = PlanApp()
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(PlanView)
        await pilot.press("e")
        assert view.has_class("editing")
        await pilot.press("escape")
        assert not view.has_class("editing") and view.has_focus
        assert view.plan == app.plan and not app.changed
