"""The guardrails of a read: policy before it is sent, RBAC's word when a cluster refuses it.

Policy rules whose `match` says `mutating_only: false` look at read steps too (a rule
forbidding reads of Secrets, say). A read runs at once or not at all, so a rule asking
for approval stops a read like a denial does, with the rule's remediation. A read a
cluster refuses (403) is reviewed (SelfSubjectAccessReview of that very request) and
answered with the remediation text a change gets (`guard.rbac_remediation`).
"""

from __future__ import annotations

from dataclasses import dataclass

from kubechat_tui.domain import Plan
from kubechat_tui.guard.policy import Policy, PolicyContext, PolicyDecision
from kubechat_tui.guard.rbac import JsonRequester, check_rbac
from kubechat_tui.kube.recorder import Request


@dataclass(frozen=True)
class Refusal:
    """Why a (step, cluster) read is not sent or was refused, and how to get past it."""

    reason: str
    remediation: str = ""


def policy_refusals(policy: Policy, reads: Plan,
                    context: PolicyContext) -> tuple[PolicyDecision, dict[tuple[str, str],
                                                                          Refusal]]:
    """The decision on a plan of read steps, and a Refusal per (step id, cluster) that a
    rule stops (a plan-wide evaluation error stops every one)."""
    decision = policy.evaluate(reads, context)
    found: dict[tuple[str, str], list[str]] = {}
    fixes: dict[tuple[str, str], list[str]] = {}
    pairs = [(s.id, c) for s in reads.steps if s.accepted
             for c in (s.clusters or reads.scope.clusters)]
    for hit in decision.hits:
        for pair in pairs:
            if hit.step_id in (pair[0], "*") and hit.cluster in (pair[1], ""):
                why = hit.line() if hit.effect != "require_approval" else (
                    f"{hit.line()}: a read runs at once, it does not wait for approvals")
                found.setdefault(pair, []).append(why)
                if hit.remediation:
                    fixes.setdefault(pair, []).append(hit.remediation)
    refusals = {pair: Refusal("policy: " + "; ".join(reasons),
                              "\n".join(dict.fromkeys(fixes.get(pair, []))))
                for pair, reasons in found.items()}
    return decision, refusals


def rbac_refusal(api: JsonRequester, step_id: str, refused: Request, message: str,
                 contact: str | None) -> Refusal:
    """A 403: what RBAC says is missing for `refused`, and the remediation a change gets;
    the cluster's own message when the review does not confirm the denial."""
    report = check_rbac(api, [(step_id, refused)], contact)
    if report.denials:
        return Refusal(report.summary(), report.remediation())
    return Refusal(message)

