"""The simulator answers the captured requests with the real server's shapes."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson
import pytest

from kubechat_tui.sim import SimServer, versions
from tests.sim.conftest import Api
from tests.sim.wire import Exchange, load, shape

SAMPLE_POD = "payments-api-7788fcd8fc-6gf77"
VIEWER_SAMPLES = (18, 19, 21, 22)


@pytest.fixture(scope="module")
def crashing_pod(api: Api) -> str:
    """A payments-api pod of the simulator, standing in for the sample's pod."""
    _, body = api.json("GET", "/api/v1/namespaces/payments/pods",
                       query={"labelSelector": "app=payments-api"})
    return str(body["items"][0]["metadata"]["name"])


def replay(api: Api, number: int, pod: str) -> tuple[Exchange, int, dict[str, str], bytes]:
    """Send sample `number`'s request to the simulator (prod-eu)."""
    sample = load(number)
    url = urlsplit(sample.path.replace(SAMPLE_POD, pod))
    headers = {"Accept": sample.request_headers.get("accept", "application/json")}
    if "content-type" in sample.request_headers:
        headers["Content-Type"] = sample.request_headers["content-type"]
    resp = api.request(sample.method, url.path, query=dict(parse_qsl(url.query)),
                       who="viewer" if number in VIEWER_SAMPLES else "admin",
                       body=sample.request_body.encode() or None, headers=headers)
    return sample, resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.data


def test_version_and_core_discovery(api: Api, crashing_pod: str) -> None:
    for number in (1, 2):
        sample, status, headers, body = replay(api, number, crashing_pod)
        assert status == sample.status
        assert headers["content-type"] == "application/json"
        assert shape(orjson.loads(body)) == shape(sample.json())
    _, _, _, version = replay(api, 1, crashing_pod)
    captured = load(1).json()["gitVersion"]  # the real server's release (v1.36)
    served = versions.git_version(versions.served_minor())
    assert orjson.loads(version)["gitVersion"] == (captured if served[:5] == captured[:5]
                                                    else served)


def test_pod_list_json_item_keys(api: Api, crashing_pod: str) -> None:
    sample, status, _, body = replay(api, 3, crashing_pod)
    ours, theirs = orjson.loads(body), sample.json()
    assert status == 200
    assert list(ours) == list(theirs)
    assert (ours["kind"], ours["apiVersion"]) == ("PodList", "v1")
    assert set(ours["items"][0]) == set(theirs["items"][0]) == {"metadata", "spec", "status"}
    mine, real = ours["items"][0], theirs["items"][0]
    for part in ("metadata", "status"):
        assert set(real[part]) - {"managedFields"} <= set(mine[part]) | {"generation"}
    status_keys = set(real["status"]["containerStatuses"][0])
    assert status_keys <= set(mine["status"]["containerStatuses"][0]) | {"volumeMounts",
                                                                         "resources", "user",
                                                                         "allocatedResources"}


@pytest.mark.parametrize("number", [4, 5, 9, 10, 11])
def test_tables_match(api: Api, crashing_pod: str, number: int) -> None:
    sample, status, _, body = replay(api, number, crashing_pod)
    ours, theirs = orjson.loads(body), sample.json()
    assert status == 200
    assert list(ours) == list(theirs)
    assert ours["columnDefinitions"] == theirs["columnDefinitions"]
    assert set(ours["metadata"]) == set(theirs["metadata"])
    row, real_row = ours["rows"][0], theirs["rows"][0]
    assert [type(c).__name__ for c in row["cells"]] == [
        type(c).__name__ for c in real_row["cells"]]
    if real_row["object"] is None:
        assert row["object"] is None
    else:
        assert row["object"]["kind"] == "PartialObjectMetadata"
        assert set(real_row["object"]["metadata"]) - {"annotations", "generation"} <= set(
            row["object"]["metadata"])


def test_pod_table_cells_read_like_kubectl(api: Api, crashing_pod: str) -> None:
    _, _, _, body = replay(api, 4, crashing_pod)
    rows = {r["cells"][0]: r["cells"] for r in orjson.loads(body)["rows"]}
    cells = rows[crashing_pod]
    assert cells[1] == "1/2" and cells[2] == "CrashLoopBackOff"
    assert cells[3].endswith(" ago)") and int(cells[3].split()[0]) > 0
    assert cells[7] == cells[8] == "<none>"


