"""What the clusters say about an approver, asked through the approver's own contexts.

An approver counts only when every cluster of the plan says who they are
(SelfSubjectReview) and that they may do the change themselves: the very access reviews
the requester passed (SelfSubjectAccessReview), asked again as the approver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from kubechat_tui.domain import Plan
from kubechat_tui.engine.identity import cluster_identities
from kubechat_tui.guard.access import Attributes
from kubechat_tui.guard.rbac import JsonRequester, RbacReport, review

WORKERS = 8


@dataclass(frozen=True)
class ApproverReview:
    """Who the approver is per cluster, and what they may not (or could not be seen to) do."""

    identities: Mapping[str, str]
    unknown: tuple[str, ...] = ()  # clusters that did not say who the approver is
    denied: tuple[str, ...] = ()  # "prod-eu: patch deployments/scale ..." the approver lacks
    failed: tuple[str, ...] = ()  # reviews that got no answer (fail closed)

    def refusal(self) -> str | None:
        """Why the approver cannot count (None: they can)."""
        if self.unknown:
            return (f"cannot tell who you are on {', '.join(self.unknown)} (no answer to a "
                    "SelfSubjectReview through your context there)")
        if self.denied:
            shown = "; ".join(self.denied[:3]) + (" ..." if len(self.denied) > 3 else "")
            return f"you may not make this change yourself: {shown}"
        if self.failed:
            return f"your access could not be reviewed: {'; '.join(self.failed[:3])}"
        return None


def checks_of(report: RbacReport) -> list[dict[str, Any]]:
    """The access reviews of a pre-flight, as stored with an approval request."""
    seen: list[dict[str, Any]] = []
    for check in report.checks:
        item = {"cluster": check.cluster, "attributes": check.attributes.to_spec()}
        if item not in seen:
            seen.append(item)
    return seen


def review_approver(api: JsonRequester, plan: Plan,
                    checks: Sequence[Mapping[str, Any]]) -> ApproverReview:
    """Ask every cluster of the plan who the approver is and whether they may send each
    request the requester was checked for (none recorded: nothing to review against, so
    the approver cannot count)."""
    clusters = list(plan.clusters())
    identities = cluster_identities(api, clusters)
    wanted = [(str(c["cluster"]), _attributes(c["attributes"])) for c in checks]
    if not wanted:
        return ApproverReview(identities, tuple(c for c in clusters if c not in identities),
                              failed=("the request records no access checks to review "
                                      "(request approval again)",))
    unique = list(dict.fromkeys(wanted))
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        answers = list(pool.map(lambda pair: review(api, *pair), unique))
    denied = [f"{c}: {a.describe()}" for (c, a), (ok, _) in zip(unique, answers, strict=True)
              if ok is False]
    failed = [f"{c}: {why}" for (c, _), (ok, why) in zip(unique, answers, strict=True)
              if ok is None]
    return ApproverReview(identities, tuple(c for c in clusters if c not in identities),
                          tuple(denied), tuple(failed))


def _attributes(spec: Mapping[str, Any]) -> Attributes:
    return Attributes(str(spec.get("verb", "")), str(spec.get("group", "")),
                      str(spec.get("resource", "")), str(spec.get("subresource", "")),
                      str(spec.get("namespace", "")), str(spec.get("name", "")))
