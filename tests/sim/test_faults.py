"""Faults on demand: latency, throttling, server errors, outages and dropped watches."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import orjson
import pytest
import urllib3

from kubechat_tui.sim import SimServer
from tests.sim.conftest import Api


@pytest.fixture(autouse=True)
def healthy(server: SimServer) -> Iterator[None]:
    yield
    for name in server.clusters:
        server.faults(name).clear()


def test_latency(server: SimServer, api: Api) -> None:
    server.faults("staging").set(latency_ms=300)
    start = time.monotonic()
    status, _ = api.json("GET", "/api/v1/nodes", cluster="staging")
    assert status == 200 and time.monotonic() - start >= 0.3
    start = time.monotonic()
    api.json("GET", "/api/v1/nodes", cluster="prod-eu")
    assert time.monotonic() - start < 0.3


def test_throttle_sends_429_with_retry_after(server: SimServer, api: Api) -> None:
    server.faults("canary").set(throttle=True, retry_after=3)
    resp = api.request("GET", "/api/v1/pods", cluster="canary")
    body = orjson.loads(resp.data)
    assert resp.status == 429 and resp.headers["Retry-After"] == "3"
    assert body["reason"] == "TooManyRequests" and body["details"]["retryAfterSeconds"] == 3
    server.faults("canary").clear()
    assert api.request("GET", "/api/v1/pods", cluster="canary").status == 200


def test_error_rate(server: SimServer, api: Api) -> None:
    server.faults("staging").set(error_rate=1.0, error_status=500)
    status, body = api.json("GET", "/api/v1/pods", cluster="staging")
    assert status == 500 and body["reason"] == "InternalError"
    server.faults("staging").set(error_status=503)
    status, body = api.json("GET", "/api/v1/pods", cluster="staging")
    assert status == 503 and body["reason"] == "ServiceUnavailable"
    server.faults("staging").set(error_rate=0.5, error_status=500)
    codes = {api.request("GET", "/version", cluster="staging").status for _ in range(30)}
    assert codes == {200, 500}


def test_unreachable_and_blackhole(server: SimServer, api: Api) -> None:
    server.faults("prod-us").set(unreachable=True)
    with pytest.raises(urllib3.exceptions.HTTPError):
        api.request("GET", "/version", cluster="prod-us")
    server.faults("prod-us").set(unreachable=False, blackhole=True)
    pool = urllib3.PoolManager(ca_certs=str(server.ca_file), retries=False,
                               timeout=urllib3.Timeout(connect=2, read=0.5))
    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        pool.request("GET", server.cluster_url("prod-us") + "/version",
                     headers={"Authorization": f"Bearer {server.token('prod-us', 'admin')}"})
    assert api.request("GET", "/version", cluster="prod-eu").status == 200


def test_faults_reject_unknown_settings(server: SimServer) -> None:
    with pytest.raises(TypeError, match="unknown fault setting"):
        server.faults("prod-eu").set(latency=5)


def test_drop_watches_ends_open_streams(server: SimServer, api: Api) -> None:
    resp = api.request("GET", "/api/v1/pods", cluster="staging", preload=False,
                       query={"watch": "true", "timeoutSeconds": "30"})
    timer = threading.Timer(0.5, lambda: server.faults("staging").set(drop_watches=True))
    timer.start()
    start = time.monotonic()
    data = b""
    with pytest.raises(urllib3.exceptions.ProtocolError):
        for chunk in resp.stream(1024):
            data += chunk
    timer.join()
    assert time.monotonic() - start < 5
    assert b'"type":"ADDED"' in data
