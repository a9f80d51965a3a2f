"""Issue 20.7/20.8 on the pipeline: each change is announced in the audit chain before it
is sent and its outcome recorded after; an execution whose end never reached the chain is
rolled back from its intents; throttled requests (429 + Retry-After) are retried within
`kube.retry_*`, each retry shown and audited, in the dry run and in the execution."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from kubechat_tui.config.settings import KubeSettings
from kubechat_tui.domain import Verb
from kubechat_tui.engine import trail as stage
from kubechat_tui.engine.execute import Progress
from kubechat_tui.engine.journal import ExecutionRun, interrupted_executions
from kubechat_tui.engine.pipeline import Pipeline
from kubechat_tui.engine.recovery import find_rollback
from kubechat_tui.engine.rollback import RollbackError
from kubechat_tui.engine.run_state import RunOptions
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditEvent
from kubechat_tui.store.errors import StoreError
from tests.e2e.conftest import REQUESTER, World
from tests.e2e.test_guards import scale_plan
from tests.e2e.verb_plans import DEPLOY, get, one_step


@dataclass
class FailingAudit:
    """The world's audit log, except that appending `action` fails (a full disk, a lock)."""

    log: AuditLog
    action: str

    def append(self, event: AuditEvent) -> Any:
        if event.action == self.action:
            raise StoreError(f"cannot append {event.action}: disk full")
        return self.log.append(event)


def failing_at(world: World, action: str) -> Pipeline:
    pipeline = world.pipeline(REQUESTER)
    pipeline.audit = FailingAudit(world.audit, action)
    return pipeline


def committing(world: World, cluster: str) -> list[str]:
    """The requests that changed `cluster` (no reads, dry runs or access reviews)."""
    return [f"{r.method} {r.path}" for r in world.sim.requests(cluster)
            if r.method != "GET" and not r.dry_run and not r.path.endswith("reviews")]


def canary_replicas(world: World) -> int:
    return int(get(world, "/apis/apps/v1/namespaces/checkout/deployments/checkout-web",
                   "canary")["spec"]["replicas"])


def test_an_intent_that_cannot_be_written_sends_nothing(world: World) -> None:
    with pytest.raises(StoreError, match=r"cannot append execution\.intent"):
        failing_at(world, stage.INTENT).run(scale_plan(("staging", "payments", 2)),
                                            RunOptions(confirmed=True))
    assert world.replicas("staging") == 1
    assert committing(world, "staging") == []
    assert world.actions()[-1] == stage.SNAPSHOT  # nothing after it: nothing was sent


def test_an_execution_whose_end_was_never_recorded_is_rolled_back_from_its_intents(
        world: World) -> None:
    plan = scale_plan(("staging", "payments", 2), ("canary", "checkout", 5))
    with pytest.raises(StoreError, match=r"cannot append execution\.succeeded"):
        failing_at(world, stage.SUCCEEDED).run(plan, RunOptions(confirmed=True))
    assert world.replicas("staging") == 2 and canary_replicas(world) == 5
    [interrupted] = interrupted_executions(world.audit)
    execution_id = interrupted.execution_id
    assert interrupted.unanswered == ()  # both outcomes recorded, the end never
    assert "its 2 change(s) recorded, its end never" in interrupted.line()
    assert not world.timeline.for_execution(execution_id)

    found = find_rollback(world.timeline, world.audit, world.fleet, execution_id)
    assert found.interrupted
    assert [s.clusters for s in found.plan.steps] == [("canary",), ("staging",)]  # newest first
    assert found.plan.scope.clusters == ("staging", "canary")
    assert found.plan.notes[0].startswith(f"execution {execution_id} was interrupted")
    assert [n.split(" (")[0] for n in found.plan.notes[1:]] == [
        "canary/checkout/deployments/checkout-web", "staging/payments/deployments/payments-api"]
    assert all("(done): changed (replicas=" in n and n.endswith("restores it")
               for n in found.plan.notes[1:])
    undo = world.pipeline(REQUESTER).run(found.plan, RunOptions(confirmed=True,
                                                                rollback_of=execution_id))
    assert undo.status == "done", undo.message
    assert world.replicas("staging") == 1 and canary_replicas(world) == 2
    [again] = interrupted_executions(world.audit)
    assert again.rolled_back_by == undo.execution_id
    assert world.audit.verify().ok


def test_a_change_that_failed_without_landing_leaves_nothing_to_restore(world: World) -> None:
    world.sim.faults("staging").set(error_rate=1.0, error_status=500, error_writes=True)
    with pytest.raises(StoreError, match=r"cannot append execution\.step"):
        failing_at(world, stage.STEP).run(scale_plan(("staging", "payments", 2)),
                                          RunOptions(confirmed=True))
    world.sim.faults("staging").clear()
    [interrupted] = interrupted_executions(world.audit)
    assert interrupted.unanswered == ("staging/payments/deployments/payments-api",)
    run = ExecutionRun.read(world.audit, interrupted.execution_id)
    assert run.interrupted and run.outcomes == {}
    with pytest.raises(RollbackError, match="as in its snapshot; the change did not land"):
        find_rollback(world.timeline, world.audit, world.fleet, interrupted.execution_id)


