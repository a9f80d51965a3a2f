"""Faults on demand: latency, throttling, server errors, outages and dropped watches."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator

import orjson
import pytest
import urllib3

from kubechat_tui.sim import SimServer
from kubechat_tui.sim.faults import parse_flag
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


SCALE = "/apis/apps/v1/namespaces/payments/deployments/payments-api/scale"
MERGE = {"Content-Type": "application/merge-patch+json"}


def test_error_writes_fails_only_writes_that_change_the_cluster(server: SimServer,
                                                                api: Api) -> None:
    server.faults("staging").set(error_rate=1.0, error_status=500, error_writes=True)
    assert api.request("GET", "/api/v1/pods", cluster="staging").status == 200
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
              "spec": {"resourceAttributes": {"verb": "patch", "resource": "deployments"}}}
    assert api.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                       cluster="staging", body=review).status == 201
    patch = orjson.dumps({"spec": {"replicas": 4}})
    dry = api.request("PATCH", SCALE, cluster="staging", body=patch, headers=MERGE,
                      query={"dryRun": "All"})
    assert dry.status == 200  # the dry run passes ...
    status, body = api.json("PATCH", SCALE, cluster="staging", body=patch, headers=MERGE)
    assert status == 500 and body["reason"] == "InternalError"  # ... the real write fails
    assert api.json("GET", SCALE, cluster="staging")[1]["spec"]["replicas"] == 1


def test_hold_writes_applies_then_holds_the_answer_until_cleared(server: SimServer,
                                                                 api: Api) -> None:
    faults = server.faults("staging")
    faults.set(hold_writes_ms=60_000)
    server.clear_requests()
    answered: list[int] = []
    writer = threading.Thread(target=lambda: answered.append(api.request(
        "PATCH", SCALE, cluster="staging", body=orjson.dumps({"spec": {"replicas": 3}}),
        headers=MERGE).status))
    writer.start()
    deadline = time.monotonic() + 10
    while not any(r.method == "PATCH" for r in server.requests("staging")):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert api.json("GET", SCALE, cluster="staging")[1]["spec"]["replicas"] == 3  # applied
    assert not answered  # ... and not answered yet
    faults.clear()
    writer.join(timeout=5)
    assert answered == [200]
    api.request("PATCH", SCALE, cluster="staging", headers=MERGE,
                body=orjson.dumps({"spec": {"replicas": 1}}))


def test_reseeded_error_dice_repeat_the_same_failures(server: SimServer, api: Api) -> None:
    faults = server.faults("staging")
    faults.set(error_rate=0.5, error_status=503)
    runs = []
    for _ in range(2):
        faults.reseed(726)
        runs.append([api.request("GET", "/version", cluster="staging").status
                     for _ in range(12)])
    assert runs[0] == runs[1] and set(runs[0]) == {200, 503}


def test_unreachable_refuses_connections_and_cuts_open_ones(server: SimServer,
                                                            api: Api) -> None:
    port = server.cluster_port("prod-us")
    context = ssl.create_default_context(cafile=str(server.ca_file))
    held = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=2),
                               server_hostname="127.0.0.1")
    server.faults("prod-us").set(unreachable=True)
    started = time.monotonic()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    assert time.monotonic() - started < 0.5  # refused at once, not a timeout
    with pytest.raises((ssl.SSLError, ConnectionError)):  # the open one died with the server
        if held.recv(1) == b"":
            raise ConnectionResetError
    held.close()
    with pytest.raises(urllib3.exceptions.NewConnectionError, match="Connection refused"):
        api.pool.connection_from_url(server.cluster_url("prod-us")).urlopen(
            "GET", "/version", retries=False)
    server.faults("prod-us").clear()
    assert api.request("GET", "/version", cluster="prod-us").status == 200
    assert server.cluster_port("prod-us") == port


def test_blackhole_times_out_connecting(server: SimServer, api: Api) -> None:
    pool = urllib3.PoolManager(ca_certs=str(server.ca_file), retries=False,
                               timeout=urllib3.Timeout(connect=5, read=10))
    url = server.cluster_url("staging") + "/version"
    auth = {"Authorization": f"Bearer {server.token('staging', 'admin')}"}
    assert pool.request("GET", url, headers=auth).status == 200  # keeps a connection open
    server.faults("staging").set(blackhole=True)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        socket.create_connection(("127.0.0.1", server.cluster_port("staging")), timeout=0.5)
    assert time.monotonic() - started >= 0.5
    timer = threading.Timer(0.6, server.faults("staging").clear)
    timer.start()
    started = time.monotonic()
    assert pool.request("GET", url, headers=auth).status == 200  # waited out on the old one
    timer.join()
    assert time.monotonic() - started >= 0.5
    assert api.request("GET", "/version", cluster="staging").status == 200


def test_faults_reject_unknown_settings_and_bad_values(server: SimServer) -> None:
    with pytest.raises(TypeError, match="unknown fault setting"):
        server.faults("prod-eu").set(latency=5)
    with pytest.raises(ValueError, match="error_rate must be between 0 and 1"):
        server.faults("prod-eu").set(error_rate=2)
    with pytest.raises(ValueError, match="unreachable must be true or false"):
        server.faults("prod-eu").set(unreachable="yes")


def _watch(api: Api, cluster: str, seconds: int) -> urllib3.BaseHTTPResponse:
    return api.request("GET", "/api/v1/configmaps", cluster=cluster, preload=False,
                       query={"watch": "true", "timeoutSeconds": str(seconds)})


def _drain(resp: urllib3.BaseHTTPResponse) -> tuple[bytes, bool]:
    """The stream's bytes and whether it ended cleanly (False: cut mid-stream)."""
    data = b""
    try:
        for chunk in resp.stream(1024):
            data += chunk
    except urllib3.exceptions.ProtocolError:
        return data, False
    return data, True


