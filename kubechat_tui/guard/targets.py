"""What a plan's mutations touch right now: resourceVersions (approval binding) and labels.

API::

    facts = observe_targets(fleet, plan)   # blocking; call from a worker
    facts.resource_versions   # {"prod-eu/deployments/payments/payments-api": "1234", ...}
    facts.labels              # {(step_id, cluster): [labels of each object touched]}
    facts.errors              # one line per target that could not be read

Named targets are read with GET; selector steps list the collection with that selector.
A target that does not exist is recorded with resourceVersion "absent".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubechat_tui.domain import RESOURCES, Plan, Step
from kubechat_tui.guard.policy.decision import TargetLabels
from kubechat_tui.guard.rbac import JsonRequester

ABSENT = "absent"
TIMEOUT_SECONDS = 10.0


def target_key(cluster: str, resource: str, namespace: str | None, name: str) -> str:
    """The resource_versions key of one object: `cluster/resource/namespace/name`."""
    return f"{cluster}/{resource}/{namespace or ''}/{name}"


@dataclass
class TargetFacts:
    """resourceVersions and labels of every object the accepted mutating steps touch."""

    resource_versions: dict[str, str] = field(default_factory=dict)
    labels: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def target_labels(self) -> TargetLabels:
        """The labels in the shape `PolicyContext.labels` takes."""
        return self.labels


def observe_targets(fleet: JsonRequester, plan: Plan) -> TargetFacts:
    """Read every target of every accepted mutating step in every cluster."""
    facts = TargetFacts()
    for step in plan.steps:
        if not (step.accepted and step.mutating):
            continue
        for cluster in step.clusters or plan.scope.clusters:
            try:
                _observe(fleet, plan, step, cluster, facts)
            except Exception as exc:  # one unreadable target must not hide the others
                facts.errors.append(f"{cluster}: {step.resource} for step {step.id}: "
                                    f"{' '.join(str(exc).split()) or type(exc).__name__}")
    return facts


def _observe(fleet: JsonRequester, plan: Plan, step: Step, cluster: str,
             facts: TargetFacts) -> None:
    info = RESOURCES.get(step.resource)
    if info is None:
        raise ValueError(f"unknown resource {step.resource}")
    namespace = (step.namespace or plan.scope.namespace) if info.namespaced else None
    if step.name is not None:
        status, doc = fleet.request_json(cluster, "GET", info.object_path(namespace, step.name),
                                         timeout=TIMEOUT_SECONDS)
        key = target_key(cluster, step.resource, namespace, step.name)
        if status == 404:
            facts.resource_versions[key] = ABSENT
            facts.labels[(step.id, cluster)] = []
            return
        _check(status, doc)
        facts.resource_versions[key] = str(doc["metadata"].get("resourceVersion", ""))
        facts.labels[(step.id, cluster)] = [dict(doc["metadata"].get("labels") or {})]
        return
    query = {"labelSelector": step.selector} if step.selector else {}
    status, doc = fleet.request_json(cluster, "GET", info.collection_path(namespace),
                                     query=query, timeout=TIMEOUT_SECONDS)
    _check(status, doc)
    objects = []
    for item in doc.get("items") or []:
        meta = item.get("metadata") or {}
        key = target_key(cluster, step.resource, meta.get("namespace"), meta.get("name", ""))
        facts.resource_versions[key] = str(meta.get("resourceVersion", ""))
        objects.append(dict(meta.get("labels") or {}))
    facts.labels[(step.id, cluster)] = objects


def _check(status: int, doc: dict[str, Any]) -> None:
    if status >= 300:
        message = doc.get("message") if isinstance(doc, dict) else None
        raise RuntimeError(f"HTTP {status}" + (f": {message}" if message else ""))