def test_pagination_token_and_remaining_count(api: Api, crashing_pod: str) -> None:
    sample, _, _, body = replay(api, 6, crashing_pod)
    first = orjson.loads(body)
    assert set(first["metadata"]) == set(sample.json()["metadata"])
    assert len(first["items"]) == 2
    seen = [i["metadata"]["name"] for i in first["items"]]
    token = first["metadata"]["continue"]
    while token:
        _, page = api.json("GET", "/api/v1/pods", query={"limit": "2", "continue": token})
        seen += [i["metadata"]["name"] for i in page["items"]]
        token = page["metadata"].get("continue", "")
    _, everything = api.json("GET", "/api/v1/pods")
    assert seen == [i["metadata"]["name"] for i in everything["items"]]


def test_label_and_field_selectors(api: Api, crashing_pod: str) -> None:
    _, status, _, body = replay(api, 7, crashing_pod)
    page = orjson.loads(body)
    assert status == 200 and len(page["items"]) == 1
    assert page["items"][0]["metadata"]["labels"]["app"] == "payments-api"
    assert page["items"][0]["status"]["phase"] == "Running"


@pytest.mark.parametrize("number", [8, 17, 18, 19])
def test_status_errors_are_identical(api: Api, crashing_pod: str, number: int) -> None:
    sample, status, headers, body = replay(api, number, crashing_pod)
    ours, theirs = orjson.loads(body), sample.json()
    assert status == sample.status
    assert ours == theirs
    for name in ("x-content-type-options",):
        assert (name in headers) == (name in sample.headers)


def test_scale_get_and_dry_run_patch(api: Api, crashing_pod: str) -> None:
    sample, status, _, body = replay(api, 13, crashing_pod)
    scale = orjson.loads(body)
    assert status == 200 and shape(scale) == shape(sample.json())
    assert scale["status"]["selector"] == "app=payments-api"
    sample, status, _, body = replay(api, 14, crashing_pod)
    patched = orjson.loads(body)
    assert status == 200 and patched["spec"]["replicas"] == 5
    assert patched["metadata"]["resourceVersion"] == scale["metadata"]["resourceVersion"]
    _, after = api.json("GET", "/apis/apps/v1/namespaces/payments/deployments/payments-api")
    assert after["spec"]["replicas"] == 3


