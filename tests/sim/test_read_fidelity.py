"""What the read path reads, served with real API shapes: the metrics API and its absence
(sample 32), ReplicaSet revision history (sample 12), previous-container logs, and the
events of each incident condition."""

from __future__ import annotations

import orjson
import pytest

from tests.sim.conftest import Api
from tests.sim.test_wire_samples import replay
from tests.sim.wire import load, shape

METRICS = "/apis/metrics.k8s.io/v1beta1"


@pytest.fixture(scope="module")
def crashing_pod(api: Api) -> str:
    _, body = api.json("GET", "/api/v1/namespaces/payments/pods",
                       query={"labelSelector": "app=payments-api"})
    return str(body["items"][0]["metadata"]["name"])


def test_an_absent_metrics_api_answers_like_the_real_server(api: Api, crashing_pod: str) -> None:
    sample, status, headers, body = replay(api, 32, crashing_pod)
    assert status == sample.status and len(body) == int(sample.headers["content-length"])
    assert body.rstrip(b"\n") == sample.body.strip().encode()
    assert headers["content-type"] == sample.headers["content-type"]
    assert headers.get("x-content-type-options") == sample.headers["x-content-type-options"]


def test_pod_and_node_metrics_have_the_metrics_server_shape(api: Api) -> None:
    status, pods = api.json("GET", f"{METRICS}/namespaces/payments/pods", cluster="prod-us")
    assert status == 200
    assert (pods["kind"], pods["apiVersion"]) == ("PodMetricsList", "metrics.k8s.io/v1beta1")
    item = pods["items"][0]
    assert list(item) == ["metadata", "timestamp", "window", "containers"]
    assert set(item["metadata"]) >= {"name", "namespace", "creationTimestamp"}
    usage = item["containers"][0]["usage"]
    assert set(usage) == {"cpu", "memory"} and usage["cpu"].endswith("n")
    assert usage["memory"].endswith("Ki")
    status, node = api.json("GET", f"{METRICS}/nodes/ip-10-1-1-12", cluster="prod-us")
    assert status == 200 and (node["kind"], node["apiVersion"]) == (
        "NodeMetrics", "metrics.k8s.io/v1beta1")
    assert list(node) == ["kind", "apiVersion", "metadata", "timestamp", "window", "usage"]
    status, missing = api.json("GET", f"{METRICS}/nodes/ip-10-1-4-21", cluster="prod-us")
    assert status == 404 and missing["kind"] == "Status"  # a NotReady node has no sample


def test_replica_sets_carry_revision_history_like_the_real_server(api: Api) -> None:
    real = load(12).json()["items"][0]  # 3 ready replicas: as prod-us's current revision
    status, healthy = api.json("GET", "/apis/apps/v1/namespaces/payments/replicasets",
                               cluster="prod-us", query={"labelSelector": "app=payments-api"})
    current = max(healthy["items"], key=lambda rs: rs["spec"]["replicas"])
    assert set(real) == set(current)
    for part in ("spec", "status"):
        assert set(real[part]) <= set(current[part]) | {"terminatingReplicas"}
    assert shape(real["metadata"]["ownerReferences"]) == shape(current["metadata"][
        "ownerReferences"])
    status, doc = api.json("GET", "/apis/apps/v1/namespaces/payments/replicasets",
                           query={"labelSelector": "app=payments-api"})
    assert status == 200 and doc["kind"] == "ReplicaSetList"
    ours = doc["items"]
    revisions = sorted(int(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"])
                       for rs in ours)
    assert revisions == [1, 2, 3]
    causes = {rs["metadata"]["annotations"].get("kubernetes.io/change-cause") for rs in ours}
    assert "deploy pipeline #4821: payments-api 1.5.0 (ledger v2)" in causes


def test_previous_container_logs(api: Api, crashing_pod: str) -> None:
    path = f"/api/v1/namespaces/payments/pods/{crashing_pod}/log"
    resp = api.request("GET", path, query={"container": "api", "previous": "true",
                                           "tailLines": "5"})
    assert resp.status == 200 and resp.headers["content-type"] == "text/plain"
    assert b"LedgerUnavailable" in resp.data and len(resp.data.splitlines()) == 5
    resp = api.request("GET", path, query={"container": "sidecar", "previous": "true"})
    status = orjson.loads(resp.data)
    assert resp.status == 400 and status["kind"] == "Status"
    assert status["message"] == (f'previous terminated container "sidecar" in pod '
                                 f'"{crashing_pod}" not found')


@pytest.mark.parametrize(("cluster", "reason", "kind"), [
    ("prod-eu", "BackOff", "Pod"),            # crash loop (and OOM kill) restarts
    ("prod-eu", "Unhealthy", "Pod"),          # the crash-looping app's readiness probe
    ("prod-eu", "OOMKilling", "Node"),        # the kernel's OOM kill, on the node
    ("prod-eu", "FailedScheduling", "Pod"),   # a pending pod no node fits
    ("canary", "Failed", "Pod"),              # an image that does not pull
    ("prod-us", "NodeNotReady", "Node"),      # a node that stopped reporting
])
def test_each_incident_condition_has_its_warning_events(api: Api, cluster: str, reason: str,
                                                        kind: str) -> None:
    status, doc = api.json("GET", "/api/v1/events", cluster=cluster,
                           query={"fieldSelector": f"reason={reason}"})
    assert status == 200 and doc["items"], f"no {reason} event on {cluster}"
    assert {e["involvedObject"]["kind"] for e in doc["items"]} == {kind}
    assert all(e["reason"] == reason for e in doc["items"])
