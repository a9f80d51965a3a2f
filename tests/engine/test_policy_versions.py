"""PolicyVersions under a system config: a version may add rules, never replace the
administrator's; a stored version that no longer loads fails closed."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubechat_tui.config.guard_source import GuardSource
from kubechat_tui.config.settings import Settings
from kubechat_tui.engine.approvals import ApprovalWorkflow
from kubechat_tui.engine.identity import Actor
from kubechat_tui.engine.policy_versions import PolicyVersions
from kubechat_tui.guard.policy import PolicyError, load_configured_policy
from kubechat_tui.guard.policy.active import policy_from_text
from kubechat_tui.guard.policy.model import ProtectedNamespaces
from kubechat_tui.store.approvals import ApprovalStore
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.database import open_database
from kubechat_tui.store.policy_history import PolicyHistory
from kubechat_tui.store.signing import Signer

LOOSER = b"""version: 1
rules:
  - id: KC-NS-001
    kind: protected_namespaces
    namespaces: [nothing-here]
  - id: PAY-001
    kind: protected_namespaces
    namespaces: [payments]
"""


def _versions(tmp_path: Path, settings: Settings) -> PolicyVersions:
    db = open_database(tmp_path / "k.db")
    audit = AuditLog(db, Signer.generate())
    return PolicyVersions(settings, load_configured_policy(settings), PolicyHistory(db), audit,
                          ApprovalWorkflow(ApprovalStore(db), audit))


def test_a_version_cannot_redefine_the_administrators_rules(tmp_path: Path) -> None:
    settings = Settings().with_guard(GuardSource(system=Path("/etc/kubechat/config.yaml")))
    versions = _versions(tmp_path, settings)
    result = versions.apply(policy_from_text(LOOSER, "looser.yaml"), "m", Actor("alice"))
    assert result.state == "activated"
    assert "KC-NS-001 are the administrator's rules" in result.reason
    active = versions.active()
    [rule] = [r for r in active.spec.rules if r.id == "KC-NS-001"]
    assert isinstance(rule, ProtectedNamespaces) and "kube-system" in rule.namespaces
    assert "PAY-001" in active.rule_ids


def test_a_stored_version_that_no_longer_loads_fails_closed(tmp_path: Path) -> None:
    versions = _versions(tmp_path, Settings())
    versions.history.add("version: 2\nrules: []\n", "x", "m", "alice", {})
    with pytest.raises(PolicyError, match="policy v1:1: version"):
        versions.active()
