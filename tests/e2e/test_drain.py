"""Issue 11.11: a drain waits, like `kubectl drain`, until every evicted pod is gone, retries
evictions a PodDisruptionBudget refuses (429) until its timeout, and at the timeout fails
naming the pods still on the node."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from kubechat_tui.domain import Verb
from kubechat_tui.engine import drain
from kubechat_tui.engine.execute import Progress
from kubechat_tui.engine.pipeline import Pipeline
from kubechat_tui.engine.rollback import load_rollback
from kubechat_tui.engine.run_state import RunOptions
from tests.e2e.conftest import REQUESTER, World
from tests.e2e.verb_plans import get, node_pods, one_step, open_policy

PDB_PATH = "/apis/policy/v1/namespaces/payments/poddisruptionbudgets"


@pytest.fixture
def pipeline(world: World, tmp_path: Path) -> Pipeline:
    return world.pipeline(REQUESTER, policy=open_policy(tmp_path))


def busy_node(world: World) -> str:
    """A staging node running a payments pod (the drains below evict it)."""
    pods = get(world, "/api/v1/namespaces/payments/pods")["items"]
    return str(next(p["spec"]["nodeName"] for p in pods if p["spec"].get("nodeName")))


def evictable(world: World, node: str) -> list[str]:
    return [f"{p['metadata']['namespace']}/{p['metadata']['name']}"
            for p in node_pods(world, node)
            if not any(o.get("kind") == "DaemonSet"
                       for o in p["metadata"].get("ownerReferences") or [])]


def recorder() -> tuple[list[str], Any]:
    lines: list[str] = []

    def on_progress(event: Progress) -> None:
        lines.append(event.message)
    return lines, on_progress


def test_drain_is_done_only_when_the_evicted_pods_are_gone(world: World,
                                                           pipeline: Pipeline) -> None:
    node = busy_node(world)
    before = evictable(world, node)
    assert before
    lines, on_progress = recorder()
    result = pipeline.run(one_step(Verb.DRAIN, "nodes", node, namespace=None),
                          RunOptions(confirmed=True, on_progress=on_progress))
    assert result.status == "done", result.message
    assert evictable(world, node) == []  # not even terminating: they are gone
    assert any(line.startswith("waiting for ") and "to terminate" in line for line in lines)
    assert f"{len(before)} pod(s) evicted and gone" in result.prepared.changes[0].outcome
    assert "--timeout=300s" in result.prepared.plan.steps[0].kubectl  # the config's default


def test_drain_times_out_naming_the_pods_still_there(world: World,
                                                     pipeline: Pipeline) -> None:
    node = busy_node(world)
    slow = {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "legacy-batch-0", "namespace": "payments"},
            "spec": {"nodeName": node, "terminationGracePeriodSeconds": 60,
                     "containers": [{"name": "batch",
                                     "image": "registry.example/legacy-batch:1.0"}]}}
    status, doc = world.fleet.request_json("staging", "POST",
                                           "/api/v1/namespaces/payments/pods", body=slow)
    assert status == 201, doc
    result = pipeline.run(one_step(Verb.DRAIN, "nodes", node, namespace=None,
                                   timeout_seconds=3), RunOptions(confirmed=True))
    assert result.status == "failed"
    assert (f"drain of node {node} timed out after 3s with 1 pod(s) still on it: "
            "payments/legacy-batch-0 (terminating)") in result.message
    assert evictable(world, node) == ["payments/legacy-batch-0"]
    assert get(world, f"/api/v1/nodes/{node}")["spec"]["unschedulable"] is True
    undo = load_rollback(world.timeline, result.execution_id)
    assert [s.verb for s in undo.steps] == [Verb.UNCORDON]
    assert any("uncordon only: the evicted pods are not brought back" in n for n in undo.notes)


def test_drain_retries_an_eviction_a_disruption_budget_refuses(
        world: World, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drain, "EVICTION_RETRY_SECONDS", 0.3)
    node = busy_node(world)
    lines, on_progress = recorder()
    prep = pipeline.prepare(one_step(Verb.DRAIN, "nodes", node, namespace=None,
                                     timeout_seconds=30), RunOptions(on_progress=on_progress))
    assert prep.status == "needs_confirmation", prep.message
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
           "metadata": {"name": "hold", "namespace": "payments"},
           "spec": {"minAvailable": 100, "selector": {"matchLabels": {"app": "payments-api"}}}}
    status, doc = world.fleet.request_json("staging", "POST", PDB_PATH, body=pdb)
    assert status == 201, doc
    lift = threading.Timer(1.5, world.fleet.request_json,
                           args=("staging", "DELETE", f"{PDB_PATH}/hold"))
    lift.start()
    try:
        result = pipeline.execute(prep, confirmed=True)
    finally:
        lift.join()
    assert result.status == "done", result.message
    assert any("disruption budget" in line and "retrying in 0.3s" in line for line in lines)
    assert evictable(world, node) == []
