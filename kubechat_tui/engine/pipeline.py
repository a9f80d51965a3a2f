"""The one path by which kubechat changes a cluster.

    prep = pipeline.prepare(plan, options)    # plan → targets → RBAC → policy → dry run
                                              #   → approval
    result = pipeline.execute(prep, options)  # snapshot → execute → audit → summary

What is checked is what runs: reading the targets builds the request plan (the executor's
own code, reads sent, writes recorded: `engine.request_plan`), the RBAC pre-flight reviews
exactly those requests, the preview shows them, and the dry run and the execution send
them through a gate that lets out only reviewed requests (`guard.request_gate`). Nothing
is written before RBAC and policy said yes. `prepare` stops early (denied, failed dry run,
waiting for approval); `execute` refuses without an explicit confirmation. Each stage is
appended to the audit chain, in order, before the next one starts; an audit write that
fails stops the run before any change. During execution each change is announced
(`execution.intent`, `engine.journal`) before its first request goes out and its outcome
recorded (`execution.step`) after, so an execution killed half-way can still be read back
and rolled back (`engine.recovery`). A request the server throttles (429 with
Retry-After) is retried within `kube.retry_*`, each retry audited (`request.retried`).
`run(plan, options)` does both for the CLI. The console shows `prep` and calls `execute`
when the user confirms; rollback plans run through the very same two calls.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Plan
from kubechat_tui.domain.tracing import plan_attributes, traced
from kubechat_tui.engine import trail as stage
from kubechat_tui.engine.approvals import ApprovalError, ApprovalWorkflow, approval_rows, who
from kubechat_tui.engine.approver_review import checks_of
from kubechat_tui.engine.canonical import PlanInputError, canonical
from kubechat_tui.engine.changes import (
    Change,
    observed_labels,
    resource_versions,
    with_counts,
)
from kubechat_tui.engine.dryrun import DryRunReport, dry_run
from kubechat_tui.engine.execute import (
    Announce,
    Progress,
    ProgressCallback,
    execute,
)
from kubechat_tui.engine.identity import cluster_identities
from kubechat_tui.engine.journal import intent_payload
from kubechat_tui.engine.request_plan import RequestPlanError, read_targets
from kubechat_tui.engine.rollback import rollback_notes, rollback_plan, undone_approvals
from kubechat_tui.engine.routes import bind_routes
from kubechat_tui.engine.run_state import Prepared, RunOptions, RunResult, Status
from kubechat_tui.engine.settle import settle_config
from kubechat_tui.engine.snapshot import capture
from kubechat_tui.engine.summary import SummaryWriter, write_summary
from kubechat_tui.engine.trail import AuditSink, Trail
from kubechat_tui.engine.violations import ViolationAlerter, denial
from kubechat_tui.guard.policy import Policy, PolicyContext, PolicyDecision, PolicyError
from kubechat_tui.guard.rbac import RbacReport, check_rbac
from kubechat_tui.guard.request_gate import ReviewedRequests
from kubechat_tui.guard.risk import assess_plan
from kubechat_tui.kube.lookup import ClusterView
from kubechat_tui.kube.mutations import ApiRequester, MutationError, Mutator
from kubechat_tui.kube.recorder import Request
from kubechat_tui.kube.retry import Throttled, ThrottleRetry, throttle_retry
from kubechat_tui.store.approvals import ApprovalRequest
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.store.timeline import Timeline, TimelineEntry

MIN_JUSTIFICATION = 10
# (fleet, (step id, request) of the request plan, who to ask for missing permissions)
RbacCheck = Callable[[ApiRequester, Sequence[tuple[str, Request]], str | None], RbacReport]


def _span_attributes(_pipeline: Any, prep: Prepared, *_: Any) -> dict[str, Any]:
    """What a guard-stage or execution span carries: ids, clusters and verbs."""
    return {**plan_attributes(prep.plan), "kubechat.execution_id": prep.execution_id}


@dataclass
class Pipeline:
    """The guarded execution path, with its collaborators injected."""

    fleet: ApiRequester
    settings: Settings
    audit: AuditSink
    policy: Policy
    approvals: ApprovalWorkflow
    timeline: Timeline
    operator: Operator
    rbac: RbacCheck = check_rbac
    summary_writer: SummaryWriter | None = None
    summary_model: str = ""
    view: ClusterView | None = None  # live counts for risk scoring (blast radius)
    violations: ViolationAlerter | None = None  # alerts a denial on the alert webhooks
    policy_source: Callable[[], Policy] | None = None  # re-read per plan (cluster policy)
    _policy_recorded: bool = field(default=False, init=False, repr=False)

    # -- plan → RBAC → policy → dry-run → approval -----------------------------------
    @traced("kubechat.prepare", lambda self, plan, *_: plan_attributes(plan))
    def prepare(self, plan: Plan, options: RunOptions | None = None) -> Prepared:
        """Run every check up to the approval gate; each stage is audited in order."""
        opts = options or RunOptions()
        execution_id = "ex-" + secrets.token_hex(5)
        submitted = plan.digest()
        try:
            plan = assess_plan(bind_routes(settle_config(canonical(plan), self.settings),
                                           self._routes()),
                               self.settings, self.view)  # a plan file is input
        except PlanInputError as exc:
            trail = Trail(self.audit, self.operator, plan, execution_id)
            trail.record(stage.PLAN, {"plan": plan.model_dump(mode="json"), "error": str(exc)},
                         "rejected")
            return Prepared(execution_id, plan, "failed", str(exc), trail, options=opts)
        trail = Trail(self.audit, self.operator, plan, execution_id)
        prep = Prepared(execution_id, plan, "failed", "", trail, options=opts,
                        submitted_digest=submitted)
        trail.record(stage.PLAN, {"plan": plan.model_dump(mode="json"),
                                  "rollback_of": opts.rollback_of,
                                  "kubectl": [line for s in plan.steps if s.accepted
                                              for line in plan.kubectl_lines(s)]},
                     "submitted")
        if not plan.mutating:
            return self._stop(prep, "failed", "the plan changes nothing: run its read-only "
                              "steps with `kubechat plan`")
        if opts.skip_dry_run and len(opts.justification.strip()) < MIN_JUSTIFICATION:
            return self._stop(prep, "failed", "skipping the dry run needs a written "
                              f"justification (--justification, at least {MIN_JUSTIFICATION} "
                              "characters)")
        _tell(opts, "reading the targets")
        if not self._targets(prep):
            return prep
        _tell(opts, "RBAC pre-flight")
        if not self.rbac_stage(prep):
            return prep
        _tell(opts, "guardrail policy")
        if not self._policy(prep):
            return prep
        _tell(opts, "server-side dry run")
        if not self._dry_run(prep):
            return prep
        _tell(opts, "approval")
        if not self.approval_stage(prep):
            return prep
        if opts.dry_run_only:
            prep.status, prep.message = "previewed", "dry run only: nothing was changed"
        else:
            prep.status = "needs_confirmation"
            prep.message = "ready: confirm to execute"
        return prep

    def _routes(self) -> dict[str, str] | None:
        """cluster -> context of the requester's requests (None for a fleet that does not
        route by context, such as a test double)."""
        routes = getattr(self.fleet, "routes", None)
        return routes() if callable(routes) else None

    def _stop(self, prep: Prepared, status: Status, message: str,
              remediation: list[str] | None = None) -> Prepared:
        prep.status, prep.message = status, message
        prep.remediation = list(remediation or [])
        return prep

    @traced("kubechat.guard.targets", _span_attributes)
    def _targets(self, prep: Prepared) -> bool:
        """Resolve and read the targets; build the requests each change will send."""
        try:
            read = read_targets(self.fleet, prep.plan)
        except RequestPlanError as exc:
            prep.trail.record(stage.TARGETS, {"error": str(exc)}, "error")
            self._stop(prep, "failed", str(exc))
            return False
        prep.plan = with_counts(read.plan, read.changes)
        prep.changes, prep.requests, prep.unreadable = read.changes, read.requests, \
            read.forbidden
        prep.trail.record(stage.TARGETS, {
            "requests": [{"step": step_id, **r.to_json()} for step_id, r in read.requests],
            "forbidden": read.forbidden}, "forbidden" if read.forbidden else "read")
        if not read.changes and not read.forbidden:
            self._stop(prep, "failed", "no object matches the plan's targets; nothing to do")
            return False
        return True

    @traced("kubechat.guard.rbac", _span_attributes)
    def rbac_stage(self, prep: Prepared) -> bool:
        """Review `prep.requests` (audited); False (status set) when anything is denied.
        The exec path (`engine.exec_guard`) runs this same stage."""
        report = self.rbac(self.fleet, prep.requests, self.policy.spec.rbac_contact)
        prep.rbac = report
        prep.trail.record(stage.RBAC, report.to_dict(), "allowed" if report.allowed else "denied")
        if not report.allowed:
            fix = [d.remediation for d in report.denials] + [
                f"{c.cluster}: the access review failed ({c.error}); retry when it answers"
                for c in report.errors]
            status: Status = "denied" if report.denials else "failed"  # unanswered: failed
            self._stop(prep, status, report.summary(), fix)
            return False
        if prep.unreadable:  # RBAC allows what the cluster refused: say what it said
            self._stop(prep, "failed", "cannot read the targets: " + "; ".join(prep.unreadable))
            return False
        prep.gate = ReviewedRequests(self.fleet, report)
        return True

    def _refresh_policy(self, prep: Prepared) -> bool:
        """A policy that lives in the cluster (`policy_source`) is read again: its current
        version decides this plan; one that cannot be read stops the plan (fail closed)."""
        if self.policy_source is None:
            return True
        try:
            fresh = self.policy_source()
        except PolicyError as exc:
            self._stop(prep, "failed", f"policy: {exc}")
            return False
        if fresh.hash != self.policy.hash:
            self.policy, self._policy_recorded = fresh, False
        return True

    @traced("kubechat.guard.policy", _span_attributes)
    def _policy(self, prep: Prepared) -> bool:
        if not self._refresh_policy(prep):
            return False
        if not self._policy_recorded:  # the version in force, stored and audited once
            self.approvals.record_policy(self.policy, self.operator)
            self._policy_recorded = True
        context = PolicyContext(settings=self.settings, labels=observed_labels(prep.changes),
                                requester=self.operator.kube_identity or self.operator.os_user)
        decision = self.policy.evaluate(prep.plan, context)
        undoing = prep.options.rollback_of
        undone = undone_approvals(self.timeline, undoing, prep.plan) if undoing else None
        if undoing and undone is not None:
            decision = decision.as_restore(undoing, undone)
        return self.decide(prep, decision)

    def decide(self, prep: Prepared, decision: PolicyDecision) -> bool:
        """Record the policy's `decision` (audited); False (status set, the violation
        alerted) when it denies and no break-glass overrides it. The exec path uses it too."""
        prep.policy = decision
        outcome = ("denied" if not decision.allowed else
                   "approval_required" if decision.needs_approval else "allowed")
        prep.trail.record(stage.POLICY, decision.to_dict(), outcome)
        if decision.allowed or prep.options.break_glass:
            return True
        reasons = "; ".join(decision.reasons) or "denied"
        if self.violations is not None:
            line = self.violations.raise_alert(denial(prep.plan, decision, self.operator),
                                               self.operator)
            reasons += f" [{line}]"
        self._stop(prep, "denied", f"policy: {reasons}", list(decision.remediation))
        return False

    @traced("kubechat.guard.dry_run", _span_attributes)
    def _dry_run(self, prep: Prepared) -> bool:
        opts = prep.options
        if opts.skip_dry_run:
            prep.dry_run = DryRunReport(prep.changes, skipped=True,
                                        justification=opts.justification.strip())
            prep.trail.record(stage.DRY_RUN_SKIPPED, {"changes": len(prep.changes)}, "skipped",
                              justification=opts.justification.strip())
            return True
        report = dry_run(self._gate(prep), prep.changes, self._retry(prep, "dry run"),
                         opts.on_progress)
        prep.dry_run = report
        prep.trail.record(stage.DRY_RUN, report.to_json(), "ok" if report.ok else "refused")
        if not report.ok:
            self._stop(prep, "failed", "dry run refused: " + report.errors[0]
                       + (f" (+{len(report.errors) - 1} more)" if len(report.errors) > 1 else ""))
        return report.ok

    @traced("kubechat.guard.approval", _span_attributes)
    def approval_stage(self, prep: Prepared) -> bool:
        """Break-glass, or the approvals policy asks for (an open request found, or one
        opened); False (status set) unless released. The exec path runs it too."""
        decision = prep.policy
        if decision is None:
            return False
        rvs = resource_versions(prep.changes)
        if prep.options.break_glass and not prep.options.dry_run_only:
            return self._break_glass(prep, decision, rvs)
        if decision.required_approvals == 0 and decision.allowed:
            return True
        status = self.approvals.gate(prep.plan, rvs, self.operator)  # only own requests
        prep.approval = status
        if status.satisfied:
            return True
        if prep.options.dry_run_only:
            self._stop(prep, "previewed", "dry run only: nothing was changed; executing "
                       f"needs {decision.required_approvals} approval(s) ({status.reason})")
            return False
        if status.state == "rejected":
            self._stop(prep, "denied", f"approval: {status.reason}")
            return False
        if status.state == "pending" and status.request is not None:
            self._stop(prep, "awaiting_approval", f"waiting for approval: request "
                       f"{status.request.id} ({status.reason})")
            return False
        request = self._request(prep, decision, rvs)
        prep.approval = self.approvals.status(prep.plan.digest(), rvs, request.id)
        why = f" (earlier request: {status.reason})" if status.request is not None else ""
        self._stop(prep, "awaiting_approval", f"approval requested: {request.id} needs "
                   f"{decision.required_approvals} approver(s) other than "
                   f"{self.operator.os_user}"
                   + (f" / {self.operator.kube_identity}" if self.operator.kube_identity
                      else "") + why)
        return False

    def _request(self, prep: Prepared, decision: PolicyDecision,
                 rvs: dict[str, str]) -> ApprovalRequest:
        """Open an approval request naming who each cluster says the requester is and the
        access reviews they passed (what approvers are compared and reviewed against)."""
        return self.approvals.request(
            prep.plan, decision, rvs, self.operator, diff=_diff_text(prep.changes),
            identities=cluster_identities(self.fleet, prep.plan.clusters()),
            checks=checks_of(prep.rbac) if prep.rbac is not None else ())

    def _break_glass(self, prep: Prepared, decision: PolicyDecision,
                     rvs: dict[str, str]) -> bool:
        text = " ".join(prep.options.break_glass.split())
        why = self.approvals.break_glass_refusal(text, decision.absolute_rule_ids)
        if why is not None:
            prep.trail.record(stage.BREAK_GLASS_REFUSED, {"reason": why}, "refused",
                              justification=text)
            self._stop(prep, "denied", why)
            return False
        request = self._request(prep, decision, rvs)
        try:
            status = self.approvals.break_glass(request.id, self.operator, text)
        except ApprovalError as exc:
            self._stop(prep, "denied", f"break-glass refused: {exc}")
            return False
        prep.approval = status
        return status.satisfied

    # -- snapshot → execute → audit → summary ----------------------------------------
    @traced("kubechat.execute", _span_attributes)
    def execute(self, prep: Prepared, confirmed: bool) -> RunResult:
        """Execute a prepared plan; refuses without confirmation or when not ready."""
        if not prep.ready or prep.status == "previewed":
            return RunResult(prep.status, prep.message, prep)
        if not confirmed:
            why = ("not executed: real execution needs an explicit confirmation (--yes, or "
                   "confirm in the console)")
            prep.trail.record(stage.NOT_CONFIRMED, {"reason": "confirmation not given"},
                              "not_executed")
            return RunResult("needs_confirmation", why, prep)
        prep.trail.approvals = tuple(approval_rows(prep.approval))  # on every record now
        stale = self._snapshot(prep)
        if stale:
            return RunResult("failed", stale, prep)
        if prep.approval is not None and prep.approval.request is not None:
            try:  # an approval releases one run: consumed before anything is sent
                self.approvals.mark_executed(prep.approval.request.id, self.operator,
                                             prep.execution_id)
            except ApprovalError as exc:
                return RunResult("denied", f"not executed: {exc}", prep)
        gate = self._gate(prep)
        report = execute(gate, prep.execution_id, prep.changes,
                         self._progress(prep, prep.options.on_progress),
                         announce=self._announce(prep), retry=self._retry(prep, "execution"))
        undo = rollback_plan(prep.plan, report)
        final = stage.SUCCEEDED if report.ok else stage.FAILED
        undo_json = undo.model_dump(mode="json") if undo else None
        needed = prep.policy.required_approvals if prep.policy else None
        prep.trail.record(final, {
            "changes": [c.to_json() for c in report.changes], "failure": report.failure,
            "rollback_plan": undo_json, "rollback_of": prep.options.rollback_of,
            "rbac_at_execution": [c.to_dict() for c in gate.late]},
            "succeeded" if report.ok else "failed")
        self.timeline.add(TimelineEntry(
            kind="execution", author=self._who(), execution_id=prep.execution_id,
            title=f"{'executed' if report.ok else 'FAILED'}: {prep.plan.headline()[:120]}",
            body=report.failure or f"{len(report.done())} change(s) applied",
            payload={"plan": prep.plan.model_dump(mode="json"),
                     "changes": [c.to_json() for c in report.changes],
                     "rollback_plan": undo_json, "rollback_notes": rollback_notes(report),
                     "rollback_of": prep.options.rollback_of,
                     "required_approvals": needed}))
        summary = write_summary(prep.plan, report, self._who(), _approvers(prep),
                                self.summary_writer, self.summary_model)
        prep.evidence = [e.execution_id or "" for e in
                         self.timeline.diagnostics_for(prep.submitted_digest)]
        prep.trail.record(stage.SUMMARY, {"text": summary.text, "note": summary.note,
                                          "evidence": prep.evidence}, summary.author)
        status: Status = "done" if report.ok else "failed"
        message = (f"{len(report.done())}/{len(report.changes)} change(s) applied"
                   if report.ok else f"stopped: {report.failure}; "
                   f"{len(report.done())}/{len(report.changes)} change(s) applied")
        return RunResult(status, message, prep, report, summary, undo)

    def run(self, plan: Plan, options: RunOptions | None = None) -> RunResult:
        """`prepare` then, when ready and confirmed, `execute`."""
        opts = options or RunOptions()
        prep = self.prepare(plan, opts)
        if not prep.ready or prep.status == "previewed":
            return RunResult(prep.status, prep.message, prep)
        return self.execute(prep, opts.confirmed)

    def archive_summary(self, result: RunResult, text: str, annotation: str = "") -> None:
        """Store the (edited) summary on the incident timeline, audited."""
        body = text.strip() + (f"\n\nNote: {annotation.strip()}" if annotation.strip() else "")
        self.timeline.add(TimelineEntry(
            kind="summary", author=self._who(), execution_id=result.execution_id,
            title=f"summary: {result.prepared.plan.headline()[:120]}", body=body,
            payload={"status": result.status, "edited": result.summary is None
                     or body != result.summary.text,
                     "evidence": result.prepared.evidence}))  # the diagnostics runs it cites
        result.prepared.trail.record(stage.ARCHIVED, {"text": body}, "archived")

    def cancel(self, prep: Prepared, reason: str = "closed without executing") -> None:
        """Audit that a preview was left without executing (a console's escape)."""
        prep.trail.record(stage.CANCELLED, {"status": prep.status, "message": prep.message,
                                            "reason": reason}, "cancelled")

    def _gate(self, prep: Prepared) -> ReviewedRequests:
        """The gate of this run (a preview rebuilt elsewhere gets one from its report)."""
        if prep.gate is None:
            prep.gate = ReviewedRequests(self.fleet, prep.rbac)
        return prep.gate

    def _snapshot(self, prep: Prepared) -> str | None:
        """Re-read every target; a target changed since the dry run stops everything."""
        mutator = Mutator(self._gate(prep), retry=self._retry(prep, "snapshot"))
        stale: list[str] = []
        try:
            for change in prep.changes:
                fresh = capture(mutator, change.target, absent_ok=change.before is not None
                                and change.before.object is None)
                seen = change.before.state_version if change.before else None
                if prep.dry_run and not prep.dry_run.skipped and fresh.state_version != seen:
                    stale.append(f"{change.target.label()} (state {seen} → "
                                 f"{fresh.state_version})")
                change.before = fresh
        except MutationError as exc:
            prep.trail.record(stage.SNAPSHOT, {"error": str(exc)}, "failed")
            return f"snapshot failed, nothing was changed: {exc}"
        payload = {"snapshots": [c.before.to_json() for c in prep.changes if c.before],
                   "rollback": [c.rollback.kubectl for c in prep.changes if c.rollback],
                   "stale": stale}
        prep.snapshot_record = prep.trail.record(stage.SNAPSHOT, payload,
                                                 "stale" if stale else "captured")
        if stale:
            return ("changed since the dry run, nothing was changed: " + ", ".join(stale)
                    + "; preview again")
        return None

    def _announce(self, prep: Prepared) -> Announce:
        """Append each change's intent before it is sent (a failed append sends nothing)."""
        def announce(index: int, change: Change) -> None:
            prep.trail.record(stage.INTENT, intent_payload(index, len(prep.changes), change,
                                                           prep.snapshot_record),
                              "sending", clusters=[change.target.cluster],
                              objects=[change.target.label()])
        return announce

    def _retry(self, prep: Prepared, during: str) -> ThrottleRetry:
        """The configured retry of throttled requests, each retry audited (and, in the dry
        run, told to the console's stage line)."""
        def audited(notice: Throttled) -> None:
            prep.trail.record(stage.RETRIED, {"during": during, **notice.to_json()},
                              "retrying", clusters=[notice.cluster])
            if during == "dry run":
                _tell(prep.options, f"server-side dry run: {notice.line()}")
        return throttle_retry(self.settings.kube).telling(audited)

    def _progress(self, prep: Prepared, outer: ProgressCallback | None) -> ProgressCallback:
        def on_progress(event: Progress) -> None:
            if event.state != "running":
                change = prep.changes[event.index - 1]
                prep.trail.record(stage.STEP, {**change.to_json(), "index": event.index,
                                               "kubectl": change.step.kubectl},
                                  event.state, clusters=[event.cluster],
                                  objects=[event.target])
            if outer is not None:
                outer(event)
        return on_progress

    def _who(self) -> str:
        return self.operator.kube_identity or self.operator.os_user


def _tell(options: RunOptions, what: str) -> None:
    if options.on_stage is not None:
        options.on_stage(what)


def _approvers(prep: Prepared) -> list[str]:
    """Each approving person once: `bob (sre-lead)`."""
    if prep.approval is None:
        return []
    names = [who(a) for a in prep.approval.approvers]
    return names + (["BREAK-GLASS"] if prep.approval.break_glass else [])


def _diff_text(changes: list[Change]) -> str:
    return "\n".join(c.diff for c in changes if c.diff)
