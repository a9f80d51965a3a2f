"""The whole guarded path on the simulated fleet over real HTTP: plan → targets → RBAC →
policy → dry run → approval by a second person → execution → audit → rollback."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from kubechat_tui.engine import trail as stage
from kubechat_tui.engine.approvals import SelfApprovalError
from kubechat_tui.engine.changes import observe_state_versions
from kubechat_tui.engine.rollback import load_rollback
from kubechat_tui.engine.run_state import RunOptions
from tests.e2e.conftest import LEAD, REQUESTER, World

SCALE = "scale payments-api in prod-eu to 5"


def test_scale_with_two_person_approval_then_rollback(world: World) -> None:
    plan = world.plan(SCALE)
    alice = world.pipeline(REQUESTER)

    first = alice.run(plan, RunOptions(confirmed=True))
    prep = first.prepared
    assert prep.rbac is not None and prep.rbac.allowed
    assert prep.policy is not None and prep.policy.needs_approval
    assert "KC-APPROVE-001" in prep.policy.rule_ids
    assert first.status == "awaiting_approval"
    [change] = prep.changes
    assert "-  replicas: 3" in change.diff and "+  replicas: 5" in change.diff
    assert change.rollback is not None and "--replicas=3" in change.rollback.kubectl
    assert world.replicas() == 3  # nothing changed while waiting

    assert prep.approval is not None and prep.approval.request is not None
    request_id = prep.approval.request.id
    with pytest.raises(SelfApprovalError):
        world.approve(request_id, REQUESTER)
    world.approve(request_id, LEAD, comment="go")

    done = alice.run(plan, RunOptions(confirmed=True))
    assert done.status == "done", done.message
    assert world.replicas() == 5
    assert done.summary is not None and "replicas 3 → 5" in done.summary.text

    records = list(world.audit.records())
    start = next(r.seq for r in records if r.event.action == stage.PLAN
                 and r.event.links.execution_id == done.execution_id)
    assert [r.event.action for r in records if r.seq >= start] == [
        stage.PLAN, stage.TARGETS, stage.RBAC, stage.POLICY, stage.DRY_RUN, stage.APPROVAL,
        stage.SNAPSHOT,
        "approval.executed", stage.INTENT, stage.STEP, stage.SUCCEEDED, stage.SUMMARY]
    assert world.audit.verify().ok

    undo = load_rollback(world.timeline, done.execution_id)
    waiting = alice.run(undo, RunOptions(confirmed=True, rollback_of=done.execution_id))
    # production: the rollback is guarded like any change
    assert waiting.status == "awaiting_approval", waiting.message
    assert waiting.prepared.approval is not None and waiting.prepared.approval.request
    world.approve(waiting.prepared.approval.request.id, LEAD)
    restored = alice.run(undo, RunOptions(confirmed=True, rollback_of=done.execution_id))
    assert restored.status == "done", restored.message
    assert world.replicas() == 3
    assert world.audit.verify().ok


def test_approval_is_void_after_an_edit(world: World) -> None:
    plan = world.plan(SCALE)
    alice = world.pipeline(REQUESTER)
    first = alice.run(plan, RunOptions(confirmed=True))
    assert first.prepared.approval and first.prepared.approval.request
    world.approve(first.prepared.approval.request.id, LEAD)

    edited = plan.model_copy(update={"steps": tuple(
        s.model_copy(update={"params": {**s.params, "replicas": 6}}) if s.mutating else s
        for s in plan.steps)})
    again = alice.run(edited, RunOptions(confirmed=True))
    assert again.status == "awaiting_approval"
    assert world.replicas() == 3


def test_approval_is_void_after_drift(world: World) -> None:
    plan = world.plan(SCALE)
    alice = world.pipeline(REQUESTER)
    first = alice.run(plan, RunOptions(confirmed=True))
    assert first.prepared.approval and first.prepared.approval.request
    world.approve(first.prepared.approval.request.id, LEAD)
    # someone else scales the deployment in the meantime
    status, _ = world.fleet.request_json(
        "prod-eu", "PATCH", "/apis/apps/v1/namespaces/payments/deployments/payments-api/scale",
        body={"spec": {"replicas": 4}}, content_type="application/merge-patch+json")
    assert status == 200
    again = alice.run(plan, RunOptions(confirmed=True))
    assert again.status == "awaiting_approval"
    assert again.prepared.approval is not None
    assert "changed since the request" in (again.message + again.prepared.approval.reason)
    assert world.replicas() == 4


def test_execution_needs_confirmation(world: World) -> None:
    plan = world.plan("scale payments-api in staging to 2")
    result = world.pipeline(REQUESTER).run(plan, RunOptions(confirmed=False))
    assert result.status == "needs_confirmation"
    assert world.replicas("staging") != 2


def test_an_approver_cannot_execute_someone_elses_request_alone(world: World) -> None:
    plan = world.plan(SCALE)
    bob_pipeline = world.pipeline(LEAD)
    first = bob_pipeline.run(plan, RunOptions(confirmed=True))
    assert first.prepared.approval and first.prepared.approval.request
    world.approve(first.prepared.approval.request.id, REQUESTER)
    # alice approved bob's request; her own run must still wait for someone else
    mine = world.pipeline(REQUESTER).run(plan, RunOptions(confirmed=True))
    assert mine.status == "awaiting_approval"  # a request of her own, for her own contexts
    assert mine.prepared.approval and mine.prepared.approval.request
    assert mine.prepared.approval.request.id != first.prepared.approval.request.id
    assert world.replicas() == 3


def test_state_versions_match_what_the_request_was_bound_to(world: World) -> None:
    plan = world.plan(SCALE)
    first = world.pipeline(REQUESTER).run(plan, RunOptions(confirmed=True))
    assert first.prepared.approval and first.prepared.approval.request
    bound = dict(first.prepared.approval.request.resource_versions)
    assert observe_state_versions(world.fleet, first.prepared.plan) == bound  # as admin


def test_one_approval_releases_one_run_even_when_applies_race(world: World) -> None:
    plan = world.plan(SCALE)
    alice = world.pipeline(REQUESTER)
    first = alice.run(plan, RunOptions(confirmed=True))
    assert first.prepared.approval and first.prepared.approval.request
    world.approve(first.prepared.approval.request.id, LEAD)
    ready = [alice.prepare(plan, RunOptions(confirmed=True)) for _ in range(2)]
    assert all(p.status == "needs_confirmation" for p in ready)
    start = threading.Barrier(2)

    def run(prep: object) -> str:
        start.wait()
        return alice.execute(prep, confirmed=True).status  # type: ignore[arg-type]

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(run, ready))
    assert outcomes.count("done") == 1 and outcomes != ["done", "done"], outcomes
    assert world.actions().count("approval.executed") == 1
    assert world.replicas() == 5
