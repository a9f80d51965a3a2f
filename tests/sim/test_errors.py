"""Bad requests get the real server's Status errors, never a traceback or a hang."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.sim.conftest import Api

DEPLOY = "/apis/apps/v1/namespaces/payments/deployments/payments-api"


def assert_status(status: int, body: Any, code: int, reason: str) -> dict[str, Any]:
    assert status == code, body
    assert body["kind"] == "Status" and body["apiVersion"] == "v1"
    assert body["status"] == "Failure" and body["code"] == code
    assert body.get("reason", "") == reason
    assert "Traceback" not in body["message"]
    return dict(body)


@pytest.mark.parametrize("path", ["/api/v1/widgets", "/apis/apps/v1/namespaces/x/gizmos",
                                  "/api/v2/pods", "/apis/apps/v9/deployments",
                                  "/api/v1/namespaces/payments/pods/x/exec-nope"])
def test_unknown_resources(api: Api, path: str) -> None:
    body = assert_status(*api.json("GET", path), 404, "NotFound")
    assert body["message"] == "the server could not find the requested resource"
    assert body["details"] == {}


@pytest.mark.parametrize("path", ["/apis/nope.example.com/v1/things", "/apis/nope.example.com",
                                  "/foo", "/clusters/prod-eu/api"])
def test_paths_outside_the_api_get_gos_plain_404(api: Api, path: str) -> None:
    resp = api.request("GET", path)
    assert resp.status == 404 and resp.data == b"404 page not found\n"
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_server_root_lists_paths(api: Api) -> None:
    status, body = api.json("GET", "/")
    assert status == 200 and {"/api", "/apis", "/version"} <= set(body["paths"])


@pytest.mark.parametrize(("selector", "message"), [
    ("app in (a", "unable to parse requirement: found '', expected: ',' or ')'"),
    ("=x", "found '=', expected: !, identifier, or 'end of string'"),
    ("app==a==b", "found '==', expected: ',' or 'end of string'"),
    ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
    ("app,", "found '', expected: identifier after ','"),
    ("x in a", "unable to parse requirement: found 'a' expected: '('"),
    ("x>abc", "unable to parse requirement: values[0]: Invalid value: \"abc\": for 'Gt', "
              "'Lt' operators, the value must be an integer"),
    ("-bad=x", "unable to parse requirement: <nil>: Invalid value: \"-bad\": name part must "
               "consist of alphanumeric characters, '-', '_' or '.', and must start and end "
               "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
               "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
])
def test_malformed_label_selectors(api: Api, selector: str, message: str) -> None:
    body = assert_status(*api.json("GET", "/api/v1/pods", query={"labelSelector": selector}),
                         400, "BadRequest")
    assert body["message"] == message


def test_unsupported_field_selector(api: Api) -> None:
    body = assert_status(*api.json("GET", "/api/v1/pods",
                                   query={"fieldSelector": "spec.containers=x"}),
                         400, "BadRequest")
    assert body["message"] == "field label not supported: spec.containers"


@pytest.mark.parametrize("token", ["not-a-token", "%%%", "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ",
                                   "e30"])
def test_bad_continue_tokens(api: Api, token: str) -> None:
    body = assert_status(*api.json("GET", "/api/v1/pods", query={"limit": "1",
                                                                  "continue": token}),
                         400, "BadRequest")
    assert body["message"].startswith("invalid continue token: ")


@pytest.mark.parametrize(("content_type", "payload", "code", "reason"), [
    ("application/merge-patch+json", b"{not json", 400, "BadRequest"),
    ("application/strategic-merge-patch+json", b"[1,2]", 400, "BadRequest"),
    ("application/json-patch+json", b'{"op":"add"}', 400, "BadRequest"),
    ("application/json-patch+json", b'[{"op":"replace","path":"/spec/nope/deeper","value":1}]',
     422, "Invalid"),
    ("text/plain", b"{}", 415, "UnsupportedMediaType"),
])
def test_bad_patch_bodies(api: Api, content_type: str, payload: bytes, code: int,
                          reason: str) -> None:
    resp = api.request("PATCH", DEPLOY, body=payload, headers={"Content-Type": content_type})
    assert_status(resp.status, orjson.loads(resp.data), code, reason)


def test_invalid_replicas(api: Api) -> None:
    body = assert_status(*api.json("PATCH", DEPLOY, body={"spec": {"replicas": -1}},
                                   headers={"Content-Type": "application/merge-patch+json"}),
                         422, "Invalid")
    assert body["message"] == ('Deployment.apps "payments-api" is invalid: spec.replicas: '
                               "Invalid value: -1: must be greater than or equal to 0")
    assert body["details"]["causes"][0]["field"] == "spec.replicas"


def test_body_name_mismatch_and_malformed_create(api: Api) -> None:
    assert_status(*api.json("PUT", DEPLOY, body={"metadata": {"name": "other"}}), 400,
                  "BadRequest")
    resp = api.request("POST", "/api/v1/namespaces/payments/configmaps", body=b"{oops",
                       headers={"Content-Type": "application/json"})
    assert_status(resp.status, orjson.loads(resp.data), 400, "BadRequest")
    assert_status(*api.json("POST", "/api/v1/namespaces/nowhere/configmaps",
                            body={"metadata": {"name": "x"}}), 404, "NotFound")


def test_authentication_and_unknown_cluster(api: Api) -> None:
    url = api.server.cluster_url("prod-eu") + "/api/v1/pods"
    resp = api.pool.request("GET", url, headers={"Authorization": "Bearer nope"})
    assert_status(resp.status, orjson.loads(resp.data), 401, "Unauthorized")
    other = api.pool.request("GET", url, headers={
        "Authorization": f"Bearer {api.server.token('staging', 'admin')}"})
    assert other.status == 401
    control = api.pool.request("GET", api.server.control_url + "/_sim/faults/mars")
    assert control.status == 404 and b"unknown cluster 'mars'" in control.data


def test_method_not_allowed_and_bad_params(api: Api) -> None:
    assert_status(*api.json("POST", "/api/v1/namespaces/payments/pods/x/log"), 405,
                  "MethodNotAllowed")
    assert_status(*api.json("GET", "/api/v1/pods", query={"limit": "ten"}), 400, "BadRequest")
    assert_status(*api.json("GET", "/api/v1/pods", query={"watch": "1",
                                                           "resourceVersion": "abc"}),
                  400, "BadRequest")
    assert_status(*api.json("DELETE", DEPLOY, query={"dryRun": "Some"}), 400, "BadRequest")


def test_protobuf_only_accept_and_unknown_protobuf_kind(api: Api) -> None:
    resp = api.request("GET", "/api/v1/pods",
                       headers={"Accept": "application/vnd.kubernetes.protobuf"})
    assert_status(resp.status, orjson.loads(resp.data), 406, "NotAcceptable")
    resp = api.request("POST", "/api/v1/namespaces/payments/configmaps",
                       body=b"k8s\x00\n\x0e\n\x02v1\x12\x08Namespace",
                       headers={"Content-Type": "application/vnd.kubernetes.protobuf"})
    assert_status(resp.status, orjson.loads(resp.data), 415, "UnsupportedMediaType")


def test_log_errors(api: Api) -> None:
    _, pods = api.json("GET", "/api/v1/namespaces/orders/pods",
                       query={"labelSelector": "app=reports-batch"})
    pending = pods["items"][0]["metadata"]["name"]
    body = assert_status(*api.json("GET", f"/api/v1/namespaces/orders/pods/{pending}/log"),
                         400, "BadRequest")
    assert body["message"] == f"pod {pending} does not have a host assigned"
    _, pods = api.json("GET", "/api/v1/namespaces/orders/pods",
                       query={"labelSelector": "app=orders-api"})
    name = pods["items"][0]["metadata"]["name"]
    body = assert_status(*api.json("GET", f"/api/v1/namespaces/orders/pods/{name}/log",
                                   query={"container": "nope"}), 400, "BadRequest")
    assert body["message"] == f"container nope is not valid for pod {name}"
    assert_status(*api.json("GET", f"/api/v1/namespaces/orders/pods/{name}/log",
                            query={"sinceSeconds": "0"}), 422, "Invalid")


def test_apply_patch_needs_a_field_manager(api: Api) -> None:
    headers = {"Content-Type": "application/apply-patch+yaml"}
    resp = api.request("PATCH", "/api/v1/namespaces/default/configmaps/applied",
                       body=b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: applied}\n",
                       headers=headers)
    assert_status(resp.status, orjson.loads(resp.data), 422, "Invalid")
    resp = api.request("PATCH", "/api/v1/namespaces/default/configmaps/applied",
                       query={"fieldManager": "kubechat"},
                       body=b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: applied}\n"
                            b"data: {a: '1'}\n", headers=headers)
    assert resp.status == 201 and orjson.loads(resp.data)["data"] == {"a": "1"}


def test_request_journal_records_call_patterns(api: Api) -> None:
    api.server.clear_requests()
    api.json("PATCH", "/apis/apps/v1/namespaces/payments/deployments/payments-api/scale",
             query={"dryRun": "All"}, who="viewer", body={"spec": {"replicas": 2}},
             headers={"Content-Type": "application/merge-patch+json"})
    api.json("GET", "/api/v1/nodes", cluster="staging")
    [record] = api.server.requests("prod-eu")
    assert (record.method, record.path, record.user, record.status) == (
        "PATCH", "/apis/apps/v1/namespaces/payments/deployments/payments-api/scale", "viewer",
        403)
    assert record.dry_run and record.content_type == "application/merge-patch+json"
    assert [r.path for r in api.server.requests("staging")] == ["/api/v1/nodes"]


def test_eviction_blocked_by_disruption_budget(api: Api) -> None:
    _, pods = api.json("GET", "/api/v1/namespaces/payments/pods",
                       query={"labelSelector": "app=payments-api"})
    name = pods["items"][0]["metadata"]["name"]
    body = assert_status(*api.json(
        "POST", f"/api/v1/namespaces/payments/pods/{name}/eviction",
        body={"apiVersion": "policy/v1", "kind": "Eviction",
              "metadata": {"name": name, "namespace": "payments"}}), 429, "TooManyRequests")
    assert body["message"] == "Cannot evict pod as it would violate the pod's disruption budget."
    assert body["details"]["causes"] == [{
        "reason": "DisruptionBudget",
        "message": "The disruption budget payments-api needs 2 healthy pods and has 0 currently"}]
    status, pod = api.json("GET", f"/api/v1/namespaces/payments/pods/{name}")
    assert status == 200 and "deletionTimestamp" not in pod["metadata"]


def test_no_op_patch_keeps_the_resource_version(api: Api) -> None:
    _, before = api.json("GET", DEPLOY)
    status, after = api.json("PATCH", DEPLOY, body={"spec": {"replicas": before["spec"][
        "replicas"]}}, headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


@pytest.mark.parametrize(("body", "field"), [
    ({"metadata": {"name": "x"}}, "spec.containers"),
    ({"metadata": {"name": "x"}, "spec": {"containers": [{"name": "a"}]}},
     "spec.containers[0].image"),
])
def test_pods_need_containers(api: Api, body: dict[str, Any], field: str) -> None:
    result = assert_status(*api.json("POST", "/api/v1/namespaces/default/pods", body=body),
                           422, "Invalid")
    assert result["message"] == f'Pod "x" is invalid: {field}: Required value'


def test_wrongly_typed_replicas(api: Api) -> None:
    body = assert_status(*api.json("PATCH", DEPLOY, body={"spec": {"replicas": "three"}},
                                   headers={"Content-Type": "application/merge-patch+json"}),
                         400, "BadRequest")
    assert "cannot unmarshal string into Go struct field" in body["message"]


def test_create_needs_a_name_and_generate_name_works(api: Api) -> None:
    body = assert_status(*api.json("POST", "/api/v1/namespaces/default/configmaps",
                                   body={"metadata": {}}), 422, "Invalid")
    assert body["message"] == ('ConfigMap "" is invalid: metadata.name: Required value: name '
                               "or generateName is required")
    status, made = api.json("POST", "/api/v1/namespaces/default/configmaps",
                            body={"metadata": {"generateName": "gen-"}})
    assert status == 201 and made["metadata"]["name"].startswith("gen-")
    assert len(made["metadata"]["name"]) == len("gen-") + 5
