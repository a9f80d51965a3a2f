"""`--policy-from-cluster`: `kubechat apply` decides with the AuditPolicy resource as it is
now in the cluster, and a requester cannot name one when a system config owns the guard."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.cli.runner import Cli
from tests.cli.test_guard_settings import system, write
from tests.sim.conftest import Api

__all__ = ["system"]  # the administrator's config fixture
CHART = Path(__file__).parents[2] / "charts" / "kubechat"
POLICIES = "/apis/kubechat.io/v1alpha1/namespaces/payments/auditpolicies"
REF = "prod-eu/payments/guardrails"
FREEZE = {
    "id": "FREEZE-ALWAYS",
    "kind": "change_freeze",
    "windows": [
        {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "00:00", "to": "24:00"}
    ],
}
PROTECT = {"id": "KC-NS-001", "kind": "protected_namespaces", "namespaces": ["kube-system"]}


def _install(cli: Cli, *rules: dict[str, object]) -> Api:
    api = Api(cli.sim)
    crd = yaml.safe_load((CHART / "crds" / "auditpolicies.kubechat.io.yaml").read_text())
    assert (
        api.json("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body=crd)[0]
        == 201
    )
    body = {
        "apiVersion": "kubechat.io/v1alpha1",
        "kind": "AuditPolicy",
        "metadata": {"name": "guardrails"},
        "spec": {"policy": {"version": 1, "rules": list(rules)}},
    }
    assert api.json("POST", POLICIES, body=body)[0] == 201
    return api


def test_apply_follows_the_audit_policy_in_the_cluster(cli: Cli) -> None:
    api = _install(cli, FREEZE)
    plan = str(cli.save_plan("scale payments-api in prod-eu to 5"))
    code, doc = cli.json("apply", plan, "--yes", "--policy-from-cluster", REF)
    assert doc["status"] == "denied" and doc["policy"]["rule_ids"] == ["FREEZE-ALWAYS"], doc
    assert code != 0 and cli.replicas() == 3
    status, _ = api.json(
        "PATCH",
        f"{POLICIES}/guardrails",
        body={"spec": {"policy": {"version": 1, "rules": [PROTECT]}}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert status == 200
    code, out, err = cli.run("apply", plan, "--yes", "--policy-from-cluster", REF)
    assert code == 0, out + err
    assert cli.replicas() == 5
    assert cli.audit_ok()


def test_a_missing_audit_policy_refuses_every_change(cli: Cli) -> None:
    _install(cli, PROTECT)
    plan = str(cli.save_plan("scale payments-api in prod-eu to 5"))
    code, out, err = cli.run(
        "apply", plan, "--yes", "--policy-from-cluster", "prod-eu/payments/nope"
    )
    assert code == 4 and out == ""
    assert 'auditpolicies.kubechat.io "nope" not found' in err and err.count("\n") == 1
    assert cli.replicas() == 3


def test_the_requester_cannot_name_a_cluster_policy_under_a_system_config(
    cli: Cli, system: Path
) -> None:
    write(system, "ai: {enabled: false}\n")
    plan = str(cli.save_plan("scale payments-api in prod-eu to 5"))
    code, out, err = cli.run("apply", plan, "--yes", "--policy-from-cluster", REF)
    assert code == 2 and out == ""
    assert "policy_from_cluster: a guard setting, and the system config" in err
    assert cli.replicas() == 3
