"""The guard's half of issue 6 on the simulated fleet over HTTPS: RBAC, policy, targets,
approvals (self-approval refused, edits and drift void), a freeze blocking with its rule ID."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.engine.approvals import SelfApprovalError
from kubechat_tui.guard.policy import PolicyContext, load_configured_policy, load_policy
from kubechat_tui.guard.rbac import check_rbac
from kubechat_tui.guard.targets import ABSENT, observe_targets
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.sim import SimServer
from kubechat_tui.store.audit_model import AuditFilter, Operator
from tests.guard.fleets import Recording, sim_fleet
from tests.guard.helpers import (
    approval_env,
    checks_for,
    plan_of,
    scale_request,
    scale_step,
    step,
    write_policy,
)

KEY = "prod-eu/deployments/payments/payments-api"
REQUESTER = Operator("alice", "admin")
LEAD = Operator("sam", "sre-lead")


@pytest.fixture(scope="module")
def fleet(sim_kubeconfig: Path) -> Iterator[Fleet]:
    with sim_fleet(sim_kubeconfig) as opened:
        yield opened


@pytest.fixture
def own_fleet(tmp_path: Path) -> Iterator[Fleet]:
    """A private simulator: one test scales the deployment behind the approval's back."""
    with SimServer("incident").start() as server, \
            sim_fleet(server.write_kubeconfig(tmp_path / "kubeconfig")) as opened:
        yield opened


def test_observe_targets_reads_resource_versions_and_labels(fleet: Fleet) -> None:
    from kubechat_tui.domain import Verb

    plan = plan_of(scale_step(), step(Verb.DELETE, resource="pods", name=None,
                                      step_id="s2").model_copy(
        update={"selector": "app=payments-api"}),
        step(Verb.DELETE, name="no-such-deploy", step_id="s3"))
    facts = observe_targets(Recording(fleet, "admin"), plan)
    assert not facts.errors
    assert facts.resource_versions[KEY].isdigit()
    assert facts.labels[("s1", "prod-eu")][0]  # the deployment's labels
    pods = [k for k in facts.resource_versions if "/pods/payments/" in k]
    assert len(pods) == len(facts.labels[("s2", "prod-eu")]) >= 1
    assert facts.resource_versions["prod-eu/deployments/payments/no-such-deploy"] == ABSENT


def test_viewer_is_stopped_at_rbac_with_remediation(fleet: Fleet) -> None:
    report = check_rbac(Recording(fleet, "viewer"), [scale_request()])
    assert not report.allowed
    assert "RoleBinding" in report.remediation() and "viewer" in report.remediation()


def test_admin_scale_in_prod_needs_another_person_and_edits_void(
        own_fleet: Fleet, tmp_path: Path) -> None:
    admin = Recording(own_fleet, "admin")
    plan = plan_of(scale_step(5))
    assert check_rbac(admin, [scale_request()]).allowed
    facts = observe_targets(admin, plan)
    decision = load_configured_policy(Settings()).evaluate(
        plan, PolicyContext(labels=facts.labels, requester="alice"))
    assert decision.allowed and decision.required_approvals == 1
    flow, audit, db = approval_env(tmp_path)
    request = flow.request(plan, decision, facts.resource_versions, REQUESTER,
                           checks=checks_for(plan))
    lead = Recording(own_fleet, "lead").router
    with pytest.raises(SelfApprovalError):  # alice's OS user, though the lead's contexts
        flow.approve(request.id, Operator("alice", "sre-lead"), api=lead)
    assert flow.approve(request.id, LEAD, "ok", api=lead).satisfied
    assert flow.gate(plan, observe_targets(admin, plan).resource_versions, REQUESTER).satisfied
    edited = plan_of(scale_step(6))
    assert not flow.status(edited.digest(), facts.resource_versions).satisfied
    assert flow.status(edited.digest(), facts.resource_versions,
                       request_id=request.id).state == "void"
    # someone scales the deployment behind our back: the target drifts, the approval is void
    path = "/apis/apps/v1/namespaces/payments/deployments/payments-api/scale"
    status, _ = admin.request_json("prod-eu", "PATCH", path, body={"spec": {"replicas": 4}},
                                   content_type="application/merge-patch+json")
    assert status == 200
    drifted = observe_targets(admin, plan).resource_versions
    assert drifted[KEY] != facts.resource_versions[KEY]
    assert flow.gate(plan, drifted, REQUESTER).state == "void"
    actions = [r.event.action for r in audit.records(AuditFilter())]
    assert actions == ["approval.requested", "approval.refused", "approval.approved",
                       "approval.checked", "approval.checked"]
    assert audit.verify().ok
    db.close()


def test_change_freeze_blocks_prod_scale_with_rule_id(fleet: Fleet, tmp_path: Path) -> None:
    path = write_policy(tmp_path, """version: 1
rules:
  - id: FREEZE-XMAS
    kind: change_freeze
    match: {cluster_set: production}
    timezone: America/New_York
    windows: [{start: "2026-12-20T00:00", end: "2027-01-02T00:00"}]
""")
    plan = plan_of(scale_step())
    facts = observe_targets(Recording(fleet, "admin"), plan)
    decision = load_policy(path).evaluate(plan, PolicyContext(
        now=datetime(2026, 12, 24, 15, tzinfo=UTC), labels=facts.labels))
    assert not decision.allowed and decision.rule_ids == ("FREEZE-XMAS",)
    assert "America/New_York" in decision.reasons[0]
