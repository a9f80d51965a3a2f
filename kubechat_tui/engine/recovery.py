"""The rollback of any execution the audit chain knows, interrupted ones included.

    found = find_rollback(timeline, audit_log, fleet, execution_id)  # RollbackError: none
    found.plan, found.interrupted

An execution that ended has its rollback plan on the timeline and in its final audit
record (either is enough). An interrupted one (killed after a change reached a cluster,
before its outcome was recorded: `engine.journal`) has only its intents. For those, each
intent's target is read again and compared with the snapshot the intent names:

- the same state: the change did not land (or changed nothing); nothing to undo;
- another state: it landed; the rollback restores the snapshot per verb
  (`engine.snapshot.plan_undo`, as for a finished execution), expecting the generation
  read now, so a target edited again before the rollback runs fails instead of being
  overwritten. A state changed by someone else since is restored too: the preview shows
  the diff, the plan's notes say the execution was interrupted, and the rollback runs
  through every check (RBAC, policy, dry run, confirmation) like any change. Its policy
  is evaluated as for any change (no stored rollback caps the approvals it needs).

An intent whose snapshot cannot be read back whole (it hashes to another state than the
intent names) is not restored; the notes say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from kubechat_tui.domain import Plan, Scope, Step
from kubechat_tui.domain.redaction_markers import MissingValue
from kubechat_tui.engine.journal import AuditReader, ExecutionRun
from kubechat_tui.engine.rollback import (
    ROLLBACK_PLANNER,
    RollbackError,
    UnknownExecution,
    load_rollback,
    stored_rollback,
    undo_scope,
    unknown,
)
from kubechat_tui.engine.snapshot import of_object, plan_undo
from kubechat_tui.kube.mutations import ApiRequester, MutationError, Mutator, Target, target
from kubechat_tui.store.record_redaction import RecordRedaction
from kubechat_tui.store.timeline import Timeline

INTERRUPTED = "interrupted"  # the word the notes and the CLI use


@dataclass(frozen=True)
class FoundRollback:
    """A rollback plan, and whether it was rebuilt for an interrupted execution."""

    plan: Plan
    interrupted: bool = False

    def headline(self, execution_id: str) -> str:
        """The line saying how the plan came about ('' for a stored one)."""
        if not self.interrupted:
            return ""
        return (f"execution {execution_id.strip()} was {INTERRUPTED} before its outcome was "
                "recorded: its rollback was rebuilt from the intents in the audit log and "
                "the targets as they are now (see the plan's notes)")


def find_rollback(timeline: Timeline, log: AuditReader, api: ApiRequester,
                  execution_id: str) -> FoundRollback:
    """The rollback of `execution_id`: stored with its outcome, or rebuilt from its intents
    (reading the targets now, blocking). RollbackError with one line when there is none."""
    wanted = execution_id.strip()
    try:
        return FoundRollback(load_rollback(timeline, wanted))
    except UnknownExecution:
        pass
    run = ExecutionRun.read(log, wanted)
    if run.final is not None:  # ended, but its timeline entry was never written
        return FoundRollback(stored_rollback(wanted,
                                             run.final.event.payload.get("rollback_plan"),
                                             redaction=timeline.db.redaction))
    if not run.intents:
        raise UnknownExecution(unknown(wanted))
    return FoundRollback(recover(run, api, timeline.db.redaction), interrupted=True)


def recover(run: ExecutionRun, api: ApiRequester,
            redaction: RecordRedaction | None = None) -> Plan:
    """The rollback of an interrupted execution: its intents' targets read again (their
    snapshots' redacted values put back from the store's kept values)."""
    mutator = Mutator(api)
    steps: list[Step] = []
    notes = [f"execution {run.execution_id} was {INTERRUPTED}: {len(run.intents)} change(s) "
             "were announced in the audit log, and its end was never recorded; each target "
             "was read again and is restored where its state differs from the snapshot"]
    for intent in sorted(run.intents, key=lambda i: -int(i.get("index") or 0)):
        step, note = _undo_intent(run, mutator, intent, redaction or RecordRedaction())
        if step is not None:
            steps.append(step)
        notes.append(note)
    if not steps:
        raise RollbackError(f"execution {run.execution_id} was {INTERRUPTED}; nothing of "
                            "what it announced is left to restore: " + "; ".join(notes[1:]))
    original = _plan(run)
    return Plan(input=f"rollback of {INTERRUPTED} execution {run.execution_id}: "
                      f"{original.input if original else ''}"[:500],
                planner=ROLLBACK_PLANNER,
                scope=undo_scope(original.scope if original else Scope(), steps),
                steps=tuple(steps), notes=tuple(notes))


def _undo_intent(run: ExecutionRun, mutator: Mutator, intent: Mapping[str, Any],
                 redaction: RecordRedaction) -> tuple[Step | None, str]:
    """(the rollback step or None, one note) for one intent."""
    index = int(intent.get("index") or 0)
    t, step = _target(intent), _step(intent)
    label = t.label() if t else str((intent.get("target") or {}).get("label"))
    outcome = run.outcomes.get(index, "no recorded outcome")
    if t is None or step is None:
        return None, f"{label}: the intent record is unreadable; not restored"
    found, obj = run.snapshot_object(label)
    try:
        obj = redaction.restore(obj)
    except MissingValue:
        return None, (f"{label}: its snapshot held values kept out of the audit log that "
                      "are no longer kept (audit.kept_value_retention_days); not restored")
    before = of_object(t, obj if isinstance(obj, dict) else None)
    expected = (intent.get("snapshot") or {}).get("state_version")
    if not found or before.state_version != expected:
        return None, (f"{label}: its snapshot is not in the audit log as the intent names "
                      "it; not restored")
    try:
        now = of_object(t, _read(mutator, t))
    except MutationError as exc:
        return None, f"{label}: cannot be read now ({exc.message}); not restored"
    if now.state_version == before.state_version:
        return None, f"{label} ({outcome}): as in its snapshot; the change did not land"
    undo = plan_undo(step, before, now.object, index)
    what = f"{label} ({outcome}): changed ({before.summary()} → {now.summary()})"
    if undo.step is None:
        return None, f"{what}; nothing to restore" + (f": {undo.note}" if undo.note else "")
    return undo.step, f"{what}; {undo.step.id} restores it" + (
        f" ({undo.note})" if undo.note else "")


def _read(mutator: Mutator, t: Target) -> dict[str, Any] | None:
    try:
        return mutator.get(t)
    except MutationError as exc:
        if exc.status == 404:
            return None
        raise


def _target(intent: Mapping[str, Any]) -> Target | None:
    raw = intent.get("target")
    if not isinstance(raw, Mapping):
        return None
    try:
        return target(str(raw["cluster"]), str(raw["resource"]), raw.get("namespace"),
                      str(raw["name"]))
    except KeyError:
        return None


def _step(intent: Mapping[str, Any]) -> Step | None:
    try:
        return Step.model_validate(intent.get("step"))
    except ValidationError:
        return None


def _plan(run: ExecutionRun) -> Plan | None:
    try:
        return Plan.model_validate((run.plan or {}).get("plan"))
    except ValidationError:
        return None
