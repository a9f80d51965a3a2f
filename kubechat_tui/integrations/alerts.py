"""Violation alerts as webhook payloads: Slack-compatible (`text` + `blocks`) or plain JSON.

    violation = Violation("denial", ("NS-001",), "alice (admin)", "scale deployments ...",
                          "prod-eu/kube-system", ("Ask the platform team.",), at)
    slack_alert(violation) / json_alert(violation)   # dicts for `webhook.Outbox.send`
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["denial", "break_glass", "policy_load_failed"]
TITLES = {"denial": "policy denial", "break_glass": "BREAK-GLASS",
          "policy_load_failed": "policy does not load"}


@dataclass(frozen=True)
class Violation:
    """A guardrail violation: which rules, who, what, where, and what to do about it."""

    kind: Kind
    rule_ids: tuple[str, ...]
    who: str
    what: str
    where: str
    remediation: tuple[str, ...]
    at: str
    suppressed: int = 0  # alerts of this kind and rule held back by the rate limit since

    @property
    def key(self) -> str:
        """What the rate limit counts by: the kind and the rules."""
        return f"{self.kind}:{','.join(self.rule_ids) or '-'}"

    def to_dict(self) -> dict[str, Any]:
        """The plain JSON form (also the audit payload)."""
        return {"kind": self.kind, "rule_ids": list(self.rule_ids), "who": self.who,
                "what": self.what, "where": self.where,
                "remediation": list(self.remediation), "at": self.at,
                "suppressed": self.suppressed}


def json_alert(violation: Violation) -> dict[str, Any]:
    """The generic JSON payload."""
    return {"source": "kubechat", "type": "violation", **violation.to_dict()}


def slack_alert(violation: Violation) -> dict[str, Any]:
    """The Slack `text` + `blocks` payload."""
    title = TITLES[violation.kind]
    rules = ", ".join(violation.rule_ids) or "-"
    held = (f" ({violation.suppressed} more held back by the rate limit)"
            if violation.suppressed else "")
    text = (f"kubechat {title}: {rules} - {violation.who} - {violation.what} "
            f"on {violation.where}{held}")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"kubechat {title}"}},
        {"type": "section", "fields": [
            {"type": "mrkdwn", "text": f"*Rules*\n{rules}"},
            {"type": "mrkdwn", "text": f"*Who*\n{violation.who}"},
            {"type": "mrkdwn", "text": f"*Where*\n{violation.where}"},
            {"type": "mrkdwn", "text": f"*When*\n{violation.at}"},
        ]},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*What*: {violation.what}"}},
    ]
    if violation.remediation:
        blocks.append({"type": "section", "text": {
            "type": "mrkdwn", "text": "*Remediation*: " + " ".join(violation.remediation)}})
    if held:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": held.strip()}]})
    return {"text": text, "blocks": blocks}
