"""Issue 11.8, what is checked is what runs: for every mutating verb, each request the real
run sent to the simulator (its request journal) was reviewed by the RBAC pre-flight with
the same verb, group, resource, subresource, namespace and name, and each write of the
execution and of the dry run is one the request plan (the preview) listed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import yaml

from kubechat_tui.domain import Plan, Verb
from kubechat_tui.engine.run_state import RunOptions, RunResult, describe_prepared
from kubechat_tui.guard.access import Attributes, attributes_of
from kubechat_tui.guard.rbac import SSAR_PATH, SSR_PATH
from kubechat_tui.kube.recorder import Request
from kubechat_tui.sim.journal import RequestRecord
from tests.e2e.conftest import REQUESTER, VIEWER, World
from tests.e2e.verb_plans import get, one_step, open_policy

NOTES = {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "incident-notes", "namespace": "payments"},
         "data": {"status": "investigating"}}


def first_node(world: World) -> str:
    return str(get(world, "/api/v1/nodes")["items"][0]["metadata"]["name"])


def cordoned(world: World) -> str:
    node = first_node(world)
    status, doc = world.fleet.request_json(
        "staging", "PATCH", f"/api/v1/nodes/{node}", body={"spec": {"unschedulable": True}},
        content_type="application/merge-patch+json")
    assert status == 200, doc
    return node


def config_map(world: World) -> str:
    status, doc = world.fleet.request_json(
        "staging", "POST", "/api/v1/namespaces/payments/configmaps", body=NOTES)
    assert status == 201, doc
    return yaml.safe_dump({**NOTES, "data": {"status": "mitigated"}})


PLANS: dict[str, Callable[[World], Plan]] = {
    "scale": lambda w: one_step(Verb.SCALE, "deployments", "payments-api", replicas=2),
    "rollout restart": lambda w: one_step(Verb.ROLLOUT_RESTART, "deployments", "payments-api"),
    "rollout undo": lambda w: one_step(Verb.ROLLOUT_UNDO, "deployments", "checkout-web",
                                       namespace="checkout", cluster="canary"),
    "set image": lambda w: one_step(Verb.SET_IMAGE, "deployments", "payments-api",
                                    container="api", image="registry.example/api:9.9.9"),
    "cordon": lambda w: one_step(Verb.CORDON, "nodes", first_node(w), namespace=None),
    "uncordon": lambda w: one_step(Verb.UNCORDON, "nodes", cordoned(w), namespace=None),
    "drain": lambda w: one_step(Verb.DRAIN, "nodes", first_node(w), namespace=None,
                                timeout_seconds=60),
    "delete by name": lambda w: one_step(Verb.DELETE, "deployments", "payments-api"),
    "delete by selector": lambda w: one_step(Verb.DELETE, "pods", None,
                                             selector="app=payments-api"),
    "patch": lambda w: one_step(Verb.PATCH, "deployments", "payments-api",
                                patch='{"metadata": {"labels": {"incident": "inc-42"}}}'),
    "apply create": lambda w: one_step(Verb.APPLY, "configmaps", "incident-notes",
                                       manifest=yaml.safe_dump(NOTES)),
    "apply update": lambda w: one_step(Verb.APPLY, "configmaps", "incident-notes",
                                       manifest=config_map(w)),
}
REVIEWS = (SSAR_PATH, SSR_PATH)


def request_of(cluster: str, record: RequestRecord) -> Request:
    return Request(cluster, record.method, record.path, dict(parse_qsl(record.query)))


def sent(world: World) -> list[tuple[str, RequestRecord]]:
    """Every request the clusters answered, but the access reviews themselves."""
    return [(c, r) for c in world.sim.clusters for r in world.sim.requests(c)
            if r.path not in REVIEWS]


def checked(result: RunResult) -> set[tuple[str, Attributes]]:
    """What the pre-flight allowed; nothing had to be reviewed late, at execution."""
    prep = result.prepared
    assert prep.rbac is not None and prep.gate is not None
    assert prep.gate.late == []
    return {(c.cluster, c.attributes) for c in prep.rbac.checks if c.allowed}


@pytest.mark.parametrize("verb", list(PLANS))
def test_every_request_sent_was_checked(world: World, tmp_path: Path, verb: str) -> None:
    plan = PLANS[verb](world)
    world.sim.clear_requests()
    result = world.pipeline(REQUESTER, policy=open_policy(tmp_path)).run(
        plan, RunOptions(confirmed=True))
    assert result.status == "done", result.message
    journal = sent(world)
    reviewed = checked(result)
    unchecked = [f"{c}: {r.method} {r.path}?{r.query}" for c, r in journal
                 if (c, attributes_of(request_of(c, r))) not in reviewed]
    assert unchecked == [], unchecked
    assert {r.user for _, r in journal} == {"admin"}
    planned = {(r.cluster, r.method, r.path) for _, r in result.prepared.requests
               if r.mutating}
    writes = [(c, r) for c, r in journal if r.method != "GET"]
    assert writes and all((c, r.method, r.path) in planned for c, r in writes), writes
    dry = {(c, r.method, r.path) for c, r in writes if r.dry_run}
    assert dry == planned  # the dry run sent the request plan's writes, each with dryRun=All


def test_the_preview_json_lists_the_request_plan(world: World, tmp_path: Path) -> None:
    node = first_node(world)
    prep = world.pipeline(REQUESTER, policy=open_policy(tmp_path)).prepare(
        one_step(Verb.DRAIN, "nodes", node, namespace=None), RunOptions(dry_run_only=True))
    assert prep.status == "previewed", prep.message
    shown = describe_prepared(prep)["requests"]
    lines = [(r["method"], r["path"], r["query"]) for r in shown]
    assert lines[0] == ("GET", f"/api/v1/nodes/{node}", {})
    assert lines[1][:2] == ("PATCH", f"/api/v1/nodes/{node}")
    assert ("GET", "/api/v1/pods", {"limit": "500",
                                    "fieldSelector": f"spec.nodeName={node}"}) in lines
    evictions = [path for method, path, _ in lines if path.endswith("/eviction")]
    assert evictions and all(method == "POST" for method, path, _ in lines
                             if path in evictions)
    assert prep.rbac is not None
    kinds = {(c.attributes.verb, c.attributes.resource, c.attributes.subresource)
             for c in prep.rbac.checks}
    assert {("list", "pods", ""), ("patch", "nodes", ""),
            ("create", "pods", "eviction")} <= kinds


def test_a_read_the_cluster_refuses_is_denied_with_remediation(world: World) -> None:
    """The viewer may not read Secrets: the request plan keeps the refused GET, and the
    RBAC pre-flight denies it with what to ask for; nothing is written."""
    plan = one_step(Verb.DELETE, "secrets", "payments-db-credentials")
    world.sim.clear_requests()
    result = world.pipeline(VIEWER).run(plan, RunOptions(confirmed=True))
    assert result.status == "denied"
    assert "viewer@staging cannot get secrets 'payments-db-credentials'" in result.message
    assert any("RoleBinding" in fix for fix in result.prepared.remediation)
    assert [r.method for _, r in sent(world)] == ["GET"]  # the refused read, nothing else
