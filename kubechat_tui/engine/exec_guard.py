"""The exec path's guard: an exec is judged like a change, through the pipeline's stages.

    guard = ExecGuard(pipeline)
    prep = guard.prepare(ExecRequest(...), break_glass="")   # pod → RBAC → policy → approval
    prep.status        # needs_confirmation | denied | awaiting_approval | failed
    prep.confirmation  # cluster, namespace, pod, container, command: what the user confirms
    guard.not_confirmed(prep)   # audited refusal when the user says no

Order, each stage audited before the next (all records carry the session id as their
execution id): `exec.submitted` (the request; a bad name or an unknown pod or container
stops here), `rbac.checked` (a SelfSubjectAccessReview of `create pods/exec` on the pod:
the pipeline's RBAC stage, remediation included), `policy.evaluated` (the policy file's
rules on the exec step: `verbs: [exec]`, `exec_denied_commands`, `exec_allowed_requesters`),
then the pipeline's approval stage (an approval request, or break-glass exactly as for
changes). Starting the session needs an explicit confirmation (`engine.exec_session`).
Commands are shown and audited redacted (`domain.redaction`): a password typed on a
command line never reaches the audit chain.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from kubechat_tui.domain.redaction import Redactor
from kubechat_tui.engine import trail as stage
from kubechat_tui.engine.approvals import who
from kubechat_tui.engine.exec_plan import (
    STEP_ID,
    ClusterUnreachable,
    ExecInputError,
    ExecRequest,
    ExecTargetInfo,
    exec_plan,
    kubectl_line,
    resolve_target,
)
from kubechat_tui.engine.pipeline import Pipeline
from kubechat_tui.engine.run_state import Prepared, RunOptions, Status
from kubechat_tui.engine.trail import Trail
from kubechat_tui.guard.policy import PolicyContext
from kubechat_tui.kube.recorder import Request
from kubechat_tui.store.transcripts import SESSION_PREFIX


@dataclass
class ExecPrepared:
    """A judged exec request; `status` says whether only the confirmation is left."""

    session_id: str
    request: ExecRequest
    prep: Prepared
    target: ExecTargetInfo | None = None
    production: bool = False
    redactor: Redactor = field(default_factory=Redactor)
    unreachable: bool = False  # the cluster did not answer the pod read

    @property
    def status(self) -> Status:
        """The pipeline status of the checks."""
        return self.prep.status

    @property
    def message(self) -> str:
        """One line: why it stopped, or that it waits for the confirmation."""
        return self.prep.message

    @property
    def ready(self) -> bool:
        """True when only the confirmation stands between this request and the session."""
        return self.prep.status == "needs_confirmation" and self.target is not None

    @property
    def trail(self) -> Trail:
        """The audit trail of this session."""
        return self.prep.trail

    @property
    def container(self) -> str:
        """The container the command runs in ("" before the pod was read)."""
        return self.target.container if self.target is not None else ""

    @property
    def command_line(self) -> str:
        """The kubectl line, redacted (what is shown and audited)."""
        return self.redactor.redact(kubectl_line(self.request, self.container or "?"))

    @property
    def confirmation(self) -> list[tuple[str, str]]:
        """(label, value) rows the confirmation shows."""
        req = self.request
        approvals = self.prep.approval
        rows = [("cluster", req.cluster + ("  (PRODUCTION)" if self.production else "")),
                ("namespace", req.namespace), ("pod", req.pod),
                ("container", self.container), ("mode", req.mode),
                ("command", self.redactor.redact(" ".join(req.command)))]
        if approvals is not None and approvals.break_glass:
            rows.append(("policy", "BREAK-GLASS (flagged in the audit)"))
        elif approvals is not None and approvals.satisfied:
            rows.append(("approved by", ", ".join(who(a) for a in approvals.approvers) or "-"))
        return rows


class ExecGuard:
    """Judges exec requests with the pipeline's collaborators and stages."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.redactor = Redactor(pipeline.settings.ai.redact_patterns)

    def prepare(self, request: ExecRequest, break_glass: str = "") -> ExecPrepared:
        """Run every check up to the confirmation; each stage is audited in order."""
        pipe = self.pipeline
        session_id = SESSION_PREFIX + secrets.token_hex(5)
        production = pipe.settings.is_production(request.cluster)
        routes = getattr(pipe.fleet, "routes", None)
        known: dict[str, str] = routes() if callable(routes) else {}
        context = known.get(request.cluster, request.cluster)
        target: ExecTargetInfo | None = None
        error, unreachable = "", False
        try:
            request.check()
            target = resolve_target(pipe.fleet, request)
        except ExecInputError as exc:
            error, unreachable = str(exc), isinstance(exc, ClusterUnreachable)
        container = target.container if target is not None else (request.container or "")
        plan = exec_plan(request, container or "default", context, production,
                         self.redactor.redact)
        prep = Prepared(session_id, plan, "failed", error,
                        Trail(pipe.audit, pipe.operator, plan, session_id),
                        requests=[(STEP_ID, Request(request.cluster, "POST",
                                                    f"/api/v1/namespaces/{request.namespace}"
                                                    f"/pods/{request.pod}/exec"))],
                        options=RunOptions(break_glass=break_glass))
        found = ExecPrepared(session_id, request, prep, target, production, self.redactor,
                             unreachable)
        prep.trail.record(stage.EXEC_SUBMITTED, self._submitted(found, error),
                          "rejected" if error else "submitted")
        if error or target is None:
            return found
        if not pipe.rbac_stage(prep) or not self._policy(found) \
                or not pipe.approval_stage(prep):
            return found
        prep.status, prep.message = "needs_confirmation", "ready: confirm to start the session"
        return found

    def not_confirmed(self, found: ExecPrepared, reason: str = "confirmation not given") -> None:
        """Audit that a ready exec was not started."""
        found.trail.record(stage.EXEC_NOT_CONFIRMED, {"reason": reason}, "not_executed")

    def _submitted(self, found: ExecPrepared, error: str) -> dict[str, Any]:
        req = found.request
        payload: dict[str, Any] = {
            "session_id": found.session_id, "cluster": req.cluster,
            "namespace": req.namespace, "pod": req.pod, "container": found.container,
            "mode": req.mode, "command": self.redactor.redact_data(list(req.command)).value,
            "kubectl": found.command_line, "production": found.production,
            "plan_digest": found.prep.plan.digest()}
        return {**payload, "error": error} if error else payload

    def _policy(self, found: ExecPrepared) -> bool:
        pipe, prep = self.pipeline, found.prep
        pipe.approvals.record_policy(pipe.policy, pipe.operator)
        labels = {(STEP_ID, found.request.cluster): [found.target.labels if found.target
                                                     else {}]}
        context = PolicyContext(settings=pipe.settings, labels=labels,
                                requester=pipe.operator.kube_identity or pipe.operator.os_user)
        return pipe.decide(prep, pipe.policy.evaluate(prep.plan, context))
