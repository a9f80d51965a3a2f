"""Details a real apiserver gets right: pod admission, object field order, headers and
framing, field and label selectors, content negotiation, JSON patch errors, events."""

from __future__ import annotations

import base64
import logging
import socket
import ssl
import time
import uuid
from typing import Any

import orjson
import pytest
import yaml

from kubechat_tui.sim import SimServer, kubelet
from kubechat_tui.sim.clock import parse
from tests.sim.conftest import Api
from tests.sim.wire import load

SA_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
PATCH_422 = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
             "message": "the server rejected our request due to an error in our request",
             "reason": "Invalid", "details": {}, "code": 422}


def pod_named(api: Api, namespace: str, app: str, cluster: str = "prod-eu") -> dict[str, Any]:
    _, pods = api.json("GET", f"/api/v1/namespaces/{namespace}/pods", cluster=cluster,
                       query={"labelSelector": f"app={app}"})
    return dict(pods["items"][0])


def test_pods_get_the_service_account_volume_like_sample_03(api: Api) -> None:
    real = load(3).json()["items"][0]["spec"]
    pod = pod_named(api, "payments", "payments-api")
    spec = pod["spec"]
    [volume] = spec["volumes"]
    assert volume["name"].startswith("kube-api-access-") and len(volume["name"]) == 21
    upstream = [s for s in real["volumes"][0]["projected"]["sources"]  # minus OpenShift's CA
                if s.get("configMap", {}).get("name") != "openshift-service-ca.crt"]
    assert volume["projected"] == {**real["volumes"][0]["projected"], "sources": upstream}
    for container in spec["containers"]:
        assert container["volumeMounts"] == [{"name": volume["name"], "readOnly": True,
                                              "mountPath": SA_MOUNT}]
    assert list(spec) == [k for k in real if k in spec]
    assert list(spec["containers"][1]) == list(real["containers"][1])
    status, created = api.json("POST", "/api/v1/namespaces/default/pods", body={
        "metadata": {"name": "admitted"}, "spec": {"containers": [{"name": "c", "image": "x"}]}})
    assert status == 201 and created["spec"]["serviceAccountName"] == "default"
    assert created["spec"]["containers"][0]["volumeMounts"][0]["mountPath"] == SA_MOUNT


def test_every_namespace_publishes_the_cluster_ca(server: SimServer, api: Api) -> None:
    _, maps = api.json("GET", "/api/v1/configmaps",
                       query={"fieldSelector": "metadata.name=kube-root-ca.crt"})
    _, namespaces = api.json("GET", "/api/v1/namespaces")
    assert {m["metadata"]["namespace"] for m in maps["items"]} == {
        n["metadata"]["name"] for n in namespaces["items"]}
    assert maps["items"][0]["data"]["ca.crt"] == server.ca_pem.decode()
    api.json("POST", "/api/v1/namespaces", body={"metadata": {"name": "fresh"}})
    deadline = time.monotonic() + 5
    while api.json("GET", "/api/v1/namespaces/fresh/configmaps/kube-root-ca.crt")[0] != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert api.json("GET", "/api/v1/namespaces/fresh/serviceaccounts/default")[0] == 200


