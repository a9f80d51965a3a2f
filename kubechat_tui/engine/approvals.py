"""Two-person approval: requests in the shared database, approvals bound to the plan.

API (for the execution pipeline, the CLI and the approvals screen)::

    flow = ApprovalWorkflow(ApprovalStore(db), audit_log,
                            notifier=ApprovalAnnouncer.from_settings(...))  # engine.approval_notify
    req = flow.request(plan, decision, resource_versions, requester, diff="...",
                       identities={"prod-eu": "alice"}, checks=checks_of(rbac_report))
    flow.approve(req.id, approver, comment="lgtm", api=approver_fleet)  # refusals raise
    flow.reject(req.id, actor, comment="not now")
    flow.break_glass(req.id, actor, justification)  # policy exception, flagged loudly
    st = flow.status(plan.digest(), resource_versions)   # or request_id=... ; .satisfied
    st = flow.gate(plan, resource_versions, actor)  # status + an audited "approval.checked"
    flow.mark_executed(req.id, actor, execution_id)  # an approval is used once
    flow.record_policy(policy, actor)  # store a policy version (hash + content) once, audited

`resource_versions` maps "cluster/resource/namespace/name" (`guard.targets.target_key`) to
each object's resourceVersion (`guard.targets.observe_targets(fleet, plan)` reads them).
An approval counts only for the digest and resourceVersions of its request: editing the
plan or any drift voids it.
A person is (real OS user, Kubernetes identities) (`engine.identity`): an approver's
identity on every cluster of the plan (asked through the approver's own contexts) must
differ from the requester's and every earlier approver's, and so must the OS user, except
in the demo (`demo=True`: one person plays both roles on one machine, told apart by the
clusters). The approver must also be allowed to make the change themselves
(`engine.approver_review`). Approvals count distinct people. A request releases only its
requester's own run (`gate`).
Every transition (and every refused attempt) is appended to the audit chain before it is
stored, so a failing audit write leaves no unaudited decision behind.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from kubechat_tui.config.settings import BREAK_GLASS_REFERENCE
from kubechat_tui.domain import Plan
from kubechat_tui.engine.approval_signatures import SIGNED_KINDS, sign, verified
from kubechat_tui.engine.approval_status import ApprovalStatus, derive_status
from kubechat_tui.engine.approver_review import review_approver
from kubechat_tui.engine.identity import Actor, acting_as, conflict, identities_of, same_person
from kubechat_tui.guard.policy import Policy, PolicyDecision
from kubechat_tui.guard.rbac import JsonRequester
from kubechat_tui.store.approvals import (
    ApprovalRequest,
    ApprovalStore,
    Decision,
    DecisionKind,
    new_request_id,
)
from kubechat_tui.store.approver_keys import ApproverKeys
from kubechat_tui.store.audit_model import AuditEvent, AuditLinks, AuditScope, Operator
from kubechat_tui.store.errors import StoreError
from kubechat_tui.store.signing import Signer

MIN_JUSTIFICATION = 15
POLICY_CHANGE = "policy-change"  # the planner of a policy change's (step-less) plan
log = logging.getLogger(__name__)


Alerter = Callable[[ApprovalRequest, Operator, str], None]  # (request, who, justification)


class AuditSink(Protocol):
    """What the workflow needs of `store.audit.AuditLog`."""

    def append(self, event: AuditEvent) -> Any: ...


class ApprovalError(Exception):
    """A refused approval action; `str()` is one line for the user."""


class UnknownRequestError(ApprovalError):
    """No request has that id."""


class SelfApprovalError(ApprovalError):
    """The requester (same OS user or same Kubernetes identity) tried to approve."""


class DuplicateApproverError(ApprovalError):
    """Someone who already approved (as either identity) tried to count twice."""


class UnauthorizedApproverError(ApprovalError):
    """The clusters do not say who the approver is, or the approver may not make the
    change themselves."""


def audit_scope(plan: Plan) -> AuditScope:
    """Clusters, namespaces and named objects of a plan's accepted steps."""
    steps = [s for s in plan.steps if s.accepted]
    clusters = sorted({c for s in steps for c in (s.clusters or plan.scope.clusters)})
    namespaces = sorted({s.namespace for s in steps if s.namespace})
    objects = sorted({f"{t.resource}/{t.namespace or ''}/{t.name}" for s in steps
                      for t in s.targets()})
    return AuditScope(tuple(clusters), tuple(namespaces), tuple(objects))


