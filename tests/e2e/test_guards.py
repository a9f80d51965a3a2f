"""Refusals on the simulated fleet: RBAC, change freeze, self-approval, bad policy,
skipped dry run, a cluster that drops out mid-execution."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubechat_tui.domain import Plan, Scope, Verb
from kubechat_tui.engine import trail as stage
from kubechat_tui.engine.run_state import RunOptions
from kubechat_tui.engine.wiring import open_engine
from kubechat_tui.guard.policy import PolicyError, load_policy
from kubechat_tui.planner.render import build_step
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.database import open_database
from kubechat_tui.store.signing import load_signer
from tests.e2e.conftest import LEAD, REQUESTER, VIEWER, World

FREEZE = """version: 1
rules:
  - id: FREEZE-ALWAYS
    kind: change_freeze
    description: incident freeze
    windows:
      - {days: [mon, tue, wed, thu, fri, sat, sun], from: "00:00", to: "24:00"}
    remediation: Wait for the freeze to end or use break-glass with a justification.
"""


def scale_plan(*targets: tuple[str, str, int]) -> Plan:
    """Scale steps (cluster, namespace, replicas) of payments-api/checkout-web, no approval
    needed outside production."""
    steps = tuple(
        build_step(f"s{i}", Verb.SCALE, "deployments", namespace=ns,
                   name="payments-api" if ns == "payments" else "checkout-web",
                   clusters=(cluster,), params={"replicas": replicas})
        for i, (cluster, ns, replicas) in enumerate(targets, start=1))
    clusters = tuple(dict.fromkeys(t[0] for t in targets))
    return Plan(input="scale for the test", planner="rules", scope=Scope(clusters=clusters),
                steps=steps)


def test_viewer_is_denied_with_remediation(world: World) -> None:
    plan = world.plan("scale payments-api in prod-eu to 5")
    result = world.pipeline(VIEWER).run(plan, RunOptions(confirmed=True))
    assert result.status == "denied"
    assert "viewer" in result.message and "patch" in result.message
    fix = "\n".join(result.prepared.remediation)
    assert "RoleBinding" in fix or "Role" in fix
    assert world.replicas() == 3
    assert world.actions()[-3:] == [stage.PLAN, stage.TARGETS, stage.RBAC]
    assert world.audit.verify().ok


def test_change_freeze_blocks_with_the_rule_id(world: World, tmp_path: Path) -> None:
    policy_file = tmp_path / "freeze.yaml"
    policy_file.write_text(FREEZE)
    plan = world.plan("scale payments-api in prod-eu to 5")
    result = world.pipeline(REQUESTER, policy=load_policy(policy_file)).run(
        plan, RunOptions(confirmed=True))
    assert result.status == "denied"
    assert "FREEZE-ALWAYS" in result.message
    assert any("break-glass" in r for r in result.prepared.remediation)
    assert world.replicas() == 3
    policy_record = list(world.audit.records())[-1]
    assert policy_record.event.action == stage.POLICY
    assert policy_record.event.payload["rule_ids"] == ["FREEZE-ALWAYS"]


def test_break_glass_releases_a_frozen_change_loudly(world: World, tmp_path: Path) -> None:
    policy_file = tmp_path / "freeze.yaml"
    policy_file.write_text(FREEZE)
    plan = world.plan("scale payments-api in prod-eu to 5")
    result = world.pipeline(REQUESTER, policy=load_policy(policy_file)).run(
        plan, RunOptions(confirmed=True, break_glass="payments down, INC-77, CTO on the bridge"))
    assert result.status == "done", result.message
    assert world.replicas() == 5
    assert "approval.break_glass" in world.actions()


def test_policy_file_with_a_syntax_error_is_one_clear_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nrules:\n  - id: X\n    kind: [unclosed\n")
    with pytest.raises(PolicyError) as caught:
        load_policy(broken)
    assert "broken.yaml" in str(caught.value) and "\n" not in str(caught.value)


def test_skipping_the_dry_run_needs_a_justification(world: World) -> None:
    plan = scale_plan(("staging", "payments", 2))
    alice = world.pipeline(REQUESTER)
    refused = alice.run(plan, RunOptions(confirmed=True, skip_dry_run=True))
    assert refused.status == "failed" and "justification" in refused.message
    assert world.replicas("staging") == 1
    done = alice.run(plan, RunOptions(confirmed=True, skip_dry_run=True,
                                      justification="API server dry-run webhook is down"))
    assert done.status == "done", done.message
    skipped = [r for r in world.audit.records() if r.event.action == stage.DRY_RUN_SKIPPED]
    assert skipped and skipped[-1].event.justification == "API server dry-run webhook is down"
    assert world.replicas("staging") == 2


def test_unreachable_cluster_mid_execution_is_reported(world: World) -> None:
    plan = scale_plan(("staging", "payments", 2), ("canary", "checkout", 5))

    def cut_canary(event: object) -> None:
        if getattr(event, "state", "") == "done" and getattr(event, "cluster", "") == "staging":
            world.sim.faults("canary").set(unreachable=True)

    result = world.pipeline(REQUESTER).run(plan, RunOptions(confirmed=True,
                                                            on_progress=cut_canary))
    assert result.status == "failed"
    assert result.report is not None
    states = [(c.target.cluster, c.state) for c in result.report.changes]
    assert states == [("staging", "done"), ("canary", "failed")]
    assert "canary" in result.message and "1/2 change(s) applied" in result.message
    assert world.replicas("staging") == 2
    assert result.summary is not None and "FAILED" in result.summary.text
    assert result.rollback is not None  # the staging change can be undone
    assert world.actions()[-6:] == [stage.INTENT, stage.STEP, stage.INTENT, stage.STEP,
                                    stage.FAILED, stage.SUMMARY]
    assert world.audit.verify().ok
    world.sim.faults("canary").clear()
    status, doc = world.fleet.request_json(
        "canary", "GET", "/apis/apps/v1/namespaces/checkout/deployments/checkout-web")
    assert status == 200 and doc["spec"]["replicas"] == 2  # canary untouched


def test_a_namespace_less_mutation_is_refused(world: World) -> None:
    plan = scale_plan(("staging", "payments", 2))
    step = plan.steps[0].model_copy(update={"namespace": None})
    result = world.pipeline(REQUESTER).run(plan.model_copy(update={"steps": (step,)}),
                                           RunOptions(confirmed=True))
    assert result.status == "failed" and "names no namespace" in result.message


def test_break_glass_needs_a_real_justification(world: World, tmp_path: Path) -> None:
    policy_file = tmp_path / "freeze.yaml"
    policy_file.write_text(FREEZE)
    plan = world.plan("scale payments-api in prod-eu to 5")
    result = world.pipeline(REQUESTER, policy=load_policy(policy_file)).run(
        plan, RunOptions(confirmed=True, break_glass="because"))
    assert result.status == "denied" and "justification" in result.message
    assert world.replicas() == 3
    refused = list(world.audit.records())[-1].event
    assert (refused.action, refused.outcome) == (stage.BREAK_GLASS_REFUSED, "refused")
    assert refused.justification == "because" and "at least" in refused.payload["reason"]
    assert refused.links.execution_id == result.execution_id
    assert "approval.requested" not in world.actions()  # nothing left pending


def test_no_confirmation_is_recorded(world: World) -> None:
    prep = world.pipeline(REQUESTER).prepare(scale_plan(("staging", "payments", 2)))
    result = world.pipeline(REQUESTER).execute(prep, confirmed=False)
    assert result.status == "needs_confirmation"
    assert world.actions()[-2:] == [stage.DRY_RUN, stage.NOT_CONFIRMED]
    last = list(world.audit.records())[-1].event
    assert last.payload["reason"] == "confirmation not given"
    assert last.outcome == "not_executed" and world.replicas("staging") == 1


def test_execution_records_name_the_approvers(world: World) -> None:
    plan = world.plan("scale payments-api in prod-eu to 5")
    first = world.pipeline(REQUESTER).run(plan, RunOptions(confirmed=True))
    assert first.status == "awaiting_approval" and first.prepared.approval
    request = first.prepared.approval.request
    assert request is not None
    world.approve(request.id, LEAD)
    done = world.pipeline(REQUESTER).run(plan, RunOptions(confirmed=True))
    assert done.status == "done", done.message
    row = {"request_id": request.id, "decision": "approve", "approver": LEAD[0],
           "kube_identity": "sre-lead"}  # who the cluster says the lead is, not a name
    records = [r.event for r in world.audit.records()
               if r.event.links.execution_id == done.execution_id]
    carrying = {e.action for e in records if list(e.approvals) == [row]}
    assert {stage.STEP, stage.SUCCEEDED, stage.SNAPSHOT} <= carrying
    assert world.replicas() == 5


@pytest.mark.parametrize("field, value", [
    ("name", "../../kube-system/pods/kube-proxy-kq6gc"),
    ("name", "x; rm -rf /"),
    ("name", "Payments-API"),
    ("namespace", "kube-system/pods"),
    ("namespace", "payments.evil"),
    ("clusters", ("prod-eu; rm -rf /",)),
])
def test_a_plan_value_that_is_not_a_name_is_rejected_and_audited(
        world: World, field: str, value: object) -> None:
    plan = scale_plan(("staging", "payments", 2))
    step = plan.steps[0].model_copy(update={field: value})
    bad = plan.model_copy(update={"steps": (step,)})
    world.sim.clear_requests()
    result = world.pipeline(REQUESTER).run(bad, RunOptions(confirmed=True))
    assert result.status == "failed" and "\n" not in result.message
    assert "not a valid Kubernetes name" in result.message or "context name" in result.message
    record = list(world.audit.records())[-1].event
    assert (record.action, record.outcome) == (stage.PLAN, "rejected")
    assert all(world.sim.requests(c) == [] for c in world.sim.clusters)  # nothing asked
    assert world.replicas("staging") == 1


def test_an_identity_context_named_as_a_cluster_switches_nobody(world: World) -> None:
    plan = scale_plan(("staging", "payments", 2))
    step = plan.steps[0].model_copy(update={"clusters": ("lead@staging",)})
    sneaky = plan.model_copy(update={"steps": (step,), "scope": Scope(
        clusters=("lead@staging",))})
    result = world.pipeline(VIEWER).run(sneaky, RunOptions(confirmed=True))
    assert result.status == "failed" and "'lead@staging' is not in this session" in \
        result.message
    assert world.replicas("staging") == 1
    assert not [r for r in world.sim.requests("staging") if r.user == "sre-lead"]


def test_a_policy_that_does_not_load_is_audited_as_fail_closed(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nrules: [\n")
    settings = world.settings.model_copy(update={"policy_file": broken})
    data = tmp_path / "data"
    with pytest.raises(PolicyError):
        open_engine(settings, world.fleet, data, world.operator(REQUESTER))
    db = open_database(data / "kubechat.db")
    try:
        log = AuditLog(db, load_signer(data))
        [record] = [r.event for r in log.records()]
        assert log.verify().ok
    finally:
        db.close()
    assert (record.action, record.outcome) == (stage.POLICY_LOAD_FAILED, "fail_closed")
    assert record.payload["path"] == str(broken) and "broken.yaml" in record.payload["error"]
    assert record.operator == world.operator(REQUESTER)
