"""What an incident report looks like to a ticketing webhook: the generic JSON report, or
a Jira create-issue payload (``POST /rest/api/2/issue``) carrying the markdown report.

API::

    payload = ticket_payload(report, markdown, "jira", project="OPS")
"""

from __future__ import annotations

from typing import Any

JIRA_PRIORITY = {"SEV1": "Highest", "SEV2": "High", "SEV3": "Medium", "SEV4": "Low"}
JIRA_DESCRIPTION_LIMIT = 32_000  # Jira refuses longer text fields


def ticket_payload(report: dict[str, Any], markdown: str, fmt: str,
                   project: str) -> dict[str, Any]:
    """The body to POST for `fmt` ("generic" or "jira")."""
    if fmt == "generic":
        return {"kind": "kubechat.incident_report", "report": report}
    if fmt != "jira":
        raise ValueError(f"unknown webhook format {fmt!r}: use generic or jira")
    incident = report["incident"]
    labels = ["kubechat", *[f"cluster-{c}" for c in incident["clusters"]]]
    return {"fields": {
        "project": {"key": project},
        "issuetype": {"name": "Task"},
        "summary": f"[{incident['severity']}] {incident['title']} ({incident['id']})"[:250],
        "description": markdown[:JIRA_DESCRIPTION_LIMIT],
        "priority": {"name": JIRA_PRIORITY.get(incident["severity"], "Medium")},
        "labels": labels,
    }}
