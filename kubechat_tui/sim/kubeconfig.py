"""Write a kubeconfig with one context per cluster and identity."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import yaml

CONTEXT_IDENTITIES = ("admin", "viewer", "operator", "lead")


def context_name(cluster: str, identity: str) -> str:
    """`prod-eu` for admin, `viewer@prod-eu` otherwise."""
    return cluster if identity == "admin" else f"{identity}@{cluster}"


def render(clusters: list[str], url: Callable[[str], str], token: Callable[[str, str], str],
           current: str, ca_pem: bytes) -> dict[str, object]:
    """The kubeconfig document."""
    users, contexts = [], []
    for cluster in clusters:
        for identity in CONTEXT_IDENTITIES:
            user = f"{identity}@{cluster}"
            users.append({"name": user, "user": {"token": token(cluster, identity)}})
            contexts.append({"name": context_name(cluster, identity),
                             "context": {"cluster": cluster, "user": user}})
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": c, "cluster": {
            "certificate-authority-data": base64.b64encode(ca_pem).decode(), "server": url(c)}}
            for c in clusters],
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
