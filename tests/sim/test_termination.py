"""Graceful pod termination like a kubelet: a deleted pod shows its deletionTimestamp
while it stops, then is removed: after a second when its containers honour SIGTERM, at
the end of the grace period when one ignores it (the `slowstop` image behaviour)."""

from __future__ import annotations

import time
from typing import Any

from tests.sim.conftest import Api

PODS = "/api/v1/namespaces/payments/pods"


def pod(api: Api, name: str, image: str, grace: int) -> dict[str, Any]:
    status, nodes = api.json("GET", "/api/v1/nodes", cluster="staging")
    assert status == 200
    body = {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "payments"},
            "spec": {"nodeName": nodes["items"][0]["metadata"]["name"],
                     "terminationGracePeriodSeconds": grace,
                     "containers": [{"name": "main", "image": image}]}}
    status, created = api.json("POST", PODS, cluster="staging", body=body)
    assert status == 201, created
    return dict(created)


def gone_after(api: Api, name: str, limit: float) -> float:
    """Seconds until the pod is gone (it shows a deletionTimestamp until then)."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        status, doc = api.json("GET", f"{PODS}/{name}", cluster="staging")
        if status == 404:
            return time.monotonic() - start
        assert doc["metadata"].get("deletionTimestamp"), doc["metadata"]
        time.sleep(0.1)
    raise AssertionError(f"{name} still there after {limit}s")


def test_a_pod_that_honours_sigterm_goes_after_a_second(api: Api) -> None:
    pod(api, "quick-stop", "registry.example/envoy:1.30", grace=30)
    status, doc = api.json("DELETE", f"{PODS}/quick-stop", cluster="staging")
    assert status == 200 and doc["metadata"]["deletionGracePeriodSeconds"] == 30
    assert gone_after(api, "quick-stop", 10) < 5


def test_a_pod_that_ignores_sigterm_lives_out_its_grace_period(api: Api) -> None:
    pod(api, "slow-stop", "registry.example/legacy-batch:1.0", grace=3)
    status, _ = api.json("DELETE", f"{PODS}/slow-stop", cluster="staging")
    assert status == 200
    assert gone_after(api, "slow-stop", 10) >= 2.5
