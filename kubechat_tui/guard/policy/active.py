"""The active policy: the newest version in the store, else the configured file.

A version in the store never loosens guard settings an administrator fixed: when the
system config sets the guard settings, its policy file (or the shipped default) is the
floor and the store's version only adds rules on top of it (`layered`): the floor's rules,
cluster sets and policy-change approvals stand; a version's rule with a floor rule's id is
ignored. Without a system config the requester controls the guard settings anyway (every
decision says so) and the store's version replaces the file.
"""

from __future__ import annotations

from pathlib import Path

from kubechat_tui.config.settings import Settings
from kubechat_tui.guard.policy.evaluator import Policy
from kubechat_tui.guard.policy.loader import parse_spec, sha256_hex
from kubechat_tui.guard.policy.model import PolicyChanges, PolicySpec
from kubechat_tui.store.policy_history import PolicyHistory, PolicyVersion


def policy_from_text(raw: bytes, label: str, version: int | None = None) -> Policy:
    """A policy from bytes (a store version or a proposed file); PolicyError names `label`."""
    spec, conditions = parse_spec(raw, label)
    return Policy(spec=spec, path=Path(label), raw=raw, hash=sha256_hex(raw),
                  conditions=conditions, version=version)


def version_policy(entry: PolicyVersion) -> Policy:
    """The policy text of a stored version."""
    return policy_from_text(entry.content.encode("utf-8"), f"policy v{entry.version}",
                            entry.version)


def active_policy(settings: Settings, floor: Policy, history: PolicyHistory) -> Policy:
    """The policy decisions use: `floor` (the configured file) alone, the store's active
    version, or that version layered on the floor when a system config fixes the guard."""
    entry = history.active()
    if entry is None:
        return floor
    version = version_policy(entry)
    return layered(floor, version) if settings.guard.system is not None else version


def shadowed_rules(floor: Policy, version: Policy) -> tuple[str, ...]:
    """The version's rule ids the floor already defines (the floor's rule stands)."""
    return tuple(r for r in version.rule_ids if r in set(floor.rule_ids))


def layered(floor: Policy, version: Policy) -> Policy:
    """The floor's rules, then the version's other rules; the floor's cluster sets and
    policy-change approvals win (the larger approval count)."""
    own = set(floor.rule_ids)
    changes = PolicyChanges(
        approvals=max(floor.spec.policy_changes.approvals,
                      version.spec.policy_changes.approvals),
        approvers=floor.spec.policy_changes.approvers or version.spec.policy_changes.approvers)
    spec = PolicySpec(
        version=1, description=floor.spec.description,
        rbac_contact=floor.spec.rbac_contact or version.spec.rbac_contact,
        cluster_sets={**version.spec.cluster_sets, **floor.spec.cluster_sets},
        policy_changes=changes,
        rules=[*floor.spec.rules, *(r for r in version.spec.rules if r.id not in own)])
    raw = floor.raw + f"\n# --- policy v{version.version} on top ---\n".encode() + version.raw
    conditions = {**{k: v for k, v in version.conditions.items() if k not in own},
                  **floor.conditions}
    return Policy(spec=spec, path=Path(f"{floor.path} + policy v{version.version}"), raw=raw,
                  hash=sha256_hex(raw), conditions=conditions, version=version.version)
