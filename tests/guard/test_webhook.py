"""The approval webhook: Slack-compatible JSON to a local receiver, redacted, delivered in
the background, awaited with a bound, and every failure reported and audited."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import orjson
import pytest

from kubechat_tui.config.settings import ApprovalSettings, Settings
from kubechat_tui.domain import Verb
from kubechat_tui.engine.approval_notify import NOTIFY_FAILED, ApprovalAnnouncer
from kubechat_tui.guard.policy import PolicyContext, load_configured_policy
from kubechat_tui.integrations.webhook import Outbox, Undelivered, WebhookError, post_json
from kubechat_tui.planner.render import build_step
from kubechat_tui.store.audit_model import Operator
from tests.guard.helpers import approval_env, plan_of, scale_step
from tests.guard.receivers import Receiver

SECRET_TITLE = "scale payments-api in prod-eu to 5 DB_PASSWORD=hunter2"


def _request(tmp_path: Path, receiver_url: str, timeout: float = 5.0) -> tuple:
    flow, audit, db = approval_env(tmp_path)
    announcer = ApprovalAnnouncer.from_settings(
        ApprovalSettings(webhook_url=receiver_url, webhook_timeout_seconds=timeout), audit)
    flow.notifier = announcer
    secret = build_step("s2", Verb.PATCH, "deployments", namespace="payments",
                        name="payments-api", clusters=("prod-eu",),
                        params={"patch": '{"metadata":{"annotations":{"DB_PASSWORD":"hunter2"}}}'})
    plan = plan_of(scale_step(), secret, text=SECRET_TITLE)
    decision = load_configured_policy(Settings()).evaluate(plan, PolicyContext())
    request = flow.request(plan, decision, {}, Operator("alice", "admin"))
    return announcer, request, audit, db


def test_new_request_is_announced_with_plan_risk_requester_and_no_secret(
        tmp_path: Path) -> None:
    with Receiver() as receiver:
        announcer, request, _, db = _request(tmp_path, receiver.url)
        assert announcer.finish() == []
    message = receiver.received[0]
    assert request.id in message["text"] and "MEDIUM" in message["text"]
    assert "alice (admin)" in message["text"]
    blob = orjson.dumps(message).decode()
    assert "scale deployment payments-api" in blob and "KC-APPROVE-001" in blob
    assert f"kubechat approvals approve {request.id}" in blob
    assert "hunter2" not in blob and "DB_PASSWORD" in blob  # the key stays, its value not
    db.close()


def test_a_refused_delivery_is_one_line_and_audited_after_the_request(tmp_path: Path) -> None:
    with Receiver(status=500) as receiver:
        announcer, request, audit, db = _request(tmp_path, receiver.url)
        lines = announcer.finish()
    assert lines == [f"approval request {request.id} was not announced on the webhook "
                     f"(127.0.0.1:{receiver.server.server_address[1]}): webhook answered "
                     "HTTP 500"]
    actions = [r.event.action for r in audit.records()]
    assert actions[-2:] == ["approval.requested", NOTIFY_FAILED]
    failed = list(audit.records())[-1].event
    assert failed.payload["request_id"] == request.id and "SECRET" not in str(failed.payload)
    db.close()


def test_a_receiver_that_never_answers_is_abandoned_after_the_bound(tmp_path: Path) -> None:
    with Receiver(answer_delay=30) as receiver:
        started = time.monotonic()
        announcer, request, audit, db = _request(tmp_path, receiver.url, timeout=0.5)
        lines = announcer.finish()
        waited = time.monotonic() - started
    assert len(lines) == 1 and "no answer within 0.5 s" in lines[0] and request.id in lines[0]
    assert waited < 10  # bounded (the receiver would have held it for 30 s)
    assert [r.event.action for r in audit.records()][-1] == NOTIFY_FAILED
    db.close()


def test_each_undelivered_message_is_reported_once() -> None:
    seen: list[Undelivered] = []
    outbox = Outbox()
    with Receiver(status=503) as receiver:
        outbox.send(receiver.url, {"text": "x"}, timeout=5, label="a", on_failure=seen.append)
        first = outbox.wait(5)
    assert [u.label for u in first] == ["a"] and [u.reason for u in seen] == [
        "webhook answered HTTP 503"]
    assert outbox.wait(5) == [] and len(seen) == 1  # settled deliveries are forgotten


def test_an_abandoned_delivery_that_fails_later_is_not_reported_again() -> None:
    seen: list[Undelivered] = []
    outbox = Outbox()
    with Receiver(status=500, answer_delay=1.0) as receiver:
        outbox.send(receiver.url, {"text": "x"}, timeout=5, label="a", on_failure=seen.append)
        assert [u.reason for u in outbox.wait(0.1)] == ["no answer within 0.1 s (delivery "
                                                         "abandoned)"]
    for thread in threading.enumerate():  # the receiver stopped: the abandoned post ends
        if thread.name == "kubechat-webhook":
            thread.join(5)
    assert len(seen) == 1


def test_http_errors_and_unreachable_raise_one_line() -> None:
    with Receiver(status=500) as receiver, pytest.raises(WebhookError, match="HTTP 500"):
        post_json(receiver.url, {"text": "x"}, timeout=5)
    with pytest.raises(WebhookError, match="unreachable"):
        post_json("http://127.0.0.1:9/hook", {"text": "x"}, timeout=2)
    with pytest.raises(WebhookError, match="must start with http"):
        post_json("file:///etc/passwd", {"text": "x"}, timeout=2)


def test_no_url_means_no_announcer(tmp_path: Path) -> None:
    _, audit, db = approval_env(tmp_path)
    assert ApprovalAnnouncer.from_settings(ApprovalSettings(), audit) is None
    db.close()
