"""RBAC pre-flight of request plans against the simulated fleet over real HTTPS
(SelfSubjectAccessReview)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kubechat_tui.guard.rbac import check_rbac
from kubechat_tui.guard.request_gate import ReviewedRequests
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.mutations import MutationError
from kubechat_tui.kube.recorder import Request
from kubechat_tui.sim import SimServer
from tests.guard.fleets import Recording, sim_fleet
from tests.guard.helpers import scale_request as scale
from tests.kube.credential_kit import kubeconfig_with


def list_pods(cluster: str = "prod-eu", step_id: str = "s1") -> tuple[str, Request]:
    """A read a change makes (a selector's list)."""
    return step_id, Request(cluster, "GET", "/api/v1/namespaces/payments/pods",
                            {"labelSelector": "app=payments-api"})


@pytest.fixture(scope="module")
def fleet(sim_kubeconfig: Path) -> Iterator[Fleet]:
    with sim_fleet(sim_kubeconfig) as opened:
        yield opened


def test_admin_may_scale_in_prod(fleet: Fleet) -> None:
    api = Recording(fleet, "admin")
    report = check_rbac(api, [list_pods(), scale()])
    assert report.allowed and not report.denials
    assert report.summary() == "RBAC ok (2 checks)"
    patch = report.checks[1]
    assert patch.attributes.to_spec() == {
        "namespace": "payments", "verb": "patch", "group": "apps", "resource": "deployments",
        "subresource": "scale", "name": "payments-api"}


def test_viewer_is_denied_with_remediation(fleet: Fleet) -> None:
    api = Recording(fleet, "viewer")
    report = check_rbac(api, [list_pods(), scale()], contact="#sre-oncall")
    assert not report.allowed
    assert [c.allowed for c in report.checks] == [True, False]
    denial = report.denials[0]
    assert (denial.cluster, denial.user, denial.namespace) == ("prod-eu", "viewer", "payments")
    assert "viewer@prod-eu cannot patch deployments/scale 'payments-api'" in report.summary()
    text = report.remediation()
    assert "Ask #sre-oncall to grant it on cluster prod-eu" in text and "kubectl apply -f -" in text
    role, binding = yaml.safe_load_all(denial.grant_yaml)
    assert role["kind"] == "Role" and role["metadata"]["namespace"] == "payments"
    assert role["rules"] == [{"apiGroups": ["apps"], "resources": ["deployments/scale"],
                              "verbs": ["patch"], "resourceNames": ["payments-api"]}]
    assert binding["subjects"][0]["name"] == "viewer"
    assert binding["roleRef"]["name"] == role["metadata"]["name"]


def test_operator_scoped_to_its_namespaces(fleet: Fleet) -> None:
    api = Recording(fleet, "operator")
    assert check_rbac(api, [scale()]).allowed
    report = check_rbac(api, [scale(namespace="kube-system", name="coredns")])
    assert not report.allowed and report.denials[0].namespace == "kube-system"


def test_cluster_scoped_denial_suggests_cluster_role(fleet: Fleet) -> None:
    api = Recording(fleet, "viewer")
    cordon = Request("prod-eu", "PATCH", "/api/v1/nodes/ip-10-0-3-7", {},
                     {"spec": {"unschedulable": True}}, "application/merge-patch+json")
    report = check_rbac(api, [("s1", cordon)])
    role, _ = yaml.safe_load_all(report.denials[0].grant_yaml)
    assert role["kind"] == "ClusterRole" and "namespace" not in role["metadata"]


def test_identical_reviews_are_sent_once_per_cluster(fleet: Fleet) -> None:
    api = Recording(fleet, "admin")
    report = check_rbac(api, [scale(step_id="s1"), scale(step_id="s2"), scale(step_id="s2")])
    assert len(report.checks) == 2
    assert sum(1 for c in api.calls if "selfsubjectaccessreviews" in c[2]) == 1


def test_unreachable_cluster_fails_closed(fleet: Fleet, sim_server: SimServer) -> None:
    api = Recording(fleet, "admin")
    sim_server.faults("prod-eu").set(unreachable=True)
    try:
        report = check_rbac(api, [scale()])
    finally:
        sim_server.faults("prod-eu").clear()
    assert not report.allowed and report.errors
    assert report.summary() == "prod-eu: unreachable: connection refused"


def test_requests_that_are_not_api_requests_fail_closed(fleet: Fleet) -> None:
    api = Recording(fleet, "admin")
    odd = [("s1", Request("prod-eu", "PATCH", "/healthz")),
           ("s2", Request("prod-eu", "HEAD", "/api/v1/pods"))]
    report = check_rbac(api, odd)
    assert not report.allowed
    assert [c.error for c in report.errors] == [
        "not a Kubernetes API path: /healthz", "unsupported HTTP method HEAD for /api/v1/pods"]
    assert api.calls == []


def test_rejected_credentials_are_one_error_per_cluster_not_per_step(
        sim_server: SimServer, tmp_path: Path) -> None:
    token = sim_server.issue_token("prod-eu", "admin")
    sim_server.revoke_token(token)
    path = kubeconfig_with(sim_server, tmp_path / "kc", {"admin@prod-eu": {"token": token}})
    requests = [scale(name=f"app-{n}", step_id=f"s{n}") for n in range(1, 5)]
    with sim_fleet(path) as rejected:
        report = check_rbac(rejected, requests)
    line = ("credentials rejected (401 Unauthorized) for user admin@prod-eu — the kubeconfig "
            "token was refused: get a new one")
    assert not report.allowed and not report.denials and len(report.checks) == 4
    assert [(c.cluster, c.error) for c in report.errors] == [("prod-eu", line)]
    assert report.summary() == f"prod-eu: {line}"
    assert report.to_dict()["summary"] == report.summary()


def test_the_gate_sends_reviewed_requests_and_refuses_denied_ones(fleet: Fleet) -> None:
    """Only what RBAC allows leaves the gate; an unreviewed request is reviewed first."""
    viewer = Recording(fleet, "viewer")
    allowed = check_rbac(viewer, [list_pods()])
    gate = ReviewedRequests(viewer, allowed)
    path = "/api/v1/namespaces/payments/pods"
    status, _ = gate.request_json("prod-eu", "GET", path,
                                  query={"labelSelector": "app=payments-api"})
    assert status == 200 and gate.late == []
    _, patch = scale()
    with pytest.raises(MutationError, match="not sent: cannot patch deployments/scale") as err:
        gate.request_json("prod-eu", patch.method, patch.path, query=dict(patch.query),
                          body=patch.body, content_type=patch.content_type)
    assert err.value.status == 403
    assert [(c.attributes.verb, c.allowed) for c in gate.late] == [("patch", False)]
    sent = [c for c in viewer.calls if "selfsubjectaccessreviews" not in c[2]]
    assert [c[1] for c in sent] == ["GET"]  # the refused PATCH never reached the cluster
