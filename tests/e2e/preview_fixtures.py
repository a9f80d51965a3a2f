"""A deterministic prepared plan and a scripted pipeline for the preview screen tests."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Plan, Scope, Verb
from kubechat_tui.engine.approval_status import ApprovalStatus
from kubechat_tui.engine.changes import Change
from kubechat_tui.engine.diff import unified_diff
from kubechat_tui.engine.dryrun import DryRunReport
from kubechat_tui.engine.execute import ExecutionReport, Progress
from kubechat_tui.engine.run_state import Prepared, RunOptions, RunResult
from kubechat_tui.engine.snapshot import of_object, plan_undo
from kubechat_tui.engine.summary import write_summary
from kubechat_tui.engine.trail import Trail
from kubechat_tui.guard.access import attributes_of
from kubechat_tui.guard.policy import PolicyDecision
from kubechat_tui.guard.rbac import AccessCheck, RbacReport
from kubechat_tui.guard.risk import assess_plan
from kubechat_tui.kube.mutations import target
from kubechat_tui.kube.recorder import Request
from kubechat_tui.planner.render import build_step
from kubechat_tui.store.audit_model import Operator
from tests.engine.fakes import deployment


class _NoAudit:
    def append(self, event: Any) -> None:
        """Preview fixtures are not audited."""


def scale_plan() -> Plan:
    """describe + scale payments-api in prod-eu, assessed like the pipeline does."""
    steps = (
        build_step("s1", Verb.DESCRIBE, "deployments", namespace="payments",
                   name="payments-api", clusters=("prod-eu",)),
        build_step("s2", Verb.SCALE, "deployments", namespace="payments", name="payments-api",
                   clusters=("prod-eu",), params={"replicas": 5}),
    )
    plan = Plan(input="scale payments-api in prod-eu to 5", planner="rules",
                scope=Scope(clusters=("prod-eu",), namespace="payments"), steps=steps)
    return assess_plan(plan, Settings())


SCALE_REQUESTS = (
    Request("prod-eu", "GET", "/apis/apps/v1/namespaces/payments/deployments/payments-api"),
    Request("prod-eu", "PATCH",
            "/apis/apps/v1/namespaces/payments/deployments/payments-api/scale",
            {"fieldManager": "kubechat"}, {"spec": {"replicas": 5}},
            "application/merge-patch+json"),
)


def prepared(status: str = "needs_confirmation", approved: bool = True,
             show_requests: bool = False) -> Prepared:
    """A fixed preview: RBAC ok (the scale's requests), 1 approval required (and given),
    one diff; the change lists its requests when `show_requests`."""
    plan = scale_plan()
    step = plan.steps[1]
    t = target("prod-eu", "deployments", "payments", "payments-api")
    before = of_object(t, deployment(3))
    after = deployment(5)
    change = Change(step, t, before=before, after=after, outcome="replicas 3 → 5",
                    diff=unified_diff(before.object, after, t.label()),
                    rollback=plan_undo(step, before, after, 1).step,
                    requests=list(SCALE_REQUESTS) if show_requests else [])
    checks = tuple(AccessCheck(step.id, r.cluster, attributes_of(r), True)
                   for r in SCALE_REQUESTS)
    decision = PolicyDecision(
        allowed=True, required_approvals=1, rule_ids=("KC-APPROVE-001",),
        reasons=("KC-APPROVE-001: step s2 on prod-eu: needs 1 approval(s): any production "
                 "mutation",), remediation=(), policy_hash="3f" * 32, policy_path="default")
    approval = (ApprovalStatus("approved", True, "approved (bob)") if approved
                else ApprovalStatus("pending", False, "waiting for 1 more approval(s) (0/1)"))
    message = {"needs_confirmation": "ready: confirm to execute",
               "awaiting_approval": "waiting for approval: request 0a1b2c3d4e"}[status]
    trail = Trail(_NoAudit(), Operator("alice", "admin"), plan, "ex-0123456789")
    return Prepared("ex-0123456789", plan, status, message, trail,  # type: ignore[arg-type]
                    changes=[change], rbac=RbacReport(checks, ()), policy=decision,
                    dry_run=DryRunReport([change]), approval=approval)


@dataclass
class ScriptedPipeline:
    """Answers prepare/execute from fixtures; records what the screen asked for."""

    preview: Prepared
    executed: list[bool] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    prepared_plans: list[Plan] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    options: list[RunOptions | None] = field(default_factory=list)

    def prepare(self, plan: Plan, options: RunOptions | None = None) -> Prepared:
        self.prepared_plans.append(plan)
        self.options.append(options)
        if plan.planner == "rollback":
            return replace(self.preview, plan=plan, execution_id="ex-rollback")
        return self.preview

    def execute(self, prep: Prepared, confirmed: bool) -> RunResult:
        self.executed.append(confirmed)
        change = prep.changes[0]
        change.state = "done"
        if prep.options.on_progress is not None:
            prep.options.on_progress(Progress(1, 1, change.step.id, change.target.cluster,
                                              change.target.label(), "done", change.outcome))
        report = ExecutionReport(prep.execution_id, prep.changes)
        rollback = Plan(input="rollback of ex-0123456789", planner="rollback",
                        scope=prep.plan.scope, steps=(change.rollback,) if change.rollback
                        else ())
        summary = write_summary(prep.plan, report, "admin", ["bob"])
        return RunResult("done", "1/1 change(s) applied", prep, report, summary, rollback)

    def archive_summary(self, result: RunResult, text: str, annotation: str = "") -> None:
        self.archived.append(text)

    def cancel(self, prep: Prepared, reason: str = "closed without executing") -> None:
        self.cancelled.append(reason)
