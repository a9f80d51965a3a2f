"""Snapshots keep the object minus status; a rollback restores the previous state per verb,
or says why there is none."""

from __future__ import annotations

import json

import yaml

from kubechat_tui.domain import ParamValue, Step, Verb
from kubechat_tui.engine.diff import clean, unified_diff
from kubechat_tui.engine.snapshot import EXPECT_GENERATION, of_object, plan_undo
from kubechat_tui.kube.mutations import target
from kubechat_tui.planner.render import build_step
from tests.engine.fakes import deployment

DEPLOY = target("prod-eu", "deployments", "payments", "payments-api")


def step(verb: Verb, **params: ParamValue) -> Step:
    return build_step("s1", verb, "deployments", namespace="payments", name="payments-api",
                      clusters=("prod-eu",), params=params)


def test_snapshot_fields() -> None:
    snap = of_object(DEPLOY, deployment())
    assert snap.object is not None and "status" not in snap.object
    assert snap.replicas == 3
    assert snap.resource_version == "722"
    assert snap.images == {"api": "registry.example/api:1.4.2",
                           "sidecar": "registry.example/envoy:1.30"}
    assert snap.summary().startswith("replicas=3 images=api=")


def test_scale_rollback_restores_replicas_and_expects_the_new_generation() -> None:
    before = of_object(DEPLOY, deployment(replicas=3))
    after = deployment(5, rv="800")
    after["metadata"]["generation"] = 4
    undo = plan_undo(step(Verb.SCALE, replicas=5), before, after, 1).step
    assert undo is not None and undo.verb is Verb.SCALE
    assert undo.params["replicas"] == 3 and undo.params[EXPECT_GENERATION] == 4
    assert "--replicas=3" in undo.kubectl


def test_set_image_rollback_sets_that_containers_previous_image() -> None:
    before = of_object(DEPLOY, deployment(image="old:1"))
    after = deployment(image="new:2", rv="801")
    undo = plan_undo(step(Verb.SET_IMAGE, image="new:2", container="api"), before, after,
                     2).step
    assert undo is not None and undo.verb is Verb.SET_IMAGE
    assert (undo.params["container"], undo.params["image"]) == ("api", "old:1")
    assert "api=old:1" in undo.kubectl and "*=" not in undo.kubectl


def test_restart_rollback_restores_the_annotation_and_says_pods_roll_again() -> None:
    before = of_object(DEPLOY, deployment())
    after = deployment(rv="802")
    after["spec"]["template"]["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}
    undo = plan_undo(step(Verb.ROLLOUT_RESTART), before, after, 1)
    assert undo.step is not None and undo.step.verb is Verb.PATCH
    assert json.loads(str(undo.step.params["patch"])) == {"spec": {"template": {"metadata": {
        "annotations": {"kubectl.kubernetes.io/restartedAt": None}}}}}
    assert "rolls every pod again" in undo.note


def test_a_controlled_pod_has_no_rollback_but_a_standalone_one_is_recreated() -> None:
    pod_target = target("prod-eu", "pods", "payments", "payments-api-7d9c-x2x5z")
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "payments-api-7d9c-x2x5z", "namespace": "payments",
                        "uid": "p-1", "resourceVersion": "9",
                        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                             "name": "payments-api-7d9c", "uid": "rs-1",
                                             "controller": True}]},
           "spec": {"containers": [{"name": "api", "image": "x:1"}]}}
    owned = plan_undo(build_step("s1", Verb.DELETE, "pods", namespace="payments",
                                 name="payments-api-7d9c-x2x5z", clusters=("prod-eu",)),
                      of_object(pod_target, pod), None, 1)
    assert owned.step is None and "ReplicaSet payments-api-7d9c" in owned.note
    del pod["metadata"]["ownerReferences"]
    alone = plan_undo(build_step("s1", Verb.DELETE, "pods", namespace="payments",
                                 name="payments-api-7d9c-x2x5z", clusters=("prod-eu",)),
                      of_object(pod_target, pod), None, 1)
    assert alone.step is not None and alone.step.verb is Verb.APPLY


def test_drain_rollback_is_uncordon_only() -> None:
    node = target("prod-eu", "nodes", None, "ip-10-0-3-7")
    before = {"metadata": {"name": "ip-10-0-3-7", "generation": 1}, "spec": {}}
    after = {"metadata": {"name": "ip-10-0-3-7", "generation": 2},
             "spec": {"unschedulable": True}}
    undo = plan_undo(build_step("s1", Verb.DRAIN, "nodes", name="ip-10-0-3-7",
                                clusters=("prod-eu",)), of_object(node, before), after, 1)
    assert undo.step is not None and undo.step.verb is Verb.UNCORDON
    assert "evicted pods are not brought back" in undo.note


def test_patch_rollback_restores_every_field_it_changed() -> None:
    cm = target("prod-eu", "configmaps", "payments", "settings")
    before = {"apiVersion": "v1", "kind": "ConfigMap",
              "metadata": {"name": "settings", "namespace": "payments", "generation": 1},
              "data": {"mode": "safe", "level": "1"}}
    after = {**before, "data": {"mode": "fast"}}
    undo = plan_undo(build_step("s1", Verb.PATCH, "configmaps", namespace="payments",
                                name="settings", clusters=("prod-eu",),
                                params={"patch": '{"data": {"mode": "fast"}}'}),
                     of_object(cm, before), after, 1).step
    assert undo is not None
    assert json.loads(str(undo.params["patch"])) == {"data": {"mode": "safe", "level": "1"}}


def test_delete_rollback_recreates_without_server_fields() -> None:
    before = of_object(DEPLOY, deployment())
    undo = plan_undo(step(Verb.DELETE), before, None, 1).step
    assert undo is not None and undo.verb is Verb.APPLY
    manifest = yaml.safe_load(str(undo.params["manifest"]))
    assert "resourceVersion" not in manifest["metadata"]
    assert "uid" not in manifest["metadata"] and "status" not in manifest


def test_no_rollback_when_nothing_changed() -> None:
    before = of_object(DEPLOY, deployment())
    assert plan_undo(step(Verb.PATCH, patch="{}"), before, deployment(), 1).step is None


def test_diff_drops_noise_and_shows_the_change() -> None:
    text = unified_diff(deployment(3), deployment(5, rv="999"), "prod-eu/payments/x")
    assert "-  replicas: 3" in text and "+  replicas: 5" in text
    for noise in ("managedFields", "resourceVersion", "uid", "generation", "status"):
        assert noise not in text
    assert "status" not in clean(deployment())


def test_state_version_ignores_status_and_bookkeeping_but_not_edits() -> None:
    base = of_object(DEPLOY, deployment(3, rv="722")).state_version
    churned = deployment(3, rv="999")
    churned["status"] = {"replicas": 3, "readyReplicas": 1}
    assert of_object(DEPLOY, churned).state_version == base
    edited = deployment(3, rv="1000")
    edited["metadata"]["labels"]["incident"] = "inc-1"
    assert of_object(DEPLOY, edited).state_version != base
    assert of_object(DEPLOY, deployment(4)).state_version != base
