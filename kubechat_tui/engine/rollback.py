"""Rollback plans: the generated undo steps of an execution, run through the same pipeline.

`rollback_plan` builds the plan right after an execution (the undo steps in reverse
order, each expecting the resourceVersion the execution left behind); it is stored with
the execution on the timeline, and `load_rollback` reads it back for
`kubechat rollback EXECUTION_ID` or the console's rollback key.
"""

from __future__ import annotations

from pydantic import ValidationError

from kubechat_tui.domain import Plan
from kubechat_tui.engine.execute import ExecutionReport
from kubechat_tui.store.timeline import Timeline

ROLLBACK_PLANNER = "rollback"


class RollbackError(Exception):
    """No rollback for that execution id (unknown, nothing to undo, unreadable)."""


def rollback_plan(plan: Plan, report: ExecutionReport) -> Plan | None:
    """The undo of everything that changed (including partial changes), newest first."""
    steps = [c.rollback for c in reversed(report.changes)
             if c.rollback is not None and (c.state == "done" or c.after is not None)
             and c.state != "not_run"]
    if not steps:
        return None
    return Plan(input=f"rollback of {report.execution_id}: {plan.input}"[:500],
                planner=ROLLBACK_PLANNER, scope=plan.scope, steps=tuple(steps),
                notes=(f"generated from the snapshots of execution {report.execution_id}",))


def load_rollback(timeline: Timeline, execution_id: str) -> Plan:
    """The stored rollback plan of an execution; RollbackError with a one-line reason."""
    entries = timeline.for_execution(execution_id.strip(), kind="execution")
    if not entries:
        raise RollbackError(f"unknown execution id {execution_id!r} "
                            "(see the incident timeline or `kubechat audit log`)")
    raw = entries[0].payload.get("rollback_plan")
    if not raw:
        raise RollbackError(f"execution {execution_id} changed nothing that can be rolled back")
    try:
        return Plan.model_validate(raw)
    except ValidationError as exc:
        raise RollbackError(f"execution {execution_id}: stored rollback plan is unreadable "
                            f"({exc.error_count()} problem(s))") from None
