"""Who is acting: the real OS user plus the Kubernetes identity the cluster reports, and
which kubeconfig context each cluster is reached through (`--as USER`).

A person is the pair (OS user, Kubernetes identity). The OS user is the process's
effective user (not `$USER`, which anyone can set); the Kubernetes identity is what a
SelfSubjectReview returns through the context actually used. `--as USER` never replaces
the OS user: it only picks the kubeconfig contexts `USER@CLUSTER`, so the cluster itself
authenticates USER, and it is refused (`IdentityError`) when such a context is missing.

    router = IdentityRouter(fleet, as_user, fleet.context_names())
    actor = operator_for(router, clusters, as_user)   # IdentityError for a bad --as
    why = conflict(approver, requester, demo=False)   # None when they are distinct people
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kubechat_tui.guard.rbac import whoami
from kubechat_tui.kube.fleet import default_clusters
from kubechat_tui.kube.mutations import ApiRequester
from kubechat_tui.store.audit_model import Operator

UNKNOWN = "<your identity>"  # what `whoami` answers when the cluster does not say


class IdentityError(ValueError):
    """`--as` cannot be honoured, or a cluster is not one of the kubeconfig's; one line."""


@dataclass(frozen=True)
class Actor(Operator):
    """An Operator that also remembers `--as USER` (written into audit payloads)."""

    acting_as: str | None = None


def real_os_user() -> str:
    """The effective OS user of this process (from the uid, not the environment)."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError, AttributeError):  # no pwd (Windows) or no passwd entry
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"


class IdentityRouter:
    """An ApiRequester that sends CLUSTER's requests through context `USER@CLUSTER`.

    `contexts` are every kubeconfig context (`Fleet.context_names()`, identity variants
    included). Only real clusters are routed (never an identity variant named as a
    cluster, which would switch identity behind the user's back); with a user, the
    `USER@CLUSTER` context must exist. Anything else answers status 0 (like an
    unreachable cluster), so every check fails closed.
    """

    def __init__(self, fleet: ApiRequester, user: str | None, contexts: Sequence[str]) -> None:
        self.fleet = fleet
        self.user = user
        self.contexts = set(contexts)
        self.clusters = set(default_clusters(list(contexts)))

    def cluster_names(self) -> list[str]:
        """The clusters reachable (contexts that are not identity variants)."""
        return sorted(self.clusters)

    def context(self, cluster: str) -> str:
        """The context used for a cluster; IdentityError when there is none."""
        if cluster not in self.clusters:
            raise IdentityError(f"{cluster!r} is not a cluster of the kubeconfig")
        if not self.user:
            return cluster
        candidate = f"{self.user}@{cluster}"
        if candidate not in self.contexts:
            raise IdentityError(
                f"--as {self.user}: the kubeconfig has no context {candidate!r}; --as needs "
                "a USER@CLUSTER context for every cluster involved, so that the cluster "
                "itself authenticates USER")
        return candidate

    def check(self, clusters: Sequence[str]) -> list[str]:
        """The contexts for these clusters; IdentityError for the first one missing."""
        return [self.context(c) for c in clusters]

    def request_json(self, cluster: str, method: str, path: str, *,
                     query: dict[str, Any] | None = None, body: object | None = None,
                     content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, Any]]:
        """`Fleet.request_json` through the identity's context (status 0 when none)."""
        try:
            context = self.context(cluster)
        except IdentityError as exc:
            return 0, {"kind": "Status", "status": "Failure", "message": str(exc)}
        return self.fleet.request_json(context, method, path, query=query, body=body,
                                       content_type=content_type, timeout=timeout)


def operator_for(api: IdentityRouter, clusters: Sequence[str], as_user: str | None) -> Actor:
    """The person acting: the real OS user, the Kubernetes identity the first cluster
    reports through the context in use (SelfSubjectReview), and `--as USER` when given.
    With `as_user`, every cluster needs a `USER@CLUSTER` context (IdentityError)."""
    if as_user:
        api.check(clusters)
    known = [c for c in clusters if c in api.clusters]
    kube_identity = whoami(api, known[0]) if known else None
    if kube_identity == UNKNOWN:
        kube_identity = None
    return Actor(real_os_user(), kube_identity, as_user or None)


def acting_as(operator: Operator) -> str | None:
    """The `--as USER` an operator acted as, if any."""
    return getattr(operator, "acting_as", None)


def same_person(a: Operator, b: Operator) -> bool:
    """True when two operators are one person: same OS user and same Kubernetes identity
    (who may use a request: only its requester executes it)."""
    return a.os_user == b.os_user and a.kube_identity == b.kube_identity


def conflict(approver: Operator, other: Operator, *, demo: bool) -> str | None:
    """Why `approver` may not count as a second person next to `other` (None: distinct).

    The Kubernetes identities must differ; so must the OS users, except in the demo, where
    one person plays both roles on one machine and only the cluster identity tells them
    apart (an unknown identity then proves nothing, and the OS users must differ)."""
    if approver.kube_identity and approver.kube_identity == other.kube_identity:
        return f"the same Kubernetes identity ({approver.kube_identity})"
    if approver.os_user == other.os_user:
        if not demo:
            return f"the same OS user ({approver.os_user})"
        if not (approver.kube_identity and other.kube_identity):
            return (f"the same OS user ({approver.os_user}) and no Kubernetes identity "
                    "to tell them apart")
    return None


def counts_apart(approver: Operator, other: Operator) -> bool:
    """The weakest distinctness (the demo's), used when re-counting stored approvals:
    `approve` already applied the full rule before it stored a decision."""
    return conflict(approver, other, demo=True) is None
