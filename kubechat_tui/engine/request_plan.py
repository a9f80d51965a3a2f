"""The request plan: every HTTP request a plan's changes will send, read off the executor.

    read = read_targets(fleet, plan)    # blocking; nothing is written
    read.changes     # a Change per (step, object), with `before` and its `requests`
    read.requests    # (step id, Request), in order: what the RBAC pre-flight reviews
    read.plan        # the plan with what the live objects settled (set image's container)

Targets are resolved (a selector step lists its collection), read, and each change is run
through `engine.actions.perform` over a `kube.recorder.RequestRecorder`: its reads reach
the cluster (a drain's pod list, an undo's ReplicaSets), its writes are recorded, not
sent. The real run and the dry run execute the same code, so they send these requests
(the dry run with `dryRun=All`). A read the cluster refuses with 403 is kept in the plan
and noted in `forbidden`: the RBAC review of that very request then says what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kubechat_tui.domain import Plan, Step, Verb
from kubechat_tui.engine.actions import StepInputError, perform
from kubechat_tui.engine.changes import Change, mutating_steps, targets_of
from kubechat_tui.engine.settle import settle_containers
from kubechat_tui.engine.snapshot import capture
from kubechat_tui.kube.mutations import ApiRequester, MutationError, Mutator
from kubechat_tui.kube.recorder import Request, RequestRecorder


class RequestPlanError(Exception):
    """The requests cannot be built: an unreadable target, a bad parameter, a refusal."""


@dataclass
class TargetRead:
    """What reading the targets found, and the requests the changes will send."""

    plan: Plan
    changes: list[Change] = field(default_factory=list)
    requests: list[tuple[str, Request]] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # cluster -> its first failure


def read_targets(api: ApiRequester, plan: Plan) -> TargetRead:
    """Resolve, read and record every change of the plan (RequestPlanError, one line)."""
    recorder = RequestRecorder(api)
    mutator = Mutator(recorder, recording=True)
    read = TargetRead(plan)
    for step in mutating_steps(plan):
        if not step.clusters:
            raise RequestPlanError(f"step {step.id}: no cluster to run in")
        for cluster in step.clusters:
            if cluster not in read.unreadable:
                _resolve(mutator, recorder, read, step, cluster)
    if read.unreadable:  # one line per cluster that could not be read, every one named
        raise RequestPlanError("cannot read the targets: " + "; ".join(read.unreadable.values()))
    try:
        read.plan = settle_containers(plan, read.changes)
    except StepInputError as exc:
        raise RequestPlanError(str(exc)) from None
    for change in read.changes:
        _record(mutator, recorder, read, change)
    return read


def _resolve(mutator: Mutator, recorder: RequestRecorder, read: TargetRead, step: Step,
             cluster: str) -> None:
    """The step's targets in one cluster, each read into a Change."""
    start = len(recorder.requests)
    try:
        targets = targets_of(mutator, step, cluster)
    except MutationError as exc:
        _keep(read, step.id, recorder.since(start), exc)
        return
    except ValueError as exc:
        raise RequestPlanError(str(exc)) from None
    read.requests += [(step.id, r) for r in recorder.since(start)]
    for t in targets:
        first = len(recorder.requests)
        change = Change(step, t)
        try:
            change.before = capture(mutator, t, absent_ok=step.verb is Verb.APPLY)
        except MutationError as exc:
            _keep(read, step.id, recorder.since(first), exc)
            continue
        change.requests = recorder.since(first)
        read.changes.append(change)


def _record(mutator: Mutator, recorder: RequestRecorder, read: TargetRead,
            change: Change) -> None:
    """Run the change's step over the recorder: its reads go out, its writes are kept."""
    if change.before is None:
        return
    start = len(recorder.requests)
    try:
        perform(mutator, change.step, change.before)
    except MutationError as exc:
        if exc.status != 403:
            raise RequestPlanError(f"{change.key}: {exc}") from None
        read.forbidden.append(f"{change.key}: {exc}")
    except StepInputError as exc:
        raise RequestPlanError(f"{change.key}: {exc}") from None
    change.requests += recorder.since(start)
    read.requests += [(change.step.id, r) for r in change.requests]


def _keep(read: TargetRead, step_id: str, made: list[Request], exc: MutationError) -> None:
    """A refused read: kept for the RBAC review when forbidden, else its cluster is noted
    as unreadable (the run stops once every cluster was tried)."""
    if exc.status != 403:
        read.unreadable.setdefault(exc.cluster, str(exc))
        return
    read.forbidden.append(f"step {step_id}: {exc}")
    read.requests += [(step_id, r) for r in made]
