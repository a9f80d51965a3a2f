"""Announcing new approval requests on the configured webhook, without losing any.

API (built by `engine.wiring`, given to `ApprovalWorkflow` as its notifier)::

    announcer = ApprovalAnnouncer.from_settings(settings.approvals, audit)  # None without URLs
    ApprovalWorkflow(store, audit, notifier=announcer, alerter=announcer.alert)
    announcer.finish() -> ["approval request ap-1 was not announced: ..."]  # before exit

Break-glass alerts go the same way, to `approvals.alert_webhook_url` (else `webhook_url`).

The message is redacted like everything that leaves the machine and posted in the
background, so neither a command nor the console's UI waits on the receiver while it
works. `finish` waits for the deliveries still running, `approvals.webhook_timeout_seconds`
at most in all (the same bound is each post's socket timeout), and returns one line per
request that was not announced. A failed or abandoned delivery is also audited as
`approval.notify_failed` (after the request's own `approval.requested` record).
"""

from __future__ import annotations

from typing import Any, Protocol

from kubechat_tui.config.settings import ApprovalSettings
from kubechat_tui.domain import Plan
from kubechat_tui.domain.redaction import redact_data
from kubechat_tui.engine.approvals import audit_scope, who
from kubechat_tui.integrations.webhook import (
    Outbox,
    Undelivered,
    approval_message,
    break_glass_message,
)
from kubechat_tui.store.approvals import ApprovalRequest
from kubechat_tui.store.audit_model import AuditEvent, AuditLinks, Operator

NOTIFY_FAILED = "approval.notify_failed"


class AuditSink(Protocol):
    """What the announcer needs of `store.audit.AuditLog`."""

    def append(self, event: AuditEvent) -> Any: ...


class ApprovalAnnouncer:
    """The workflow's notifier: posts each new request, remembers what did not arrive."""

    def __init__(self, url: str | None, audit: AuditSink, timeout_seconds: float,
                 alert_url: str | None = None) -> None:
        self.url = url
        self.alert_url = alert_url or url
        self.audit = audit
        self.timeout_seconds = timeout_seconds
        self.outbox = Outbox()

    @classmethod
    def from_settings(cls, settings: ApprovalSettings,
                      audit: AuditSink) -> ApprovalAnnouncer | None:
        """An announcer for `approvals.webhook_url` and `alert_webhook_url`; None when
        neither is configured."""
        if not (settings.webhook_url or settings.alert_webhook_url):
            return None
        return cls(settings.webhook_url, audit, settings.webhook_timeout_seconds,
                   settings.alert_webhook_url)

    def __call__(self, request: ApprovalRequest) -> None:
        """Post the request's message in the background (returns at once)."""
        if not self.url:
            return
        plan = Plan.model_validate_json(request.plan_json)
        steps = [line for s in plan.steps if s.accepted and s.mutating
                 for line in plan.kubectl_lines(s)]
        message = approval_message(
            request_id=request.id, title=request.title, risk=request.risk,
            requester=who(request.requester), steps=steps, reasons=request.reasons,
            required=request.required_approvals)
        self.outbox.send(self.url, redact_data(message).value, timeout=self.timeout_seconds,
                         label=request.id,
                         on_failure=lambda lost: self._audit_failure(request, plan, lost))

    def alert(self, request: ApprovalRequest, actor: Operator, justification: str) -> None:
        """Post a break-glass alert in the background (returns at once)."""
        if not self.alert_url:
            return
        plan = Plan.model_validate_json(request.plan_json)
        message = break_glass_message(request_id=request.id, title=request.title,
                                      who=who(actor), justification=justification,
                                      rules=request.rule_ids)
        self.outbox.send(self.alert_url, redact_data(message).value,
                         timeout=self.timeout_seconds, label=f"{request.id} (break-glass)",
                         on_failure=lambda lost: self._audit_failure(request, plan, lost))

    def finish(self) -> list[str]:
        """Wait for the deliveries still running (bounded); one line per lost announcement."""
        return [f"approval request {lost.label} was not announced on the webhook "
                f"({lost.host}): {lost.reason}"
                for lost in self.outbox.wait(self.timeout_seconds)]

    def _audit_failure(self, request: ApprovalRequest, plan: Plan, lost: Undelivered) -> None:
        self.audit.append(AuditEvent(
            action=NOTIFY_FAILED, operator=request.requester, outcome="failed",
            payload={"request_id": request.id, "webhook_host": lost.host,
                     "reason": lost.reason},
            scope=audit_scope(plan), links=AuditLinks(plan_hash=request.plan_digest)))
