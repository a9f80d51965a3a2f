"""Paged lists are one snapshot; versions past the compaction window expire the same way for
lists, continue tokens and watches."""

from __future__ import annotations

from typing import Any

import orjson

from kubechat_tui.sim import SimServer, paging
from kubechat_tui.sim.reads import CONTINUE_EXPIRED, LIST_EXPIRED
from tests.sim.conftest import Api
from tests.sim.wire import load

PODS = "/api/v1/pods"


def names(doc: dict[str, Any]) -> list[str]:
    return [f"{i['metadata']['namespace']}/{i['metadata']['name']}" for i in doc["items"]]


def all_pages(api: Api, first: dict[str, Any], **query: str) -> list[dict[str, Any]]:
    pages, token = [first], first["metadata"].get("continue", "")
    while token:
        status, page = api.json("GET", PODS, query={**query, "continue": token})
        assert status == 200, page
        pages.append(page)
        token = page["metadata"].get("continue", "")
    return pages


def test_every_page_is_served_at_the_first_pages_version(api: Api) -> None:
    _, before = api.json("GET", PODS)
    status, first = api.json("GET", PODS, query={"limit": "2"})
    rv = first["metadata"]["resourceVersion"]
    assert status == 200 and first["metadata"]["remainingItemCount"] == len(before["items"]) - 2
    later = before["items"][-1]
    path = (f"/api/v1/namespaces/{later['metadata']['namespace']}/pods/"
            f"{later['metadata']['name']}")
    api.json("PATCH", path, body={"metadata": {"labels": {"relabelled": "yes"}}},
             headers={"Content-Type": "application/merge-patch+json"})
    api.json("DELETE", f"/api/v1/namespaces/{before['items'][-2]['metadata']['namespace']}"
             f"/pods/{before['items'][-2]['metadata']['name']}", body={"gracePeriodSeconds": 0})
    api.json("POST", "/api/v1/namespaces/platform/pods", body={
        "metadata": {"name": "zz-late"}, "spec": {"containers": [{"name": "c", "image": "x"}]}})
    pages = all_pages(api, first, limit="2")
    assert {p["metadata"]["resourceVersion"] for p in pages} == {rv}
    seen = [i for p in pages for i in p["items"]]
    assert [f"{i['metadata']['namespace']}/{i['metadata']['name']}" for i in seen] == names(
        before)
    assert seen[-1] == {k: v for k, v in later.items() if k not in ("kind", "apiVersion")}
    assert "relabelled" not in seen[-1]["metadata"]["labels"]
    _, now = api.json("GET", PODS)
    assert now["metadata"]["resourceVersion"] != rv and "platform/zz-late" in names(now)


def test_a_compacted_continue_token_expires_with_a_fresh_token(server: SimServer,
                                                              api: Api) -> None:
    _, first = api.json("GET", PODS, query={"limit": "3"}, cluster="staging")
    token = first["metadata"]["continue"]
    start = paging.decode(token)[1]
    api.json("POST", "/api/v1/namespaces/default/configmaps", cluster="staging",
             body={"metadata": {"name": "bump"}})
    server.compact("staging")
    status, body = api.json("GET", PODS, query={"limit": "3", "continue": token},
                            cluster="staging")
    assert status == 410 and body["reason"] == "Expired" and body["code"] == 410
    assert body["message"] == CONTINUE_EXPIRED
    assert body["message"].startswith("The provided continue parameter is too old to display "
                                      "a consistent list result.")
    assert list(body["metadata"]) == ["continue"]
    assert paging.decode(body["metadata"]["continue"]) == (paging.LATEST, start)
    status, rest = api.json("GET", PODS, query={"limit": "500",
                                                "continue": body["metadata"]["continue"]},
                            cluster="staging")
    _, everything = api.json("GET", PODS, cluster="staging")
    assert status == 200 and rest["metadata"]["resourceVersion"] == everything["metadata"][
        "resourceVersion"]
    assert names(first) + names(rest) == names(everything)


def test_too_old_is_one_window_for_lists_and_watches(server: SimServer, api: Api) -> None:
    path = "/api/v1/namespaces/default/configmaps"
    _, listing = api.json("GET", path, cluster="canary")
    old = listing["metadata"]["resourceVersion"]
    api.json("POST", path, cluster="canary", body={"metadata": {"name": "window"}})
    status, then = api.json("GET", path, cluster="canary",
                            query={"resourceVersion": old, "resourceVersionMatch": "Exact"})
    assert status == 200 and names(then) == names(listing)
    watch = api.request("GET", path, cluster="canary",
                        query={"watch": "1", "resourceVersion": old, "timeoutSeconds": "1"})
    assert [orjson.loads(line)["type"] for line in watch.data.splitlines()] == ["ADDED"]
    oldest = server.compact("canary")
    status, body = api.json("GET", path, cluster="canary",
                            query={"resourceVersion": old, "resourceVersionMatch": "Exact"})
    assert (status, body["reason"], body["message"]) == (410, "Expired", LIST_EXPIRED)
    watch = api.request("GET", path, cluster="canary", query={"watch": "1",
                                                              "resourceVersion": old})
    event = orjson.loads(watch.data.splitlines()[0])
    assert event["type"] == "ERROR" and event["object"]["code"] == 410
    assert event["object"]["message"] == f"too old resource version: {old} ({oldest})"
    status, _ = api.json("GET", path, cluster="canary", query={
        "resourceVersion": str(oldest), "resourceVersionMatch": "Exact"})
    assert status == 200


def test_selectors_page_like_etcd_without_a_remaining_count(api: Api) -> None:
    sample = load(7)
    query = {"labelSelector": "app=payments-api", "fieldSelector": "status.phase=Running",
             "limit": "1"}
    status, page = api.json("GET", PODS, query=query)
    assert status == 200 and list(page["metadata"]) == list(sample.json()["metadata"]) == [
        "resourceVersion", "continue"]
    # three payments-api pods then the workers in namespace payments: the page of three is
    # full and more keys follow, so there is a token, and the next page is empty and final
    ns_path = "/api/v1/namespaces/payments/pods"
    _, full = api.json("GET", ns_path, query={"labelSelector": "app=payments-api",
                                              "limit": "3"})
    assert len(full["items"]) == 3 and "continue" in full["metadata"]
    assert "remainingItemCount" not in full["metadata"]
    _, last = api.json("GET", ns_path, query={"labelSelector": "app=payments-api", "limit": "3",
                                              "continue": full["metadata"]["continue"]})
    assert last["items"] == [] and list(last["metadata"]) == ["resourceVersion"]
    _, plain = api.json("GET", ns_path, query={"limit": "3"})
    assert plain["metadata"]["remainingItemCount"] == 2


def test_resource_version_and_continue_do_not_mix(api: Api) -> None:
    _, first = api.json("GET", PODS, query={"limit": "1"})
    status, body = api.json("GET", PODS, query={"limit": "1", "resourceVersion": "1",
                                                "continue": first["metadata"]["continue"]})
    assert status == 400
    assert body["message"] == "specifying resource version is not allowed when using continue"
