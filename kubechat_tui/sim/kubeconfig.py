"""Write a kubeconfig shaped like the ones real users have.

Per cluster: the admin context named like the cluster (listed first, so it serves the
cluster by default); `viewer@`, `operator@` and `lead@` contexts (several contexts for one
cluster, named `user@cluster`); `dev@CLUSTER`, a user bound to `edit` in namespace
`payments` only, whose context sets that namespace; and a cloud-style entry (an EKS ARN
naming both a second cluster entry for the same server and its context), as
`aws eks update-kubeconfig` writes them, with the admin's credentials.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import yaml

CONTEXT_IDENTITIES = ("admin", "viewer", "operator", "lead", "dev")
NAMESPACED = {"dev": "payments"}  # identity -> the namespace its context sets
CLOUD_ACCOUNT = "arn:aws:eks:eu-west-1:123456789012:cluster"


def context_name(cluster: str, identity: str) -> str:
    """`prod-eu` for admin, `viewer@prod-eu` otherwise."""
    return cluster if identity == "admin" else f"{identity}@{cluster}"


def cloud_name(cluster: str) -> str:
    """The EKS-style name of a cluster's second entry and its context."""
    return f"{CLOUD_ACCOUNT}/{cluster}"


def render(clusters: list[str], url: Callable[[str], str], token: Callable[[str, str], str],
           current: str, ca_pem: bytes) -> dict[str, object]:
    """The kubeconfig document."""
    ca = base64.b64encode(ca_pem).decode()
    entries, users, contexts = [], [], []
    for cluster in clusters:
        entries.append({"name": cluster, "cluster": {
            "certificate-authority-data": ca, "server": url(cluster)}})
        for identity in CONTEXT_IDENTITIES:
            user = f"{identity}@{cluster}"
            users.append({"name": user, "user": {"token": token(cluster, identity)}})
            body = {"cluster": cluster, "user": user}
            if identity in NAMESPACED:
                body["namespace"] = NAMESPACED[identity]
            contexts.append({"name": context_name(cluster, identity), "context": body})
    for cluster in clusters:
        long = cloud_name(cluster)
        entries.append({"name": long, "cluster": {
            "certificate-authority-data": ca, "server": url(cluster)}})
        users.append({"name": long, "user": {"token": token(cluster, "admin")}})
        contexts.append({"name": long, "context": {"cluster": long, "user": long}})
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": entries,
        "users": users,
        "contexts": contexts,
        "current-context": current,
    }


def write(path: str | Path, document: dict[str, object]) -> Path:
    """Write with owner-only permissions (it holds tokens)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(document, sort_keys=False))
    target.chmod(0o600)
    return target
