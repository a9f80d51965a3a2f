"""Slack-compatible webhooks announcing approval requests; failures never block anything.

API::

    payload = approval_message(request_id=..., title=..., risk=..., requester=..., steps=[...],
                               reasons=[...], required=2)     # {"text": ..., "blocks": [...]}
    post_json(url, payload)              # raises WebhookError (one line)
    post_in_background(url, payload)     # daemon thread; failures are logged, never raised
"""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

import orjson

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5.0
MAX_LINES = 12


class WebhookError(Exception):
    """The webhook could not be delivered; `str()` is one line."""


def approval_message(*, request_id: str, title: str, risk: str, requester: str,
                     steps: Sequence[str], reasons: Sequence[str], required: int) -> dict[str, Any]:
    """The Slack `text` + `blocks` JSON for a new approval request."""
    shown = list(steps[:MAX_LINES]) + ([f"... {len(steps) - MAX_LINES} more"]
                                       if len(steps) > MAX_LINES else [])
    text = (f"kubechat approval needed ({required} approver(s)): {title} "
            f"- risk {risk.upper()}, requested by {requester} - id {request_id}")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "kubechat approval request"}},
        {"type": "section", "fields": [
            {"type": "mrkdwn", "text": f"*Request*\n`{request_id}`"},
            {"type": "mrkdwn", "text": f"*Risk*\n{risk.upper()}"},
            {"type": "mrkdwn", "text": f"*Requester*\n{requester}"},
            {"type": "mrkdwn", "text": f"*Approvals needed*\n{required}"},
        ]},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Plan*: {title}\n```"
                                     + "\n".join(shown) + "```"}},
    ]
    if reasons:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": "; ".join(reasons[:5])}]})
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": f"Approve: `kubechat approvals approve {request_id}`"}]})
    return {"text": text, "blocks": blocks}


def break_glass_message(*, request_id: str, title: str, who: str,
                        justification: str, rules: Sequence[str]) -> dict[str, Any]:
    """The Slack `text` + `blocks` JSON alerting that someone used break-glass."""
    text = (f"kubechat BREAK-GLASS by {who}: {title} - policy and approvals bypassed "
            f"- id {request_id}")
    return {"text": text, "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "kubechat BREAK-GLASS"}},
        {"type": "section", "fields": [
            {"type": "mrkdwn", "text": f"*Request*\n`{request_id}`"},
            {"type": "mrkdwn", "text": f"*By*\n{who}"},
            {"type": "mrkdwn", "text": f"*Rules bypassed*\n{', '.join(rules) or '-'}"},
        ]},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Plan*: {title}"}},
        {"type": "section", "text": {"type": "mrkdwn",
                                     "text": f"*Justification*: {justification}"}},
    ]}


def post_json(url: str, payload: dict[str, Any], timeout: float = TIMEOUT_SECONDS) -> None:
    """POST the payload as JSON; a non-2xx answer or a network error raises WebhookError."""
    if not url.startswith(("http://", "https://")):
        raise WebhookError(f"webhook URL must be http(s): {url!r}")
    request = urllib.request.Request(url, data=orjson.dumps(payload), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise WebhookError(f"webhook answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WebhookError(f"webhook unreachable: {reason}") from None
    if not 200 <= status < 300:
        raise WebhookError(f"webhook answered HTTP {status}")


def post_in_background(url: str, payload: dict[str, Any],
                       timeout: float = TIMEOUT_SECONDS) -> threading.Thread:
    """Deliver in a daemon thread; failures are logged as warnings and otherwise ignored."""

    def deliver() -> None:
        try:
            post_json(url, payload, timeout)
        except WebhookError as exc:
            log.warning("approval webhook: %s", exc)

    thread = threading.Thread(target=deliver, name="kubechat-webhook", daemon=True)
    thread.start()
    return thread