def test_drop_watches_cuts_the_open_ones_once(server: SimServer, api: Api) -> None:
    before = _watch(api, "staging", 30)
    timer = threading.Timer(0.3, lambda: server.faults("staging").set(drop_watches=True))
    timer.start()
    started = time.monotonic()
    data, clean = _drain(before)
    timer.join()
    assert not clean and time.monotonic() - started < 3
    assert b'"type":"ADDED"' in data
    started = time.monotonic()
    _, clean = _drain(_watch(api, "staging", 1))  # a new watch is not cut
    assert clean and time.monotonic() - started >= 0.9
    assert "drop_watches" not in server.faults("staging").state.as_dict()


def test_flapping_watches_are_cut_every_time(server: SimServer, api: Api) -> None:
    server.faults("canary").set(flap_watches=0.3)
    for _ in range(2):
        started = time.monotonic()
        data, clean = _drain(_watch(api, "canary", 30))
        assert not clean and 0.25 <= time.monotonic() - started < 3
        assert b'"type":"ADDED"' in data


def test_control_endpoint(server: SimServer, api: Api) -> None:
    base = server.control_url
    resp = api.pool.request("POST", f"{base}/_sim/faults/prod-us",
                            body=b'{"latency_ms": 120, "throttle": true, "retry_after": 2}')
    assert resp.status == 200 and orjson.loads(resp.data)["latency_ms"] == 120
    assert server.faults("prod-us").state.throttle
    assert api.request("GET", "/version", cluster="prod-us").status == 429
    every = orjson.loads(api.pool.request("GET", f"{base}/_sim/faults").data)
    assert every["prod-us"]["retry_after"] == 2 and not every["prod-eu"]["throttle"]
    for body, message in ((b'{"nope": 1}', b"unknown fault setting"),
                          (b"{oops", b"body is not JSON"), (b"[1]", b"JSON object"),
                          (b'{"error_status": 200}', b"HTTP error status")):
        bad = api.pool.request("POST", f"{base}/_sim/faults/prod-us", body=body)
        assert bad.status == 400 and message in bad.data
    assert api.pool.request("DELETE", f"{base}/_sim/faults/prod-us").status == 200
    assert api.request("GET", "/version", cluster="prod-us").status == 200
    resp = api.pool.request("POST", f"{base}/_sim/faults/prod-us", body=b'{"unreachable": true}')
    assert resp.status == 200
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.cluster_port("prod-us")), timeout=2)
    urls = orjson.loads(api.pool.request("GET", f"{base}/_sim/clusters").data)
    assert urls == {name: server.cluster_url(name) for name in server.clusters}


def test_compaction_from_the_control_endpoint_expires_old_versions(server: SimServer,
                                                                   api: Api) -> None:
    _, listing = api.json("GET", "/api/v1/namespaces/default/configmaps", cluster="canary")
    rv = listing["metadata"]["resourceVersion"]
    api.json("POST", "/api/v1/namespaces/default/configmaps", cluster="canary",
             body={"metadata": {"name": "after-list"}})
    resp = api.pool.request("POST", f"{server.control_url}/_sim/compact/canary")
    assert resp.status == 200 and int(orjson.loads(resp.data)["compacted"]) > int(rv)
    watched = api.request("GET", "/api/v1/namespaces/default/configmaps", cluster="canary",
                          query={"watch": "1", "resourceVersion": rv})
    event = orjson.loads(watched.data.splitlines()[0])
    assert event["type"] == "ERROR" and event["object"]["code"] == 410


@pytest.mark.parametrize(("flag", "cluster", "settings"), [
    ("prod-us:latency=200", "prod-us", {"latency_ms": 200}),
    ("canary:throttle", "canary", {"throttle": True}),
    ("canary:throttle=5", "canary", {"throttle": True, "retry_after": 5}),
    ("*:error-rate=0.25", "*", {"error_rate": 0.25}),
    ("staging:error-status=503", "staging", {"error_status": 503}),
    ("staging:unreachable", "staging", {"unreachable": True}),
    ("staging:timeout", "staging", {"blackhole": True}),
    ("prod-eu:flap-watches=5", "prod-eu", {"flap_watches": 5.0}),
    ("staging:error-writes", "staging", {"error_writes": True}),
    ("staging:hold-writes=5000", "staging", {"hold_writes_ms": 5000}),
])
def test_fault_flags(flag: str, cluster: str, settings: dict[str, object]) -> None:
    assert parse_flag(flag) == (cluster, settings)


@pytest.mark.parametrize(("flag", "problem"), [
    ("prod-us", "expected CLUSTER:KIND"), ("prod-us:slow", "expected CLUSTER:KIND"),
    ("prod-us:latency", "needs a value"), ("prod-us:latency=x", "not a number"),
    ("prod-us:unreachable=1", "takes no value"), ("prod-us:error-rate=3", "between 0 and 1"),
])
def test_bad_fault_flags(flag: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_flag(flag)
