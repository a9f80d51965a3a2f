"""Write a kubeconfig shaped like the ones real users have.

Per cluster: the admin context named like the cluster (listed first, so it serves the
cluster by default); `viewer@`, `operator@` and `lead@` contexts (several contexts for one
cluster, named `user@cluster`); `dev@CLUSTER`, a user bound to `edit` in namespace
`payments` only, whose context sets that namespace; a cloud-style entry (an EKS ARN
naming both a second cluster entry for the same server and its context), as
`aws eks update-kubeconfig` writes them, with the admin's credentials; and the other ways
credentials come: `file@` (a `tokenFile` with a trailing newline, as the operator), `sso@`
(an exec credential plugin, `interactiveMode: Never`, as the viewer) and `cert@` (a
client certificate for CN `dev`, namespace `payments`).
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

CONTEXT_IDENTITIES = ("admin", "viewer", "operator", "lead", "dev")
NAMESPACED = {"dev": "payments"}  # identity -> the namespace its context sets
CLOUD_ACCOUNT = "arn:aws:eks:eu-west-1:123456789012:cluster"


PLUGIN = """import json, os, sys
json.dump({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
           "status": {"token": os.environ["SIM_TOKEN"]}}, sys.stdout)
"""


@dataclass(frozen=True)
class Credentials:
    """Where the other credential shapes come from (files written beside the kubeconfig)."""

    token_file: Callable[[str], str]  # cluster -> path of a file holding the operator token
    plugin: str  # path of the exec plugin script
    certificate: Callable[[str], tuple[bytes, bytes]]  # cluster -> (cert PEM, key PEM)


def context_name(cluster: str, identity: str) -> str:
    """`prod-eu` for admin, `viewer@prod-eu` otherwise."""
    return cluster if identity == "admin" else f"{identity}@{cluster}"


def cloud_name(cluster: str) -> str:
    """The EKS-style name of a cluster's second entry and its context."""
    return f"{CLOUD_ACCOUNT}/{cluster}"


def render(clusters: list[str], url: Callable[[str], str], token: Callable[[str, str], str],
           current: str, ca_pem: bytes,
           credentials: Credentials | None = None) -> dict[str, object]:
    """The kubeconfig document."""
    ca = base64.b64encode(ca_pem).decode()
    entries: list[dict[str, object]] = []
    users: list[dict[str, object]] = []
    contexts: list[dict[str, object]] = []
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
    if credentials is not None:
        for cluster in clusters:
            extra = _credential_users(cluster, token, credentials)
            users += extra
            for entry in extra:
                name = str(entry["name"])
                shape = {"cluster": cluster, "user": name}
                if name.startswith("cert@"):
                    shape["namespace"] = "payments"
                contexts.append({"name": name, "context": shape})
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": entries,
        "users": users,
        "contexts": contexts,
        "current-context": current,
    }


def _credential_users(cluster: str, token: Callable[[str, str], str],
                      credentials: Credentials) -> list[dict[str, object]]:
    cert, key = credentials.certificate(cluster)
    return [
        {"name": f"file@{cluster}", "user": {"tokenFile": credentials.token_file(cluster)}},
        {"name": f"sso@{cluster}", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1", "command": sys.executable,
            "args": [credentials.plugin], "interactiveMode": "Never",
            "env": [{"name": "SIM_TOKEN", "value": token(cluster, "viewer")}]}}},
        {"name": f"cert@{cluster}", "user": {
            "client-certificate-data": base64.b64encode(cert).decode(),
            "client-key-data": base64.b64encode(key).decode()}},
    ]


def write(path: str | Path, document: dict[str, object]) -> Path:
    """Write with owner-only permissions (it holds tokens)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(document, sort_keys=False))
    target.chmod(0o600)
    return target
