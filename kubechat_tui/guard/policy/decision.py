"""What a policy evaluation returns, and the context it evaluates a plan in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from kubechat_tui.config.settings import Settings

HitEffect = Literal["deny", "require_approval", "error"]
# (step id, cluster) -> the labels of every object that step touches in that cluster.
TargetLabels = Mapping[tuple[str, str], Sequence[Mapping[str, str]]]


@dataclass(frozen=True)
class PolicyContext:
    """The facts a decision depends on besides the plan: time, config, target labels, requester.

    Label rules deny (fail closed) for a (step, cluster) whose labels are missing here;
    `guard.targets.observe_targets(fleet, plan).labels` reads them from the clusters.
    """

    settings: Settings = field(default_factory=Settings)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    labels: TargetLabels = field(default_factory=dict)
    requester: str | None = None


@dataclass(frozen=True)
class RuleHit:
    """One rule firing for one step in one cluster (cluster is "" for plan-wide errors)."""

    rule_id: str
    effect: HitEffect
    step_id: str
    cluster: str
    reason: str
    remediation: str
    approvals: int = 0
    absolute: bool = False  # a denial break-glass never overrides

    def line(self) -> str:
        """`RULE-ID: step s3 on prod-eu: reason`."""
        where = f"step {self.step_id}" + (f" on {self.cluster}" if self.cluster else "")
        return f"{self.rule_id}: {where}: {self.reason}"


@dataclass(frozen=True)
class PolicyDecision:
    """The verdict on a plan: allowed?, approvals needed, the rules that fired and why.

    `rule_ids` lists every rule that fired (policy order, no duplicates); `reasons` has one
    line per hit; `remediation` says how to get past each denial. `policy_hash` is the
    sha256 of the policy file's bytes, so the audit trail names the exact policy version.
    """

    allowed: bool
    required_approvals: int
    rule_ids: tuple[str, ...]
    reasons: tuple[str, ...]
    remediation: tuple[str, ...]
    policy_hash: str
    policy_path: str
    hits: tuple[RuleHit, ...] = ()
    evaluated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    guard_source: Mapping[str, Any] = field(default_factory=dict)  # where the settings came from
    policy_version: int | None = None  # the store's active policy version (None: the file)

    @property
    def needs_approval(self) -> bool:
        """True when the plan is allowed but must wait for approvers."""
        return self.allowed and self.required_approvals > 0

    @property
    def absolute_rule_ids(self) -> tuple[str, ...]:
        """The absolute rules that deny this plan (no break-glass releases it)."""
        return tuple(dict.fromkeys(h.rule_id for h in self.hits if h.absolute))

    def as_restore(self, execution_id: str, approvals: int) -> PolicyDecision:
        """This decision for the rollback of an execution that needed `approvals`: a
        restore never needs more approvals than the change it undoes; denials stand."""
        if self.required_approvals <= approvals:
            return self
        return replace(self, required_approvals=approvals, reasons=(
            *self.reasons, f"restore of {execution_id}: {approvals} approval(s), as many as "
            f"the change it undoes needed (the rules asked for {self.required_approvals})"))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for the audit payload and `--json` output."""
        return {
            "allowed": self.allowed,
            "required_approvals": self.required_approvals,
            "rule_ids": list(self.rule_ids),
            "reasons": list(self.reasons),
            "remediation": list(self.remediation),
            "absolute_rule_ids": list(self.absolute_rule_ids),
            "policy_hash": self.policy_hash,
            "policy_path": self.policy_path,
            "policy_version": self.policy_version,
            "evaluated_at": self.evaluated_at.isoformat(),
            "guard_settings": dict(self.guard_source),
        }

    @classmethod
    def from_hits(cls, hits: Sequence[RuleHit], rule_order: Sequence[str], policy_hash: str,
                  policy_path: str, now: datetime,
                  guard_source: Mapping[str, Any] | None = None,
                  policy_version: int | None = None) -> PolicyDecision:
        """Fold hits into a decision: any deny/error denies; approvals take the maximum."""
        fired = {h.rule_id for h in hits}
        ordered = [r for r in rule_order if r in fired]
        ordered += sorted(fired - set(ordered))
        denials = [h for h in hits if h.effect != "require_approval"]
        remediation: list[str] = []
        for hit in denials or hits:
            if hit.remediation and hit.remediation not in remediation:
                remediation.append(hit.remediation)
        return cls(
            allowed=not denials,
            required_approvals=max((h.approvals for h in hits), default=0),
            rule_ids=tuple(ordered),
            reasons=tuple(h.line() for h in hits),
            remediation=tuple(remediation),
            policy_hash=policy_hash,
            policy_path=policy_path,
            hits=tuple(hits),
            evaluated_at=now,
            guard_source=dict(guard_source or {}),
            policy_version=policy_version,
        )
