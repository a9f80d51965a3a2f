"""Request shapes of the mutations: preconditions, dry run, subresources (vs wire samples)."""

from __future__ import annotations

from typing import Any

import pytest

from kubechat_tui.kube.mutations import (
    MERGE_PATCH,
    MutationError,
    Mutator,
    merge_patch,
    target,
)
from tests.engine.fakes import RecordingApi, deployment

DEPLOY = target("prod-eu", "deployments", "payments", "payments-api")


def ok(method: str, path: str, query: dict[str, Any], body: Any) -> tuple[int, dict[str, Any]]:
    return 200, {"spec": {"replicas": 5}, "metadata": {"resourceVersion": "723"}}


def test_scale_patches_the_scale_subresource_with_a_precondition() -> None:
    api = RecordingApi(ok)
    Mutator(api, dry_run=True).scale(DEPLOY, 5, "722")
    call = api.calls[0]
    # the path and content type of wire sample 14-scale-patch-dryrun.txt
    assert call.method == "PATCH"
    assert call.path == "/apis/apps/v1/namespaces/payments/deployments/payments-api/scale"
    assert call.content_type == MERGE_PATCH
    assert call.query["dryRun"] == "All"
    assert call.body == {"spec": {"replicas": 5}, "metadata": {"resourceVersion": "722"}}


def test_real_run_sends_no_dry_run() -> None:
    api = RecordingApi(ok)
    Mutator(api).restart(DEPLOY, "2026-11-25T20:00:00Z", "722")
    call = api.calls[0]
    assert "dryRun" not in call.query
    assert call.query["fieldManager"] == "kubechat"
    annotations = call.body["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {"kubectl.kubernetes.io/restartedAt": "2026-11-25T20:00:00Z"}


def test_delete_carries_propagation_and_preconditions() -> None:
    api = RecordingApi(ok)
    Mutator(api, dry_run=True).delete(DEPLOY, "722", "Foreground")
    body = api.calls[0].body
    assert body["propagationPolicy"] == "Foreground"
    assert body["preconditions"] == {"resourceVersion": "722"}
    assert body["dryRun"] == ["All"]


def test_set_image_keeps_the_other_containers() -> None:
    api = RecordingApi(ok)
    Mutator(api).set_image(DEPLOY, deployment(), {"api": "registry.example/api:1.5.0"}, "722")
    containers = api.calls[0].body["spec"]["template"]["spec"]["containers"]
    assert [c["image"] for c in containers] == ["registry.example/api:1.5.0",
                                                "registry.example/envoy:1.30"]


def test_set_image_unknown_container_is_refused_before_any_request() -> None:
    api = RecordingApi(ok)
    with pytest.raises(MutationError, match="no container named web"):
        Mutator(api).set_image(DEPLOY, deployment(), {"web": "x:1"}, "722")
    assert api.calls == []


def test_conflict_is_reported_as_such() -> None:
    def stale(method: str, path: str, query: dict[str, Any], body: Any
              ) -> tuple[int, dict[str, Any]]:
        return 409, {"kind": "Status", "reason": "Conflict", "message": "the object has been "
                     "modified; please apply your changes to the latest version"}
    with pytest.raises(MutationError) as caught:
        Mutator(RecordingApi(stale)).scale(DEPLOY, 5, "1")
    assert caught.value.conflict
    assert "has been modified" in str(caught.value)


def test_transport_failure_becomes_unreachable() -> None:
    def down(method: str, path: str, query: dict[str, Any], body: Any
             ) -> tuple[int, dict[str, Any]]:
        raise ConnectionRefusedError("connection refused")
    with pytest.raises(MutationError, match="unreachable: connection refused") as caught:
        Mutator(RecordingApi(down)).get(DEPLOY)
    assert caught.value.status == 0


def test_undo_goes_to_the_previous_revision_without_the_hash_label() -> None:
    def rs(rev: str, image: str) -> dict[str, Any]:
        return {"metadata": {"name": f"rs-{rev}", "ownerReferences": [{"uid": "u-1"}],
                             "annotations": {"deployment.kubernetes.io/revision": rev}},
                "spec": {"template": {"metadata": {"labels": {"app": "payments-api",
                                                              "pod-template-hash": rev}},
                                      "spec": {"containers": [{"name": "api",
                                                               "image": image}]}}}}

    def handler(method: str, path: str, query: dict[str, Any], body: Any
                ) -> tuple[int, dict[str, Any]]:
        if method == "GET":
            return 200, {"items": [rs("1", "old:1"), rs("2", "new:2")], "metadata": {}}
        return 200, body
    api = RecordingApi(handler)
    current = deployment(image="new:2")
    mutator = Mutator(api)
    revision, template = mutator.previous_revision(DEPLOY, current, None)
    mutator.replace_template(DEPLOY, current, template, "722")
    assert revision == 1
    patch = api.calls[-1].body
    assert patch["metadata"] == {"resourceVersion": "722"}
    template = patch["spec"]["template"]
    assert template["spec"]["containers"] == [{"name": "api", "image": "old:1"}]
    assert "pod-template-hash" not in template.get("metadata", {}).get("labels", {})


def test_merge_patch_nulls_removed_keys_and_keeps_equal_ones() -> None:
    old = {"a": 1, "b": {"c": 2, "d": 3}, "e": [1]}
    new = {"a": 1, "b": {"c": 2}, "e": [2]}
    assert merge_patch(old, new) == {"b": {"d": None}, "e": [2]}
