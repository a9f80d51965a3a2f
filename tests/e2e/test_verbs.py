"""Every mutating verb against the simulator: dry run, execute, read back, roll back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kubechat_tui.domain import Plan, Verb
from kubechat_tui.engine.pipeline import Pipeline
from kubechat_tui.engine.rollback import load_rollback
from kubechat_tui.engine.run_state import RunOptions
from tests.e2e.conftest import REQUESTER, World
from tests.e2e.verb_plans import DEPLOY, get, one_step, open_policy


@pytest.fixture
def open_pipeline(world: World, tmp_path: Path) -> Pipeline:
    """A pipeline under a policy that needs no approvals (verb mechanics only)."""
    return world.pipeline(REQUESTER, policy=open_policy(tmp_path))


def run_and_undo(world: World, pipeline: Pipeline, plan: Plan) -> str:
    result = pipeline.run(plan, RunOptions(confirmed=True))
    assert result.status == "done", result.message
    return result.execution_id


def undo(world: World, pipeline: Pipeline, execution_id: str) -> None:
    plan = load_rollback(world.timeline, execution_id)
    result = pipeline.run(plan, RunOptions(confirmed=True, rollback_of=execution_id))
    assert result.status == "done", result.message


def containers(doc: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["image"] for c in doc["spec"]["template"]["spec"]["containers"]}


def test_set_image_and_roll_it_back(world: World, open_pipeline: Pipeline) -> None:
    before = containers(get(world, DEPLOY))
    name = next(iter(before))
    ex = run_and_undo(world, open_pipeline, one_step(
        Verb.SET_IMAGE, "deployments", "payments-api", image="registry.example/api:9.9.9",
        container=name))
    assert containers(get(world, DEPLOY))[name] == "registry.example/api:9.9.9"
    undo(world, open_pipeline, ex)
    assert containers(get(world, DEPLOY)) == before


def test_restart_stamps_the_template_and_rollback_removes_it(
        world: World, open_pipeline: Pipeline) -> None:
    ex = run_and_undo(world, open_pipeline, one_step(
        Verb.ROLLOUT_RESTART, "deployments", "payments-api"))
    annotations = get(world, DEPLOY)["spec"]["template"]["metadata"].get("annotations") or {}
    assert "kubectl.kubernetes.io/restartedAt" in annotations
    undo(world, open_pipeline, ex)
    annotations = get(world, DEPLOY)["spec"]["template"]["metadata"].get("annotations") or {}
    assert "kubectl.kubernetes.io/restartedAt" not in annotations


def test_rollout_undo_goes_to_the_previous_revision(world: World,
                                                    open_pipeline: Pipeline) -> None:
    path = "/apis/apps/v1/namespaces/payments/deployments/payments-api"
    first = containers(get(world, path, "prod-eu"))
    plan = one_step(Verb.ROLLOUT_UNDO, "deployments", "payments-api", cluster="prod-eu")
    result = open_pipeline.run(plan, RunOptions(confirmed=True))
    assert result.status == "done", result.message
    assert "revision" in result.prepared.changes[0].outcome
    assert containers(get(world, path, "prod-eu")) != first


def test_cordon_then_uncordon_by_rollback(world: World, open_pipeline: Pipeline) -> None:
    node = get(world, "/api/v1/nodes", "staging")["items"][0]["metadata"]["name"]
    ex = run_and_undo(world, open_pipeline, one_step(Verb.CORDON, "nodes", node,
                                                     namespace=None))
    assert get(world, f"/api/v1/nodes/{node}")["spec"].get("unschedulable") is True
    undo(world, open_pipeline, ex)
    assert not get(world, f"/api/v1/nodes/{node}")["spec"].get("unschedulable")


def test_drain_evicts_the_node_pods(world: World, open_pipeline: Pipeline) -> None:
    node = get(world, "/api/v1/nodes", "staging")["items"][0]["metadata"]["name"]
    result = open_pipeline.run(one_step(Verb.DRAIN, "nodes", node, namespace=None),
                               RunOptions(confirmed=True))
    assert result.status == "done", result.message
    assert get(world, f"/api/v1/nodes/{node}")["spec"].get("unschedulable") is True
    outcome = result.prepared.changes[0].outcome
    assert "cordoned" in outcome and "evicted" in outcome
    pods = get(world, "/api/v1/pods", "staging")["items"]
    left = [p for p in pods if p["spec"].get("nodeName") == node
            and not p["metadata"].get("deletionTimestamp")
            and not any(o.get("kind") == "DaemonSet"
                        for o in p["metadata"].get("ownerReferences") or [])]
    assert left == []


def test_delete_then_recreate_by_rollback(world: World, open_pipeline: Pipeline) -> None:
    ex = run_and_undo(world, open_pipeline, one_step(Verb.DELETE, "deployments",
                                                     "payments-api"))
    status, _ = world.fleet.request_json("staging", "GET", DEPLOY)
    assert status == 404
    undo(world, open_pipeline, ex)
    assert get(world, DEPLOY)["spec"]["replicas"] == 1


def test_patch_and_roll_back(world: World, open_pipeline: Pipeline) -> None:
    ex = run_and_undo(world, open_pipeline, one_step(
        Verb.PATCH, "deployments", "payments-api",
        patch='{"metadata": {"labels": {"incident": "inc-42"}}}'))
    assert get(world, DEPLOY)["metadata"]["labels"]["incident"] == "inc-42"
    undo(world, open_pipeline, ex)
    assert "incident" not in get(world, DEPLOY)["metadata"]["labels"]


def test_a_stale_rollback_is_refused_not_clobbered(world: World,
                                                  open_pipeline: Pipeline) -> None:
    ex = run_and_undo(world, open_pipeline, one_step(Verb.SCALE, "deployments",
                                                     "payments-api", replicas=2))
    status, _ = world.fleet.request_json("staging", "PATCH", DEPLOY + "/scale",
                                         body={"spec": {"replicas": 7}},
                                         content_type="application/merge-patch+json")
    assert status == 200
    plan = load_rollback(world.timeline, ex)
    result = open_pipeline.run(plan, RunOptions(confirmed=True, rollback_of=ex))
    assert result.status == "failed"
    assert "changed since the execution" in result.message
    assert get(world, DEPLOY)["spec"]["replicas"] == 7


def test_drain_blocked_by_a_pdb(world: World, open_pipeline: Pipeline) -> None:
    """Dry run catches the PDB; forced past it, the partial cordon is reported and undoable."""
    pods = get(world, "/api/v1/pods", "staging")["items"]
    victim = next(p for p in pods if p["metadata"]["namespace"] == "payments")
    node = victim["spec"]["nodeName"]
    labels = victim["metadata"]["labels"]
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
           "metadata": {"name": "payments-pdb", "namespace": "payments"},
           "spec": {"minAvailable": 100, "selector": {"matchLabels": labels}}}
    status, doc = world.fleet.request_json(
        "staging", "POST", "/apis/policy/v1/namespaces/payments/poddisruptionbudgets",
        body=pdb)
    assert status == 201, doc
    plan = one_step(Verb.DRAIN, "nodes", node, namespace=None, timeout_seconds=2)

    previewed = open_pipeline.run(plan, RunOptions(confirmed=True))
    assert previewed.status == "failed" and "disruption budget" in previewed.message
    assert not get(world, f"/api/v1/nodes/{node}")["spec"].get("unschedulable")

    forced = open_pipeline.run(plan, RunOptions(
        confirmed=True, skip_dry_run=True, justification="testing a forced drain"))
    assert forced.status == "failed" and forced.report is not None
    assert "timed out after 2s" in forced.message
    assert "(not evicted)" in forced.message  # the pods the budget protects, named
    [change] = forced.report.changes
    assert any("changed anyway" in note for note in change.notes), change.notes
    assert get(world, f"/api/v1/nodes/{node}")["spec"].get("unschedulable") is True
    assert forced.rollback is not None
    assert forced.rollback.steps[0].verb is Verb.UNCORDON
    undo(world, open_pipeline, forced.execution_id)
    assert not get(world, f"/api/v1/nodes/{node}")["spec"].get("unschedulable")
