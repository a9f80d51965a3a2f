"""Who a headless command acts as: the real OS user plus the cluster identity, `--as`.

`--as USER` picks the kubeconfig contexts `USER@CLUSTER` (the cluster then authenticates
USER); without them it is a usage error. It never hides the OS user, and the note it
prints says exactly what is recorded.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from kubechat_tui.cli.common import UsageError

AS_HELP = ("act as USER: requests go through the kubeconfig contexts USER@CLUSTER (one is "
           "needed for every cluster involved); the audit records your OS user and the "
           "identity the cluster reports")


def resolve_actor(fleet: Any, as_user: str | None,
                  clusters: Sequence[str]) -> tuple[Any, Any]:
    """(IdentityRouter, Actor) for the clusters involved (those of the kubeconfig; the
    others fail closed later). UsageError (one line) when `--as` has no context."""
    from kubechat_tui.engine.identity import IdentityError, IdentityRouter, operator_for

    router = IdentityRouter(fleet, as_user, fleet.context_names())
    known = [c for c in dict.fromkeys(clusters) if c in router.clusters]
    try:
        actor = operator_for(router, known, as_user)
    except IdentityError as exc:
        raise UsageError(str(exc)) from None
    if as_user:
        contexts = ", ".join(router.check(known)) or "none"
        seen = (f"the cluster reports you as {actor.kube_identity}" if actor.kube_identity
                else "the cluster did not report an identity")
        print(f"kubechat: note: --as {as_user}: requests go through {contexts}; {seen}; "
              f"the audit records OS user {actor.os_user} with that identity", file=sys.stderr)
    return router, actor


def plan_clusters(plan: Any) -> list[str]:
    """A plan's clusters, sorted (the first one names the Kubernetes identity)."""
    return sorted({c for s in plan.steps for c in s.clusters} | set(plan.scope.clusters))


def who(operator: Any) -> str:
    """`alice (sre-lead)`: OS user and Kubernetes identity."""
    return operator.os_user + (f" ({operator.kube_identity})" if operator.kube_identity else "")
