"""Kubeconfigs with other kinds of users for the simulated fleet, and tiny exec plugins
(Python scripts written by the test) that print an ExecCredential, fail or hang."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from kubechat_tui.config.settings import KubeSettings, Settings
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.sim import SimServer

V1 = "client.authentication.k8s.io/v1"
V1BETA1 = "client.authentication.k8s.io/v1beta1"
SSR = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
SSR_BODY = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}

# Prints an ExecCredential whose token is the first line of the file in argv[1]; counts
# its runs in argv[1] + ".runs"; an optional argv[2] is the expirationTimestamp.
TOKEN_PLUGIN = """
import json, sys
path = sys.argv[1]
with open(path + ".runs", "a") as runs:
    runs.write("run\\n")
status = {"token": open(path).read().strip()}
if len(sys.argv) > 2:
    status["expirationTimestamp"] = sys.argv[2]
json.dump({"apiVersion": "%s", "kind": "ExecCredential", "status": status}, sys.stdout)
"""


def kubeconfig_with(sim: SimServer, path: Path, users: Mapping[str, dict[str, Any]],
                    clusters: Mapping[str, dict[str, Any]] | None = None) -> Path:
    """The simulator's kubeconfig with the named users' (and clusters') sections replaced."""
    written = sim.write_kubeconfig(path)
    doc = yaml.safe_load(written.read_text())
    for entry in doc["users"]:
        entry["user"] = users.get(entry["name"], entry["user"])
    for entry in doc["clusters"]:
        entry["cluster"] = {**entry["cluster"], **(clusters or {}).get(entry["name"], {})}
    written.write_text(yaml.safe_dump(doc))
    return written


def plugin(folder: Path, name: str, source: str) -> str:
    """An executable Python script `name` in `folder` (the plugin's command)."""
    script = folder / name
    script.write_text(f"#!{sys.executable}\n{source}")
    script.chmod(0o755)
    return str(script)


def token_plugin(folder: Path, version: str = V1) -> str:
    """A plugin printing the token of the file given as its first argument."""
    return plugin(folder, "fake-sso", TOKEN_PLUGIN % version)


def exec_user(command: str, *args: str, mode: str | None = "Never", version: str = V1,
              **extra: Any) -> dict[str, Any]:
    """A kubeconfig user section with an exec plugin."""
    section: dict[str, Any] = {"apiVersion": version, "command": command, "args": list(args),
                               **extra}
    if mode is not None:
        section["interactiveMode"] = mode
    return {"exec": section}


def open_fleet(path: Path, *contexts: str, **kube: Any) -> Fleet:
    """A fleet of `contexts` (none: all) on `path`, with `kube.*` settings."""
    settings = Settings(kube=KubeSettings(**kube))
    return Fleet.from_kubeconfig(settings, str(path), list(contexts))


def whoami(fleet: Fleet, cluster: str = "prod-eu") -> tuple[int, dict[str, Any]]:
    """(status, SelfSubjectReview answer or Status) through the fleet."""
    return fleet.request_json(cluster, "POST", SSR, body=SSR_BODY)
