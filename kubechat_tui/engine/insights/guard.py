"""Policy for the insights' own reads: the collections a read-policy rule forbids in a
cluster (a rule matching `mutating_only: false, resources: [secrets]` stops the Secret
metadata list too) are not read, and the analyzers that need them say nothing.

The reads are judged as `get` steps of their resources over the run's clusters, exactly as
a plan's read steps are (`engine.diagnostics.guardrails.policy_refusals`).
"""

from __future__ import annotations

from datetime import datetime

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Plan, Scope, Verb
from kubechat_tui.engine.diagnostics.guardrails import policy_refusals
from kubechat_tui.guard.policy import Policy, PolicyContext
from kubechat_tui.planner.render import build_step

# The resource each gathered collection is judged as (EndpointSlices as the endpoints).
RESOURCE_OF = {"events": "events", "nodes": "nodes", "budgets": "poddisruptionbudgets",
               "services": "services", "endpoint_slices": "endpoints", "pods": "pods",
               "pod_metrics": "pods", "replicasets": "replicasets",
               "deployments": "deployments", "configmaps": "configmaps", "secrets": "secrets"}


def refused(policy: Policy, settings: Settings, clusters: list[str], namespace: str | None,
            requester: str, now: datetime) -> set[tuple[str, str]]:
    """(cluster, collection) pairs the policy forbids."""
    resources = sorted(set(RESOURCE_OF.values()))
    steps = tuple(build_step(f"i{i}", Verb.GET, r, namespace=namespace,
                             clusters=tuple(clusters), reason="insight analyzers")
                  for i, r in enumerate(resources, start=1))
    plan = Plan(input="insights", planner="rules",
                scope=Scope(clusters=tuple(clusters), namespace=namespace), steps=steps)
    _, refusals = policy_refusals(policy, plan, PolicyContext(settings=settings, now=now,
                                                               requester=requester))
    by_step = {s.id: s.resource for s in steps}
    stopped = {(cluster, by_step[step]) for step, cluster in refusals}
    return {(cluster, name) for cluster in clusters for name, resource in RESOURCE_OF.items()
            if (cluster, resource) in stopped}
