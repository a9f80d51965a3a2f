"""Issue 11.12: a rollback restores the previous state per verb, or says there is none; it
runs through the same checks, and never needs more approvals than the change it undoes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubechat_tui.domain import Verb
from kubechat_tui.engine.pipeline import Pipeline
from kubechat_tui.engine.rollback import RollbackError, load_rollback
from kubechat_tui.engine.run_state import RunOptions, RunResult
from tests.e2e.conftest import LEAD, REQUESTER, World
from tests.e2e.verb_plans import DEPLOY, get, one_step, open_policy

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"


@pytest.fixture
def pipeline(world: World, tmp_path: Path) -> Pipeline:
    return world.pipeline(REQUESTER, policy=open_policy(tmp_path))


def done(result: RunResult) -> str:
    assert result.status == "done", result.message
    return result.execution_id


def annotations(world: World, cluster: str = "staging") -> dict[str, str]:
    template = get(world, DEPLOY, cluster)["spec"]["template"]
    return dict(template["metadata"].get("annotations") or {})


def test_a_restart_rolls_back_to_the_annotation_it_replaced_and_says_pods_roll(
        world: World, pipeline: Pipeline) -> None:
    earlier = {"spec": {"template": {"metadata": {"annotations": {
        RESTARTED_AT: "2026-01-01T00:00:00Z"}}}}}
    status, doc = world.fleet.request_json("staging", "PATCH", DEPLOY, body=earlier,
                                           content_type="application/merge-patch+json")
    assert status == 200, doc
    ex = done(pipeline.run(one_step(Verb.ROLLOUT_RESTART, "deployments", "payments-api"),
                           RunOptions(confirmed=True)))
    assert annotations(world)[RESTARTED_AT] != "2026-01-01T00:00:00Z"
    undo = load_rollback(world.timeline, ex)
    [step] = undo.steps
    assert json.loads(str(step.params["patch"])) == earlier  # the old value, not a new stamp
    assert any("this rolls every pod again" in note for note in undo.notes)
    done(pipeline.run(undo, RunOptions(confirmed=True, rollback_of=ex)))
    assert annotations(world)[RESTARTED_AT] == "2026-01-01T00:00:00Z"


def test_a_pod_its_replicaset_owns_has_no_rollback(world: World, pipeline: Pipeline) -> None:
    pods = get(world, "/api/v1/namespaces/payments/pods")["items"]
    owned = next(p for p in pods if p["metadata"].get("ownerReferences"))
    name = owned["metadata"]["name"]
    owner = owned["metadata"]["ownerReferences"][0]["name"]
    result = pipeline.run(one_step(Verb.DELETE, "pods", name), RunOptions(confirmed=True))
    assert f"its controller (ReplicaSet {owner}) recreates it" in \
        result.prepared.changes[0].rollback_note  # said in the preview, before it runs
    ex = done(result)
    with pytest.raises(RollbackError, match=f"ReplicaSet {owner}"):
        load_rollback(world.timeline, ex)


def test_set_image_names_a_container_and_rolls_back_only_that_one(
        world: World, pipeline: Pipeline) -> None:
    asked = pipeline.run(one_step(Verb.SET_IMAGE, "deployments", "payments-api",
                                  image="registry.example/api:9.9.9"),
                         RunOptions(confirmed=True))
    assert asked.status == "failed"
    assert asked.message == ("payments-api has containers api, sidecar: say which, e.g. "
                             "'set image of container api to registry.example/api:9.9.9'")
    before = {c["name"]: c["image"]
              for c in get(world, DEPLOY)["spec"]["template"]["spec"]["containers"]}
    ex = done(pipeline.run(one_step(Verb.SET_IMAGE, "deployments", "payments-api",
                                    container="api", image="registry.example/api:9.9.9"),
                           RunOptions(confirmed=True)))
    after = {c["name"]: c["image"]
             for c in get(world, DEPLOY)["spec"]["template"]["spec"]["containers"]}
    assert after == {**before, "api": "registry.example/api:9.9.9"}  # the sidecar untouched
    undo = load_rollback(world.timeline, ex)
    assert undo.steps[0].kubectl == (f"kubectl set image deployments/payments-api "
                                     f"api={before['api']} -n payments")
    done(pipeline.run(undo, RunOptions(confirmed=True, rollback_of=ex)))
    assert {c["name"]: c["image"] for c in
            get(world, DEPLOY)["spec"]["template"]["spec"]["containers"]} == before


def test_set_image_of_a_single_container_workload_names_it(world: World,
                                                          pipeline: Pipeline) -> None:
    path = "/apis/apps/v1/namespaces/checkout/deployments/checkout-web"
    result = pipeline.run(one_step(Verb.SET_IMAGE, "deployments", "checkout-web",
                                   namespace="checkout", image="registry.example/web:4"),
                          RunOptions(confirmed=True))
    done(result)
    assert result.prepared.plan.steps[0].kubectl == (
        "kubectl set image deployments/checkout-web web=registry.example/web:4 -n checkout")
    [web] = get(world, path)["spec"]["template"]["spec"]["containers"]
    assert web["image"] == "registry.example/web:4"


def test_rolling_back_an_undo_restores_the_template_before_it(world: World,
                                                              pipeline: Pipeline) -> None:
    path = "/apis/apps/v1/namespaces/checkout/deployments/checkout-web"
    before = get(world, path, "canary")["spec"]["template"]["spec"]["containers"]
    ex = done(pipeline.run(one_step(Verb.ROLLOUT_UNDO, "deployments", "checkout-web",
                                    namespace="checkout", cluster="canary"),
                           RunOptions(confirmed=True)))
    assert get(world, path, "canary")["spec"]["template"]["spec"]["containers"] != before
    undo = load_rollback(world.timeline, ex)
    assert any("before the undo" in note for note in undo.notes)
    done(pipeline.run(undo, RunOptions(confirmed=True, rollback_of=ex)))
    assert get(world, path, "canary")["spec"]["template"]["spec"]["containers"] == before


def test_a_prod_rollback_needs_no_more_approvals_than_the_change(world: World) -> None:
    """Default policy: a restart in prod-eu needs 1 approval; its rollback is a patch (2 by
    the rules) but, as the restore of that execution, needs no more than 1."""
    alice = world.pipeline(REQUESTER)
    plan = one_step(Verb.ROLLOUT_RESTART, "deployments", "payments-api", cluster="prod-eu")
    first = alice.run(plan, RunOptions(confirmed=True))
    assert first.status == "awaiting_approval" and first.prepared.policy is not None
    needed = first.prepared.policy.required_approvals
    assert needed == 1
    assert first.prepared.approval is not None and first.prepared.approval.request
    world.approve(first.prepared.approval.request.id, LEAD)
    ex = done(alice.run(plan, RunOptions(confirmed=True)))

    undo = load_rollback(world.timeline, ex)
    assert undo.steps[0].verb is Verb.PATCH
    waiting = alice.run(undo, RunOptions(confirmed=True, rollback_of=ex))
    decision = waiting.prepared.policy
    assert decision is not None and decision.required_approvals <= needed
    assert any(f"restore of {ex}" in r for r in decision.reasons)
    assert waiting.prepared.rbac is not None and waiting.prepared.rbac.allowed  # still checked
    assert waiting.prepared.dry_run is not None and waiting.prepared.dry_run.ok
    assert waiting.prepared.approval is not None and waiting.prepared.approval.request
    world.approve(waiting.prepared.approval.request.id, LEAD)
    done(alice.run(undo, RunOptions(confirmed=True, rollback_of=ex)))
    assert RESTARTED_AT not in annotations(world, "prod-eu")

    forged = undo.model_copy(update={"steps": (undo.steps[0].model_copy(update={
        "params": {"patch": '{"metadata": {"labels": {"x": "y"}}}'}}),)})
    other = alice.prepare(forged, RunOptions(rollback_of=ex))  # not the stored rollback
    assert other.policy is not None and other.policy.required_approvals == 2
