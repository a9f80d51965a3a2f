"""Applying and rolling back policy versions: validated first, approved when the active
policy says so, every activation audited.

API (for `kubechat policy` and the console)::

    versions = PolicyVersions(settings, floor, PolicyHistory(db), audit, workflow)
    versions.active()                                   # the Policy decisions use now
    result = versions.apply(proposed, "tighten prod", author)   # or .rollback(3, ...)
    result.state       # "activated" | "pending" (waiting for approvers) | "unchanged"
    versions.approve(request_id, approver, comment)     # a second person, for a change

A change needs the approvals the active policy's `policy_changes` asks for; it is then a
step-less plan (planner `policy-change`) whose digest binds the new content, the version it
replaces and the message, through the same two-person flow as a change to a cluster (signed
decisions, distinct people, used once). The same `apply` once approved activates it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Plan, Scope
from kubechat_tui.engine.approval_status import ApprovalStatus
from kubechat_tui.engine.approvals import POLICY_CHANGE, ApprovalWorkflow, AuditSink
from kubechat_tui.engine.identity import Actor, identities_of
from kubechat_tui.guard.policy import Policy, PolicyDecision
from kubechat_tui.guard.policy.active import active_policy, shadowed_rules, version_policy
from kubechat_tui.store.approvals import ApprovalRequest
from kubechat_tui.store.audit_model import AuditEvent
from kubechat_tui.store.policy_history import Action, PolicyHistory, PolicyVersion

State = Literal["activated", "pending", "unchanged"]
ACTIVATED = "policy.activated"


@dataclass(frozen=True)
class PolicyChange:
    """What `apply` / `rollback` did: the new version, or the request waiting."""

    state: State
    version: PolicyVersion | None = None
    request: ApprovalRequest | None = None
    status: ApprovalStatus | None = None
    reason: str = ""


def policy_diff(before: str, after: str, old: str, new: str) -> str:
    """A unified diff of two policy texts."""
    return "".join(difflib.unified_diff(before.splitlines(keepends=True),
                                        after.splitlines(keepends=True), old, new))


class PolicyVersions:
    """Policy versions in the store, changed only through `apply`, `rollback`, `approve`."""

    def __init__(self, settings: Settings, floor: Policy, history: PolicyHistory,
                 audit: AuditSink, workflow: ApprovalWorkflow) -> None:
        self.settings = settings
        self.floor = floor  # the configured file (or the shipped default)
        self.history = history
        self.audit = audit
        self.workflow = workflow

    def active(self) -> Policy:
        """The policy in force now (PolicyError when a stored version does not load)."""
        return active_policy(self.settings, self.floor, self.history)

    def apply(self, proposed: Policy, message: str, author: Actor) -> PolicyChange:
        """Activate `proposed` as a new version (validated already: it is a Policy)."""
        return self._activate(proposed, message, author, "apply", None)

    def rollback(self, version: int, message: str, author: Actor) -> PolicyChange:
        """Re-activate an old version's content as a new version (StoreError: unknown)."""
        entry = self.history.get(version)
        return self._activate(version_policy(entry), message or f"rollback to v{version}",
                              author, "rollback", version)

    def approve(self, request_id: str, approver: Actor, comment: str = "") -> ApprovalStatus:
        """A second person's approval of a pending policy change."""
        changes = self.active().spec.policy_changes
        return self.workflow.approve_policy_change(request_id, approver, comment,
                                                   changes.approvers)

    def _activate(self, proposed: Policy, message: str, author: Actor, action: Action,
                  restores: int | None) -> PolicyChange:
        current = self.active()
        entry = self.history.active()
        parent = entry.version if entry is not None else None
        if entry is not None and entry.hash == proposed.hash:
            return PolicyChange("unchanged", entry, reason=f"v{entry.version} already has "
                                "this content; nothing activated")
        needed = current.spec.policy_changes.approvals
        request: ApprovalRequest | None = None
        if needed > 0:
            plan = change_plan(proposed, parent, message, action)
            status = self.workflow.gate(plan, {}, author)
            if not status.satisfied:
                if status.request is None or status.state in ("rejected", "executed", "none"):
                    request = self.workflow.request(
                        plan, _decision(current, needed), {}, author,
                        diff=policy_diff(current.content, proposed.content,
                                         _label(parent), "proposed"),
                        identities=identities_of(author))
                    status = self.workflow.describe(request.id)
                return PolicyChange("pending", None, status.request, status, status.reason)
            request = status.request
            assert request is not None
            self.workflow.mark_executed(request.id, author, f"policy:{proposed.hash[:12]}")
        version = self.history.add(proposed.content, proposed.hash, message, author.os_user,
                                   identities_of(author), action=action, restores=restores,
                                   request_id=request.id if request else None,
                                   expected_parent=parent)
        self.audit.append(AuditEvent(
            action=ACTIVATED, operator=author, outcome=action, payload={
                "version": version.version, "parent": parent, "restores": restores,
                "policy_hash": proposed.hash, "message": message,
                "request_id": request.id if request else None,
                "rule_ids": list(proposed.rule_ids), "content": proposed.content,
                "author_identities": dict(identities_of(author))}))
        reason = f"v{version.version} active"
        shadowed = shadowed_rules(self.floor, proposed) if self.settings.guard.system else ()
        if shadowed:
            reason += (f"; {', '.join(shadowed)} are the administrator's rules (system "
                       "config): this version's definitions of them are ignored")
        return PolicyChange("activated", version, request, reason=reason)


def change_plan(proposed: Policy, parent: int | None, message: str, action: str) -> Plan:
    """The step-less plan an approval of a policy change binds to: its digest covers the
    new content's hash, the version it replaces and the message."""
    text = (f"policy {action}: {_label(parent)} -> sha256:{proposed.hash} "
            f"({' '.join(message.split())[:200]})")
    return Plan(input=text, planner=POLICY_CHANGE, scope=Scope())


def _decision(current: Policy, needed: int) -> PolicyDecision:
    return PolicyDecision(allowed=True, required_approvals=needed,
                          rule_ids=("policy_changes",),
                          reasons=(f"the active policy needs {needed} approval(s) for a "
                                   "policy change",),
                          remediation=(), policy_hash=current.hash,
                          policy_path=str(current.path), evaluated_at=datetime.now(UTC))


def _label(version: int | None) -> str:
    return f"v{version}" if version is not None else "the configured file"


def version_row(entry: PolicyVersion, active: int | None) -> dict[str, Any]:
    """A version as `policy list --json` prints it."""
    return {"version": entry.version, "active": entry.version == active, "at": entry.at,
            "action": entry.action, "hash": entry.hash, "message": entry.message,
            "author": entry.author, "author_identities": dict(entry.author_identities),
            "parent": entry.parent, "restores": entry.restores,
            "request_id": entry.request_id}

