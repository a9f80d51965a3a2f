"""Who is acting: the real OS user plus the Kubernetes identity each cluster reports.

A person is the OS user (the process's effective user, not `$USER`, which anyone can set)
together with who the clusters say they are: a SelfSubjectReview through the very context
the requests go through, on every cluster involved. Nothing is inferred from a context's
name. `--as USER` never replaces the OS user: it only picks the contexts acting as USER
(`kube.topology.Topology.contexts_for_user`), so the cluster itself authenticates USER.

    api = fleet.via(contexts)                       # or the fleet itself
    actor = operator_for(api, clusters, as_user)    # SelfSubjectReview on each cluster
    why = conflict(approver, requester, demo=False)  # None when they are distinct people
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from kubechat_tui.guard.rbac import JsonRequester, whoami
from kubechat_tui.store.audit_model import Operator

UNKNOWN = "<your identity>"  # what `whoami` answers when the cluster does not say
REVIEW_WORKERS = 8  # clusters asked at once


class IdentityError(ValueError):
    """An identity cannot be established (no context, no answer); one line."""


@dataclass(frozen=True)
class Actor(Operator):
    """An Operator with `--as USER` and the identity each cluster reported (cluster -> user).

    `kube_identity` is the identity on the first cluster (what records show by default);
    `identities` is what the approval rules compare, cluster by cluster."""

    acting_as: str | None = None
    identities: Mapping[str, str] = field(default_factory=dict, compare=False)


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


def cluster_identities(api: JsonRequester, clusters: Sequence[str]) -> dict[str, str]:
    """cluster -> the username its SelfSubjectReview reports through `api` (clusters
    that do not answer are left out)."""
    unique = list(dict.fromkeys(clusters))
    if not unique:
        return {}
    with ThreadPoolExecutor(max_workers=min(REVIEW_WORKERS, len(unique))) as pool:
        answers = list(pool.map(lambda c: whoami(api, c), unique))
    return {c: who for c, who in zip(unique, answers, strict=True) if who != UNKNOWN}


def operator_for(api: JsonRequester, clusters: Sequence[str],
                 as_user: str | None = None) -> Actor:
    """The person acting: the real OS user and the identity each cluster reports."""
    identities = cluster_identities(api, clusters)
    first = next((identities[c] for c in clusters if c in identities), None)
    return Actor(real_os_user(), first, as_user or None, identities)


def identities_of(operator: Operator) -> Mapping[str, str]:
    """cluster -> identity of an operator (empty for a plain Operator)."""
    return getattr(operator, "identities", None) or {}


def acting_as(operator: Operator) -> str | None:
    """The `--as USER` an operator acted as, if any."""
    return getattr(operator, "acting_as", None)


def same_person(a: Operator, b: Operator) -> bool:
    """True when two operators are one person: same OS user and same Kubernetes identity
    (who may use a request: only its requester executes it)."""
    return a.os_user == b.os_user and a.kube_identity == b.kube_identity


def shared_identity(a: Mapping[str, str], b: Mapping[str, str]) -> str | None:
    """`sre-lead on prod-eu` when two people are one identity on a cluster, else None."""
    for cluster in sorted(set(a) & set(b)):
        if a[cluster] == b[cluster]:
            return f"{a[cluster]} on {cluster}"
    return None


def conflict(approver: Operator, other: Operator, *, demo: bool,
             approver_ids: Mapping[str, str] | None = None,
             other_ids: Mapping[str, str] | None = None) -> str | None:
    """Why `approver` may not count as a second person next to `other` (None: distinct).

    The Kubernetes identities must differ on every cluster both are known on (and the
    headline identities, when no per-cluster ones are known); so must the OS users,
    except in the demo, where one person plays both roles on one machine and only the
    cluster identities tell them apart (unknown identities then prove nothing)."""
    shared = shared_identity(approver_ids or {}, other_ids or {})
    if shared is not None:
        return f"the same Kubernetes identity ({shared})"
    if approver.kube_identity and approver.kube_identity == other.kube_identity:
        return f"the same Kubernetes identity ({approver.kube_identity})"
    if approver.os_user == other.os_user:
        if not demo:
            return f"the same OS user ({approver.os_user})"
        if not (approver.kube_identity and other.kube_identity):
            return (f"the same OS user ({approver.os_user}) and no Kubernetes identity "
                    "to tell them apart")
    return None


def person_key(operator: Operator) -> tuple[str, str | None]:
    """What makes two approvals one person's when re-counting stored decisions."""
    return operator.os_user, operator.kube_identity