class ApprovalWorkflow:
    """The approval rules on top of an ApprovalStore and the audit chain."""

    def __init__(self, store: ApprovalStore, audit: AuditSink,
                 notifier: Callable[[ApprovalRequest], None] | None = None, *,
                 demo: bool = False, alerter: Alerter | None = None,
                 reference: str = BREAK_GLASS_REFERENCE, signer: Signer | None = None,
                 keys: ApproverKeys | None = None) -> None:
        self.store = store
        self.audit = audit
        self.notifier = notifier
        self.demo = demo  # only the Kubernetes identities must differ (one demo machine)
        self.alerter = alerter  # told of every break-glass
        self.reference = reference  # what a break-glass justification must name
        self.signer = signer  # this account's approver key: signs its approvals
        self.keys = keys or ApproverKeys(store.db.path.parent)  # everyone's public keys

    def request(self, plan: Plan, decision: PolicyDecision,
                resource_versions: Mapping[str, str], requester: Operator,
                diff: str = "", *, identities: Mapping[str, str] | None = None,
                checks: Sequence[Mapping[str, Any]] = ()) -> ApprovalRequest:
        """Open a request for this exact plan and these targets; announces it via the
        notifier. `identities` (cluster -> who) and `checks` (the access reviews the
        requester passed) are what each approver is compared and reviewed against."""
        request = ApprovalRequest(
            id=new_request_id(), requester=requester, plan_digest=plan.digest(),
            plan_json=plan.to_json(), resource_versions=dict(resource_versions),
            required_approvals=decision.required_approvals, risk=plan.risk.value,
            title=plan.headline()[:200], diff=diff, policy_hash=decision.policy_hash,
            policy_allowed=decision.allowed, rule_ids=decision.rule_ids,
            reasons=decision.reasons,
            requester_identities=dict(identities if identities is not None
                                      else identities_of(requester)),
            access_checks=tuple(dict(c) for c in checks),
            absolute_rules=decision.absolute_rule_ids,
        )
        self._audit("approval.requested", requester, request, outcome="pending", payload={
            "plan": plan.model_dump(mode="json"), "policy": decision.to_dict(),
            "required_approvals": request.required_approvals,
            "requester_identities": dict(request.requester_identities),
            "access_checks": [dict(c) for c in request.access_checks],
            "resource_versions": dict(resource_versions)}, scope=audit_scope(plan))
        request = self.store.add_request(request)  # as stored: redacted
        if self.notifier is not None:
            try:
                self.notifier(request)
            except Exception as exc:  # announcing must never block the workflow
                log.warning("approval webhook failed: %s", exc)
        return request

    def get(self, request_id: str) -> ApprovalRequest:
        """The request with this id or unique id prefix; UnknownRequestError otherwise."""
        try:
            return self.store.resolve(request_id)
        except StoreError as exc:
            raise UnknownRequestError(str(exc)) from None

    def approve(self, request_id: str, approver: Operator, comment: str = "", *,
                api: JsonRequester) -> ApprovalStatus:
        """Record an approval by a distinct person who may make the change themselves.

        `api` reaches the plan's clusters through the approver's own contexts: each cluster
        says who the approver is (SelfSubjectReview) and whether they may send every request
        the requester was checked for (SelfSubjectAccessReview). The approver must differ
        from the requester and every earlier approver, by OS user (except in the demo) and
        by Kubernetes identity on every cluster (see `engine.identity.conflict`)."""
        request = self.get(request_id)
        current = self.describe(request.id)
        if current.state in ("executed", "rejected"):
            self._refuse(request, approver, f"request {request.id} is {current.state}")
        plan = Plan.model_validate_json(request.plan_json)
        if plan.planner == POLICY_CHANGE:
            self._refuse(request, approver, f"request {request.id} is a policy change; "
                         f"approve it with `kubechat policy approve {request.id}`")
        review = review_approver(api, plan, request.access_checks)
        seen = dict(review.identities)
        first = next((seen[c] for c in plan.clusters() if c in seen), None)
        person = Actor(approver.os_user, first, acting_as(approver), seen)
        return self._approve_as(request, person, comment, review.refusal())

    def approve_policy_change(self, request_id: str, approver: Actor, comment: str,
                              approvers: Sequence[str]) -> ApprovalStatus:
        """Approve a policy change (`engine.policy_versions`): the same distinct-person
        rules, and the approver must be named in `approvers` (by OS user or Kubernetes
        identity) when the active policy lists who may approve policy changes."""
        request = self.get(request_id)
        plan = Plan.model_validate_json(request.plan_json)
        if plan.planner != POLICY_CHANGE or plan.steps:
            self._refuse(request, approver, f"request {request.id} is not a policy change; "
                         "approve it with `kubechat approvals approve`")
        current = self.describe(request.id)
        if current.state in ("executed", "rejected"):
            self._refuse(request, approver, f"request {request.id} is {current.state}")
        names = {approver.os_user, *identities_of(approver).values()}
        if approver.kube_identity:
            names.add(approver.kube_identity)
        refusal = None if not approvers or names & set(approvers) else (
            f"the active policy lets only {', '.join(approvers)} approve policy changes")
        return self._approve_as(request, approver, comment, refusal)

    def _approve_as(self, request: ApprovalRequest, person: Actor, comment: str,
                    refusal: str | None) -> ApprovalStatus:
        """Record `person`'s approval unless they are the requester or an earlier
        approver, or `refusal` says they may not approve."""
        seen = dict(person.identities)
        same = conflict(person, request.requester, demo=self.demo, approver_ids=seen,
                        other_ids=request.requester_identities)
        if same is not None:
            self._refuse(request, person, "the requester cannot approve their own request "
                         f"({same})", SelfApprovalError)
        for earlier in self.store.decisions(request.id):
            if earlier.kind != "approve" or not self._verified(earlier):
                continue  # a forged row neither counts nor blocks a real approver
            same = conflict(person, earlier.actor, demo=self.demo, approver_ids=seen,
                            other_ids=earlier.identities)
            if same is not None:
                self._refuse(request, person, f"{who(earlier.actor)} already approved "
                             f"{request.id}; approvers must be distinct people ({same})",
                             DuplicateApproverError)
        if refusal is not None:
            self._refuse(request, person, refusal, UnauthorizedApproverError)
        return self._decide(request, "approve", person, comment, "approval.approved")

    def reject(self, request_id: str, actor: Operator, comment: str = "") -> ApprovalStatus:
        """Reject (or, for the requester, withdraw) a request that was not executed."""
        request = self.get(request_id)
        state = self.describe(request.id).state
        if state in ("executed", "rejected"):
            self._refuse(request, actor, f"request {request.id} is already {state}")
        return self._decide(request, "reject", actor, comment, "approval.rejected")

    def break_glass(self, request_id: str, actor: Operator, justification: str) -> ApprovalStatus:
        """A policy exception: releases the request without approvers. The justification
        must name the incident or ticket; absolute rules are never overridden; an alert
        goes out (`alerter`) once it is recorded."""
        request = self.get(request_id)
        text = self.store.db.redaction.text(" ".join(justification.split()))  # as recorded
        why = self.break_glass_refusal(text, request.absolute_rules)
        if why is not None:
            self._refuse(request, actor, why)
        state = self.describe(request.id).state
        if state in ("executed", "rejected"):
            self._refuse(request, actor, f"request {request.id} is already {state}")
        status = self._decide(request, "break_glass", actor, text, "approval.break_glass",
                              justification=text)
        if self.alerter is not None:
            try:
                self.alerter(request, actor, text)
            except Exception as exc:  # the alert must never block the workflow
                log.warning("break-glass alert failed: %s", exc)
        return status

    def break_glass_refusal(self, text: str, absolute: Sequence[str]) -> str | None:
        """Why a break-glass with this justification cannot be taken (None: it can)."""
        if absolute:
            return (f"break-glass cannot override absolute policy rule(s) "
                    f"{', '.join(absolute)}")
        if len(text) < MIN_JUSTIFICATION:
            return (f"break-glass needs a written justification of at least "
                    f"{MIN_JUSTIFICATION} characters")
        if not re.search(self.reference, text):
            return ("break-glass needs a justification naming the incident or ticket it is "
                    "for (e.g. INC-4711, #4711 or a link)")
        return None

    def mark_executed(self, request_id: str, actor: Operator, execution_id: str) -> None:
        """Consume the approval before the execution it releases: a request releases one
        execution only, atomically (two racing runs: the second is refused, audited, and
        raises ApprovalError)."""
        request = self.get(request_id)
        decision = Decision(request.id, "executed", actor, request.plan_digest,
                            request.resource_versions, f"execution {execution_id}",
                            identities=dict(identities_of(actor)))
        if not self.store.consume(decision):
            self._refuse(request, actor, f"request {request.id} was already used by another "
                         "execution; an approval releases one run only")
        self._audit("approval.executed", actor, request, outcome="executed",
                    execution_id=execution_id, payload={
                        "comment": decision.comment, "decision_at": decision.at,
                        "identities": dict(decision.identities),
                        "bound_digest": request.plan_digest,
                        "bound_resource_versions": dict(request.resource_versions)})

    def record_policy(self, policy: Policy, actor: Operator) -> bool:
        """Keep this policy version (hash + content); a new version is also audited."""
        if not self.store.record_policy(policy.hash, str(policy.path), policy.content):
            return False
        self.audit.append(AuditEvent(
            action="policy.loaded", operator=actor, outcome="recorded",
            payload={"policy_hash": policy.hash, "path": str(policy.path),
                     "rule_ids": list(policy.rule_ids), "content": policy.content}))
        return True

    def status(self, plan_digest: str, resource_versions: Mapping[str, str],
               request_id: str | None = None) -> ApprovalStatus:
        """Is execution released? For `request_id`, else the newest request for this digest."""
        if request_id is not None:
            request: ApprovalRequest | None = self.get(request_id)
        else:
            found = self.store.requests(limit=1, plan_digest=plan_digest)
            request = found[0] if found else None
        decisions = self.store.decisions(request.id) if request is not None else []
        return derive_status(request, decisions, plan_digest, resource_versions,
                             self._verified)

    def describe(self, request_id: str) -> ApprovalStatus:
        """A request's standing against its own binding (for lists and `show`)."""
        request = self.get(request_id)
        return derive_status(request, self.store.decisions(request.id), request.plan_digest,
                             request.resource_versions, self._verified)

    def gate(self, plan: Plan, resource_versions: Mapping[str, str], actor: Operator,
             request_id: str | None = None) -> ApprovalStatus:
        """`status` for the pipeline, with the verdict (released, pending or void) audited."""
        result = self.status(plan.digest(), resource_versions, request_id)
        owner = result.request.requester if result.request is not None else None
        if owner is not None and not same_person(owner, actor):
            # someone else's request: its approvers may include this actor, so it can
            # never release this actor's run (that would be one pair of eyes)
            result = replace(result, state="none", satisfied=False, approvers=(),
                             reason=f"the open request is {who(owner)}'s, not yours")
        event = AuditEvent(
            action="approval.checked", operator=actor,
            payload={"request_id": result.request.id if result.request else None,
                     "state": result.state, "reason": result.reason,
                     "resource_versions": dict(resource_versions)},
            scope=audit_scope(plan), approvals=approval_rows(result),
            outcome="released" if result.satisfied else result.state,
            links=AuditLinks(plan_hash=plan.digest()))
        self.audit.append(event)
        return result

    def _decide(self, request: ApprovalRequest, kind: DecisionKind, actor: Operator,
                comment: str, action: str, justification: str = "",
                execution_id: str | None = None) -> ApprovalStatus:
        decision = Decision(request.id, kind, actor, request.plan_digest,
                            request.resource_versions, self.store.db.redaction.text(comment),
                            identities=dict(identities_of(actor)))
        if kind in SIGNED_KINDS:
            decision = self._signed(request, decision)
        self._audit(action, actor, request, outcome=kind, justification=justification,
                    execution_id=execution_id, payload={
                        "comment": comment, "decision_at": decision.at,
                        "identities": dict(decision.identities),
                        "signature": decision.signature,
                        "key_fingerprint": decision.key_fingerprint,
                        "bound_digest": request.plan_digest,
                        "bound_resource_versions": dict(request.resource_versions),
                        **({"BREAK_GLASS": True, "warning": "POLICY EXCEPTION: approvals and "
                            "policy denials bypassed"} if kind == "break_glass" else {})})
        self.store.add_decision(decision)
        return self.describe(request.id)

    def _signed(self, request: ApprovalRequest, decision: Decision) -> Decision:
        """The decision signed with this account's approver key, registered for the OS
        user it names (refused, and audited, when there is no key or another is)."""
        if self.signer is None:
            self._refuse(request, decision.actor, "no approver signing key in this session: "
                         "approvals are signed by their approver's own key")
        assert self.signer is not None
        try:
            self.keys.publish(decision.actor.os_user, self.signer)
        except StoreError as exc:
            self._refuse(request, decision.actor, f"approver key: {exc}")
        return sign(decision, self.signer)

    def _verified(self, decision: Decision) -> bool:
        return verified(decision, self.keys)

    def _refuse(self, request: ApprovalRequest, actor: Operator, reason: str,
                error: type[ApprovalError] = ApprovalError) -> None:
        self._audit("approval.refused", actor, request, outcome="refused",
                    payload={"reason": reason})
        raise error(reason)

    def _audit(self, action: str, actor: Operator, request: ApprovalRequest, *, outcome: str,
               payload: dict[str, Any], justification: str = "",
               execution_id: str | None = None, scope: AuditScope | None = None) -> None:
        if scope is None:
            scope = audit_scope(Plan.model_validate_json(request.plan_json))
        as_user = acting_as(actor)
        self.audit.append(AuditEvent(
            action=action, operator=actor,
            payload={"request_id": request.id, "requester": request.requester.os_user,
                     "requester_kube_identity": request.requester.kube_identity,
                     **({"acting_as": as_user} if as_user else {}),
                     "required_approvals": request.required_approvals,
                     "policy_hash": request.policy_hash, "rule_ids": list(request.rule_ids),
                     **payload},
            scope=scope, outcome=outcome, justification=justification,
            links=AuditLinks(execution_id=execution_id, plan_hash=request.plan_digest)))


def approval_rows(result: ApprovalStatus | None) -> list[dict[str, Any]]:
    """The approvals releasing a run, for an audit record's `approvals` field."""
    if result is None or result.request is None:
        return []
    rows: list[dict[str, Any]] = [
        {"request_id": result.request.id, "decision": "approve", "approver": a.os_user,
         "kube_identity": a.kube_identity} for a in result.approvers]
    if result.break_glass:
        rows.append({"request_id": result.request.id, "decision": "break_glass",
                     "reason": result.reason})
    return rows


def who(operator: Operator) -> str:
    """`alice (sre-lead)`: OS user and Kubernetes identity (one spelling everywhere)."""
    return operator.os_user + (f" ({operator.kube_identity})" if operator.kube_identity else "")
