"""Slack-compatible webhooks announcing approval requests: posted in the background,
awaited with a bound before the process exits, and every failure reported.

API::

    payload = approval_message(request_id=..., title=..., risk=..., requester=..., steps=[...],
                               reasons=[...], required=2)     # {"text": ..., "blocks": [...]}
    post_json(url, payload, timeout)     # raises WebhookError (one line)
    outbox = Outbox()
    outbox.send(url, payload, timeout=10, label="ap-1", on_failure=callback)  # returns at once
    outbox.send(url, payload, timeout=10, attempts=3, headers={"Authorization": "Bearer ..."})
    outbox.wait(10.0) -> [Undelivered]   # waits at most 10 s in all; failed and unfinished ones

A delivery ends delivered, failed (the receiver refused or could not be reached) or
abandoned (still running when `wait` gave up); a delivery with `attempts` > 1 is tried
again after a failure (a short pause between tries). `on_failure` runs exactly once for each
failed or abandoned delivery: on the delivery thread when it fails, in `wait` when it is
abandoned; `wait` returns only after every such callback has finished.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

MAX_LINES = 12
RETRY_PAUSE_SECONDS = 0.5  # times the try number, between tries of one delivery
State = Literal["sending", "delivered", "failed", "abandoned"]


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


def post_json(url: str, payload: dict[str, Any], timeout: float,
              headers: dict[str, str] | None = None) -> None:
    """POST the payload as JSON; a non-2xx answer or a network error raises WebhookError."""
    if not url.startswith(("http://", "https://")):
        raise WebhookError("the webhook URL must start with http:// or https://")
    request = urllib.request.Request(url, data=orjson.dumps(payload), method="POST",
                                     headers={"Content-Type": "application/json",
                                              **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise WebhookError(f"webhook answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise WebhookError(f"no answer within {timeout:g} s") from None
        raise WebhookError(f"webhook unreachable: {' '.join(str(reason).split())}") from None
    if not 200 <= status < 300:
        raise WebhookError(f"webhook answered HTTP {status}")


def webhook_host(url: str) -> str:
    """The receiver's host (and port) for messages: the rest of a webhook URL is a secret."""
    try:
        return urllib.parse.urlsplit(url).netloc.rpartition("@")[2] or "(no host)"
    except ValueError:
        return "(unparsable URL)"


@dataclass(frozen=True)
class Undelivered:
    """A delivery that failed or did not finish in time; `reason` is one line."""

    label: str
    host: str
    reason: str


@dataclass(eq=False)
class _Delivery:
    url: str
    payload: dict[str, Any]
    timeout: float
    label: str
    on_failure: Callable[[Undelivered], None] | None
    attempts: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    state: State = "sending"
    reason: str = ""
    done: threading.Event = field(default_factory=threading.Event)

    def undelivered(self) -> Undelivered:
        return Undelivered(self.label, webhook_host(self.url), self.reason)


class Outbox:
    """Deliveries in flight; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deliveries: list[_Delivery] = []

    def send(self, url: str, payload: dict[str, Any], *, timeout: float, label: str = "",
             on_failure: Callable[[Undelivered], None] | None = None, attempts: int = 1,
             headers: dict[str, str] | None = None) -> None:
        """Post `payload` on a daemon thread (`timeout`: the socket timeout of each try)."""
        delivery = _Delivery(url, payload, timeout, label, on_failure, max(1, attempts),
                             dict(headers or {}))
        with self._lock:
            self._deliveries = [d for d in self._deliveries if d.state != "delivered"]
            self._deliveries.append(delivery)
        threading.Thread(target=self._deliver, args=(delivery,), name="kubechat-webhook",
                         daemon=True).start()

    def wait(self, budget: float) -> list[Undelivered]:
        """Wait up to `budget` seconds in all; abandon what is still running. Every
        delivery sent so far is settled and forgotten; the undelivered ones are returned."""
        deadline = time.monotonic() + budget
        with self._lock:
            deliveries, self._deliveries = self._deliveries, []
        for delivery in deliveries:
            if not delivery.done.wait(max(0.0, deadline - time.monotonic())):
                self._settle(delivery, "abandoned",
                             f"no answer within {budget:g} s (delivery abandoned)")
            delivery.done.wait()  # a failure callback may still be running
        return [d.undelivered() for d in deliveries if d.state in ("failed", "abandoned")]

    def _deliver(self, delivery: _Delivery) -> None:
        try:
            for attempt in range(1, delivery.attempts + 1):
                try:
                    post_json(delivery.url, delivery.payload, delivery.timeout,
                              delivery.headers)
                except WebhookError as exc:
                    if attempt == delivery.attempts or delivery.state != "sending":
                        tries = f" (after {attempt} tries)" if attempt > 1 else ""
                        self._settle(delivery, "failed", f"{exc}{tries}")
                        return
                    time.sleep(RETRY_PAUSE_SECONDS * attempt)
                else:
                    self._settle(delivery, "delivered", "")
                    return
        finally:
            delivery.done.set()

    def _settle(self, delivery: _Delivery, state: State, reason: str) -> None:
        """Move a delivery out of "sending" once; a failure runs its callback."""
        with self._lock:
            if delivery.state != "sending":
                return
            delivery.state, delivery.reason = state, reason
        if state != "delivered" and delivery.on_failure is not None:
            delivery.on_failure(delivery.undelivered())
        if state == "abandoned":
            delivery.done.set()
