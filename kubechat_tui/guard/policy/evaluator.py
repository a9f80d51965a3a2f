"""`Policy`: a loaded policy file that evaluates plans into decisions, failing closed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

from kubechat_tui.domain import Plan, Step
from kubechat_tui.guard.policy import rules as checks
from kubechat_tui.guard.policy.cel import CelCondition
from kubechat_tui.guard.policy.decision import PolicyContext, PolicyDecision, RuleHit
from kubechat_tui.guard.policy.model import (
    AllowedNamespaces,
    ApprovalRule,
    BlastRadius,
    CelRule,
    ChangeFreeze,
    ExecAllowedRequesters,
    ExecDeniedCommands,
    LabelRule,
    Match,
    PolicySpec,
    ProtectedNamespaces,
    Rule,
)

ERROR_RULE = "POLICY-ERROR"


REQUESTED_RULE = "REQUESTED"  # a step the requester marked as needing approval


class UnknownClusterSet(ValueError):
    """A rule names a cluster set neither the policy nor the settings define."""


@dataclass(frozen=True)
class Policy:
    """A validated policy: `evaluate(plan, context)` never raises; errors deny."""

    spec: PolicySpec
    path: Path
    raw: bytes
    hash: str
    conditions: dict[str, CelCondition] = field(default_factory=dict)
    version: int | None = None  # the store's policy version, when one is active

    @property
    def content(self) -> str:
        """The policy file's text (recorded with its hash in the store)."""
        return self.raw.decode("utf-8")

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every rule id, in file order."""
        return tuple(rule.id for rule in self.spec.rules)

    def evaluate(self, plan: Plan, context: PolicyContext) -> PolicyDecision:
        """Check every accepted step in every cluster against every rule."""
        hits: list[RuleHit] = []
        try:
            for step, cluster in _pairs(plan):
                for rule in self.spec.rules:
                    hit = self._check(rule, plan, step, cluster, context)
                    if hit is not None:
                        hits.append(hit)
            hits += [RuleHit(REQUESTED_RULE, "require_approval", s.id, "",
                             f"the requester asked for a second person: {s.ask_approval}",
                             "", 1)
                     for s in plan.steps if s.accepted and s.mutating and s.ask_approval]
        except Exception as exc:  # fail closed on anything unexpected
            hits.append(RuleHit(ERROR_RULE, "error", "*", "", f"policy evaluation failed: "
                                f"{' '.join(str(exc).split()) or type(exc).__name__}",
                                "Fix the policy file or the plan; the policy fails closed."))
        return PolicyDecision.from_hits(hits, self.rule_ids, self.hash, str(self.path),
                                        context.now, context.settings.guard.describe(),
                                        self.version)

    def _check(self, rule: Rule, plan: Plan, step: Step, cluster: str,
               context: PolicyContext) -> RuleHit | None:
        remediation = rule.remediation or checks.DEFAULT_REMEDIATION[rule.kind]
        try:
            if not self._matches(rule.match, plan, step, cluster, context):
                return None
            reason = self._reason(rule, plan, step, cluster, context)
        except Exception as exc:
            text = " ".join(str(exc).split()) or type(exc).__name__
            return RuleHit(rule.id, "error", step.id, cluster, f"evaluation error: {text} "
                           "(policy fails closed)", remediation)
        if reason is None:
            return None
        if rule.description and rule.kind != "approvals":
            reason = f"{reason} ({rule.description})"
        approvals = rule.approvals if rule.effect == "require_approval" else 0
        return RuleHit(rule.id, rule.effect, step.id, cluster, reason, remediation, approvals,
                       absolute=rule.absolute)

    def _reason(self, rule: Rule, plan: Plan, step: Step, cluster: str,
                context: PolicyContext) -> str | None:
        ns = checks.namespace_of(step, plan)
        clusters = step.clusters or plan.scope.clusters
        if isinstance(rule, ProtectedNamespaces):
            return checks.protected(rule, ns)
        if isinstance(rule, AllowedNamespaces):
            return checks.allowed(rule, ns)
        if isinstance(rule, LabelRule):
            return checks.labels(rule, context.labels.get((step.id, cluster)))
        if isinstance(rule, ChangeFreeze):
            return checks.freeze(rule, context)
        if isinstance(rule, BlastRadius):
            return checks.blast(rule, step, clusters)
        if isinstance(rule, ApprovalRule):
            return checks.approval(rule)
        if isinstance(rule, ExecDeniedCommands):
            return checks.exec_command(rule, step)
        if isinstance(rule, ExecAllowedRequesters):
            return checks.exec_requester(rule, step, context)
        if isinstance(rule, CelRule):
            production = self.in_set("production", cluster, context)
            activation = checks.cel_activation(plan, step, cluster, production, context)
            return checks.cel(rule, self.conditions[rule.id], activation)
        raise TypeError(f"unknown rule kind {rule.kind}")

    def _matches(self, match: Match, plan: Plan, step: Step, cluster: str,
                 context: PolicyContext) -> bool:
        ns = checks.namespace_of(step, plan)
        return all((
            step.mutating or not match.mutating_only,
            not match.clusters or any(fnmatch(cluster, p) for p in match.clusters),
            match.cluster_set is None or self.in_set(match.cluster_set, cluster, context),
            not match.namespaces or (ns is not None
                                     and any(fnmatch(ns, p) for p in match.namespaces)),
            not match.verbs or step.verb in match.verbs,
            not match.resources or step.resource in match.resources,
            match.min_risk is None or step.risk >= match.min_risk,
            match.requires_approval is None or step.requires_approval == match.requires_approval,
        ))

    def in_set(self, name: str, cluster: str, context: PolicyContext) -> bool:
        """Membership in a policy set (globs), a settings set, or `production`."""
        if name in self.spec.cluster_sets:
            return any(fnmatch(cluster, p) for p in self.spec.cluster_sets[name])
        if name in context.settings.cluster_sets:
            return any(fnmatch(cluster, p) for p in context.settings.cluster_sets[name])
        if name == "production":
            return context.settings.is_production(cluster)
        raise UnknownClusterSet(f"unknown cluster set {name!r}")


def _pairs(plan: Plan) -> Iterator[tuple[Step, str]]:
    """(accepted step, cluster) pairs; a step without clusters uses the plan's scope."""
    for step in plan.steps:
        if not step.accepted:
            continue
        for cluster in step.clusters or plan.scope.clusters:
            yield step, cluster
