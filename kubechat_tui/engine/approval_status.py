"""Where an approval request stands, derived from its decisions and the plan as it is now."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from kubechat_tui.engine.identity import conflict
from kubechat_tui.store.approvals import ApprovalRequest, Decision
from kubechat_tui.store.audit_model import Operator

State = Literal["none", "pending", "approved", "rejected", "void", "executed", "break_glass"]


@dataclass(frozen=True)
class ApprovalStatus:
    """`satisfied` is the only thing execution may look at; `reason` says why (one line)."""

    state: State
    satisfied: bool
    reason: str
    request: ApprovalRequest | None = None
    required: int = 0
    approvers: tuple[Operator, ...] = ()
    break_glass: bool = False

    @property
    def missing(self) -> int:
        """How many more distinct approvers are needed."""
        return max(self.required - len(self.approvers), 0)


def drift(bound: Mapping[str, str], current: Mapping[str, str]) -> str | None:
    """A one-line description of the first difference between two resourceVersion maps."""
    for key in sorted(set(bound) | set(current)):
        before, after = bound.get(key), current.get(key)
        if before != after:
            if before is None:
                return f"new target {key} since the request"
            if after is None:
                return f"target {key} is gone or no longer targeted"
            return f"target {key} changed since the request (resourceVersion {before} -> {after})"
    return None


def derive_status(request: ApprovalRequest | None, decisions: Sequence[Decision],
                  plan_digest: str, resource_versions: Mapping[str, str],
                  verify: Callable[[Decision], bool]) -> ApprovalStatus:
    """Apply the rules: used or rejected requests stay closed; any edit or drift voids;
    break-glass releases; otherwise count distinct approvers other than the requester.
    Approvals and break-glass count only when `verify` finds their decider's signature."""
    if request is None:
        return ApprovalStatus("none", False, "no approval request for this plan")
    forged = [d for d in decisions if d.kind in ("approve", "break_glass") and not verify(d)]
    decisions = [d for d in decisions if d not in forged]
    kinds = {d.kind for d in decisions}
    required = request.required_approvals
    approvers = _approvers(request, decisions)

    ignored = (f" ({len(forged)} unsigned or forged decision(s) ignored)" if forged else "")

    def make(state: State, satisfied: bool, reason: str) -> ApprovalStatus:
        return ApprovalStatus(state, satisfied, reason + ignored, request, required, approvers,
                              break_glass=state == "break_glass")

    if "executed" in kinds:
        return make("executed", False,
                    "this approval was already used by an execution; request a new one")
    if "reject" in kinds:
        who = next(_name(d.actor) for d in decisions if d.kind == "reject")
        return make("rejected", False, f"rejected by {who}")
    if plan_digest != request.plan_digest:
        return make("void", False, "the plan changed since the request (digest "
                    f"{request.plan_digest[:12]} -> {plan_digest[:12]}); request approval again")
    moved = drift(request.resource_versions, resource_versions)
    if moved is not None:
        return make("void", False, f"{moved}; request approval again")
    if "break_glass" in kinds:
        who = next(_name(d.actor) for d in decisions if d.kind == "break_glass")
        return make("break_glass", True, f"BREAK-GLASS policy exception by {who}")
    if not request.policy_allowed:
        return make("pending", False, "policy denies this plan; only a break-glass "
                    "exception with a justification can release it")
    if len(approvers) >= required:
        names = ", ".join(_name(a) for a in approvers) or "no approval needed"
        return make("approved", True, f"approved ({names})")
    return make("pending", False, f"waiting for {required - len(approvers)} more "
                f"approval(s) ({len(approvers)}/{required})")


def _approvers(request: ApprovalRequest, decisions: Sequence[Decision]) -> tuple[Operator, ...]:
    """Distinct people who approved exactly this digest and these targets: never the
    requester, never one person twice (by OS user and by identity on any cluster; with the
    demo's weaker rule, since `approve` already applied the full one before storing)."""
    seen: list[Decision] = []
    for d in decisions:
        if (d.kind == "approve" and d.plan_digest == request.plan_digest
                and dict(d.resource_versions) == dict(request.resource_versions)
                and conflict(d.actor, request.requester, demo=True, approver_ids=d.identities,
                             other_ids=request.requester_identities) is None
                and all(conflict(d.actor, o.actor, demo=True, approver_ids=d.identities,
                                 other_ids=o.identities) is None for o in seen)):
            seen.append(d)
    return tuple(d.actor for d in seen)


def _name(operator: Operator) -> str:
    """`alice` or `alice/sre-lead` (OS user / Kubernetes identity)."""
    return operator.os_user + (f"/{operator.kube_identity}" if operator.kube_identity else "")
