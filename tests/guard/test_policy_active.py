"""The active policy: a store version replaces the file, but under a system config it
only adds rules to the administrator's policy (a requester cannot loosen the guard)."""

from __future__ import annotations

from pathlib import Path

from kubechat_tui.config.guard_source import GuardSource
from kubechat_tui.config.settings import Settings
from kubechat_tui.guard.policy import PolicyContext, load_configured_policy
from kubechat_tui.guard.policy.active import active_policy, policy_from_text
from kubechat_tui.store.database import open_database
from kubechat_tui.store.policy_history import PolicyHistory
from tests.guard.helpers import plan_of, scale_step

EMPTY = b"version: 1\nrules: []\n"
EXTRA = b"""version: 1
policy_changes: {approvals: 2}
rules:
  - id: KC-APPROVE-001
    kind: approvals
    match: {cluster_set: production}
    approvals: 1
    effect: require_approval
  - id: PAY-001
    kind: protected_namespaces
    namespaces: [payments]
"""


def _history(tmp_path: Path, content: bytes) -> PolicyHistory:
    history = PolicyHistory(open_database(tmp_path / "k.db"))
    policy = policy_from_text(content, "x")
    history.add(policy.content, policy.hash, "m", "alice", {})
    return history


def test_without_a_system_config_the_store_version_replaces_the_file(tmp_path: Path) -> None:
    settings = Settings(production_clusters=["prod-*"])
    floor = load_configured_policy(settings)
    active = active_policy(settings, floor, _history(tmp_path, EMPTY))
    assert active.version == 1 and active.rule_ids == ()
    decision = active.evaluate(plan_of(scale_step()), PolicyContext(settings=settings))
    assert decision.allowed and decision.required_approvals == 0


def test_under_a_system_config_a_version_only_adds_rules(tmp_path: Path) -> None:
    settings = Settings(production_clusters=["prod-*"]).with_guard(
        GuardSource(system=Path("/etc/kubechat/config.yaml")))
    floor = load_configured_policy(settings)
    loosened = active_policy(settings, floor, _history(tmp_path / "a", EMPTY))
    assert loosened.rule_ids == floor.rule_ids and loosened.version == 1
    decision = loosened.evaluate(plan_of(scale_step()), PolicyContext(settings=settings))
    assert decision.required_approvals == 1 and "KC-APPROVE-001" in decision.rule_ids
    assert decision.policy_hash == loosened.hash != floor.hash
    tightened = active_policy(settings, floor, _history(tmp_path / "b", EXTRA))
    assert tightened.rule_ids == (*floor.rule_ids, "PAY-001")
    assert tightened.spec.policy_changes.approvals == 2
    assert not tightened.evaluate(plan_of(scale_step()), PolicyContext(settings=settings)).allowed
