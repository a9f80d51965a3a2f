"""Single-object reads for the detail and log panes, and Secret masking."""

from __future__ import annotations

from typing import Any

import pytest

from kubechat_tui.domain.secret_masking import LAST_APPLIED, MASK, mask_secret_values
from kubechat_tui.kube import objects
from kubechat_tui.kube.errors import ApiError
from kubechat_tui.kube.fleet import Fleet


@pytest.fixture
def crashing_pod(fleet: Fleet) -> str:
    status, doc = fleet.request_json("prod-eu", "GET", "/api/v1/namespaces/payments/pods",
                                     query={"labelSelector": "app=payments-api"})
    assert status == 200
    for pod in doc["items"]:
        for cs in pod["status"].get("containerStatuses") or []:
            if (cs.get("state") or {}).get("waiting", {}).get("reason") == "CrashLoopBackOff":
                return str(pod["metadata"]["name"])
    raise AssertionError("the incident scenario has a crashing payments-api pod")


def test_get_object_drops_managed_fields(fleet: Fleet, crashing_pod: str) -> None:
    pod = objects.get_object(fleet, "prod-eu", "po", "payments", crashing_pod)
    assert pod["kind"] == "Pod" and "managedFields" not in pod["metadata"]
    node = objects.get_object(fleet, "prod-eu", "nodes", None, pod["spec"]["nodeName"])
    assert node["kind"] == "Node"


def test_describe_pod_deployment_node(fleet: Fleet, crashing_pod: str) -> None:
    text = objects.describe(fleet, "prod-eu", "pods", "payments", crashing_pod)
    assert text.startswith(f"Name:             {crashing_pod}\n")
    assert "Containers:" in text and "CrashLoopBackOff" in text and "Restart Count:" in text
    deploy = objects.describe(fleet, "prod-eu", "deployments", "payments", "payments-api")
    assert "Replicas:" in deploy and "desired" in deploy and "StrategyType:" in deploy
    pod = objects.get_object(fleet, "prod-eu", "pods", "payments", crashing_pod)
    node = objects.describe(fleet, "prod-eu", "nodes", None, pod["spec"]["nodeName"])
    assert "Kubelet Version:" in node and "Conditions:" in node


def test_object_events_newest_first(fleet: Fleet, crashing_pod: str) -> None:
    events = objects.object_events(fleet, "prod-eu", "payments", "Pod", crashing_pod, limit=5)
    assert 0 < len(events) <= 5
    assert {e["involvedObject"]["name"] for e in events} == {crashing_pod}
    stamps = [e.get("lastTimestamp") or "" for e in events]
    assert stamps == sorted(stamps, reverse=True)


def test_pod_log_tail_uses_the_default_container(fleet: Fleet, crashing_pod: str) -> None:
    lines = objects.pod_log_tail(fleet, "prod-eu", "payments", crashing_pod, lines=5)
    assert 0 < len(lines) <= 5
    sidecar = objects.pod_log_tail(fleet, "prod-eu", "payments", crashing_pod,
                                   container="sidecar", lines=3)
    assert len(sidecar) <= 3


def test_errors_are_one_line(fleet: Fleet) -> None:
    with pytest.raises(ApiError, match=r'prod-eu: HTTP 404: pods "nope" not found'):
        objects.get_object(fleet, "prod-eu", "pods", "payments", "nope")
    with pytest.raises(ApiError, match="unknown resource type 'widgets'"):
        objects.describe(fleet, "prod-eu", "widgets", "payments", "x")
    with pytest.raises(ApiError, match=r"prod-eu: HTTP 404: pods \"nope-pod\" not found"):
        objects.pod_log_tail(fleet, "prod-eu", "payments", "nope-pod", container="x")


def test_secret_values_are_masked_and_input_kept() -> None:
    secret: dict[str, Any] = {"kind": "Secret", "metadata": {"name": "db", "annotations": {
        LAST_APPLIED: '{"data":{"password":"aHVudGVyMg=="}}'}},
        "data": {"password": "aHVudGVyMg=="}, "stringData": {"user": "admin"}}
    masked = mask_secret_values(secret)
    assert masked["data"] == {"password": f"{MASK} (7 bytes)"}
    assert masked["stringData"] == {"user": f"{MASK} (5 bytes)"}
    assert masked["metadata"]["annotations"][LAST_APPLIED] == MASK
    assert secret["data"]["password"] == "aHVudGVyMg=="
    listed = mask_secret_values({"kind": "SecretList", "items": [secret]})
    assert listed["items"][0]["data"]["password"].startswith(MASK)
    pod = {"kind": "Pod", "data": {"x": "y"}}
    assert mask_secret_values(pod) == pod


def test_secret_describe_shows_sizes_only(fleet: Fleet) -> None:
    status, doc = fleet.request_json("prod-eu", "GET", "/api/v1/namespaces/payments/secrets")
    assert status == 200 and doc["items"]
    name = doc["items"][0]["metadata"]["name"]
    text = objects.describe(fleet, "prod-eu", "secrets", "payments", name)
    values = list(doc["items"][0].get("data", {}).values())
    assert "bytes" in text and not any(v in text for v in values)
