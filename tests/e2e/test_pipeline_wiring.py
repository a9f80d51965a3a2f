"""Pipeline wiring on the simulated fleet: the policy version in force is stored and audited
once, RBAC denials name the policy's contact, a cancelled preview is audited, each check
is announced before it starts, and the session engine opens as the kubeconfig identity."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubechat_tui.engine import trail as stage
from kubechat_tui.engine.run_state import RunOptions
from kubechat_tui.engine.wiring import open_fleet_engine
from kubechat_tui.guard.policy import load_policy
from kubechat_tui.store.approvals import ApprovalStore
from kubechat_tui.store.audit_model import AuditFilter
from tests.e2e.conftest import REQUESTER, VIEWER, World

CONTACT_POLICY = """version: 1
rbac_contact: "#sre-oncall on Slack"
rules:
  - id: ANY-PROD
    kind: approvals
    match: {cluster_set: production}
    approvals: 1
"""
STAGING = "scale payments-api in staging to 2"


def test_the_policy_in_force_is_recorded_and_audited_once(world: World) -> None:
    plan = world.plan(STAGING)
    alice = world.pipeline(REQUESTER)
    first = alice.prepare(plan)
    assert first.status == "needs_confirmation", first.message
    alice.prepare(plan)
    world.pipeline(REQUESTER).prepare(plan)  # a second session: the store knows it already
    loaded = list(world.audit.records(AuditFilter(actions=("policy.loaded",))))
    assert len(loaded) == 1
    assert loaded[0].event.payload["policy_hash"] == world.policy.hash
    assert ApprovalStore(world.db).policy_content(world.policy.hash) == world.policy.content
    actions = world.actions()
    assert actions.index("policy.loaded") == actions.index(stage.POLICY) - 1  # before use


def test_rbac_denial_says_whom_to_ask(world: World, tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(CONTACT_POLICY)
    plan = world.plan("scale payments-api in prod-eu to 5")
    result = world.pipeline(VIEWER, policy=load_policy(policy_file)).run(
        plan, RunOptions(confirmed=True))
    assert result.status == "denied"
    fix = "\n".join(result.prepared.remediation)
    assert "Ask #sre-oncall on Slack to grant it" in fix
    assert "a cluster administrator" not in fix
    assert world.replicas() == 3


def test_a_cancelled_preview_is_audited(world: World) -> None:
    alice = world.pipeline(REQUESTER)
    prep = alice.prepare(world.plan(STAGING))
    assert prep.status == "needs_confirmation", prep.message
    alice.cancel(prep)
    last = list(world.audit.records())[-1]
    assert last.event.action == stage.CANCELLED and last.event.outcome == "cancelled"
    assert last.event.links.execution_id == prep.execution_id
    assert last.event.payload["status"] == "needs_confirmation"
    assert last.event.payload["reason"] == "closed without executing"
    assert world.replicas("staging") != 2
    assert world.audit.verify().ok


def test_each_check_is_announced_before_it_runs(world: World) -> None:
    seen: list[tuple[str, int]] = []

    def on_stage(what: str) -> None:
        seen.append((what, len(world.actions())))

    prep = world.pipeline(REQUESTER).prepare(world.plan(STAGING), RunOptions(on_stage=on_stage))
    assert prep.status == "needs_confirmation"
    assert [what for what, _ in seen] == ["reading the targets", "RBAC pre-flight",
                                          "guardrail policy", "server-side dry run", "approval"]
    counts = [n for _, n in seen]
    assert counts == sorted(counts) and counts[0] < counts[-1]


def test_session_engine_acts_as_the_kubeconfig_identity(world: World, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    handle = open_fleet_engine(world.settings, world.fleet, tmp_path / "data", ["staging"])
    try:
        pipeline = handle.pipeline
        assert pipeline.operator.kube_identity == "admin"
        result = pipeline.run(world.plan(STAGING), RunOptions(confirmed=True))
        assert result.status == "done", result.message
        assert world.replicas("staging") == 2
    finally:
        handle.close()
    assert (tmp_path / "data" / "kubechat.db").exists()
