"""CustomResourceDefinitions in the simulator: created through the API, then discovery,
CRUD, watch, Tables and validation errors for their custom resources, against the real
server's answers (wire samples 34-38)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import yaml

from tests.sim.conftest import Api
from tests.sim.wire import SAMPLES, load, shape

CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
WIDGETS = "/apis/example.test/v1/namespaces/payments/widgets"


def _widget(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "example.test/v1",
        "kind": "Widget",
        "metadata": {"name": name},
        "spec": spec,
    }


@pytest.fixture(scope="module")
def widgets(api: Api) -> Api:
    crd = yaml.safe_load((SAMPLES / "crd-widgets-example.yaml").read_text())
    status, body = api.json("POST", CRDS, body=crd)
    assert status == 201, body
    assert {c["type"] for c in body["status"]["conditions"]} == {"Established", "NamesAccepted"}
    return api


def test_group_discovery_matches_the_real_server(widgets: Api) -> None:
    status, body = widgets.json("GET", "/apis/example.test/v1")
    expected = load(34).json()
    assert status == 200
    for entry in body["resources"] + expected["resources"]:
        entry.pop("storageVersionHash")
    assert body == expected
    _, groups = widgets.json("GET", "/apis")
    assert "example.test" in [g["name"] for g in groups["groups"]]


def test_create_then_get_list_and_delete(widgets: Api) -> None:
    status, body = widgets.json(
        "POST", WIDGETS, body=_widget("w1", {"size": 3, "mode": "fast", "unknown": 1})
    )
    expected = load(35).json()
    assert status == 201
    for doc in (body, expected):
        doc["metadata"].pop("managedFields")
    assert shape(body) == shape(expected)  # the unknown field is pruned
    assert body["metadata"]["generation"] == 1
    status, got = widgets.json("GET", f"{WIDGETS}/w1")
    assert status == 200 and got["spec"] == {"mode": "fast", "size": 3}
    status, listed = widgets.json("GET", "/apis/example.test/v1/widgets")
    assert [i["metadata"]["name"] for i in listed["items"]] == ["w1"]
    assert listed["kind"] == "WidgetList"
    status, _ = widgets.json("DELETE", f"{WIDGETS}/w1")
    assert status == 200
    assert widgets.json("GET", f"{WIDGETS}/w1")[0] == 404


def test_schema_violations_are_worded_as_the_server_words_them(widgets: Api) -> None:
    status, body = widgets.json("POST", WIDGETS, body=_widget("w2", {"size": 99, "mode": "slow"}))
    assert (status, body) == (422, load(36).json())


def test_a_failing_cel_rule_gives_its_message(widgets: Api) -> None:
    status, body = widgets.json("POST", WIDGETS, body=_widget("w3", {"size": 2, "minSize": 5}))
    assert (status, body) == (422, load(37).json())
    wrong_type = _widget("w4", {"size": "two"})
    status, body = widgets.json("POST", WIDGETS, body=wrong_type)
    assert status == 422
    assert body["details"]["causes"][0] == {
        "reason": "FieldValueTypeInvalid",
        "field": "spec.size",
        "message": 'Invalid value: "string": spec.size in body must be of type integer: "string"',
    }


def test_an_update_is_validated_too(widgets: Api) -> None:
    assert widgets.json("POST", WIDGETS, body=_widget("w5", {"size": 4}))[0] == 201
    status, body = widgets.json(
        "PATCH",
        f"{WIDGETS}/w5",
        body={"spec": {"minSize": 9}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert status == 422 and body["message"].endswith("minSize must not exceed size")
    status, body = widgets.json(
        "PATCH",
        f"{WIDGETS}/w5",
        body={"spec": {"size": 5}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert status == 200 and body["metadata"]["generation"] == 2


def test_table_has_the_default_custom_resource_columns(widgets: Api) -> None:
    assert widgets.json("POST", WIDGETS, body=_widget("w6", {"size": 1}))[0] == 201
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    status, body = widgets.json("GET", "/apis/example.test/v1/widgets", headers={"Accept": accept})
    expected = load(38).json()
    assert status == 200
    assert body["columnDefinitions"] == expected["columnDefinitions"]
    row = next(r for r in body["rows"] if r["cells"][0] == "w6")
    assert row["cells"][1].endswith("s") and row["object"]["kind"] == "PartialObjectMetadata"
    assert row["object"]["metadata"].keys() == expected["rows"][0]["object"]["metadata"].keys()


def test_watch_sees_a_custom_resource_change(widgets: Api) -> None:
    _, listed = widgets.json("GET", WIDGETS)
    rv = listed["metadata"]["resourceVersion"]
    assert widgets.json("POST", WIDGETS, body=_widget("w7", {"size": 2}))[0] == 201
    resp = widgets.request(
        "GET", WIDGETS, query={"watch": "1", "resourceVersion": rv, "timeoutSeconds": "1"}
    )
    events = [orjson.loads(line) for line in resp.data.splitlines() if line.strip()]
    assert ("ADDED", "w7") in [(e["type"], e["object"]["metadata"]["name"]) for e in events]


def test_deleting_the_crd_deletes_its_resources(api: Api) -> None:
    crd = yaml.safe_load((SAMPLES / "crd-widgets-example.yaml").read_text())
    crd["metadata"]["name"] = "gadgets.example.test"
    crd["spec"]["names"] = {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"}
    assert api.json("POST", CRDS, body=crd)[0] == 201
    gadgets = "/apis/example.test/v1/namespaces/payments/gadgets"
    gadget = {
        "apiVersion": "example.test/v1",
        "kind": "Gadget",
        "metadata": {"name": "g1"},
        "spec": {"size": 1},
    }
    assert api.json("POST", gadgets, body=gadget)[0] == 201
    assert api.json("DELETE", f"{CRDS}/gadgets.example.test")[0] == 200
    assert api.request("GET", gadgets).status == 404
    assert api.json("POST", CRDS, body=crd)[0] == 201
    assert api.json("GET", gadgets)[1]["items"] == []


def test_an_unknown_group_is_not_served_before_its_crd(api: Api) -> None:
    resp = api.request("GET", "/apis/nothing.test/v1/namespaces/payments/things")
    assert (resp.status, resp.data) == (404, b"404 page not found\n")
