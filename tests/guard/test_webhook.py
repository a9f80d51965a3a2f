"""The approval webhook: Slack-compatible JSON to a local receiver; failures never block."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.engine.approvals import webhook_notifier
from kubechat_tui.guard.policy import PolicyContext, load_configured_policy
from kubechat_tui.integrations.webhook import WebhookError, post_in_background, post_json
from kubechat_tui.store.audit_model import Operator
from tests.guard.helpers import approval_env, plan_of, scale_step


class Receiver(http.server.BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Receiver.received.append(orjson.loads(self.rfile.read(length)))
        self.send_response(Receiver.status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.received, Receiver.status = [], 200
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_new_request_is_announced_with_plan_risk_requester(receiver: str,
                                                           tmp_path: Path) -> None:
    flow, _, db = approval_env(tmp_path)
    flow.notifier = webhook_notifier(receiver)
    plan = plan_of(scale_step())
    decision = load_configured_policy(Settings()).evaluate(plan, PolicyContext())
    request = flow.request(plan, decision, {}, Operator("alice", "admin"))
    for thread in threading.enumerate():
        if thread.name == "kubechat-webhook":
            thread.join(5)
    message = Receiver.received[0]
    assert request.id in message["text"] and "MEDIUM" in message["text"]
    assert "alice (admin)" in message["text"]
    blob = orjson.dumps(message["blocks"]).decode()
    assert "scale deployment payments-api" in blob and "KC-APPROVE-001" in blob
    assert f"kubechat approvals approve {request.id}" in blob
    db.close()


def test_http_errors_and_unreachable_raise_one_line(receiver: str) -> None:
    Receiver.status = 500
    with pytest.raises(WebhookError, match="HTTP 500"):
        post_json(receiver, {"text": "x"})
    with pytest.raises(WebhookError, match="unreachable"):
        post_json("http://127.0.0.1:9/hook", {"text": "x"}, timeout=2)
    with pytest.raises(WebhookError, match="must be http"):
        post_json("file:///etc/passwd", {"text": "x"})


def test_background_delivery_failure_is_only_logged(caplog: pytest.LogCaptureFixture) -> None:
    post_in_background("http://127.0.0.1:9/hook", {"text": "x"}, timeout=2).join(5)
    assert "approval webhook: webhook unreachable" in caplog.text


def test_no_url_means_no_notifier() -> None:
    assert webhook_notifier(None) is None and webhook_notifier("") is None
