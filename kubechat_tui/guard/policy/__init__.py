"""Guardrail policy: a YAML file of rules with IDs, evaluated per step and cluster; fails closed.

API (for the engine):
    load_policy(path) -> Policy                 # PolicyError: one line, "file:line: key: problem"
    load_configured_policy(settings) -> Policy  # settings.policy_file, else the shipped default
    active.active_policy(settings, floor, PolicyHistory(db))  # the store's active version
    Policy.evaluate(plan, PolicyContext(settings, now, labels, requester)) -> PolicyDecision
        .allowed, .required_approvals, .rule_ids, .reasons, .remediation, .policy_hash, .hits
    guard.targets.observe_targets(fleet, plan).labels  # the labels label rules need

`policy_changes: {approvals, approvers}` makes a change of the policy itself wait for
approvers (`engine.policy_versions`).

Rule kinds (see docs/policy-example.yaml): protected_namespaces, allowed_namespaces,
forbidden_labels, required_labels, change_freeze (windows + timezone), max_blast_radius,
approvals, cel, exec_denied_commands (globs over a one-shot exec's command line),
exec_allowed_requesters (globs over who may exec). Each rule has `id`, `match` (clusters,
cluster_set, namespaces, verbs, resources, min_risk, requires_approval, mutating_only),
`effect` (deny | require_approval with `approvals: N`) and `remediation`. Errors while
evaluating a rule deny with that rule's id.
"""

from __future__ import annotations

from pathlib import Path

from kubechat_tui.config.guard_source import trusted_file_problem
from kubechat_tui.config.settings import Settings
from kubechat_tui.guard.policy.decision import (
    PolicyContext,
    PolicyDecision,
    RuleHit,
    TargetLabels,
)
from kubechat_tui.guard.policy.errors import PolicyError
from kubechat_tui.guard.policy.evaluator import ERROR_RULE, Policy
from kubechat_tui.guard.policy.loader import DEFAULT_POLICY, read_spec, sha256_hex


def load_policy(path: Path | str) -> Policy:
    """Load and validate a policy file (compiling its CEL); raises PolicyError."""
    file = Path(path).expanduser()
    spec, raw, conditions = read_spec(file)
    return Policy(spec=spec, path=file, raw=raw, hash=sha256_hex(raw), conditions=conditions)


def load_configured_policy(settings: Settings) -> Policy:
    """The policy named by settings.policy_file, or the default shipped with kubechat. A
    policy file named by the system config must be as trusted as that config (root's,
    writable by nobody else), or nothing runs (PolicyError: the engine fails closed)."""
    if settings.policy_file is not None and settings.guard.system is not None:
        problem = trusted_file_problem(settings.policy_file)
        if problem is not None:
            raise PolicyError(f"{settings.policy_file}: the system config names this policy, "
                              f"but {problem}")
    return load_policy(settings.policy_file or DEFAULT_POLICY)


__all__ = [
    "DEFAULT_POLICY",
    "ERROR_RULE",
    "Policy",
    "PolicyContext",
    "PolicyDecision",
    "PolicyError",
    "RuleHit",
    "TargetLabels",
    "load_configured_policy",
    "load_policy",
]
