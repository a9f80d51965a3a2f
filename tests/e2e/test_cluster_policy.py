"""The guardrail policy from an AuditPolicy custom resource, read through the kubeconfig's
context from the simulator: a change of the resource changes the next plan's decision."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kubechat_tui.config.guard_source import is_guard_key
from kubechat_tui.guard.policy import PolicyError
from kubechat_tui.guard.policy.cluster import cluster_policy_source
from tests.e2e.conftest import REQUESTER, World

CHART = Path(__file__).parents[2] / "charts" / "kubechat"
POLICIES = "/apis/kubechat.io/v1alpha1/namespaces/payments/auditpolicies"
FREEZE = {
    "id": "FREEZE-ALWAYS",
    "kind": "change_freeze",
    "description": "incident freeze",
    "windows": [
        {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "00:00", "to": "24:00"}
    ],
}
PROTECT = {"id": "KC-NS-001", "kind": "protected_namespaces", "namespaces": ["kube-system"]}


def _audit_policy(*rules: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "kubechat.io/v1alpha1",
        "kind": "AuditPolicy",
        "metadata": {"name": "guardrails"},
        "spec": {"policy": {"version": 1, "rules": list(rules)}},
    }


@pytest.fixture
def installed(world: World) -> World:
    crd = yaml.safe_load((CHART / "crds" / "auditpolicies.kubechat.io.yaml").read_text())
    status, doc = world.fleet.request_json(
        "prod-eu", "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body=crd
    )
    assert status == 201, doc
    return world


def test_an_audit_policy_change_decides_the_next_plan(installed: World) -> None:
    world = installed
    status, doc = world.fleet.request_json("prod-eu", "POST", POLICIES, body=_audit_policy(FREEZE))
    assert status == 201, doc
    source = cluster_policy_source(
        world.fleet, f"{world.fleet.context_of('prod-eu')}/payments/guardrails"
    )
    pipeline = world.pipeline(REQUESTER, policy=source())
    pipeline.policy_source = source
    plan = world.plan("scale payments-api in prod-eu to 5")
    frozen = pipeline.prepare(plan).policy
    assert frozen is not None and not frozen.allowed
    assert list(frozen.rule_ids) == ["FREEZE-ALWAYS"]
    status, doc = world.fleet.request_json(
        "prod-eu",
        "PATCH",
        f"{POLICIES}/guardrails",
        body={"spec": {"policy": {"version": 1, "rules": [PROTECT]}}},
        content_type="application/merge-patch+json",
    )
    assert status == 200, doc
    thawed = pipeline.prepare(plan).policy
    assert thawed is not None and thawed.allowed and thawed.policy_hash != frozen.policy_hash
    assert world.replicas() == 3  # prepared, never executed


def test_an_unreadable_cluster_policy_fails_closed(installed: World) -> None:
    source = cluster_policy_source(
        installed.fleet, f"{installed.fleet.context_of('prod-eu')}/payments/missing"
    )
    with pytest.raises(
        PolicyError,
        match=r"cluster policy: .*auditpolicies.kubechat.io.*"
        r"not found",
    ):
        source()


def test_the_server_rejects_an_audit_policy_that_breaks_a_rule(installed: World) -> None:
    bad = {**FREEZE, "effect": "require_approval"}  # approvals missing: CEL rule
    status, doc = installed.fleet.request_json("prod-eu", "POST", POLICIES, body=_audit_policy(bad))
    assert status == 422
    assert doc["message"] == (
        'AuditPolicy.kubechat.io "guardrails" is invalid: '
        "spec.policy.rules[0]: Invalid value: effect require_approval "
        "needs approvals >= 1"
    )


def test_naming_the_cluster_policy_is_a_guard_setting() -> None:
    assert is_guard_key(("policy_from_cluster",))
    with pytest.raises(PolicyError, match="is not CONTEXT/NAMESPACE/NAME"):
        cluster_policy_source(None, "just-a-name")  # type: ignore[arg-type]
