"""FleetView over a scripted `request_json`, with bodies shaped like the real API server's."""

from __future__ import annotations

from typing import Any

from kubechat_tui.kube.lookup import FleetView, selector_matches, selector_string


class ScriptedFleet:
    """Answers GETs: collections (paged with limit/continue) and single objects by path."""

    def __init__(self, collections: dict[str, list[dict[str, Any]]],
                 singles: dict[str, dict[str, Any]], down: set[str]) -> None:
        self.collections = collections
        self.singles = singles
        self.down = down
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def cluster_names(self) -> list[str]:
        return ["prod-eu", "prod-us"]

    def request_json(self, cluster: str, method: str, path: str, *,
                     query: dict[str, Any] | None = None, body: object | None = None,
                     content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, Any]]:
        query = query or {}
        self.calls.append((cluster, path, query))
        if cluster in self.down:
            raise ConnectionError("refused")
        if path in self.singles:
            return 200, self.singles[path]
        if path not in self.collections:
            return 404, {"kind": "Status", "code": 404}
        items = self.collections[path]
        if "fieldSelector" in query and query["fieldSelector"].startswith("metadata.name="):
            name = query["fieldSelector"].split("=", 1)[1]
            items = [i for i in items if i["metadata"]["name"] == name]
        if query.get("labelSelector") == "app=payments-api":
            items = [i for i in items if i["metadata"].get("labels", {}).get("app") ==
                     "payments-api"]
        start = int(query.get("continue", "0"))
        limit = int(query.get("limit", "1000"))
        page = items[start:start + limit]
        more = start + limit < len(items)
        return 200, {"kind": "List", "metadata": {"continue": str(start + limit) if more else ""},
                     "items": page}


DEPLOY = {"metadata": {"name": "payments-api", "namespace": "payments"},
          "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "payments-api"}},
                   "template": {"metadata": {"labels": {"app": "payments-api", "tier": "be"}},
                                "spec": {"containers": [
                                    {"name": "api", "image": "registry.example/payments-api:1.4.2"},
                                    {"name": "sidecar", "image": "registry.example/envoy:1.30"}]}}},
          "status": {"readyReplicas": 2}}


def pods(n: int) -> list[dict[str, Any]]:
    return [{"metadata": {"name": f"payments-api-{i}", "namespace": "payments",
                          "labels": {"app": "payments-api"}}} for i in range(n)]


def fleet() -> ScriptedFleet:
    return ScriptedFleet({
        "/apis/apps/v1/deployments": [DEPLOY],
        "/api/v1/namespaces/payments/pods": pods(1203),
        "/apis/policy/v1/namespaces/payments/poddisruptionbudgets": [
            {"metadata": {"name": "pdb"}, "spec": {"selector": {"matchLabels": {
                "app": "payments-api"}}}, "status": {"disruptionsAllowed": 1}}],
        "/api/v1/namespaces/payments/services": [
            {"metadata": {"name": "payments-api"}, "spec": {"selector": {"app": "payments-api"}}},
            {"metadata": {"name": "headless"}, "spec": {}}],
    }, singles={
        "/apis/apps/v1/namespaces/payments/deployments/payments-api": DEPLOY,
        "/api/v1/namespaces/payments/endpoints/payments-api": {
            "metadata": {"name": "payments-api"},
            "subsets": [{"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}]}]},
    }, down={"prod-us"})


def test_workload_is_located_and_read() -> None:
    view = FleetView(fleet())
    workload = view.workload("prod-eu", "deployments", None, "payments-api")
    assert workload is not None
    assert (workload.namespace, workload.replicas, workload.ready, workload.selector) == (
        "payments", 3, 2, "app=payments-api")
    assert workload.containers[0] == ("api", "registry.example/payments-api:1.4.2")


def test_count_pages_through_continue_tokens() -> None:
    f = fleet()
    view = FleetView(f)
    assert view.count("prod-eu", "pods", "payments", label_selector="app=payments-api") == 1203
    pages = [q for _, p, q in f.calls if p.endswith("/pods")]
    assert len(pages) == 3 and pages[1]["continue"] == "500"


def test_answers_are_cached() -> None:
    f = fleet()
    view = FleetView(f, ttl=60)
    view.count("prod-eu", "pods", "payments")
    calls = len(f.calls)
    view.count("prod-eu", "pods", "payments")
    assert len(f.calls) == calls


def test_unreachable_or_missing_is_none_never_a_crash() -> None:
    view = FleetView(fleet())
    assert view.count("prod-us", "pods", "payments") is None
    assert view.workload("prod-us", "deployments", "payments", "payments-api") is None
    assert view.pdbs("prod-eu", "nowhere") is None


def test_pdbs_and_services() -> None:
    view = FleetView(fleet())
    pdbs = view.pdbs("prod-eu", "payments")
    assert pdbs is not None and pdbs[0].disruptions_allowed == 1
    services = view.services("prod-eu", "payments")
    assert services is not None and [(s.name, s.ready_endpoints) for s in services] == [
        ("payments-api", 2)]


def test_selector_helpers() -> None:
    selector = {"matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]},
                                     {"key": "canary", "operator": "DoesNotExist"}]}
    assert selector_string(selector) == "app=web,tier in (a,b),!canary"
    assert selector_matches(selector, {"app": "web", "tier": "a"})
    assert not selector_matches(selector, {"app": "web", "tier": "c"})
    assert not selector_matches(selector, {"app": "web", "tier": "a", "canary": "1"})
    assert not selector_matches({}, {"app": "web"})
