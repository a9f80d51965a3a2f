"""Violation alerts: a policy denial, a break-glass or a policy that does not load is posted
to the configured alert webhooks, rate-limited, and audited.

API (built by `engine.wiring`)::

    alerter = ViolationAlerter.from_settings(settings.approvals, audit)  # None without URLs
    line = alerter.raise_alert(violation, operator)  # a line for the console / stderr
    alerter.finish()                                 # wait (bounded) for deliveries

`approvals.violation_webhook_url` gets a Slack-compatible message, `violation_json_url`
plain JSON. At most one alert per kind and rules goes out per
`violation_alert_interval_seconds`; the rate limit reads the audit chain, so it holds
across processes: a held-back alert is audited as `violation.suppressed` and counted in
the next one, a posted one as `violation.alerted`, a failed delivery as
`violation.alert_failed`. Messages are redacted like everything leaving the machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from kubechat_tui.config.settings import ApprovalSettings
from kubechat_tui.domain import Plan
from kubechat_tui.domain.redaction import redact_data
from kubechat_tui.engine.approvals import audit_scope, who
from kubechat_tui.guard.policy import ERROR_RULE, PolicyDecision
from kubechat_tui.integrations.alerts import Violation, json_alert, slack_alert
from kubechat_tui.integrations.webhook import Outbox, Undelivered, webhook_host
from kubechat_tui.store.approvals import ApprovalRequest
from kubechat_tui.store.audit_model import AuditEvent, AuditFilter, AuditRecord, Operator

ALERTED = "violation.alerted"
SUPPRESSED = "violation.suppressed"
ALERT_FAILED = "violation.alert_failed"
LOOKBACK = 500  # audit records of these kinds read for the rate limit


class AuditSink(Protocol):
    """What the alerter needs of `store.audit.AuditLog`."""

    def append(self, event: AuditEvent) -> Any: ...

    def latest(self, filters: AuditFilter | None, count: int) -> list[AuditRecord]: ...


class ViolationAlerter:
    """Posts violations to the alert webhooks, at most one per kind and rules per interval."""

    def __init__(self, targets: list[tuple[str, Callable[[Violation], dict[str, Any]]]],
                 audit: AuditSink, interval_seconds: int, timeout_seconds: float,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.targets = targets
        self.audit = audit
        self.interval = timedelta(seconds=interval_seconds)
        self.timeout_seconds = timeout_seconds
        self.clock = clock
        self.outbox = Outbox()

    @classmethod
    def from_settings(cls, settings: ApprovalSettings,
                      audit: AuditSink) -> ViolationAlerter | None:
        """An alerter for the configured URLs; None when there is none."""
        targets: list[tuple[str, Callable[[Violation], dict[str, Any]]]] = []
        if settings.violation_webhook_url:
            targets.append((str(settings.violation_webhook_url), slack_alert))
        if settings.violation_json_url:
            targets.append((str(settings.violation_json_url), json_alert))
        if not targets:
            return None
        return cls(targets, audit, settings.violation_alert_interval_seconds,
                   settings.webhook_timeout_seconds)

    def raise_alert(self, violation: Violation, operator: Operator) -> str:
        """Post (in the background) or hold back by the rate limit; audited either way.
        Returns one line saying which."""
        now = self.clock()
        last, held = self._history(violation.key, now)
        if last is not None:
            self.audit.append(AuditEvent(action=SUPPRESSED, operator=operator,
                                         outcome="rate_limited",
                                         payload={**violation.to_dict(), "key": violation.key}))
            return (f"alert held back: one for {violation.key} went out at {last} "
                    f"(at most one per {int(self.interval.total_seconds())} s)")
        sent = replace(violation, suppressed=held)
        hosts = [webhook_host(url) for url, _ in self.targets]
        self.audit.append(AuditEvent(action=ALERTED, operator=operator, outcome="posted",
                                     payload={**sent.to_dict(), "key": sent.key,
                                              "webhooks": hosts}))
        for url, render in self.targets:
            self.outbox.send(url, redact_data(render(sent)).value,
                             timeout=self.timeout_seconds, label=sent.key,
                             on_failure=lambda lost: self._failed(lost, operator))
        return f"alert posted to {', '.join(hosts)}"

    def finish(self) -> list[str]:
        """Wait for deliveries still running (bounded); one line per lost alert."""
        return [f"violation alert {lost.label} was not delivered ({lost.host}): {lost.reason}"
                for lost in self.outbox.wait(self.timeout_seconds)]

    def _history(self, key: str, now: datetime) -> tuple[str | None, int]:
        """(when the last alert for `key` within the interval went out, or None; how many
        were held back since the last one went out)."""
        if not self.interval:
            return None, 0
        records = self.audit.latest(AuditFilter(actions=(ALERTED, SUPPRESSED)), LOOKBACK)
        held = 0
        for record in reversed(records):
            if record.event.payload.get("key") != key:
                continue
            if record.event.action == SUPPRESSED:
                held += 1
                continue
            if record.ts >= now - self.interval:
                return record.ts.isoformat(timespec="seconds"), held
            return None, held
        return None, held

    def _failed(self, lost: Undelivered, operator: Operator) -> None:
        self.audit.append(AuditEvent(action=ALERT_FAILED, operator=operator, outcome="failed",
                                     payload={"key": lost.label, "webhook_host": lost.host,
                                              "reason": lost.reason}))



def where_of(plan: Plan) -> str:
    """`prod-eu, prod-us / payments`: the clusters and namespaces a plan's steps touch."""
    scope = audit_scope(plan)
    clusters = ", ".join(scope.clusters) or "-"
    return clusters + (f" / {', '.join(scope.namespaces)}" if scope.namespaces else "")


def denial(plan: Plan, decision: PolicyDecision, operator: Operator) -> Violation:
    """A policy denial of `plan` as a violation (the rules that denied it)."""
    denying = tuple(dict.fromkeys(h.rule_id for h in decision.hits
                                  if h.effect != "require_approval"))
    return Violation("denial", denying or decision.rule_ids, who(operator), plan.headline(),
                     where_of(plan), decision.remediation, _now())


def break_glass(request: ApprovalRequest, actor: Operator, justification: str) -> Violation:
    """A break-glass on `request` as a violation (the rules it bypasses)."""
    plan = Plan.model_validate_json(request.plan_json)
    return Violation("break_glass", request.rule_ids, who(actor), request.title,
                     where_of(plan), (f"justification: {justification}",), _now())


def load_failure(path: str, error: str, operator: Operator) -> Violation:
    """A policy that does not load (every change is refused) as a violation."""
    return Violation("policy_load_failed", (ERROR_RULE,), who(operator), error, path,
                     ("Fix the policy file; every change is refused until it loads.",),
                     _now())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