def test_endpoint_slices_follow_the_pods(api: Api) -> None:
    path = "/apis/discovery.k8s.io/v1/namespaces/orders/endpointslices"
    status, slices = api.json("GET", path,
                              query={"labelSelector": "kubernetes.io/service-name=orders-api"})
    [piece] = slices["items"]
    assert status == 200 and piece["addressType"] == "IPv4"
    assert piece["ports"] == [{"name": "http", "protocol": "TCP", "port": 8080}]
    _, endpoints = api.json("GET", "/api/v1/namespaces/orders/endpoints/orders-api")
    ready = {a["ip"] for s in endpoints["subsets"] for a in s.get("addresses", [])}
    assert {e["addresses"][0] for e in piece["endpoints"] if e["conditions"]["ready"]} == ready
    assert piece["metadata"]["ownerReferences"][0]["kind"] == "Service"
    _, table = api.json("GET", path, headers={
        "Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
    assert [c["name"] for c in table["columnDefinitions"]] == [
        "Name", "AddressType", "Ports", "Endpoints", "Age"]
    api.json("PATCH", "/apis/apps/v1/namespaces/orders/deployments/orders-api",
             body={"spec": {"replicas": 4}},
             headers={"Content-Type": "application/merge-patch+json"})
    deadline = time.monotonic() + 8
    while len(api.json("GET", path)[1]["items"][0]["endpoints"] or []) != 4:
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_metadata_in_go_order_and_labels_sorted(api: Api) -> None:
    real = list(load(3).json()["items"][0]["metadata"])
    pod = pod_named(api, "payments", "payments-worker")
    path = f"/api/v1/namespaces/payments/pods/{pod['metadata']['name']}"
    _, patched = api.json("PATCH", path, body={"metadata": {"labels": {"aaa": "1"}}},
                          headers={"Content-Type": "application/merge-patch+json"})
    meta = patched["metadata"]
    assert [k for k in meta if k in real] == [k for k in real if k in meta]
    assert list(meta)[list(meta).index("uid") + 1] == "resourceVersion"
    assert list(meta["labels"]) == sorted(meta["labels"]) and "aaa" in meta["labels"]


def test_response_headers_and_framing(api: Api) -> None:
    listing = api.request("GET", "/api/v1/pods")
    assert "Content-Length" not in listing.headers
    assert listing.headers["Transfer-Encoding"] == "chunked"
    assert "Server" not in listing.headers
    assert listing.headers["Cache-Control"] == "no-cache, private"
    uuid.UUID(listing.headers["Audit-Id"])
    assert listing.headers["X-Kubernetes-Pf-Flowschema-Uid"]
    small = api.request("GET", "/version")
    assert small.headers["Content-Length"] == str(len(small.data))
    missing = api.request("GET", "/apis/apps/v1/namespaces/payments/deployments/nope")
    assert missing.headers["Content-Length"] == str(len(missing.data))
    assert "Audit-Id" in missing.headers and "Transfer-Encoding" not in missing.headers


def test_boolean_field_selectors_treat_absent_as_false(api: Api) -> None:
    _, nodes = api.json("GET", "/api/v1/nodes")
    _, schedulable = api.json("GET", "/api/v1/nodes",
                              query={"fieldSelector": "spec.unschedulable=false"})
    assert len(schedulable["items"]) == len(nodes["items"]) > 0
    name = nodes["items"][0]["metadata"]["name"]
    api.json("PATCH", f"/api/v1/nodes/{name}", body={"spec": {"unschedulable": True}},
             headers={"Content-Type": "application/strategic-merge-patch+json"})
    _, cordoned = api.json("GET", "/api/v1/nodes",
                           query={"fieldSelector": "spec.unschedulable=true"})
    _, others = api.json("GET", "/api/v1/nodes",
                         query={"fieldSelector": "spec.unschedulable!=true"})
    assert [n["metadata"]["name"] for n in cordoned["items"]] == [name]
    assert len(others["items"]) == len(nodes["items"]) - 1
    _, pods = api.json("GET", "/api/v1/namespaces/orders/pods",
                       query={"fieldSelector": "spec.hostNetwork=false"})
    assert pods["items"]
    api.json("PATCH", f"/api/v1/nodes/{name}", body={"spec": {"unschedulable": None}},
             headers={"Content-Type": "application/merge-patch+json"})


def test_set_based_greater_and_less_than(api: Api) -> None:
    for index, weight in enumerate(("3", "12", "x")):
        api.json("POST", "/api/v1/namespaces/default/configmaps",
                 body={"metadata": {"name": f"weighted-{index}", "labels": {"weight": weight}}})
    cases = {"weight>5": ["weighted-1"], "weight<5": ["weighted-0"],
             "weight>1,weight<20": ["weighted-0", "weighted-1"]}
    for selector, expected in cases.items():
        status, found = api.json("GET", "/api/v1/namespaces/default/configmaps",
                                 query={"labelSelector": selector})
        assert status == 200 and [m["metadata"]["name"] for m in found["items"]] == expected


def test_yaml_is_served_and_406_names_what_is(api: Api) -> None:
    resp = api.request("GET", "/api/v1/namespaces/payments/pods",
                       headers={"Accept": "application/yaml"})
    assert resp.status == 200 and resp.headers["Content-Type"] == "application/yaml"
    as_json = api.json("GET", "/api/v1/namespaces/payments/pods")[1]
    assert yaml.safe_load(resp.data)["items"][0]["metadata"]["name"] == as_json["items"][0][
        "metadata"]["name"]
    refused = api.request("GET", "/api/v1/pods",
                          headers={"Accept": "application/vnd.kubernetes.protobuf"})
    assert refused.status == 406
    assert orjson.loads(refused.data)["message"] == (
        "only the following media types are accepted: application/json, application/yaml")


def test_table_options_are_validated(api: Api) -> None:
    table = "application/json;as=Table;v=v1;g=meta.k8s.io"
    status, body = api.json("GET", "/api/v1/pods", query={"includeObject": "Bogus"},
                            headers={"Accept": table})
    assert status == 400 and body["reason"] == "BadRequest"
    assert body["message"] == ("Unable to convert to Table as requested: includeObject: "
                               "Invalid value: \"Bogus\": must be 'Metadata', 'Object', "
                               "'None', or empty")
    assert api.json("GET", "/api/v1/pods", query={"includeObject": "Bogus"})[0] == 200


def test_json_patch_failures_say_no_more_than_the_real_server(api: Api) -> None:
    path = "/api/v1/namespaces/payments/secrets/payments-db-credentials"
    headers = {"Content-Type": "application/json-patch+json"}
    password = base64.b64encode(b"pR0d-Ledger!pass-7731").decode()
    for ops in ([{"op": "replace", "path": "/spec/nope/x"}],
                [{"op": "remove", "path": "/data/absent"}],
                [{"op": "test", "path": "/data/password", "value": "guess"}],
                [{"op": "add", "path": "/data/list/9", "value": 1}],
                [{"op": "frobnicate", "path": "/data"}]):
        resp = api.request("PATCH", path, body=ops, headers=headers)
        assert resp.status == 422 and orjson.loads(resp.data) == PATCH_422
        assert password.encode() not in resp.data
    bad = api.request("PATCH", path, body={"op": "add"}, headers=headers)
    assert bad.status == 400 and orjson.loads(bad.data)["message"] == (
        "json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    status, patched = api.json("PATCH", path, headers=headers, body=[
        {"op": "test", "path": "/data/password", "value": password},
        {"op": "replace", "path": "/data/extra", "value": "eA=="},  # v4: adds a missing key
        {"op": "copy", "from": "/data/username", "path": "/data/copy"}])
    assert status == 200 and patched["data"]["extra"] == "eA=="
    assert patched["data"]["copy"] == patched["data"]["username"]


def test_crash_looping_and_oom_killed_containers(api: Api) -> None:
    crashing = pod_named(api, "payments", "payments-api")["status"]["containerStatuses"][0]
    assert crashing["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert crashing["lastState"]["terminated"]["reason"] == "Error"
    _, workers = api.json("GET", "/api/v1/namespaces/payments/pods",
                          query={"labelSelector": "app=payments-worker"})
    for pod in workers["items"]:
        [worker] = pod["status"]["containerStatuses"]
        state = next(iter(worker["state"]))
        assert state in ("waiting", "running", "terminated")
        if state == "waiting":
            assert worker["state"]["waiting"]["reason"] == "CrashLoopBackOff"
        last = worker["state"].get("terminated") or worker["lastState"]["terminated"]
        assert (last["reason"], last["exitCode"]) == ("OOMKilled", 137)
        started = parse(pod["status"]["startTime"])
        assert started is not None
        assert worker["restartCount"] in {
            kubelet.restarts_since(started, time.time() + d, "oomkilled") for d in (-2, 0)}


def test_event_sources_name_the_host_only_for_the_kubelet(api: Api) -> None:
    _, events = api.json("GET", "/api/v1/events")  # the crash loop's kubelet events always
    sources = {e["reason"]: e["source"] for e in events["items"]}  # exist; a healthy pod's
    assert sources["FailedScheduling"] == {"component": "default-scheduler"}  # only when new
    kubelet_events = [e for e in events["items"] if e["source"]["component"] == "kubelet"]
    assert kubelet_events and all(e["source"]["host"] for e in kubelet_events)


def test_follow_client_leaving_ends_the_stream_quietly(
        server: SimServer, api: Api, caplog: pytest.LogCaptureFixture) -> None:
    pod = pod_named(api, "orders", "orders-api")["metadata"]["name"]
    path = f"/api/v1/namespaces/orders/pods/{pod}/log"
    context = ssl.create_default_context(cafile=str(server.ca_file))
    raw = socket.create_connection(("127.0.0.1", server.cluster_port("prod-eu")), timeout=5)
    with caplog.at_level(logging.INFO), context.wrap_socket(
            raw, server_hostname="127.0.0.1") as sock:
        sock.sendall(f"GET {path}?follow=true&tailLines=1 HTTP/1.1\r\nHost: sim\r\n"
                     f"Authorization: Bearer {server.token('prod-eu', 'admin')}\r\n\r\n"
                     .encode())
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 OK")
    deadline = time.monotonic() + 4  # like Ctrl-C on `kubectl logs -f`
    while not any(r.path == path for r in server.requests("prod-eu")):
        assert time.monotonic() < deadline, "the follow stream did not end"
        time.sleep(0.1)
    assert [r.status for r in server.requests("prod-eu") if r.path == path] == [200]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_scaling_an_old_rollout_is_progress_not_a_missed_deadline(api: Api) -> None:
    path = "/apis/apps/v1/namespaces/checkout/deployments/checkout-web"
    api.json("PATCH", path, body={"spec": {"replicas": 5}},
             headers={"Content-Type": "application/merge-patch+json"})
    seen = set()
    deadline = time.monotonic() + 8
    while "NewReplicaSetAvailable" not in seen:
        assert time.monotonic() < deadline, seen
        conditions = api.json("GET", path)[1]["status"]["conditions"]
        seen.add(next(c["reason"] for c in conditions if c["type"] == "Progressing"))
        time.sleep(0.1)
    assert "ProgressDeadlineExceeded" not in seen
