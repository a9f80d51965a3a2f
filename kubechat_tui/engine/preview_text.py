"""Plain-text renderings of a prepared plan, progress events and results (CLI output)."""

from __future__ import annotations

from kubechat_tui.engine.changes import Change
from kubechat_tui.engine.diff import masked_text
from kubechat_tui.engine.execute import Progress
from kubechat_tui.engine.run_state import Prepared, RunResult

_STATE = {"running": "…", "done": "✓", "failed": "✗", "not_run": "·"}
SHOWN_REQUESTS = 8  # per change; a drain of a full node lists many evictions


def request_lines(change: Change) -> list[str]:
    """The HTTP requests the change sends (the request plan), the first few."""
    lines = [r.line() for r in change.requests[:SHOWN_REQUESTS]]
    more = len(change.requests) - SHOWN_REQUESTS
    return lines + ([f"(+{more} more requests)"] if more > 0 else [])


def preview_text(prep: Prepared) -> str:
    """Steps, RBAC, policy, dry-run requests and diffs with rollback steps, and the
    approval state."""
    plan = prep.plan
    lines = [f"Plan {plan.digest()[:12]} ({plan.planner}): {plan.headline()}",
             f"  asked as: {plan.input}",
             f"Risk: {plan.risk.value}   execution id: {prep.execution_id}",
             *(f"Note: {note}" for note in plan.notes), ""]
    for step in plan.steps:
        if not step.accepted:
            continue
        mark = "!" if step.mutating else " "
        lines.append(f" {mark} {step.id} [{step.risk.value}] {step.kubectl}"
                     + (f"  (clusters: {plan.placement(step)})" if step.clusters else ""))
        lines.extend(f"      warning: {w}" for w in step.warnings)
    if prep.rbac is not None:
        lines += ["", prep.rbac.summary()]
    if prep.policy is not None:
        p = prep.policy
        verdict = ("denied" if not p.allowed else
                   f"{p.required_approvals} approval(s) required" if p.required_approvals
                   else "allowed")
        lines += ["", f"Policy {p.policy_hash[:12]}: {verdict}"
                  + (f" (rules {', '.join(p.rule_ids)})" if p.rule_ids else "")]
        lines.extend(f"  {r}" for r in p.reasons)
    if prep.dry_run is not None:
        lines.append("")
        if prep.dry_run.skipped:
            lines.append(f"Dry run SKIPPED: {prep.dry_run.justification}")
        for change in prep.changes:
            lines.append(f"Change {change.key}: {change.outcome or change.error or 'pending'}")
            lines.extend(f"    {line}" for line in request_lines(change))
            if change.diff:
                lines.extend("    " + d for d in change.diff.rstrip("\n").splitlines())
            if change.rollback is not None:
                lines.append(f"    rollback: {masked_text(change.rollback.kubectl)}")
            if change.rollback_note:
                lines.append(f"    rollback: {change.rollback_note}")
    if prep.approval is not None:
        lines += ["", f"Approval: {prep.approval.state}: {prep.approval.reason}"]
    return "\n".join(lines)


def progress_line(event: Progress) -> str:
    """`[1/2] ✓ s3 prod-eu/payments/deployments/payments-api: replicas 3 → 5`."""
    return (f"[{event.index}/{event.total}] {_STATE[event.state]} {event.step_id} "
            f"{event.target}: {event.message}")


def result_text(result: RunResult) -> str:
    """The status line, remediation, and the summary when there is one."""
    lines = [f"{result.status}: {result.message}"]
    if result.prepared.remediation:
        lines.append("remediation:")
        lines.extend(f"  {line}" for r in result.prepared.remediation for line in r.splitlines())
    if result.summary is not None:
        lines += ["", result.summary.text]
        if result.summary.note:
            lines.append(f"(summary by template: {result.summary.note})")
    return "\n".join(lines)
