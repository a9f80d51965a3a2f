"""Hand-off of an incident report: the export audited, and the report attached to the
ticketing webhook (generic JSON or a Jira issue) with retries, the delivery recorded on
the incident's timeline whether it arrived or not.

API::

    record_export(desk, incident, "md", "/tmp/report.md", report)   # audit incident.exported
    result = deliver_report(desk, incident, report, markdown, settings.incidents)
    result.delivered, result.line()      # "report delivered to jira.internal (jira)" or why not

The delivery runs on the shared `Outbox` and is waited for at most
`incidents.webhook_timeout_seconds`; one still running then is abandoned and recorded so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubechat_tui.config.incident_settings import IncidentSettings
from kubechat_tui.engine.incident_desk import EXPORTED, IncidentDesk
from kubechat_tui.integrations.bearer import auth_headers, bearer_token
from kubechat_tui.integrations.ticket_payload import ticket_payload
from kubechat_tui.integrations.webhook import Outbox, webhook_host
from kubechat_tui.store.audit_model import AuditEvent, AuditScope
from kubechat_tui.store.incidents import Incident
from kubechat_tui.store.timeline import TimelineEntry


@dataclass(frozen=True)
class DeliveryResult:
    """How the delivery ended."""

    delivered: bool
    host: str
    fmt: str
    reason: str = ""

    def line(self) -> str:
        """One line for the operator."""
        if self.delivered:
            return f"report delivered to {self.host} ({self.fmt})"
        return (f"kubechat: report NOT delivered to {self.host} ({self.fmt}): {self.reason} "
                "(recorded on the incident timeline)")


def record_export(desk: IncidentDesk, incident: Incident, fmt: str, target: str,
                  report: dict[str, Any]) -> None:
    """Audit that the report was exported (what, where, which records it covers)."""
    records = report["audit"]["records"]
    desk.audit.append(AuditEvent(
        action=EXPORTED, operator=desk.operator, outcome="exported",
        scope=AuditScope(clusters=incident.clusters),
        payload={"incident": incident.id, "format": fmt, "target": target,
                 "records": len(records),
                 "last_seq": records[-1]["seq"] if records else None}))


def deliver_report(desk: IncidentDesk, incident: Incident, report: dict[str, Any],
                   markdown: str, config: IncidentSettings,
                   outbox: Outbox | None = None) -> DeliveryResult:
    """Post the report to the configured webhook, wait (bounded), record the outcome."""
    url = config.webhook_url
    if not url:
        result = DeliveryResult(False, "(none)", config.webhook_format,
                                "no incidents.webhook_url configured")
    else:
        box = outbox or Outbox()
        token = bearer_token(config.webhook_token_env, "incident-webhook")
        box.send(url, ticket_payload(report, markdown, config.webhook_format,
                                     config.jira_project),
                 timeout=config.webhook_timeout_seconds, label=incident.id,
                 attempts=config.webhook_attempts, headers=auth_headers(token))
        failed = box.wait(config.webhook_timeout_seconds)
        result = DeliveryResult(not failed, webhook_host(url), config.webhook_format,
                                failed[0].reason if failed else "")
    desk.timeline.add(TimelineEntry(
        kind="delivery", author=desk.who, incident_id=incident.id,
        title=(f"report delivered to {result.host} ({result.fmt})" if result.delivered
               else f"report delivery FAILED to {result.host}: {result.reason}"),
        payload={"host": result.host, "format": result.fmt, "delivered": result.delivered,
                 "reason": result.reason}))
    return result
