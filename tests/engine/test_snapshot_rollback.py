"""Snapshots keep the object minus status; rollback steps undo exactly what changed."""

from __future__ import annotations

import json

import yaml

from kubechat_tui.domain import ParamValue, Step, Verb
from kubechat_tui.engine.diff import clean, unified_diff
from kubechat_tui.engine.snapshot import EXPECT_GENERATION, of_object, rollback_step
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
    undo = rollback_step(step(Verb.SCALE, replicas=5), before, after, 1)
    assert undo is not None and undo.verb is Verb.SCALE
    assert undo.params["replicas"] == 3 and undo.params[EXPECT_GENERATION] == 4
    assert "--replicas=3" in undo.kubectl


def test_set_image_rollback_is_a_patch_back_to_the_old_template() -> None:
    before = of_object(DEPLOY, deployment(image="old:1"))
    after = deployment(image="new:2", rv="801")
    undo = rollback_step(step(Verb.SET_IMAGE, image="new:2", container="api"), before, after, 2)
    assert undo is not None and undo.verb is Verb.PATCH
    patch = json.loads(str(undo.params["patch"]))
    containers = patch["spec"]["template"]["spec"]["containers"]
    assert containers[0]["image"] == "old:1"


def test_delete_rollback_recreates_without_server_fields() -> None:
    before = of_object(DEPLOY, deployment())
    undo = rollback_step(step(Verb.DELETE), before, None, 1)
    assert undo is not None and undo.verb is Verb.APPLY
    manifest = yaml.safe_load(str(undo.params["manifest"]))
    assert "resourceVersion" not in manifest["metadata"]
    assert "uid" not in manifest["metadata"] and "status" not in manifest


def test_no_rollback_when_nothing_changed() -> None:
    before = of_object(DEPLOY, deployment())
    assert rollback_step(step(Verb.PATCH, patch="{}"), before, deployment(), 1) is None


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