def test_restart_patch_dry_run(api: Api, crashing_pod: str) -> None:
    _, before = api.json("GET", "/apis/apps/v1/namespaces/payments/deployments/payments-api")
    sample, status, _, body = replay(api, 15, crashing_pod)
    result = orjson.loads(body)
    assert status == 200 and list(result) == list(sample.json())
    assert result["metadata"]["generation"] == before["metadata"]["generation"] + 1
    assert result["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    annotations = result["spec"]["template"]["metadata"]["annotations"]
    assert annotations["kubectl.kubernetes.io/restartedAt"] == "2026-11-25T20:00:00Z"
    _, after = api.json("GET", "/apis/apps/v1/namespaces/payments/deployments/payments-api")
    assert after == before


def test_delete_pod_dry_run(api: Api, crashing_pod: str) -> None:
    sample, status, _, body = replay(api, 16, crashing_pod)
    pod = orjson.loads(body)
    assert status == 200 and pod["kind"] == "Pod"
    real = sample.json()["metadata"]
    assert pod["metadata"]["deletionGracePeriodSeconds"] == real["deletionGracePeriodSeconds"]
    assert "deletionTimestamp" in pod["metadata"]
    status, still = api.json("GET", f"/api/v1/namespaces/payments/pods/{crashing_pod}")
    assert status == 200 and "deletionTimestamp" not in still["metadata"]


@pytest.mark.parametrize("number", [20, 21, 22])
def test_reviews(api: Api, crashing_pod: str, number: int) -> None:
    sample, status, _, body = replay(api, number, crashing_pod)
    ours, theirs = orjson.loads(body), sample.json()
    assert status == 201
    assert shape(_without_times(ours)) == shape(_without_times(theirs))
    assert ours.get("status") == theirs.get("status")


def _without_times(doc: dict[str, Any]) -> dict[str, Any]:
    meta = dict(doc.get("metadata") or {})
    meta.pop("creationTimestamp", None)
    for entry in meta.get("managedFields") or []:
        entry["manager"] = "client"
    return {**doc, "metadata": meta}


def test_watch_event_types_and_bookmarks(server: SimServer, api: Api, crashing_pod: str) -> None:
    sample = load(23)
    _, listing = api.json("GET", "/api/v1/namespaces/payments/pods")
    rv = listing["metadata"]["resourceVersion"]
    api.json("PATCH", f"/api/v1/namespaces/payments/pods/{crashing_pod}",
             body={"metadata": {"labels": {"capture": "1"}}},
             headers={"Content-Type": "application/merge-patch+json"})
    resp = api.request("GET", "/api/v1/namespaces/payments/pods",
                       query={"watch": "1", "allowWatchBookmarks": "true",
                              "resourceVersion": rv, "timeoutSeconds": "2"})
    events = [orjson.loads(line) for line in resp.data.splitlines() if line.strip()]
    assert {e["type"] for e in events} >= {e["type"] for e in sample.events()}
    bookmark = next(e for e in events if e["type"] == "BOOKMARK")
    real_bookmark = next(e for e in sample.events() if e["type"] == "BOOKMARK")
    assert shape(bookmark) == shape(real_bookmark)
    modified = next(e for e in events if e["type"] == "MODIFIED")
    assert list(modified["object"])[:2] == ["kind", "apiVersion"]


def test_watch_too_old_resource_version(api: Api, crashing_pod: str) -> None:
    sample, status, _, body = replay(api, 25, crashing_pod)
    event = orjson.loads(body.splitlines()[0])
    real = sample.events()[0]
    assert status == 200 and event["type"] == "ERROR"
    assert {k: v for k, v in event["object"].items() if k != "message"} == {
        k: v for k, v in real["object"].items() if k != "message"}
    assert event["object"]["message"].startswith("too old resource version: 1 (")


def test_table_watch_sends_columns_once(api: Api) -> None:
    _, listing = api.json("GET", "/api/v1/namespaces/default/configmaps")
    for name in ("w1", "w2"):
        api.json("POST", "/api/v1/namespaces/default/configmaps",
                 body={"metadata": {"name": name}, "data": {"k": "v"}})
    resp = api.request("GET", "/api/v1/namespaces/default/configmaps",
                       query={"watch": "1", "resourceVersion": listing["metadata"][
                           "resourceVersion"], "timeoutSeconds": "1"},
                       headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
    events = [orjson.loads(line) for line in resp.data.splitlines()]
    assert [e["type"] for e in events] == ["ADDED", "ADDED"]
    assert [e["object"]["kind"] for e in events] == ["Table", "Table"]
    assert events[0]["object"]["columnDefinitions"] and not events[1]["object"][
        "columnDefinitions"]
    assert events[1]["object"]["rows"][0]["cells"][:2] == ["w2", 1]


def test_rules_review_lists_what_the_operator_may_do(api: Api) -> None:
    status, body = api.json("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                            who="operator", body={"apiVersion": "authorization.k8s.io/v1",
                                                  "kind": "SelfSubjectRulesReview",
                                                  "spec": {"namespace": "payments"}})
    assert status == 201 and body["status"]["incomplete"] is False
    assert {"verbs": ["*"], "apiGroups": ["", "apps", "policy"], "resources": ["*"]} in body[
        "status"]["resourceRules"]


def test_watch_list_initial_events_end_with_a_bookmark(api: Api) -> None:
    resp = api.request("GET", "/api/v1/namespaces/platform/pods",
                       query={"watch": "1", "sendInitialEvents": "true",
                              "allowWatchBookmarks": "true",
                              "resourceVersionMatch": "NotOlderThan", "timeoutSeconds": "1"})
    events = [orjson.loads(line) for line in resp.data.splitlines()]
    added = [e for e in events if e["type"] == "ADDED"]
    assert added and events[len(added)]["type"] == "BOOKMARK"
    assert events[len(added)]["object"]["metadata"]["annotations"] == {
        "k8s.io/initial-events-end": "true"}
