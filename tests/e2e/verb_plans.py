"""One-step plans for each mutating verb, an open policy, and reads of the simulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kubechat_tui.domain import ParamValue, Plan, Scope, Verb
from kubechat_tui.guard.policy import Policy, load_policy
from kubechat_tui.planner.render import build_step
from tests.e2e.conftest import World

OPEN_POLICY = """version: 1
rules:
  - id: SYS-001
    kind: protected_namespaces
    namespaces: [kube-system]
"""
DEPLOY = "/apis/apps/v1/namespaces/payments/deployments/payments-api"


def open_policy(tmp_path: Path) -> Policy:
    """A policy that needs no approvals (verb mechanics only)."""
    path = tmp_path / "open.yaml"
    path.write_text(OPEN_POLICY)
    return load_policy(path)


def one_step(verb: Verb, resource: str, name: str | None, namespace: str | None = "payments",
             cluster: str = "staging", selector: str | None = None,
             **params: ParamValue) -> Plan:
    """A plan of one step on one cluster."""
    step = build_step("s1", verb, resource, namespace=namespace, name=name, selector=selector,
                      clusters=(cluster,), params=dict(params))
    return Plan(input=f"{verb.value} {name or selector}", planner="rules",
                scope=Scope(clusters=(cluster,)), steps=(step,))


def get(world: World, path: str, cluster: str = "staging") -> dict[str, Any]:
    """An object read as admin (200 asserted)."""
    status, doc = world.fleet.request_json(cluster, "GET", path)
    assert status == 200, doc
    return doc


def node_pods(world: World, node: str, cluster: str = "staging") -> list[dict[str, Any]]:
    """Every pod bound to the node (terminating ones included)."""
    return [p for p in get(world, "/api/v1/pods", cluster)["items"]
            if p["spec"].get("nodeName") == node]
