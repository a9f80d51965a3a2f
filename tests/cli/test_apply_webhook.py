"""`kubechat apply` that stops for approval announces the request before it exits: a slow
TLS receiver still gets it, a refusing or silent one is one line on stderr (and audited)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kubechat_tui.sim.tls import ServerCerts, generate
from tests.cli.runner import Cli
from tests.guard.receivers import Receiver


@pytest.fixture(scope="module")
def certs() -> ServerCerts:
    return generate()


def _configure(tmp_path: Path, url: str, timeout: float = 10) -> None:
    (tmp_path / "config.yaml").write_text(
        f"ai:\n  enabled: false\napprovals:\n  webhook_url: {url}\n"
        f"  webhook_timeout_seconds: {timeout}\n")


def _apply(cli: Cli) -> tuple[int, str, str]:
    plan = str(cli.save_plan())
    return cli.run("apply", plan, "-y")


@pytest.fixture
def trusted(certs: ServerCerts, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerCerts]:
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca_file))  # urllib's default trust store
    yield certs


def test_a_slow_tls_receiver_has_the_request_when_apply_returns(
        cli: Cli, tmp_path: Path, trusted: ServerCerts) -> None:
    with Receiver(certs=trusted, handshake_delay=1.0) as receiver:
        _configure(tmp_path, receiver.url)
        code, out, err = _apply(cli)
        delivered = list(receiver.received)  # before the receiver stops
    assert code == 5, out + err
    request_id = next(e.payload["request_id"] for e in cli.records()
                      if e.action == "approval.requested")
    assert len(delivered) == 1 and request_id in delivered[0]["text"], err
    assert "warning" not in err


def test_a_refusing_receiver_is_one_line_on_stderr_and_audited(
        cli: Cli, tmp_path: Path) -> None:
    with Receiver(status=500) as receiver:
        _configure(tmp_path, receiver.url)
        code, out, err = _apply(cli)
    assert code == 5, out + err
    warnings = [line for line in err.splitlines() if "webhook" in line]
    assert len(warnings) == 1 and warnings[0].startswith("kubechat: warning: approval request ")
    assert warnings[0].endswith("webhook answered HTTP 500") and "SECRET" not in warnings[0]
    actions = [e.action for e in cli.records()]
    assert actions.index("approval.notify_failed") > actions.index("approval.requested")


def test_a_silent_receiver_costs_the_configured_bound_and_says_so(
        cli: Cli, tmp_path: Path) -> None:
    with Receiver(answer_delay=30) as receiver:
        _configure(tmp_path, receiver.url, timeout=1)
        code, out, err = _apply(cli)
    assert code == 5, out + err
    assert err.count("kubechat: warning: approval request ") == 1
    assert "no answer within 1 s" in err
