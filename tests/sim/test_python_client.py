"""The official Python client works unchanged against the simulator."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from kubernetes import client, config, watch
from kubernetes.client import ApiClient, ApiException

from kubechat_tui.sim import SimServer


def clients(kubeconfig: Path, context: str = "prod-eu") -> tuple[client.CoreV1Api,
                                                                  client.AppsV1Api, ApiClient]:
    api = config.new_client_from_config(config_file=str(kubeconfig), context=context)
    return client.CoreV1Api(api), client.AppsV1Api(api), api


@pytest.fixture(scope="module")
def core(kubeconfig: Path) -> client.CoreV1Api:
    return clients(kubeconfig)[0]


@pytest.fixture(scope="module")
def apps(kubeconfig: Path) -> client.AppsV1Api:
    return clients(kubeconfig)[1]


def wait_for(predicate: object, timeout: float = 8.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


def test_lists_and_gets(core: client.CoreV1Api, apps: client.AppsV1Api) -> None:
    pods = core.list_pod_for_all_namespaces()
    assert len(pods.items) >= 10
    nodes = core.list_node()
    assert [n.metadata.name for n in nodes.items][:3] == ["ip-10-0-1-12", "ip-10-0-2-34",
                                                          "ip-10-0-3-7"]
    deploy = apps.read_namespaced_deployment("payments-api", "payments")
    assert deploy.spec.replicas == 3
    assert deploy.metadata.annotations["deployment.kubernetes.io/revision"] == "3"
    assert {n.metadata.name for n in core.list_namespace().items} >= {
        "payments", "checkout", "orders", "platform", "kube-system", "default"}
    assert core.read_namespaced_service("payments-api", "payments").spec.cluster_ip
    assert core.read_namespaced_endpoints("payments-api", "payments").subsets
    cm = core.read_namespaced_config_map("payments-api-config", "payments")
    assert cm.data["FEATURE_LEDGER_V2"] == "true"
    assert core.read_namespaced_secret("payments-db-credentials", "payments").data["password"]


def test_selectors_and_paging(core: client.CoreV1Api) -> None:
    crashing = core.list_namespaced_pod("payments", label_selector="app in (payments-api),tier")
    assert len(crashing.items) == 3
    none = core.list_namespaced_pod("payments", label_selector="app notin (payments-api),!tier")
    assert none.items == []
    pending = core.list_pod_for_all_namespaces(field_selector="status.phase=Pending")
    assert any(p.metadata.name.startswith("reports-batch") for p in pending.items)
    on_node = core.list_pod_for_all_namespaces(field_selector="spec.nodeName=ip-10-0-1-12")
    assert on_node.items and all(p.spec.node_name == "ip-10-0-1-12" for p in on_node.items)
    names, token = [], None
    while True:
        page = core.list_pod_for_all_namespaces(limit=4, _continue=token)
        names += [p.metadata.name for p in page.items]
        token = page.metadata._continue
        if not token:
            break
    assert len(names) == len(core.list_pod_for_all_namespaces().items)


def test_events_match_the_incident(core: client.CoreV1Api, kubeconfig: Path) -> None:
    reasons = {e.reason for e in core.list_event_for_all_namespaces().items}
    assert {"BackOff", "Unhealthy", "FailedScheduling", "OOMKilling"} <= reasons
    us_core = clients(kubeconfig, "prod-us")[0]
    assert "NodeNotReady" in {e.reason for e in us_core.list_event_for_all_namespaces().items}
    canary = clients(kubeconfig, "canary")[0].list_pod_for_all_namespaces().items
    assert any(c.state.waiting and c.state.waiting.reason == "ImagePullBackOff"
               for p in canary for c in p.status.container_statuses or [])
    pod = core.list_namespaced_pod("payments", label_selector="app=payments-api").items[0]
    about = core.list_namespaced_event(
        "payments", field_selector=f"involvedObject.name={pod.metadata.name},"
                                   "involvedObject.kind=Pod")
    assert {e.reason for e in about.items} >= {"BackOff", "Unhealthy"}


def test_logs(core: client.CoreV1Api) -> None:
    pod = core.list_namespaced_pod("payments", label_selector="app=payments-api").items[0]
    name = pod.metadata.name
    text = core.read_namespaced_pod_log(name, "payments", container="api")
    assert "Traceback (most recent call last):" in text and "LedgerUnavailable" in text
    previous = core.read_namespaced_pod_log(name, "payments", container="api", previous=True)
    assert "LedgerUnavailable" in previous
    tail = core.read_namespaced_pod_log(name, "payments", container="sidecar", tail_lines=5,
                                        timestamps=True)
    lines = tail.splitlines()
    assert len(lines) == 5 and lines[0][4] == "-" and lines[0].split(" ", 1)[0].endswith("Z")
    assert core.read_namespaced_pod_log(name, "payments", container="sidecar",
                                        since_seconds=1) .count("\n") <= 2
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod_log(name, "payments")
    assert err.value.status == 400 and "choose one of: [api sidecar]" in err.value.body
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod_log(name, "payments", container="sidecar", previous=True)
    assert err.value.status == 400 and "previous terminated container" in err.value.body


def test_follow_streams_new_lines(core: client.CoreV1Api) -> None:
    pod = core.list_namespaced_pod("orders", label_selector="app=orders-api").items[0]
    resp = core.read_namespaced_pod_log(pod.metadata.name, "orders", follow=True, tail_lines=1,
                                        _preload_content=False)
    start = time.monotonic()
    got = b""
    for chunk in resp.stream(64):
        got += chunk
        if got.count(b"\n") >= 2 or time.monotonic() - start > 15:
            break
    resp.release_conn()
    assert got.count(b"\n") >= 2


def test_watch_sees_changes(core: client.CoreV1Api) -> None:
    listing = core.list_namespaced_config_map("checkout")
    rv = listing.metadata.resource_version
    body = {"metadata": {"name": "watch-me"}, "data": {"a": "1"}}
    core.create_namespaced_config_map("checkout", body)
    core.patch_namespaced_config_map("watch-me", "checkout", {"data": {"a": "2"}})
    core.delete_namespaced_config_map("watch-me", "checkout")
    seen = [(e["type"], e["object"].metadata.name) for e in watch.Watch().stream(
        core.list_namespaced_config_map, "checkout", resource_version=rv, timeout_seconds=1)]
    assert seen == [("ADDED", "watch-me"), ("MODIFIED", "watch-me"), ("DELETED", "watch-me")]


def test_scale_and_deployment_controller(core: client.CoreV1Api,
                                         apps: client.AppsV1Api) -> None:
    dry = apps.patch_namespaced_deployment_scale("orders-api", "orders",
                                                 {"spec": {"replicas": 5}}, dry_run="All")
    assert dry.spec.replicas == 5
    assert apps.read_namespaced_deployment("orders-api", "orders").spec.replicas == 2
    apps.patch_namespaced_deployment_scale("orders-api", "orders", {"spec": {"replicas": 4}})
    wait_for(lambda: len([p for p in core.list_namespaced_pod(
        "orders", label_selector="app=orders-api").items
        if p.status.phase == "Running" and not p.metadata.deletion_timestamp]) == 4)
    wait_for(lambda: apps.read_namespaced_deployment("orders-api", "orders")
             .status.ready_replicas == 4)


def test_image_change_makes_a_new_revision_and_undo(apps: client.AppsV1Api,
                                                    core: client.CoreV1Api) -> None:
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "web", "image": "registry.example/checkout-web:3.8.5"}]}}}}
    apps.patch_namespaced_deployment("checkout-web", "checkout", patch)
    wait_for(lambda: apps.read_namespaced_deployment("checkout-web", "checkout").metadata
             .annotations["deployment.kubernetes.io/revision"] == "3")
    rss = apps.list_namespaced_replica_set("checkout", label_selector="app=checkout-web").items
    by_rev = {r.metadata.annotations["deployment.kubernetes.io/revision"]: r for r in rss}
    assert by_rev["3"].spec.replicas == 4 and by_rev["2"].spec.replicas == 0
    wait_for(lambda: all(p.spec.containers[0].image.endswith("3.8.5") for p in
                         core.list_namespaced_pod("checkout").items
                         if not p.metadata.deletion_timestamp))
    old_template = by_rev["2"].spec.template
    old_template.metadata.labels.pop("pod-template-hash")
    api = apps.api_client
    body = [{"op": "replace", "path": "/spec/template",
             "value": api.sanitize_for_serialization(old_template)}]
    apps.patch_namespaced_deployment("checkout-web", "checkout", body)
    wait_for(lambda: apps.read_namespaced_deployment("checkout-web", "checkout").metadata
             .annotations["deployment.kubernetes.io/revision"] == "4")
    revisions = {r.metadata.name: r.metadata.annotations["deployment.kubernetes.io/revision"]
                 for r in apps.list_namespaced_replica_set(
                     "checkout", label_selector="app=checkout-web").items}
    assert revisions[by_rev["2"].metadata.name] == "4"


def test_restart_annotation_rolls_pods(apps: client.AppsV1Api, core: client.CoreV1Api) -> None:
    before = {p.metadata.name for p in core.list_namespaced_pod(
        "platform", label_selector="app=ingress-nginx").items}
    apps.patch_namespaced_deployment("ingress-nginx", "platform", {"spec": {"template": {
        "metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-25T21:00:00Z"}}
    }}})
    wait_for(lambda: {p.metadata.name for p in core.list_namespaced_pod(
        "platform", label_selector="app=ingress-nginx").items}.isdisjoint(before))


def test_conflict_on_stale_resource_version(apps: client.AppsV1Api) -> None:
    deploy = apps.read_namespaced_deployment("coredns", "kube-system")
    apps.patch_namespaced_deployment("coredns", "kube-system",
                                     {"metadata": {"labels": {"touched": "yes"}}})
    deploy.spec.replicas = 3
    with pytest.raises(ApiException) as err:
        apps.replace_namespaced_deployment("coredns", "kube-system", deploy)
    assert err.value.status == 409 and '"reason":"Conflict"' in err.value.body
    stale = {"metadata": {"resourceVersion": deploy.metadata.resource_version},
             "spec": {"replicas": 3}}
    with pytest.raises(ApiException) as err:
        apps.patch_namespaced_deployment("coredns", "kube-system", stale)
    assert err.value.status == 409


def test_create_delete_and_eviction(core: client.CoreV1Api, server: SimServer) -> None:
    pod = {"metadata": {"name": "debug-shell", "labels": {"app": "debug"}},
           "spec": {"containers": [{"name": "sh", "image": "busybox:1.36"}]}}
    dry = core.create_namespaced_pod("default", pod, dry_run="All")
    assert dry.metadata.uid and dry.status.phase == "Pending"
    with pytest.raises(ApiException):
        core.read_namespaced_pod("debug-shell", "default")
    created = core.create_namespaced_pod("default", pod)
    assert created.metadata.creation_timestamp
    wait_for(lambda: core.read_namespaced_pod("debug-shell", "default").status.phase == "Running")
    with pytest.raises(ApiException) as err:
        core.create_namespaced_pod("default", pod)
    assert err.value.status == 409 and "AlreadyExists" in err.value.body
    core.delete_namespaced_pod("debug-shell", "default", grace_period_seconds=0)
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod("debug-shell", "default")
    assert err.value.status == 404
    victim = core.list_namespaced_pod("kube-system").items[0].metadata.name
    eviction = client.V1Eviction(metadata=client.V1ObjectMeta(name=victim,
                                                               namespace="kube-system"))
    core.create_namespaced_pod_eviction(victim, "kube-system", eviction)
    assert core.read_namespaced_pod(victim, "kube-system").metadata.deletion_timestamp
    wait_for(lambda: victim not in {p.metadata.name for p in
                                    core.list_namespaced_pod("kube-system").items})


def test_cordon_and_foreground_delete(core: client.CoreV1Api, apps: client.AppsV1Api) -> None:
    core.patch_node("ip-10-0-4-21", {"spec": {"unschedulable": True}})
    assert core.read_node("ip-10-0-4-21").spec.unschedulable is True
    apps.delete_namespaced_deployment("payments-worker", "payments",
                                      propagation_policy="Foreground")
    wait_for(lambda: not apps.list_namespaced_replica_set(
        "payments", label_selector="app=payments-worker").items)
    wait_for(lambda: not core.list_namespaced_pod(
        "payments", label_selector="app=payments-worker").items)
    with pytest.raises(ApiException) as err:
        apps.read_namespaced_deployment("payments-worker", "payments")
    assert err.value.status == 404


def test_identities_and_rbac(kubeconfig: Path) -> None:
    viewer_core, viewer_apps, viewer_api = clients(kubeconfig, "viewer@prod-eu")
    assert viewer_core.list_namespaced_pod("payments").items
    with pytest.raises(ApiException) as err:
        viewer_core.list_namespaced_secret("payments")
    assert err.value.status == 403
    with pytest.raises(ApiException) as err:
        viewer_apps.delete_namespaced_deployment("payments-api", "payments", dry_run="All")
    assert err.value.status == 403
    _, op_apps, _ = clients(kubeconfig, "operator@prod-eu")
    op_apps.patch_namespaced_deployment_scale("payments-api", "payments",
                                              {"spec": {"replicas": 3}}, dry_run="All")
    with pytest.raises(ApiException) as err:
        op_apps.patch_namespaced_deployment_scale("orders-api", "orders",
                                                  {"spec": {"replicas": 3}}, dry_run="All")
    assert err.value.status == 403
    auth = client.AuthorizationV1Api(viewer_api)
    review = auth.create_self_subject_access_review(client.V1SelfSubjectAccessReview(
        spec=client.V1SelfSubjectAccessReviewSpec(resource_attributes=client.V1ResourceAttributes(
            namespace="payments", verb="get", resource="pods"))))
    assert review.status.allowed is True
    who = client.AuthenticationV1Api(clients(kubeconfig, "lead@prod-eu")[2]) \
        .create_self_subject_review(client.V1SelfSubjectReview())
    assert who.status.user_info.username == "sre-lead"


def test_namespace_deletion_cascades(core: client.CoreV1Api) -> None:
    core.create_namespace({"metadata": {"name": "scratch"}})
    core.create_namespaced_config_map("scratch", {"metadata": {"name": "c"}, "data": {"a": "b"}})
    core.delete_namespace("scratch")
    wait_for(lambda: "scratch" not in {n.metadata.name for n in core.list_namespace().items})
    assert core.list_namespaced_config_map("scratch").items == []


def test_paused_deployment_waits_and_change_cause_is_kept(kubeconfig: Path) -> None:
    _, staging_apps, _ = clients(kubeconfig, "staging")
    staging_apps.patch_namespaced_deployment("checkout-web", "checkout", {
        "metadata": {"annotations": {"kubernetes.io/change-cause": "web 3.8.9"}},
        "spec": {"paused": True, "template": {"spec": {"containers": [
            {"name": "web", "image": "registry.example/checkout-web:3.8.9"}]}}}})
    time.sleep(0.3)
    rss = staging_apps.list_namespaced_replica_set("checkout").items
    assert len(rss) == 1
    staging_apps.patch_namespaced_deployment("checkout-web", "checkout",
                                             {"spec": {"paused": False}})
    wait_for(lambda: len(staging_apps.list_namespaced_replica_set("checkout").items) == 2)
    newest = max(staging_apps.list_namespaced_replica_set("checkout").items,
                 key=lambda r: int(r.metadata.annotations["deployment.kubernetes.io/revision"]))
    assert newest.metadata.annotations["kubernetes.io/change-cause"] == "web 3.8.9"


def test_metrics_api(kubeconfig: Path, core: client.CoreV1Api) -> None:
    api = config.new_client_from_config(config_file=str(kubeconfig), context="viewer@prod-us")
    custom = client.CustomObjectsApi(api)
    nodes = custom.list_cluster_custom_object("metrics.k8s.io", "v1beta1", "nodes")
    assert nodes["kind"] == "NodeMetricsList" and len(nodes["items"]) == 3  # one NotReady
    assert nodes["items"][0]["usage"]["cpu"].endswith("n")
    pods = custom.list_namespaced_custom_object("metrics.k8s.io", "v1beta1", "orders", "pods",
                                                label_selector="app=orders-api")
    assert {c["name"] for p in pods["items"] for c in p["containers"]} == {"api"}
    with pytest.raises(ApiException) as err:
        custom.get_namespaced_custom_object("metrics.k8s.io", "v1beta1", "orders", "pods",
                                            "missing")
    assert err.value.status == 404
    prod_eu = client.CustomObjectsApi(core.api_client)
    with pytest.raises(ApiException) as err:
        prod_eu.list_cluster_custom_object("metrics.k8s.io", "v1beta1", "nodes")
    assert err.value.status == 404  # prod-eu runs no metrics-server
    groups = client.ApisApi(core.api_client).get_api_versions().groups
    assert "metrics.k8s.io" not in {g.name for g in groups}
