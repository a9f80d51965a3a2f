"""Exec steps under the policy: production approvals, the one-shot deny list, allowed
requesters; rules for changes see an exec like a change."""

from __future__ import annotations

from pathlib import Path

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Plan
from kubechat_tui.engine.exec_plan import ExecRequest, exec_plan
from kubechat_tui.guard.policy import (
    Policy,
    PolicyContext,
    PolicyDecision,
    load_configured_policy,
    load_policy,
)
from tests.guard.helpers import write_policy

ROLES = """version: 1
rules:
  - id: ROLES
    kind: exec_allowed_requesters
    requesters: ["sre-*", "admin"]
"""


def plan(cluster: str, *command: str, interactive: bool = False) -> Plan:
    request = ExecRequest(cluster, "orders", "orders-api-1", command, interactive=interactive)
    return exec_plan(request, "api", cluster, Settings().is_production(cluster))


def decide(policy: Policy, the_plan: Plan, requester: str = "admin") -> PolicyDecision:
    return policy.evaluate(the_plan, PolicyContext(settings=Settings(), requester=requester,
                                                   labels={("exec", c): [{}] for c in
                                                           the_plan.clusters()}))


def test_the_default_policy_asks_approval_for_exec_in_production() -> None:
    policy = load_configured_policy(Settings())
    prod = decide(policy, plan("prod-eu", "ls"))
    assert prod.allowed and prod.required_approvals == 1 and "KC-EXEC-001" in prod.rule_ids
    staging = decide(policy, plan("staging", "ls"))
    assert staging.allowed and staging.required_approvals == 0


def test_destructive_one_shot_commands_are_denied_but_a_shell_is_not() -> None:
    policy = load_configured_policy(Settings())
    denied = decide(policy, plan("staging", "rm", "-rf", "/data"))
    assert not denied.allowed and denied.rule_ids == ("KC-EXEC-002",)
    assert "matches denied pattern 'rm -rf*'" in denied.reasons[0]
    assert decide(policy, plan("staging", "sh", interactive=True)).allowed


def test_only_allowed_requesters_exec(tmp_path: Path) -> None:
    policy = load_policy(write_policy(tmp_path, ROLES))
    assert decide(policy, plan("staging", "ls"), "sre-alice").allowed
    refused = decide(policy, plan("staging", "ls"), "viewer")
    assert not refused.allowed and "viewer is not allowed to exec" in refused.reasons[0]