def test_a_finished_execution_missing_from_the_timeline_uses_its_audited_rollback(
        world: World) -> None:
    pipeline = world.pipeline(REQUESTER)
    pipeline.timeline = type("NoTimeline", (), {"add": lambda self, entry: None,
                                                "diagnostics_for": lambda self, digest: []})()
    result = pipeline.run(scale_plan(("staging", "payments", 2)), RunOptions(confirmed=True))
    assert result.status == "done" and result.rollback is not None
    found = find_rollback(world.timeline, world.audit, world.fleet, result.execution_id)
    assert not found.interrupted and found.plan == result.rollback


def test_a_failed_change_is_not_in_the_rollback_only_the_applied_one(world: World) -> None:
    plan = one_step(Verb.ROLLOUT_RESTART, "deployments", "orders-api", namespace="orders")
    plan = plan.model_copy(update={"steps": (plan.steps[0].model_copy(update={
        "clusters": ("staging", "canary")}),)})
    world.sim.faults("canary").set(error_rate=1.0, error_status=500, error_writes=True)
    result = world.pipeline(REQUESTER).run(plan, RunOptions(confirmed=True))
    assert result.status == "failed" and result.report is not None
    staging, canary = result.report.changes
    assert (staging.state, canary.state) == ("done", "failed")
    assert canary.rollback is None and canary.after is None  # the dry run's guess is gone
    assert result.rollback is not None
    assert [s.clusters for s in result.rollback.steps] == [("staging",)]
    assert result.rollback.scope.clusters == ("staging",)


def test_a_throttled_write_is_retried_shown_and_audited(world: World) -> None:
    lines: list[str] = []

    def throttle_then_clear(event: Progress) -> None:
        lines.append(event.message)
        if event.state == "running" and event.message.startswith("kubectl scale"):
            world.sim.faults("staging").set(throttle=True, retry_after=1)
        if "answered 429" in event.message:
            world.sim.faults("staging").clear()

    result = world.pipeline(REQUESTER).run(scale_plan(("staging", "payments", 2)),
                                           RunOptions(confirmed=True,
                                                      on_progress=throttle_then_clear))
    assert result.status == "done", result.message
    assert world.replicas("staging") == 2
    assert ("staging answered 429 (Too many requests, please try again later.): "
            "retrying in 1s (try 2 of 3)") in lines
    retried = [r.event for r in world.audit.records() if r.event.action == stage.RETRIED]
    assert [(e.payload["during"], e.payload["attempt"], e.outcome) for e in retried] == [
        ("execution", 1, "retrying")]
    assert retried[0].links.execution_id == result.execution_id
    assert retried[0].payload["request"] == f"GET {DEPLOY}"  # the fresh read before the write
    order = [a for a in world.actions() if a in (stage.INTENT, stage.RETRIED, stage.STEP)]
    assert order == [stage.INTENT, stage.RETRIED, stage.STEP]


def test_the_dry_run_retries_a_throttled_request_too(world: World) -> None:
    lines: list[str] = []

    def on_stage(what: str) -> None:
        lines.append(what)
        if what == "server-side dry run":
            world.sim.faults("staging").set(throttle=True, retry_after=1)
        if "answered 429" in what:
            world.sim.faults("staging").clear()

    prep = world.pipeline(REQUESTER).prepare(scale_plan(("staging", "payments", 2)),
                                             RunOptions(on_stage=on_stage,
                                                        on_progress=lambda e:
                                                        lines.append(e.message)))
    assert prep.status == "needs_confirmation", prep.message
    assert prep.dry_run is not None and prep.dry_run.ok
    assert any(line.startswith("dry run: staging answered 429") for line in lines)
    assert any(line.startswith("server-side dry run: staging answered 429") for line in lines)
    [retried] = [r.event for r in world.audit.records() if r.event.action == stage.RETRIED]
    assert retried.payload["during"] == "dry run" and retried.payload["attempt"] == 1
    assert world.replicas("staging") == 1


def test_a_delay_beyond_the_budget_is_not_waited_for(world: World) -> None:
    pipeline = world.pipeline(REQUESTER)
    pipeline.settings = world.settings.model_copy(update={
        "kube": KubeSettings(retry_attempts=3, retry_wait_seconds=2)})
    world.sim.faults("staging").set(error_rate=1.0, error_status=429, retry_after=5,
                                    error_writes=True)
    result = pipeline.run(scale_plan(("staging", "payments", 2)), RunOptions(confirmed=True))
    assert result.status == "failed"
    assert ("the server asked to wait 5s, beyond the 2s retry budget "
            "(kube.retry_wait_seconds)") in result.message
    assert stage.RETRIED not in world.actions()
    assert get(world, DEPLOY)["spec"]["replicas"] == 1
