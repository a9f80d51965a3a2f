"""Run the changes for real, in order, stopping at the first failure.

Each change is executed against the snapshot taken just before it (its resourceVersion is
the precondition), through the RBAC gate (only reviewed requests go out), progress is
reported per step and cluster (a drain also reports while it waits for its pods, a
throttled request before each retry), and the rollback step is generated from what the
cluster actually returned. Before the first request of a change that may change the
cluster, `announce` is called (the pipeline appends the intent to the audit chain); if it
raises, nothing of that change is sent. After a failure the failed target is read again,
so the report says whether it changed partially (a drain that cordoned and then could not
evict) and every later change is marked as not run.

The dry run's predictions (`after`, `rollback`) are forgotten as each change starts: after
execution a change has a rollback only when it was applied, or when the cluster shows it
changed in part before failing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from kubechat_tui.engine.actions import ActionResult, Report, StepInputError, perform
from kubechat_tui.engine.changes import Change
from kubechat_tui.engine.snapshot import Snapshot, capture, plan_undo
from kubechat_tui.kube.mutations import ApiRequester, MutationError, Mutator
from kubechat_tui.kube.retry import NO_RETRY, Throttled, ThrottleRetry

ProgressState = Literal["running", "done", "failed", "not_run"]
CONFLICT_RETRIES = 2  # status-only writes racing ours; an edit fails the state check


@dataclass(frozen=True)
class Progress:
    """One progress event: a change started, finished, failed or was skipped."""

    index: int
    total: int
    step_id: str
    cluster: str
    target: str
    state: ProgressState
    message: str = ""


ProgressCallback = Callable[[Progress], None]
Announce = Callable[[int, Change], None]  # (1-based index, change): before it is sent


@dataclass
class ExecutionReport:
    """What happened to every change; `ok` when all were done."""

    execution_id: str
    changes: list[Change]
    failure: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every change was applied."""
        return self.failure is None and all(c.state == "done" for c in self.changes)

    def done(self) -> list[Change]:
        """The changes applied."""
        return [c for c in self.changes if c.state == "done"]

    def not_done(self) -> list[Change]:
        """The changes failed or never run."""
        return [c for c in self.changes if c.state != "done"]


def execute(api: ApiRequester, execution_id: str, changes: list[Change],
            on_progress: ProgressCallback | None = None, *, announce: Announce | None = None,
            retry: ThrottleRetry = NO_RETRY) -> ExecutionReport:
    """Apply each change in order; stop at the first failure. `api` is the RBAC gate
    (`guard.request_gate.ReviewedRequests`); `retry` bounds the retries of throttled
    requests (each told to `retry.on_retry` and shown as progress)."""
    report = ExecutionReport(execution_id, changes)
    total = len(changes)

    def emit(i: int, c: Change, state: ProgressState, message: str = "") -> None:
        if on_progress is not None:
            on_progress(Progress(i, total, c.step.id, c.target.cluster, c.target.label(),
                                 state, message))

    for index, change in enumerate(changes, start=1):
        if report.failure is not None:
            _forget_prediction(change)
            change.state = "not_run"
            emit(index, change, "not_run", "not run: an earlier change failed")
            continue
        if change.before is None:
            raise ValueError(f"{change.key}: executed without a snapshot")
        emit(index, change, "running", change.step.kubectl)
        if announce is not None:
            announce(index, change)  # raises: nothing of this change is sent
        _forget_prediction(change)
        mutator = Mutator(api, retry=retrying(retry, partial(emit, index, change, "running")))
        try:
            result = perform_fresh(mutator, change, change.before,
                                   partial(emit, index, change, "running"))
        except (MutationError, StepInputError) as exc:
            change.state = "failed"
            change.error = str(exc)
            report.failure = f"{change.key}: {exc}"
            _note_partial(mutator, change, index, exc)
            emit(index, change, "failed", change.error)
            continue
        change.state = "done"
        change.after = _read_back(mutator, change, result.after)
        change.outcome = result.outcome
        undo = plan_undo(change.step, change.before, change.after, index)
        change.rollback, change.rollback_note = undo.step, undo.note
        emit(index, change, "done", result.outcome)
    return report


def retrying(retry: ThrottleRetry, show: Callable[[str], None],
             prefix: str = "") -> ThrottleRetry:
    """`retry` telling each retry to its own callback (the audit) and then to `show`
    (one progress line)."""
    told = retry.on_retry

    def on_retry(notice: Throttled) -> None:
        if told is not None:
            told(notice)
        show(prefix + notice.line())
    return retry.telling(on_retry)


def _forget_prediction(change: Change) -> None:
    """Drop what the dry run predicted: from here on, `after` and `rollback` are facts."""
    change.after, change.rollback, change.rollback_note = None, None, ""


def perform_fresh(mutator: Mutator, change: Change, snapshot: Snapshot,
                  report: Report | None = None) -> ActionResult:
    """Re-read the target, refuse if it was edited since the snapshot, mutate (or dry-run)
    with the fresh resourceVersion as precondition; retried when only status moved in
    between (a rolling deployment, a node's heartbeat)."""
    conflicts = 0
    while True:
        fresh = capture(mutator, change.target, absent_ok=snapshot.object is None)
        if fresh.state_version != snapshot.state_version:
            raise MutationError(change.target.cluster, 409, f"{change.target.label()} was "
                                f"edited since the snapshot (state {snapshot.state_version} → "
                                f"{fresh.state_version}); not overwritten", "Conflict")
        change.before = fresh
        try:
            return perform(mutator, change.step, fresh, report)
        except MutationError as exc:
            conflicts += 1
            if not exc.conflict or conflicts > CONFLICT_RETRIES:
                raise


def _note_partial(mutator: Mutator, change: Change, index: int, error: Exception) -> None:
    """Read the failed target again and say whether it changed anyway."""
    before = change.before
    if before is None:
        return
    if isinstance(error, MutationError) and error.conflict:
        change.notes.append("not modified: the target changed since the snapshot "
                            "(resourceVersion precondition failed)")
        return
    try:
        now = capture(mutator, change.target, absent_ok=True)
    except MutationError as exc:
        change.notes.append(f"state after the failure unknown ({exc.message})")
        change.rollback_note = ("not in the rollback: its state after the failure is "
                                f"unknown ({exc.message}); check it")
        return
    if now.state_version == before.state_version:
        change.notes.append("unchanged (same state as before)")
        return
    change.notes.append(f"changed anyway: {before.summary()} → {now.summary()}")
    change.after = now.object
    undo = plan_undo(change.step, before, now.object, index)
    change.rollback, change.rollback_note = undo.step, undo.note


def _read_back(mutator: Mutator, change: Change,
               reported: dict[str, Any] | None) -> dict[str, Any] | None:
    """The object as stored after the change (a subresource reply is not the object)."""
    if reported is None:
        return None
    try:
        return mutator.get(change.target)
    except MutationError as exc:
        change.notes.append(f"could not read the result back ({exc.message})")
        return reported
