"""Rollback plans: the generated undo steps of an execution, run through the same pipeline.

`rollback_plan` builds the plan right after an execution (the undo steps in reverse
order, each expecting the generation the execution left behind, and notes saying what
cannot be restored); it is stored with the execution on the timeline, and `load_rollback`
reads it back for `kubechat rollback EXECUTION_ID` or the console's rollback key.

A rollback is a restore: run with `rollback_of`, the stored plan never needs more
approvals than the execution it undoes (`undone_approvals`); it is still RBAC-checked,
dry-run and audited like any change.
"""

from __future__ import annotations

from pydantic import ValidationError

from kubechat_tui.domain import Plan
from kubechat_tui.engine.canonical import PlanInputError, canonical
from kubechat_tui.engine.changes import Change
from kubechat_tui.engine.execute import ExecutionReport
from kubechat_tui.store.timeline import Timeline

ROLLBACK_PLANNER = "rollback"


class RollbackError(Exception):
    """No rollback for that execution id (unknown, nothing to undo, unreadable)."""


def _changed(change: Change) -> bool:
    return change.state != "not_run" and (change.state == "done" or change.after is not None)


def rollback_notes(report: ExecutionReport) -> list[str]:
    """What the rollback of each changed target cannot restore, or why it has none."""
    return [f"{c.rollback.id if c.rollback else 'not undone'}: {c.target.label()}: "
            f"{c.rollback_note}" for c in reversed(report.changes)
            if _changed(c) and c.rollback_note]


def rollback_plan(plan: Plan, report: ExecutionReport) -> Plan | None:
    """The undo of everything that changed (including partial changes), newest first."""
    steps = [c.rollback for c in reversed(report.changes)
             if c.rollback is not None and _changed(c)]
    if not steps:
        return None
    return Plan(input=f"rollback of {report.execution_id}: {plan.input}"[:500],
                planner=ROLLBACK_PLANNER, scope=plan.scope, steps=tuple(steps),
                notes=(f"generated from the snapshots of execution {report.execution_id}",
                       *rollback_notes(report)))


def load_rollback(timeline: Timeline, execution_id: str) -> Plan:
    """The stored rollback plan of an execution; RollbackError with a one-line reason."""
    entries = timeline.for_execution(execution_id.strip(), kind="execution")
    if not entries:
        raise RollbackError(f"unknown execution id {execution_id!r} "
                            "(see the incident timeline or `kubechat audit log`)")
    raw = entries[0].payload.get("rollback_plan")
    if not raw:
        why = "; ".join(str(n) for n in entries[0].payload.get("rollback_notes") or [])
        raise RollbackError(f"execution {execution_id} changed nothing that can be rolled back"
                            + (f" ({why})" if why else ""))
    try:
        return Plan.model_validate(raw)
    except ValidationError as exc:
        raise RollbackError(f"execution {execution_id}: stored rollback plan is unreadable "
                            f"({exc.error_count()} problem(s))") from None


def undone_approvals(timeline: Timeline, execution_id: str, plan: Plan) -> int | None:
    """The approvals the execution needed, when `plan` (canonical) is its stored rollback;
    else None: an unknown execution, an older record, or a plan that is not that rollback."""
    entries = timeline.for_execution(execution_id.strip(), kind="execution")
    if not entries:
        return None
    needed = entries[0].payload.get("required_approvals")
    try:
        stored = canonical(Plan.model_validate(entries[0].payload.get("rollback_plan")))
    except (ValidationError, PlanInputError):
        return None
    return needed if isinstance(needed, int) and stored.digest() == plan.digest() else None
