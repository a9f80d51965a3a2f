"""The one path by which a plan's read-only steps run: guarded, concurrent, audited.

    reads = ReadPath.beside(pipeline)          # same fleet, policy, audit chain, timeline
    run = reads.run(plan, on_result=show)      # blocking; `show(result)` as each arrives
    run.results                                # StepResult per (accepted step, cluster)

The plan is validated and bound to the session's contexts like a plan the pipeline runs
(`engine.canonical`, `engine.routes`; ReadPlanError, one line, audited as rejected).
Policy is evaluated for the read steps before anything is sent; each allowed (step,
cluster) is read concurrently through `ReadRequests` (GETs only, within the cluster's
deadline, `kube.read_deadline_seconds`); a 403 is answered with RBAC's remediation.
Every result is appended to the audit chain — action, scope, outcome and the sha256 of
what was shown, never the output — before it is handed to `on_result`; the run ends with
a timeline entry. Changes are not run here: `engine.pipeline` is the only path that
writes.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Plan, Step
from kubechat_tui.domain.tracing import plan_attributes, traced
from kubechat_tui.engine import trail as stage
from kubechat_tui.engine.canonical import PlanInputError, canonical
from kubechat_tui.engine.diagnostics.fanout import fan_out
from kubechat_tui.engine.diagnostics.guardrails import Refusal, policy_refusals, rbac_refusal
from kubechat_tui.engine.diagnostics.readers import READERS, ReadContext
from kubechat_tui.engine.diagnostics.requests import ReadApi, ReadRequests
from kubechat_tui.engine.diagnostics.results import SKIPPED, ReadRun, StepResult
from kubechat_tui.engine.routes import bind_routes
from kubechat_tui.engine.trail import AuditSink, Trail
from kubechat_tui.engine.violations import ViolationAlerter, denial
from kubechat_tui.guard.policy import Policy, PolicyContext
from kubechat_tui.kube.errors import ApiError
from kubechat_tui.kube.failures import one_line
from kubechat_tui.kube.queries import MetricsUnavailable
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.store.timeline import Timeline, TimelineEntry

ResultCallback = Callable[[StepResult], None]
Clock = Callable[[], datetime]


class ReadPlanError(ValueError):
    """The plan cannot be read as given (an invalid value, a cluster outside the session)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ReadPath:
    """Runs read steps; its collaborators are the pipeline's."""

    api: ReadApi
    settings: Settings
    audit: AuditSink
    policy: Policy
    timeline: Timeline
    operator: Operator
    clock: Clock = field(default=_utc_now)
    violations: ViolationAlerter | None = None  # alerts a policy denial of a read

    @classmethod
    def beside(cls, pipeline: Any) -> ReadPath:
        """The read path of an `engine.pipeline.Pipeline`: its fleet, settings, policy,
        audit chain, timeline, operator and violation alerts."""
        return cls(pipeline.fleet, pipeline.settings, pipeline.audit, pipeline.policy,
                   pipeline.timeline, pipeline.operator,
                   violations=getattr(pipeline, "violations", None))

    @traced("kubechat.diagnostics", lambda self, plan, *_: plan_attributes(plan))
    def run(self, plan: Plan, on_result: ResultCallback | None = None) -> ReadRun:
        """Run the plan's read steps (skipped ones are reported, changes ignored)."""
        run_id = "rd-" + secrets.token_hex(5)
        submitted = plan.digest()  # as submitted: the key a later summary finds this run by
        plan = self._bound(plan, run_id)
        trail = Trail(self.audit, self.operator, plan, run_id)
        reads = plan.model_copy(update={"steps": tuple(s for s in plan.steps
                                                        if not s.mutating)})
        decision, refusals = policy_refusals(self.policy, reads, PolicyContext(
            settings=self.settings, now=self.clock(), requester=self._who()))
        trail.record(stage.READ_SUBMITTED, {
            "plan": plan.model_dump(mode="json"), "policy": decision.to_dict(),
            "kubectl": [line for s in reads.steps if s.accepted for line in plan.kubectl_lines(s)]},
            "submitted")
        run = ReadRun(run_id, plan)
        if refusals and self.violations is not None:
            self.violations.raise_alert(denial(reads, decision, self.operator), self.operator)

        def done(result: StepResult) -> None:
            trail.record(stage.READ_STEP, result.audit_payload(), result.status,
                         clusters=[result.cluster], objects=_objects(plan.step(result.step_id)))
            run.results.append(result)
            if on_result is not None:
                on_result(result)

        tasks: list[tuple[Step, str]] = []
        for step in reads.steps:
            for cluster in step.clusters or plan.scope.clusters:
                if not step.accepted:
                    done(StepResult(step.id, step.verb.value, cluster, _line(plan, step, cluster),
                                    "skipped", "skipped", error=SKIPPED))
                elif (step.id, cluster) in refusals:
                    done(_refused(plan, step, cluster, refusals[(step.id, cluster)]))
                else:
                    tasks.append((step, cluster))
        self._fan_out(plan, tasks, done)
        self.timeline.add(TimelineEntry(
            kind="diagnostics", author=self._who(), execution_id=run_id,
            title=f"asked: {plan.input[:120]}", body=run.summary(),
            payload={"plan_digest": plan.digest(), "submitted_digest": submitted, "results": [
                {"step": r.step_id, "cluster": r.cluster, "status": r.status,
                 "output_sha256": r.output_sha256()} for r in run.results]}))
        return run

    def _bound(self, plan: Plan, run_id: str) -> Plan:
        """The plan validated and bound to the session's contexts; ReadPlanError (audited
        as rejected) when it cannot be."""
        try:
            return bind_routes(canonical(plan), self.api.routes())
        except PlanInputError as exc:
            Trail(self.audit, self.operator, plan, run_id).record(
                stage.READ_SUBMITTED, {"plan": plan.model_dump(mode="json"),
                                       "error": str(exc)}, "rejected")
            raise ReadPlanError(str(exc)) from None

    def _fan_out(self, plan: Plan, tasks: list[tuple[Step, str]], done: ResultCallback) -> None:
        """Every (step, cluster) read at once, each cluster within the deadline."""
        seconds = self.settings.kube.read_deadline_seconds
        deadline = time.monotonic() + seconds
        now = self.clock()

        def late(task: tuple[Step, str]) -> StepResult:
            step, cluster = task
            return StepResult(step.id, step.verb.value, cluster, _line(plan, step, cluster),
                              "failed", "error", error=f"{cluster}: timed out: no answer "
                              f"within {seconds:g}s", duration=seconds)

        fan_out(tasks, lambda t: self._read(plan, t[0], t[1], deadline, seconds, now),
                deadline, done, late)

    def _who(self) -> str:
        return self.operator.kube_identity or self.operator.os_user

    def _read(self, plan: Plan, step: Step, cluster: str, deadline: float, seconds: float,
              now: datetime) -> StepResult:
        """One step in one cluster; never raises (a failure is the result)."""
        sent = ReadRequests(self.api, deadline, seconds)
        line = _line(plan, step, cluster)
        started = time.monotonic()
        namespace = step.namespace if step.namespace is not None else plan.scope.namespace
        try:
            reading = READERS[step.verb](ReadContext(sent, step, cluster, namespace, now))
        except MetricsUnavailable as exc:
            return _failed(step, cluster, line, exc.message, sent, started)
        except ApiError as exc:
            if exc.status == 403 and sent.sent:
                refusal = rbac_refusal(self.api, step.id, sent.sent[-1],
                                       f"{cluster}: {exc.message}",
                                       self.policy.spec.rbac_contact)
                return _refused(plan, step, cluster, refusal, sent, started)
            return _failed(step, cluster, line, _failure(cluster, exc), sent, started)
        except ValueError as exc:  # ReadInputError, a field path kubectl would refuse too
            return _failed(step, cluster, line, f"{cluster}: {one_line(str(exc))}", sent,
                           started)
        except Exception as exc:  # a reader bug is one line, never a crash of the console
            return _failed(step, cluster, line, f"{cluster}: read failed: "
                           f"{type(exc).__name__}: {one_line(str(exc))}", sent, started)
        return StepResult(step.id, step.verb.value, cluster, line, "ok", reading.kind,
                          reading.output, requests=tuple(sent.sent),
                          duration=time.monotonic() - started, evidence=reading.evidence)


