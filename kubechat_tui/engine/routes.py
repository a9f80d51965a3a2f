"""Which context runs which cluster of a plan: the plan's word, checked against the session.

A plan names, per cluster, the kubeconfig context whose credentials run it
(`Scope.contexts`): it is part of what is shown, approved and digested. Before anything
runs, the session must reach every cluster of the plan, through that same context.
"""

from __future__ import annotations

from collections.abc import Mapping

from kubechat_tui.domain import Plan
from kubechat_tui.engine.canonical import PlanInputError


def bind_routes(plan: Plan, routes: Mapping[str, str] | None) -> Plan:
    """The plan with `scope.contexts` naming the session's context for each of its
    clusters. PlanInputError (one line) when a cluster is not in the session or the plan
    was made for another context. `routes` None (no routing known) leaves it as it is."""
    if routes is None:
        return plan
    chosen: dict[str, str] = {}
    for cluster in plan.clusters():
        if cluster not in routes:
            have = ", ".join(sorted(routes)[:8]) or "none"
            raise PlanInputError(f"cluster {cluster!r} is not in this session (clusters: "
                                 f"{have}); add a --context that reaches it")
        claimed = plan.scope.contexts.get(cluster)
        if claimed is not None and claimed != routes[cluster]:
            raise PlanInputError(
                f"the plan runs on cluster {cluster!r} through context {claimed!r}, but this "
                f"session reaches it through {routes[cluster]!r}: re-plan, or run with "
                f"--context {claimed}")
        chosen[cluster] = routes[cluster]
    if chosen == plan.scope.contexts:
        return plan
    return plan.model_copy(update={"scope": plan.scope.model_copy(update={"contexts": chosen})})
