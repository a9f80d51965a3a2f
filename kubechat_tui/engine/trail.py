"""The pipeline's audit trail: one record per stage, all linked to one execution id."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from kubechat_tui.domain import Plan
from kubechat_tui.engine.approvals import audit_scope
from kubechat_tui.engine.identity import acting_as
from kubechat_tui.store.audit_model import AuditEvent, AuditLinks, AuditScope, Operator

# The stage actions, in pipeline order (tests assert this order on the chain).
PLAN = "plan.submitted"
TARGETS = "targets.read"  # the request plan: what each change will send
RBAC = "rbac.checked"
POLICY = "policy.evaluated"
DRY_RUN = "dryrun.completed"
DRY_RUN_SKIPPED = "dryrun.skipped"
APPROVAL = "approval.checked"  # written by ApprovalWorkflow.gate
SNAPSHOT = "snapshot.captured"
INTENT = "execution.intent"  # before a change is sent: what, where, from which snapshot
STEP = "execution.step"  # after it: its outcome (done, failed, not_run)
RETRIED = "request.retried"  # a throttled request (429 with Retry-After) tried again
SUCCEEDED = "execution.succeeded"
FAILED = "execution.failed"
SUMMARY = "summary.written"
ARCHIVED = "summary.archived"
CANCELLED = "execution.cancelled"  # the preview was closed without executing
NOT_CONFIRMED = "execution.not_confirmed"  # `apply` without --yes (or a "no" at the prompt)
BREAK_GLASS_REFUSED = "approval.break_glass_refused"  # e.g. a too-short justification
POLICY_LOAD_FAILED = "policy.load_failed"  # the policy fails closed: every change refused
# The read path (engine.diagnostics): a plan's read steps submitted, then one record per
# (step, cluster) with the sha256 of what was shown.
READ_SUBMITTED = "read.submitted"
READ_STEP = "read.step"
# The exec path (engine.exec_guard, engine.exec_session): the request, then RBAC, policy and
# approval as above, then the session's start and end (the end names its transcript).
EXEC_SUBMITTED = "exec.submitted"
EXEC_NOT_CONFIRMED = "exec.not_confirmed"
EXEC_STARTED = "exec.started"
EXEC_ENDED = "exec.ended"
# Insight cards (engine.insights): one record per cluster, its requests and the cards found.
INSIGHTS_READ = "insights.read"


class AuditSink(Protocol):
    """What the trail needs of `store.audit.AuditLog`."""

    def append(self, event: AuditEvent) -> Any: ...


class Trail:
    """Appends stage records for one plan run; every record carries the execution id.

    Once `approvals` is set (the approvals releasing the run, `approval_rows`), records
    that give none of their own carry them: every step and the outcome name the approvers.
    """

    def __init__(self, sink: AuditSink, operator: Operator, plan: Plan,
                 execution_id: str) -> None:
        self.sink = sink
        self.operator = operator
        self.plan = plan
        self.execution_id = execution_id
        self.scope = audit_scope(plan)
        self.approvals: tuple[Mapping[str, Any], ...] = ()

    def record(self, action: str, payload: Mapping[str, Any], outcome: str, *,
               justification: str = "", approvals: Sequence[Mapping[str, Any]] = (),
               clusters: Sequence[str] = (), objects: Sequence[str] = ()) -> int | None:
        """Append one stage record; its seq (None from a sink that does not say). Raises
        StoreError when the chain cannot be written."""
        scope = self.scope
        if clusters or objects:
            scope = AuditScope(tuple(clusters) or scope.clusters, scope.namespaces,
                               tuple(objects) or scope.objects)
        as_user = acting_as(self.operator)
        body = {**payload, "acting_as": as_user} if as_user else dict(payload)
        appended = self.sink.append(AuditEvent(
            action=action, operator=self.operator, payload=body, scope=scope,
            approvals=tuple(approvals) or self.approvals, outcome=outcome,
            justification=justification,
            links=AuditLinks(execution_id=self.execution_id, plan_hash=self.plan.digest()),
        ))
        seq = getattr(appended, "seq", None)
        return seq if isinstance(seq, int) else None


def policy_load_failed(sink: AuditSink, operator: Operator, path: str, error: str) -> None:
    """Record that the policy did not load: the engine fails closed, nothing may change."""
    as_user = acting_as(operator)
    sink.append(AuditEvent(
        action=POLICY_LOAD_FAILED, operator=operator, outcome="fail_closed",
        payload={"path": path, "error": error, "decision": "every change is refused until "
                 "the policy file loads", **({"acting_as": as_user} if as_user else {})}))