def _failure(cluster: str, exc: ApiError) -> str:
    """One line; a 404 says the object may be gone (deleted or replaced since the plan)."""
    if exc.status == 404 and "not found" in exc.message:
        return (f"{cluster}: {exc.message.removeprefix('HTTP 404: ')} (gone? it may have "
                "been deleted or replaced since the plan was made)")
    return f"{cluster}: {exc.message}"


def _line(plan: Plan, step: Step, cluster: str) -> str:
    """The step's kubectl line for one cluster (its context named)."""
    return step.model_copy(update={"clusters": (cluster,)}).kubectl_lines(
        plan.scope.contexts)[0]


def _failed(step: Step, cluster: str, line: str, error: str, sent: ReadRequests,
            started: float) -> StepResult:
    return StepResult(step.id, step.verb.value, cluster, line, "failed", "error", error=error,
                      requests=tuple(sent.sent), duration=time.monotonic() - started)


def _refused(plan: Plan, step: Step, cluster: str, refusal: Refusal,
             sent: ReadRequests | None = None, started: float | None = None) -> StepResult:
    return StepResult(step.id, step.verb.value, cluster, _line(plan, step, cluster), "denied",
                      "denied", error=refusal.reason, remediation=refusal.remediation,
                      requests=tuple(sent.sent) if sent else (),
                      duration=time.monotonic() - started if started is not None else 0.0)


def _objects(step: Step) -> list[str]:
    """The audit scope's objects of a step (`pods/payments/x`), when it names one."""
    return [f"{step.resource}/{step.namespace or ''}/{step.name}"] if step.name else []
