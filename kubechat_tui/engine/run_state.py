"""What one guarded run carries from stage to stage: the options the user chose, the
preview (`Prepared`) and the result (`RunResult`), and the JSON view of a preview. The
stages themselves are `engine.pipeline.Pipeline`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from kubechat_tui.domain import Plan
from kubechat_tui.engine.approval_status import ApprovalStatus
from kubechat_tui.engine.changes import Change
from kubechat_tui.engine.dryrun import DryRunReport
from kubechat_tui.engine.execute import ExecutionReport, ProgressCallback
from kubechat_tui.engine.summary import Summary
from kubechat_tui.engine.trail import Trail
from kubechat_tui.guard.policy import PolicyDecision
from kubechat_tui.guard.rbac import RbacReport
from kubechat_tui.guard.request_gate import ReviewedRequests
from kubechat_tui.kube.recorder import Request

Status = Literal["done", "previewed", "denied", "awaiting_approval", "failed",
                 "needs_confirmation"]
StageCallback = Callable[[str], None]


@dataclass(frozen=True)
class RunOptions:
    """How far to go and what the user has said."""

    dry_run_only: bool = False  # stop after the preview (`apply --dry-run`)
    confirmed: bool = False  # explicit confirmation (`--yes` / the console's confirm)
    skip_dry_run: bool = False  # needs a written justification
    justification: str = ""
    break_glass: str = ""  # policy exception with this justification (flagged loudly)
    on_progress: ProgressCallback | None = None
    rollback_of: str | None = None  # the execution this plan undoes
    on_stage: StageCallback | None = None  # told before each check starts (for a console)


@dataclass
class Prepared:
    """Everything the preview shows; `status` says whether it may go on to execution."""

    execution_id: str
    plan: Plan
    status: Status
    message: str
    trail: Trail
    changes: list[Change] = field(default_factory=list)
    requests: list[tuple[str, Request]] = field(default_factory=list)  # (step id, request)
    unreadable: list[str] = field(default_factory=list)  # reads the clusters refused (403)
    gate: ReviewedRequests | None = None  # sends only what the RBAC pre-flight allowed
    rbac: RbacReport | None = None
    policy: PolicyDecision | None = None
    dry_run: DryRunReport | None = None
    approval: ApprovalStatus | None = None
    remediation: list[str] = field(default_factory=list)
    options: RunOptions = field(default_factory=RunOptions)
    snapshot_record: int | None = None  # seq of the snapshot.captured record the intents name
    submitted_digest: str = ""  # the plan's digest as submitted (finds its diagnostics runs)
    evidence: list[str] = field(default_factory=list)  # those runs' ids, once executed

    @property
    def ready(self) -> bool:
        """True when only the confirmation stands between this plan and execution."""
        return self.status in ("needs_confirmation", "previewed") and bool(self.changes)


@dataclass
class RunResult:
    """The end of a run: status, one-line message, and every stage's result."""

    status: Status
    message: str
    prepared: Prepared
    report: ExecutionReport | None = None
    summary: Summary | None = None
    rollback: Plan | None = None

    @property
    def execution_id(self) -> str:
        """The id linking every audit record and timeline entry of this run."""
        return self.prepared.execution_id


def describe_prepared(prep: Prepared) -> dict[str, Any]:
    """A JSON view of the preview (for `apply --json` and tests)."""
    return {
        "execution_id": prep.execution_id, "status": prep.status, "message": prep.message,
        "plan_digest": prep.plan.digest(), "remediation": prep.remediation,
        "rbac": prep.rbac.to_dict() if prep.rbac else None,
        "policy": prep.policy.to_dict() if prep.policy else None,
        "approval": ({"state": prep.approval.state, "reason": prep.approval.reason,
                      "request_id": prep.approval.request.id if prep.approval.request else None}
                     if prep.approval else None),
        "changes": [{**c.to_json(), "diff": c.diff} for c in prep.changes],
        "requests": [{"step": step_id, **r.to_json()} for step_id, r in prep.requests],
    }
