"""Rollback plans: the generated undo steps of an execution, run through the same pipeline.

`rollback_plan` builds the plan right after an execution: the undo steps, in reverse
order, of exactly what was applied (changes done, and a failed change the cluster shows
changed in part), each expecting the generation the execution left behind, and notes
saying what cannot be restored; a change that failed without changing anything, or never
ran, is not in it. The plan is stored with the execution (the audit record of its
outcome and the timeline), and `load_rollback` reads it back for `kubechat rollback
EXECUTION_ID` or the console's rollback key (`engine.recovery` also reads the audit chain,
for an execution interrupted before its outcome was recorded).

A rollback is a restore: run with `rollback_of`, the stored plan never needs more
approvals than the execution it undoes (`undone_approvals`); it is still RBAC-checked,
dry-run and audited like any change.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from kubechat_tui.domain import Plan, Scope, Step
from kubechat_tui.engine.canonical import PlanInputError, canonical
from kubechat_tui.engine.changes import Change
from kubechat_tui.engine.execute import ExecutionReport
from kubechat_tui.store.record_redaction import KeptValueGone, RecordRedaction
from kubechat_tui.store.timeline import Timeline

ROLLBACK_PLANNER = "rollback"


class RollbackError(Exception):
    """No rollback for that execution id (unknown, nothing to undo, unreadable)."""


class UnknownExecution(RollbackError):
    """The timeline holds no outcome of that execution id."""


def _applied(change: Change) -> bool:
    """Done, or failed with what the execution found after it (a partial change has a
    rollback, an unknown state a note); the dry run's predictions are gone by then."""
    return change.state == "done" or (
        change.state == "failed" and (change.rollback is not None or bool(change.rollback_note)))


def rollback_notes(report: ExecutionReport) -> list[str]:
    """What the rollback of each changed target cannot restore, or why it has none."""
    return [f"{c.rollback.id if c.rollback else 'not undone'}: {c.target.label()}: "
            f"{c.rollback_note}" for c in reversed(report.changes)
            if _applied(c) and c.rollback_note]


def rollback_plan(plan: Plan, report: ExecutionReport) -> Plan | None:
    """The undo of exactly what was applied (including partial changes), newest first."""
    steps = [c.rollback for c in reversed(report.changes)
             if c.rollback is not None and _applied(c)]
    if not steps:
        return None
    return Plan(input=f"rollback of {report.execution_id}: {plan.input}"[:500],
                planner=ROLLBACK_PLANNER, scope=undo_scope(plan.scope, steps),
                steps=tuple(steps),
                notes=(f"generated from the snapshots of execution {report.execution_id}",
                       *rollback_notes(report)))


def undo_scope(scope: Scope, steps: list[Step]) -> Scope:
    """The execution's scope narrowed to the clusters its undo steps run in (a cluster
    where nothing was applied is not part of the rollback, nor of what it approves)."""
    used = {c for step in steps for c in step.clusters}
    return scope.model_copy(update={
        "clusters": tuple(c for c in scope.clusters if c in used),
        "contexts": {c: ctx for c, ctx in scope.contexts.items() if c in used}})


def load_rollback(timeline: Timeline, execution_id: str) -> Plan:
    """The stored rollback plan of an execution; RollbackError with a one-line reason."""
    entries = timeline.for_execution(execution_id.strip(), kind="execution")
    if not entries:
        raise UnknownExecution(unknown(execution_id))
    return stored_rollback(execution_id, entries[0].payload.get("rollback_plan"),
                           entries[0].payload.get("rollback_notes"), timeline.db.redaction)


def unknown(execution_id: str) -> str:
    """The one line for an execution id nothing was recorded of."""
    return (f"unknown execution id {execution_id!r} "
            "(see the incident timeline or `kubechat audit log`)")


def stored_rollback(execution_id: str, raw: object, notes: object = None,
                    redaction: RecordRedaction | None = None) -> Plan:
    """The rollback plan stored with an execution's outcome, its redacted values put back
    from the store's kept values (RollbackError: none, or a value no longer kept)."""
    if not raw:
        why = "; ".join(str(n) for n in notes or []) if isinstance(notes, list) else ""
        raise RollbackError(f"execution {execution_id} changed nothing that can be rolled back"
                            + (f" ({why})" if why else ""))
    try:
        if redaction is not None and isinstance(raw, Mapping):
            raw = redaction.restore_plan(raw, execution_id)
        return Plan.model_validate(raw)
    except KeptValueGone as exc:
        raise RollbackError(str(exc)) from None
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
        stored = canonical(stored_rollback(execution_id, entries[0].payload.get("rollback_plan"),
                                           redaction=timeline.db.redaction))
    except (RollbackError, PlanInputError):
        return None
    return needed if isinstance(needed, int) and stored.digest() == plan.digest() else None
