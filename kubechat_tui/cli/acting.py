"""Who a headless command acts as: the real OS user plus each cluster's identity, `--as`.

Requests go through the context serving each cluster (`--context` chooses them). `--as
USER` instead picks, per cluster, the context acting as USER (`Topology.contexts_for_user`);
without one it is a usage error. It never hides the OS user, and the note it prints says
exactly what is recorded.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from kubechat_tui.cli.common import UsageError

AS_HELP = ("act as USER: each cluster's requests go through the kubeconfig context whose "
           "user is USER (or named USER@...), one is needed for every cluster involved; the "
           "audit records your OS user and the identity each cluster reports")


def resolve_actor(fleet: Any, as_user: str | None, clusters: Sequence[str],
                  planned: Mapping[str, str] | None = None) -> tuple[Any, Any]:
    """(requester, Actor): who the clusters say is acting, and the requester its requests
    go through: with `--as`, USER's contexts; else the contexts a plan names (`planned`:
    cluster -> context, the identity it was made for); else each cluster's serving context.
    UsageError (one line) when `--as` or the plan names no usable context. Clusters outside
    the session are left out here (the engine refuses a plan naming one, and audits that)."""
    from kubechat_tui.engine.identity import operator_for
    from kubechat_tui.kube.errors import KubeconfigError

    routes = fleet.routes()
    wanted = [c for c in dict.fromkeys(clusters) if c in routes]
    api = fleet
    try:
        if as_user:
            api = fleet.via(fleet.topology.contexts_for_user(as_user, wanted))
        elif planned and any(planned.get(c, routes[c]) != routes[c] for c in wanted):
            api = fleet.via({c: planned.get(c, routes[c]) for c in wanted})
    except KubeconfigError as exc:
        raise UsageError(f"{exc} (the plan names it; use --context to run it through "
                         "another)" if planned and not as_user else str(exc)) from None
    actor = operator_for(api, wanted, as_user)
    if as_user:
        contexts = ", ".join(api.routes().values()) or "none"
        seen = (f"the clusters report you as {describe_identities(actor.identities)}"
                if actor.identities else "no cluster reported an identity")
        print(f"kubechat: note: --as {as_user}: requests go through {contexts}; {seen}; "
              f"the audit records OS user {actor.os_user} with that identity", file=sys.stderr)
    return api, actor


def describe_identities(identities: Any) -> str:
    """`sre-lead on prod-eu, prod-us` or `sre-lead on prod-eu; lead on staging`."""
    by_user: dict[str, list[str]] = {}
    for cluster, user in identities.items():
        by_user.setdefault(user, []).append(cluster)
    return "; ".join(f"{user} on {', '.join(cs)}" for user, cs in by_user.items())


def plan_clusters(plan: Any) -> list[str]:
    """The clusters a plan runs in, plan order (the first names the headline identity)."""
    return list(plan.clusters())
