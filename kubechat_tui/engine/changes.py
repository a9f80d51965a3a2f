"""A `Change` is one mutating step on one object in one cluster: the unit the engine
previews, snapshots, executes, reports and rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from kubechat_tui.domain import Plan, Step, Verb
from kubechat_tui.engine.snapshot import Snapshot, capture
from kubechat_tui.kube.mutations import ApiRequester, Mutator, Target, target
from kubechat_tui.kube.recorder import Request

ChangeState = Literal["pending", "done", "failed", "not_run"]


@dataclass
class Change:
    """One (step, target) pair; filled in stage by stage."""

    step: Step
    target: Target
    before: Snapshot | None = None  # as observed for the dry run (or the snapshot stage)
    after: dict[str, Any] | None = None  # predicted by the dry run, then actual
    outcome: str = ""  # the expected (then actual) result in one line
    diff: str = ""
    rollback: Step | None = None
    rollback_note: str = ""  # what the rollback cannot restore, or why there is none
    state: ChangeState = "pending"
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)  # the request plan, in order

    @property
    def key(self) -> str:
        """`s3@prod-eu/payments/deployments/payments-api`."""
        return f"{self.step.id}@{self.target.label()}"

    def to_json(self) -> dict[str, Any]:
        """The audit/timeline form (no full objects: those go in the snapshot record)."""
        return {
            "step": self.step.id, "verb": self.step.verb.value, "target": self.target.label(),
            "cluster": self.target.cluster, "state": self.state, "outcome": self.outcome,
            "error": self.error, "before": self.before.summary() if self.before else None,
            "resource_version": self.before.resource_version if self.before else None,
            "rollback": self.rollback.kubectl if self.rollback else None,
            "rollback_note": self.rollback_note, "notes": self.notes,
            "requests": [r.line() for r in self.requests],
        }


def mutating_steps(plan: Plan) -> list[Step]:
    """The accepted mutating steps, in plan order."""
    return [s for s in plan.steps if s.accepted and s.mutating]


def resolve_changes(mutator: Mutator, plan: Plan) -> list[Change]:
    """Every (step, target) of the plan; selector steps are listed in each cluster.

    Raises MutationError when a cluster cannot be read, ValueError for a step that names
    neither an object nor a selector (kubechat never mutates a whole collection).
    """
    changes: list[Change] = []
    for step in mutating_steps(plan):
        if not step.clusters:
            raise ValueError(f"step {step.id}: no cluster to run in")
        for cluster in step.clusters:
            for t in targets_of(mutator, step, cluster):
                changes.append(Change(step, t))
    return changes


def targets_of(mutator: Mutator, step: Step, cluster: str) -> list[Target]:
    """The objects a step changes in one cluster (a label or field selector step lists them).

    Raises MutationError when the cluster cannot be read, ValueError for a step that names
    no namespace, no object or selector, or an unknown resource.
    """
    try:
        info = target(cluster, step.resource, step.namespace, "-").info
        if info.namespaced and not step.namespace:
            raise ValueError(f"step {step.id}: {step.verb.value} {step.resource} names no "
                             "namespace; plan it with one (\"in NAMESPACE\" or -n NAMESPACE)")
        if step.name:
            return [target(cluster, step.resource, step.namespace, step.name)]
        fields = step.params.get("field_selector")
        if not step.selector and not fields:
            raise ValueError(f"step {step.id}: {step.verb.value} names no object and no selector")
        items = mutator.list_objects(cluster, info, step.namespace, selector=step.selector,
                                     field_selector=str(fields) if fields else None)
    except KeyError:
        raise ValueError(f"step {step.id}: unknown resource {step.resource!r}") from None
    return [target(cluster, step.resource, (i.get("metadata") or {}).get("namespace"),
                   str((i.get("metadata") or {}).get("name"))) for i in items]


def observe(mutator: Mutator, changes: list[Change]) -> None:
    """Read each target's current state into `before` (apply may target an absent object)."""
    for change in changes:
        change.before = capture(mutator, change.target, absent_ok=change.step.verb is Verb.APPLY)


def observed_labels(changes: list[Change]) -> dict[tuple[str, str], list[dict[str, str]]]:
    """(step id, cluster) -> the labels of every observed target (for label policy rules)."""
    labels: dict[tuple[str, str], list[dict[str, str]]] = {}
    for change in changes:
        obj = change.before.object if change.before else None
        found = dict(((obj or {}).get("metadata") or {}).get("labels") or {})
        labels.setdefault((change.step.id, change.target.cluster), []).append(found)
    return labels


def resource_versions(changes: list[Change]) -> dict[str, str]:
    """`cluster/resource/namespace/name` -> the observed state version (what an approval
    is bound to; the key is `engine.approvals.target_key`'s). The state version moves on
    every edit of the object but not on status updates, so an approval survives a rolling
    deployment's status churn and is voided by any real change."""
    return {f"{c.target.cluster}/{c.target.info.plural}/{c.target.namespace or ''}/"
            f"{c.target.name}": c.before.state_version if c.before else ""
            for c in changes}


def with_counts(plan: Plan, changes: list[Change]) -> Plan:
    """The plan with each mutating step's `affected` set to the objects actually resolved
    where the scorer could not count them (selector steps without a live view)."""
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.step.id] = counts.get(change.step.id, 0) + 1
    return plan.model_copy(update={"steps": tuple(
        s.model_copy(update={"affected": counts.get(s.id, 0)})
        if s.mutating and s.accepted and s.affected is None else s for s in plan.steps)})


def observe_state_versions(api: ApiRequester, plan: Plan) -> dict[str, str]:
    """The state versions an approval of `plan` is bound to, read now (blocking).

    Raises MutationError when a cluster cannot be read, ValueError for a bad step.
    """
    mutator = Mutator(api)
    changes = resolve_changes(mutator, plan)
    observe(mutator, changes)
    return resource_versions(changes)
