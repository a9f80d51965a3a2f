"""Kubeconfigs shaped like real users' ones, pointing at a running simulator.

    kubeconfig(sim, path, [Ctx("sre@prod", "prod-eu", "admin", entry="prod")],
               current="sre@prod")

Each context gets its own user entry (named `<context>-user`, the simulator's token for
that identity on that cluster) and names a cluster entry (`entry`, default the
simulator's cluster name) whose server is that cluster's URL. Entries named alike are
written once.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import yaml

from kubechat_tui.sim import SimServer


@dataclass(frozen=True)
class Ctx:
    """One context: its name, the simulator cluster, the identity, the cluster entry name
    and the namespace it sets."""

    name: str
    cluster: str
    identity: str = "admin"
    entry: str | None = None
    namespace: str | None = None


def kubeconfig(sim: SimServer, path: Path, contexts: list[Ctx],
               current: str | None = None) -> Path:
    """Write the kubeconfig (owner-only) and return its path."""
    ca = base64.b64encode(sim.ca_pem).decode()
    clusters: dict[str, dict[str, object]] = {}
    users, entries = [], []
    for ctx in contexts:
        entry = ctx.entry or ctx.cluster
        clusters.setdefault(entry, {"name": entry, "cluster": {
            "server": sim.cluster_url(ctx.cluster), "certificate-authority-data": ca}})
        users.append({"name": f"{ctx.name}-user",
                      "user": {"token": sim.token(ctx.cluster, ctx.identity)}})
        body: dict[str, object] = {"cluster": entry, "user": f"{ctx.name}-user"}
        if ctx.namespace:
            body["namespace"] = ctx.namespace
        entries.append({"name": ctx.name, "context": body})
    document = {"apiVersion": "v1", "kind": "Config", "clusters": list(clusters.values()),
                "users": users, "contexts": entries,
                "current-context": current or contexts[0].name}
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    path.chmod(0o600)
    return path
