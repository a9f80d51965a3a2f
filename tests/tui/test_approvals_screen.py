"""Pilot tests of the approvals screen on a real workflow over a SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App
from textual.widgets import DataTable, Input, Static

from kubechat_tui.config.settings import Settings
from kubechat_tui.engine.approvals import ApprovalWorkflow
from kubechat_tui.guard.policy import PolicyContext, load_configured_policy
from kubechat_tui.store.audit_model import AuditFilter, Operator
from kubechat_tui.tui.screens.approvals_screen import ApprovalsScreen
from tests.guard.helpers import approval_env, checks_for, plan_of, scale_step, seen_as
from tests.tui.helpers import burst, confirm, dialog

ALICE = Operator("alice", "admin")
BOB = Operator("bob", "sre-lead")
RVS = {"prod-eu/deployments/payments/payments-api": "7"}


class Host(App[None]):
    def __init__(self, flow: ApprovalWorkflow, operator: Operator) -> None:
        super().__init__()
        self.flow = flow
        self.operator = operator

    def on_mount(self) -> None:
        self.push_screen(ApprovalsScreen(self.flow, self.operator, seen_as(self.operator)))


def _open_request(flow: ApprovalWorkflow, replicas: int = 5) -> str:
    plan = plan_of(scale_step(replicas))
    decision = load_configured_policy(Settings()).evaluate(plan, PolicyContext())
    return flow.request(plan, decision, RVS, ALICE, diff="-  replicas: 3\n+  replicas: 5",
                        checks=checks_for(plan)).id


async def _settle(app: Host, pilot: Any) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def _detail(app: Host) -> str:
    return str(app.screen.query_one("#approvals-text", Static).render())


async def test_lists_requests_and_shows_plan_diff_risk_requester(tmp_path: Path) -> None:
    flow, _, db = approval_env(tmp_path)
    request_id = _open_request(flow)
    app = Host(flow, BOB)
    async with app.run_test(size=(140, 40)) as pilot:
        await _settle(app, pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        detail = _detail(app)
        for expected in (request_id, "PENDING", "MEDIUM", "alice (admin)", "replicas: 5",
                         "--context prod-eu scale deployment payments-api", "KC-APPROVE-001"):
            assert expected in detail
    db.close()


async def test_approve_with_comment_records_the_approver(tmp_path: Path) -> None:
    flow, audit, db = approval_env(tmp_path)
    request_id = _open_request(flow)
    app = Host(flow, BOB)
    async with app.run_test(size=(140, 40)) as pilot:
        await _settle(app, pilot)
        await pilot.press("c")
        assert isinstance(app.focused, Input)
        await pilot.press(*"ok", "enter")
        await pilot.press("ctrl+y")
        await confirm(pilot)
        await _settle(app, pilot)
        await _settle(app, pilot)
        assert "APPROVED" in _detail(app)
        assert "approved" in str(app.screen.query_one("#approvals-message", Static).render())
    decision = flow.store.decisions(request_id)[0]
    assert (decision.kind, decision.actor, decision.comment) == ("approve", BOB, "ok")
    assert [r.event.action for r in audit.records(AuditFilter())][-1] == "approval.approved"
    db.close()


async def test_requester_is_refused_on_screen(tmp_path: Path) -> None:
    flow, _, db = approval_env(tmp_path)
    request_id = _open_request(flow)
    app = Host(flow, ALICE)
    async with app.run_test(size=(140, 40)) as pilot:
        await _settle(app, pilot)
        await pilot.press("ctrl+y")
        await confirm(pilot)
        await _settle(app, pilot)
        message = str(app.screen.query_one("#approvals-message", Static).render())
        assert "refused" in message and "own request" in message
    assert flow.store.decisions(request_id) == []
    db.close()


async def test_reject_and_cursor_moves_between_requests(tmp_path: Path) -> None:
    flow, _, db = approval_env(tmp_path)
    first = _open_request(flow, 5)
    second = _open_request(flow, 7)
    app = Host(flow, BOB)
    async with app.run_test(size=(140, 40)) as pilot:
        await _settle(app, pilot)
        assert second in _detail(app)  # newest first
        await pilot.press("down")
        assert first in _detail(app)
        await pilot.press("ctrl+x")
        await confirm(pilot)
        await _settle(app, pilot)
        await _settle(app, pilot)
        assert "REJECTED" in _detail(app)
    assert [d.kind for d in flow.store.decisions(first)] == ["reject"]
    assert flow.store.decisions(second) == []
    db.close()


async def test_stray_keys_and_words_never_approve_or_reject(tmp_path: Path) -> None:
    flow, _, db = approval_env(tmp_path)
    request_id = _open_request(flow)
    app = Host(flow, BOB)
    async with app.run_test(size=(140, 40)) as pilot:
        await _settle(app, pilot)
        screen = app.screen
        stray = ["a", "x", "y", *"approve", "enter", *"yes", "enter",
                 *"reject it now: y", "enter"]
        burst(app, *stray)  # `a` and `x` were approve and reject
        await _settle(app, pilot)
        assert app.screen is screen and flow.store.decisions(request_id) == []
        for chord, act, done in (("ctrl+y", "APPROVE", "approved"),
                                 ("ctrl+x", "REJECT", "rejected")):
            screen.set_focus(screen.query_one(DataTable))  # `c` in the words typed a comment
            await pilot.press(chord)
            asked = await dialog(pilot)
            assert act in str(asked.query_one("#confirm-text").render())
            burst(app, *stray)
            await pilot.pause(0.2)
            assert app.screen is asked
            await pilot.press("escape")
            message = str(screen.query_one("#approvals-message", Static).render())
            assert message == f"not {done}: the confirmation was cancelled"
    assert flow.store.decisions(request_id) == []
    db.close()
