"""Analyzer branches the simulated cases do not all reach, on hand-built API objects:
scheduling causes (taints, unbound PVC, memory), OOM with a limit below usage, liveness
restarts, a missing Secret, a crash loop after a Secret change only; and what stays silent
(an unexplained scheduling message, a ConfigMap that has the key again)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kubechat_tui.engine.insights.analyzers import (
    config_error,
    oom,
    probes,
    rollout_crash,
    scheduling,
)
from kubechat_tui.engine.insights.snapshot import ClusterSnapshot

NOW = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)


def ago(seconds: float) -> str:
    return (NOW - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def pod(name: str, status: dict[str, Any], containers: list[dict[str, Any]] | None = None,
        **spec: Any) -> dict[str, Any]:
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": "shop", "uid": f"uid-{name}",
                         "creationTimestamp": ago(3600)},
            "spec": {"containers": containers or [{"name": "app", "image": "x:1"}], **spec},
            "status": status}


def event(target: str, reason: str, message: str, last: float = 30,
          first: float = 600) -> dict[str, Any]:
    return {"kind": "Event", "apiVersion": "v1",
            "metadata": {"name": f"{target}.1", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "namespace": "shop", "name": target},
            "reason": reason, "message": message, "type": "Warning", "count": 3,
            "firstTimestamp": ago(first), "lastTimestamp": ago(last)}


def snap(**parts: Any) -> ClusterSnapshot:
    return ClusterSnapshot("c1", NOW, **parts)


PENDING = {"phase": "Pending", "conditions": [
    {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}


def test_scheduling_names_taints_pvcs_and_memory_and_stays_silent_otherwise() -> None:
    messages = {
        "a": "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, "
             "2 Insufficient memory. preemption: 0/3 nodes are available.",
        "b": "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
             "preemption: 0/3 nodes are available: 3 Preemption is not helpful.",
        "c": "0/3 nodes are available: 3 node(s) had volume node affinity conflict.",
    }
    cards = scheduling.analyze(snap(
        pods=[pod(n, PENDING) for n in messages],
        events=[event(n, "FailedScheduling", m) for n, m in messages.items()]))
    claims = {c.subject: c.claim for c in cards}
    assert set(claims) == {"shop/pod/a", "shop/pod/b"}
    assert "taint {dedicated: gpu}" in claims["shop/pod/a"]
    assert "not enough memory free" in claims["shop/pod/a"]
    assert "PersistentVolumeClaim is not bound" in claims["shop/pod/b"]


def oom_status(limit_usage: str) -> tuple[dict[str, Any], list[dict[str, Any]], list[Any]]:
    status = {"phase": "Running", "containerStatuses": [{
        "name": "app", "ready": True, "restartCount": 2, "state": {"running": {}},
        "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}]}
    containers = [{"name": "app", "image": "x:1",
                   "resources": {"limits": {"memory": "256Mi"}}}]
    metrics = [{"metadata": {"name": "p", "namespace": "shop"},
                "containers": [{"name": "app", "usage": {"memory": limit_usage}}]}]
    return status, containers, metrics


def test_oom_with_a_limit_fires_only_when_usage_reaches_it() -> None:
    status, containers, metrics = oom_status("250Mi")
    cards = oom.analyze(snap(pods=[pod("p", status, containers)], pod_metrics=metrics))
    assert [c.title for c in cards] == ["OOMKilled: limit too low"]
    assert "limit 256Mi, usage 250Mi" in cards[0].claim
    status, containers, metrics = oom_status("60Mi")
    assert oom.analyze(snap(pods=[pod("p", status, containers)], pod_metrics=metrics)) == []
    assert oom.analyze(snap(pods=[pod("p", status, containers)])) == []  # no metrics


def test_liveness_failures_that_restarted_a_container_fire() -> None:
    status = {"phase": "Running", "containerStatuses": [{
        "name": "app", "ready": True, "restartCount": 4, "state": {"running": {}},
        "lastState": {"terminated": {"reason": "Error", "exitCode": 137}}}]}
    cards = probes.analyze(snap(pods=[pod("p", status)], events=[
        event("p", "Unhealthy", "Liveness probe failed: Get \"http://10.0.0.1/healthz\": "
              "context deadline exceeded")]))
    assert [c.title for c in cards] == ["Liveness probe failing"]
    assert "restarted 4 time(s)" in cards[0].claim


def config_pod(message: str) -> dict[str, Any]:
    return pod("p", {"phase": "Pending", "containerStatuses": [{
        "name": "app", "ready": False, "restartCount": 0,
        "state": {"waiting": {"reason": "CreateContainerConfigError", "message": message}}}]})


def test_a_missing_secret_fires_and_a_configmap_with_the_key_is_silent() -> None:
    cards = config_error.analyze(snap(pods=[config_pod('secret "db-creds" not found')]))
    assert [c.title for c in cards] == ["Missing secret"]
    present = snap(pods=[config_pod("couldn't find key MODE in ConfigMap shop/cfg")],
                   configmaps=[{"kind": "ConfigMap", "metadata": {
                       "name": "cfg", "namespace": "shop"}, "data": {"MODE": "fast"}}])
    assert config_error.analyze(present) == []
    secret_there = snap(pods=[config_pod('secret "db-creds" not found')],
                        secrets=[{"kind": "Secret", "metadata": {
                            "name": "db-creds", "namespace": "shop"}}])
    assert config_error.analyze(secret_there) == []


def test_a_crash_loop_right_after_a_secret_change_fires() -> None:
    deployment = {"kind": "Deployment", "metadata": {
        "name": "web", "namespace": "shop", "uid": "d1",
        "annotations": {"deployment.kubernetes.io/revision": "1"}}}
    rs = {"kind": "ReplicaSet", "metadata": {
        "name": "web-1", "namespace": "shop", "uid": "r1", "creationTimestamp": ago(86400 * 9),
        "annotations": {"deployment.kubernetes.io/revision": "1"},
        "ownerReferences": [{"kind": "Deployment", "uid": "d1", "controller": True}]}}
    status = {"phase": "Running", "containerStatuses": [{
        "name": "app", "ready": False, "restartCount": 5,
        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        "lastState": {"terminated": {"reason": "Error", "finishedAt": ago(60)}}}]}
    crashing = pod("web-1-a", status, [{"name": "app", "image": "x:1", "env": [
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "api-token", "key": "t"}}}]}])
    crashing["metadata"]["ownerReferences"] = [{"kind": "ReplicaSet", "uid": "r1",
                                                "controller": True}]
    secret = {"kind": "Secret", "metadata": {
        "name": "api-token", "namespace": "shop", "creationTimestamp": ago(86400 * 30),
        "managedFields": [{"manager": "kubectl-create", "time": ago(86400 * 30)},
                          {"manager": "vault-sync", "time": ago(420)}]}}
    cards = rollout_crash.analyze(snap(
        deployments=[deployment], replicasets=[rs], pods=[crashing], secrets=[secret],
        events=[event("web-1-a", "BackOff", "Back-off restarting failed container app",
                      first=300)]))
    assert [c.subject for c in cards] == ["shop/deployment/web"]
    assert "secret api-token changed" in cards[0].claim
    assert cards[0].confidence == "high"
    assert any("last written by vault-sync" in e.text for e in cards[0].evidence)
    secret["metadata"]["managedFields"][1]["time"] = ago(86400 * 2)  # long before: silent
    assert rollout_crash.analyze(snap(
        deployments=[deployment], replicasets=[rs], pods=[crashing], secrets=[secret])) == []
