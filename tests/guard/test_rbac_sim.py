"""RBAC pre-flight against the simulated fleet over real HTTPS (SelfSubjectAccessReview)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kubechat_tui.domain import ApiCall, Verb
from kubechat_tui.guard.rbac import check_rbac
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.sim import SimServer
from tests.guard.fleets import Recording, sim_fleet
from tests.guard.helpers import get_step, plan_of, scale_step, step
from tests.kube.credential_kit import kubeconfig_with


@pytest.fixture(scope="module")
def fleet(sim_kubeconfig: Path) -> Iterator[Fleet]:
    with sim_fleet(sim_kubeconfig) as opened:
        yield opened


def test_admin_may_scale_in_prod(fleet: Fleet) -> None:
    api = Recording(fleet, "admin")
    report = check_rbac(api, plan_of(get_step(), scale_step()))
    assert report.allowed and not report.denials
    assert report.summary() == "RBAC ok (2 checks)"
    scale = next(c for c in report.checks if c.step_id == "s1")
    assert scale.attributes.to_spec() == {
        "namespace": "payments", "verb": "patch", "group": "apps", "resource": "deployments",
        "subresource": "scale", "name": "payments-api"}


def test_viewer_is_denied_with_remediation(fleet: Fleet) -> None:
    api = Recording(fleet, "viewer")
    report = check_rbac(api, plan_of(get_step(), scale_step()), contact="#sre-oncall")
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
    assert check_rbac(api, plan_of(scale_step())).allowed
    report = check_rbac(api, plan_of(scale_step(namespace="kube-system", name="coredns")))
    assert not report.allowed and report.denials[0].namespace == "kube-system"


def test_cluster_scoped_denial_suggests_cluster_role(fleet: Fleet) -> None:
    api = Recording(fleet, "viewer")
    cordon = step(Verb.CORDON, resource="nodes", namespace=None, name="ip-10-0-3-7")
    cordon = cordon.model_copy(update={"api_calls": (
        ApiCall(method="PATCH", path="/api/v1/nodes/ip-10-0-3-7",
                body={"spec": {"unschedulable": True}}),)})
    report = check_rbac(api, plan_of(cordon))
    role, _ = yaml.safe_load_all(report.denials[0].grant_yaml)
    assert role["kind"] == "ClusterRole" and "namespace" not in role["metadata"]


def test_identical_reviews_are_sent_once_per_cluster(fleet: Fleet) -> None:
    api = Recording(fleet, "admin")
    twice = plan_of(scale_step(step_id="s1"), scale_step(step_id="s2"))
    report = check_rbac(api, twice)
    assert len(report.checks) == 2
    assert sum(1 for c in api.calls if "selfsubjectaccessreviews" in c[2]) == 1


def test_unreachable_cluster_fails_closed(fleet: Fleet, sim_server: SimServer) -> None:
    api = Recording(fleet, "admin")
    sim_server.faults("prod-eu").set(unreachable=True)
    try:
        report = check_rbac(api, plan_of(scale_step()))
    finally:
        sim_server.faults("prod-eu").clear()
    assert not report.allowed and report.errors
    assert report.summary() == "prod-eu: unreachable: connection refused"


def test_steps_without_reviewable_calls_fail_closed(fleet: Fleet) -> None:
    api = Recording(fleet, "admin")
    bare = step(Verb.DELETE)  # mutating, no API calls
    odd = scale_step().model_copy(update={"api_calls": (ApiCall(method="PATCH",
                                                                path="/healthz"),)})
    report = check_rbac(api, plan_of(bare, odd.model_copy(update={"id": "s2"})))
    assert not report.allowed
    assert [c.error for c in report.errors] == [
        "mutating step s1 has no API calls to review",
        "not a Kubernetes API path: /healthz"]
    assert api.calls == []


def test_rejected_credentials_are_one_error_per_cluster_not_per_step(
        sim_server: SimServer, tmp_path: Path) -> None:
    token = sim_server.issue_token("prod-eu", "admin")
    sim_server.revoke_token(token)
    path = kubeconfig_with(sim_server, tmp_path / "kc", {"admin@prod-eu": {"token": token}})
    steps = [scale_step(replicas=n, name=f"app-{n}", step_id=f"s{n}") for n in range(1, 5)]
    with sim_fleet(path) as rejected:
        report = check_rbac(rejected, plan_of(*steps))
    line = ("credentials rejected (401 Unauthorized) for user admin@prod-eu — the kubeconfig "
            "token was refused: get a new one")
    assert not report.allowed and not report.denials and len(report.checks) == 4
    assert [(c.cluster, c.error) for c in report.errors] == [("prod-eu", line)]
    assert report.summary() == f"prod-eu: {line}"
    assert report.to_dict()["summary"] == report.summary()
