"""The approval workflow: distinct approvers, no self-approval, edits and drift void, audit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Plan, Verb
from kubechat_tui.engine.approval_status import ApprovalStatus
from kubechat_tui.engine.approvals import (
    ApprovalError,
    ApprovalWorkflow,
    DuplicateApproverError,
    SelfApprovalError,
    UnknownRequestError,
    approval_rows,
)
from kubechat_tui.guard.policy import PolicyContext, load_configured_policy, load_policy
from kubechat_tui.store.approvals import ApprovalRequest, ApprovalStore
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditFilter, Operator
from kubechat_tui.store.database import open_database
from tests.guard.helpers import (
    approval_env,
    checks_for,
    plan_of,
    scale_step,
    seen_as,
    step,
    write_policy,
)

FREEZE = """version: 1
rules:
  - id: FREEZE-ALL
    kind: change_freeze
    windows: [{days: [mon, tue, wed, thu, fri, sat, sun], from: "00:00", to: "24:00"}]
"""
ALICE = Operator("alice", "admin")
BOB = Operator("bob", "sre-lead")
CAROL = Operator("carol", "carol")
Env = tuple[ApprovalWorkflow, AuditLog]
RVS = {"prod-eu/deployments/payments/payments-api": "101"}


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[ApprovalWorkflow, AuditLog]]:
    flow, audit, db = approval_env(tmp_path)
    yield flow, audit
    db.close()


def _request(flow: ApprovalWorkflow, plan: Plan | None = None,
             rvs: dict[str, str] | None = None) -> tuple[Plan, ApprovalRequest]:
    plan = plan or plan_of(scale_step())
    decision = load_configured_policy(Settings()).evaluate(plan, PolicyContext())
    return plan, flow.request(plan, decision, rvs or RVS, ALICE, diff="replicas: 3 -> 5",
                              checks=checks_for(plan))


def approve(flow: ApprovalWorkflow, request_id: str, who: Operator,
            comment: str = "") -> ApprovalStatus:
    """Approve as `who`, the clusters saying `who` is its Kubernetes identity."""
    return flow.approve(request_id, who, comment, api=seen_as(who))


def _actions(audit: AuditLog) -> list[str]:
    return [r.event.action for r in audit.records(AuditFilter())]


def test_prod_scale_needs_one_other_person(env: Env) -> None:
    flow, audit = env
    plan, req = _request(flow)
    assert req.required_approvals == 1 and req.rule_ids == ("KC-APPROVE-001",)
    assert not flow.status(plan.digest(), RVS).satisfied
    result = approve(flow, req.id, BOB, comment="lgtm")
    assert result.satisfied and result.state == "approved"
    status = flow.status(plan.digest(), RVS)
    assert status.satisfied and [a.os_user for a in status.approvers] == ["bob"]
    decision = flow.store.decisions(req.id)[0]
    assert (decision.actor, decision.comment) == (BOB, "lgtm") and decision.at
    assert _actions(audit) == ["approval.requested", "approval.approved"]
    assert audit.verify().ok


def test_requester_can_never_approve_own_request(env: Env) -> None:
    flow, audit = env
    plan, req = _request(flow)
    with pytest.raises(SelfApprovalError, match=r"own request \(the same OS user \(alice\)"):
        approve(flow, req.id, Operator("alice", "sre-lead"))  # alice with --as lead
    with pytest.raises(SelfApprovalError, match="same Kubernetes identity"):
        approve(flow, req.id, Operator("mallory", "admin"))  # another login, alice's creds
    with pytest.raises(SelfApprovalError, match="same OS user"):
        approve(flow, req.id, Operator("alice"))  # the cluster did not say who
    assert not flow.status(plan.digest(), RVS).satisfied
    assert _actions(audit)[-3:] == ["approval.refused"] * 3
    refused = next(iter(audit.records(AuditFilter(actions=("approval.refused",)))))
    assert refused.event.operator == Operator("alice", "sre-lead")  # the real OS user


def test_demo_tells_people_apart_by_cluster_identity_only(tmp_path: Path) -> None:
    flow, audit, db = approval_env(tmp_path)
    flow.demo = True
    try:
        _plan, req = _request(flow, plan_of(step(Verb.DELETE)))
        with pytest.raises(SelfApprovalError, match="same Kubernetes identity"):
            approve(flow, req.id, Operator("alice", "admin"))
        with pytest.raises(SelfApprovalError, match="no Kubernetes identity"):
            approve(flow, req.id, Operator("alice"))
        approve(flow, req.id, Operator("alice", "sre-lead"))  # one machine, --as lead
        with pytest.raises(DuplicateApproverError, match="distinct people"):
            approve(flow, req.id, Operator("bob", "sre-lead"))  # lead's identity again
        assert approve(flow, req.id, Operator("alice", "operator")).satisfied
        assert audit.verify().ok
    finally:
        db.close()


def test_two_approvals_from_one_os_user_never_count_twice(env: Env) -> None:
    flow, _ = env
    plan, req = _request(flow, plan_of(step(Verb.DELETE)))
    approve(flow, req.id, Operator("root", "sre-lead"))
    with pytest.raises(DuplicateApproverError, match=r"same OS user \(root\)"):
        approve(flow, req.id, Operator("root", "operator"))
    assert flow.status(plan.digest(), RVS).missing == 1


def test_a_request_releases_only_its_requesters_run(env: Env) -> None:
    flow, audit = env
    plan, req = _request(flow)
    approve(flow, req.id, BOB)
    for other in (BOB, Operator("alice", "sre-lead"), Operator("mallory", "admin")):
        status = flow.gate(plan, RVS, other)
        assert not status.satisfied and "not yours" in status.reason
        assert status.approvers == ()
    mine = flow.gate(plan, RVS, ALICE)
    assert mine.satisfied
    assert approval_rows(mine) == [{"request_id": req.id, "decision": "approve",
                                    "approver": "bob", "kube_identity": "sre-lead"}]
    assert list(audit.records(AuditFilter()))[-1].event.approvals == tuple(approval_rows(mine))


def test_edit_after_approval_voids_it(env: Env) -> None:
    flow, _ = env
    plan, req = _request(flow)
    approve(flow, req.id, BOB)
    edited = plan_of(scale_step(6))
    assert edited.digest() != plan.digest()
    assert flow.status(edited.digest(), RVS).state == "none"
    void = flow.status(edited.digest(), RVS, request_id=req.id)
    assert void.state == "void" and not void.satisfied and "plan changed" in void.reason


def test_target_drift_voids_the_approval(env: Env) -> None:
    flow, audit = env
    plan, req = _request(flow)
    approve(flow, req.id, BOB)
    drifted = {"prod-eu/deployments/payments/payments-api": "102"}
    result = flow.gate(plan, drifted, ALICE)
    assert result.state == "void" and "resourceVersion 101 -> 102" in result.reason
    last = list(audit.records(AuditFilter()))[-1]
    assert last.event.action == "approval.checked" and last.event.outcome == "void"


def test_delete_in_prod_needs_two_distinct_approvers(env: Env) -> None:
    flow, _ = env
    plan, req = _request(flow, plan_of(step(Verb.DELETE)))
    assert req.required_approvals == 2
    approve(flow, req.id, BOB)
    with pytest.raises(ApprovalError, match="already approved"):
        approve(flow, req.id, BOB)
    assert flow.status(plan.digest(), RVS).missing == 1
    assert approve(flow, req.id, CAROL).satisfied


def test_reject_closes_and_execution_consumes(env: Env) -> None:
    flow, audit = env
    plan, req = _request(flow)
    flow.reject(req.id, BOB, comment="not during the incident call")
    assert flow.status(plan.digest(), RVS).state == "rejected"
    with pytest.raises(ApprovalError, match="rejected"):
        approve(flow, req.id, CAROL)
    plan, second = _request(flow)
    approve(flow, second.id, BOB)
    flow.mark_executed(second.id, ALICE, "exec-1")
    assert flow.status(plan.digest(), RVS).state == "executed"
    assert not flow.status(plan.digest(), RVS).satisfied
    assert audit.verify().ok


def test_break_glass_needs_justification_and_is_flagged(env: Env) -> None:
    flow, audit = env
    _plan, req = _request(flow)
    with pytest.raises(ApprovalError, match="justification"):
        flow.break_glass(req.id, ALICE, "because")
    result = flow.break_glass(req.id, ALICE, "payments down, INC-4711, lead unreachable")
    assert result.satisfied and result.break_glass and "BREAK-GLASS" in result.reason
    record = next(iter(audit.records(AuditFilter(actions=("approval.break_glass",)))))
    assert record.event.payload["BREAK_GLASS"] is True
    assert record.event.justification == "payments down, INC-4711, lead unreachable"


def test_policy_denied_request_is_released_only_by_break_glass(env: Env,
                                                               tmp_path: Path) -> None:
    flow, _ = env
    freeze = load_policy(write_policy(tmp_path, FREEZE))
    plan = plan_of(scale_step())
    decision = freeze.evaluate(plan, PolicyContext())
    req = flow.request(plan, decision, RVS, ALICE, checks=checks_for(plan))
    assert not req.policy_allowed and req.absolute_rules == ()
    assert not approve(flow, req.id, BOB).satisfied
    with pytest.raises(ApprovalError, match="naming the incident or ticket"):
        flow.break_glass(req.id, ALICE, "core DNS outage, approved on call")
    assert flow.break_glass(req.id, ALICE, "core DNS outage, INC-9, approved on call").satisfied
    assert flow.status(plan.digest(), RVS).satisfied


def test_absolute_rules_are_never_broken_glass(env: Env) -> None:
    flow, audit = env
    _, req = _request(flow, plan_of(scale_step(namespace="kube-system")),
                      {"prod-eu/deployments/kube-system/payments-api": "5"})
    assert req.absolute_rules == ("KC-NS-001",)
    with pytest.raises(ApprovalError, match="cannot override absolute policy rule"):
        flow.break_glass(req.id, ALICE, "core DNS outage, INC-9, approved on call")
    assert not flow.describe(req.id).satisfied
    assert _actions(audit)[-1] == "approval.refused"


def test_a_break_glass_alerts(tmp_path: Path) -> None:
    told: list[tuple[str, str, str]] = []
    flow, _, db = approval_env(tmp_path)
    flow.alerter = lambda request, who, why: told.append((request.id, who.os_user, why))
    try:
        freeze = load_policy(write_policy(tmp_path, FREEZE))
        plan = plan_of(scale_step())
        req = flow.request(plan, freeze.evaluate(plan, PolicyContext()), RVS, ALICE,
                           checks=checks_for(plan))
        flow.break_glass(req.id, ALICE, "payments down, see #4711")
        assert told == [(req.id, "alice", "payments down, see #4711")]
    finally:
        db.close()


def test_unknown_and_ambiguous_ids_are_clear(env: Env) -> None:
    flow, _ = env
    with pytest.raises(UnknownRequestError, match="unknown approval request 'nope'"):
        approve(flow, "nope", BOB)
    with pytest.raises(UnknownRequestError, match="unknown approval request"):
        flow.get("abcdef0123")


def test_prefix_resolves_and_second_process_sees_requests(tmp_path: Path) -> None:
    flow, _, db = approval_env(tmp_path)
    _, req = _request(flow)
    from kubechat_tui.store.database import open_database

    other = open_database(tmp_path / "kubechat.db")
    seen = ApprovalStore(other).resolve(req.id[:6])
    assert seen.id == req.id and seen.requester == ALICE and seen.diff == "replicas: 3 -> 5"
    other.close()
    db.close()


def test_notifier_failures_never_block(env: Env) -> None:
    flow, _ = env
    calls: list[str] = []

    def broken(request: ApprovalRequest) -> None:
        calls.append(request.id)
        raise OSError("webhook down")

    flow.notifier = broken
    _, req = _request(flow)
    assert calls == [req.id] and flow.get(req.id).id == req.id


def test_policy_versions_are_recorded_once(env: Env) -> None:
    flow, audit = env
    policy = load_configured_policy(Settings())
    assert flow.record_policy(policy, ALICE)
    assert not flow.record_policy(policy, ALICE)
    assert flow.store.policy_content(policy.hash) == policy.content
    loaded = list(audit.records(AuditFilter(actions=("policy.loaded",))))
    assert len(loaded) == 1 and loaded[0].event.payload["policy_hash"] == policy.hash


def test_an_approval_is_consumed_once_across_connections(tmp_path: Path) -> None:
    flow, audit, db = approval_env(tmp_path)
    try:
        _, req = _request(flow)
        approve(flow, req.id, BOB)
        other_db = open_database(db.path)  # another process's connection to the same file
        other = ApprovalWorkflow(ApprovalStore(other_db), AuditLog(other_db, audit.signer))
        flow.mark_executed(req.id, ALICE, "ex-1")
        with pytest.raises(ApprovalError, match="already used by another execution"):
            other.mark_executed(req.id, ALICE, "ex-2")
        other_db.close()
        actions = _actions(audit)
        assert actions.count("approval.executed") == 1 and actions[-1] == "approval.refused"
        assert flow.describe(req.id).state == "executed"
    finally:
        db.close()


def test_a_credential_in_a_break_glass_justification_is_never_recorded_nor_alerted(
        tmp_path: Path) -> None:
    token = "ghp_Zq3Lm9Tx0Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9"
    told: list[str] = []
    flow, _, db = approval_env(tmp_path)
    flow.alerter = lambda request, who, why: told.append(why)
    try:
        freeze = load_policy(write_policy(tmp_path, FREEZE))
        plan = plan_of(scale_step())
        req = flow.request(plan, freeze.evaluate(plan, PolicyContext()), RVS, ALICE,
                           checks=checks_for(plan))
        status = flow.break_glass(req.id, ALICE, f"payments down, INC-9, used {token}")
        assert status.satisfied
        assert told == ["payments down, INC-9, used [REDACTED]"]
        [decision] = flow.store.decisions(req.id)
        assert decision.comment == told[0]
    finally:
        db.close()
