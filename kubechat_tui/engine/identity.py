"""Acting as another identity (`--as USER`): who the audit and approvals name, and which
kubeconfig context each cluster is reached through.

When the kubeconfig has a context named `USER@CLUSTER` (the demo and test fleets do, for
admin/viewer/operator/lead), requests for CLUSTER go through it, so the cluster itself
sees USER. Otherwise the cluster sees whatever the kubeconfig's context authenticates as.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubechat_tui.guard.rbac import whoami
from kubechat_tui.kube.mutations import ApiRequester
from kubechat_tui.store.audit_model import Operator


class IdentityRouter:
    """An ApiRequester that sends CLUSTER's requests through context `USER@CLUSTER`.

    `contexts` are every kubeconfig context (`Fleet.context_names()`, identity variants
    included); without a `USER@CLUSTER` context the cluster's own context is used.
    """

    def __init__(self, fleet: ApiRequester, user: str | None, contexts: Sequence[str]) -> None:
        self.fleet = fleet
        self.user = user
        self.contexts = set(contexts)

    def cluster_names(self) -> list[str]:
        """The clusters reachable (context names without an identity prefix)."""
        return sorted({name.rpartition("@")[2] for name in self.contexts})

    def context(self, cluster: str) -> str:
        """The context used for a cluster."""
        if self.user:
            candidate = f"{self.user}@{cluster}"
            if candidate in self.contexts:
                return candidate
        return cluster

    def request_json(self, cluster: str, method: str, path: str, *,
                     query: dict[str, Any] | None = None, body: object | None = None,
                     content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, Any]]:
        """`Fleet.request_json` through the identity's context."""
        return self.fleet.request_json(self.context(cluster), method, path, query=query,
                                       body=body, content_type=content_type, timeout=timeout)


def operator_for(api: ApiRequester, clusters: Sequence[str], as_user: str | None) -> Operator:
    """The operator: OS user (or `--as USER`) plus the Kubernetes identity the first
    cluster reports (SelfSubjectReview)."""
    kube_identity = whoami(api, clusters[0]) if clusters else None
    if kube_identity == "<your identity>":
        kube_identity = None
    if as_user:
        return Operator(as_user, kube_identity)
    return Operator.current(kube_identity)
