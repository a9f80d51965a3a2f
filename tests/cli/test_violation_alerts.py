"""Violation alerts reach loopback receivers (Slack-compatible and plain JSON): a policy
denial, a break-glass and a policy that does not load; rate-limited; audited."""

from __future__ import annotations

from pathlib import Path

from tests.cli.runner import Cli
from tests.guard.receivers import Receiver

PROTECT_PAYMENTS = """version: 1
rules:
  - id: PAY-001
    kind: protected_namespaces
    namespaces: [payments]
    remediation: Ask the payments leads on call.
"""


def _configure(tmp_path: Path, slack: str, plain: str, interval: int = 300,
               policy: str | None = None) -> None:
    (tmp_path / "config.yaml").write_text(
        f"ai:\n  enabled: false\napprovals:\n  violation_webhook_url: {slack}\n"
        f"  violation_json_url: {plain}\n  violation_alert_interval_seconds: {interval}\n"
        + (f"policy_file: {policy}\n" if policy else ""))


def test_a_denial_alerts_both_receivers_then_the_rate_limit_holds_back(
        cli: Cli, tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(PROTECT_PAYMENTS)
    plan = str(cli.save_plan())
    with Receiver() as slack, Receiver() as plain:
        _configure(tmp_path, slack.url, plain.url, policy=str(policy))
        code, out, err = cli.run("apply", plan, "-y")
        assert code == 4 and "alert posted to 127.0.0.1:" in out + err, out + err
        code, out, err = cli.run("apply", plan, "-y")
        assert code == 4 and "alert held back: one for denial:PAY-001 went out" in out + err
        got_slack, got_plain = list(slack.received), list(plain.received)
    assert len(got_slack) == 1 and len(got_plain) == 1
    doc = got_plain[0]
    assert doc == {**doc, "type": "violation", "kind": "denial", "rule_ids": ["PAY-001"],
                   "remediation": ["Ask the payments leads on call."],
                   "where": "prod-eu / payments"}
    assert doc["who"].startswith("alice") and "payments-api" in doc["what"]
    assert got_slack[0]["text"].startswith("kubechat policy denial: PAY-001 - alice")
    actions = [e.action for e in cli.records()]
    assert actions.count("violation.alerted") == 1
    assert actions.count("violation.suppressed") == 1


def test_held_back_alerts_are_counted_in_the_next_one(cli: Cli, tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(PROTECT_PAYMENTS)
    plan = str(cli.save_plan())
    with Receiver() as slack, Receiver() as plain:
        _configure(tmp_path, slack.url, plain.url, interval=0, policy=str(policy))
        for _ in range(2):
            assert cli.run("apply", plan, "-y")[0] == 4
        received = list(plain.received)
    assert [d["suppressed"] for d in received] == [0, 0]  # no limit: every denial alerts


def test_break_glass_alerts(cli: Cli, tmp_path: Path) -> None:
    plan = str(cli.save_plan())
    with Receiver() as slack, Receiver() as plain:
        _configure(tmp_path, slack.url, plain.url)
        code, out, err = cli.run("apply", plan, "-y", "--break-glass",
                                 "INC-4711 payments are down, scaling out now")
        received = list(plain.received)
    assert code == 0, out + err
    [doc] = received
    assert doc["kind"] == "break_glass" and "KC-APPROVE-001" in doc["rule_ids"]
    assert doc["remediation"] == ["justification: INC-4711 payments are down, scaling out now"]


def test_a_policy_that_does_not_load_alerts(cli: Cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nrules: [\n")
    plan = str(cli.save_plan())
    with Receiver() as slack, Receiver() as plain:
        _configure(tmp_path, slack.url, plain.url, policy=str(broken))
        code, _, _ = cli.run("apply", plan, "-y")
        received = list(slack.received)
    assert code == 4
    [doc] = received
    assert doc["text"].startswith("kubechat policy does not load: POLICY-ERROR")
    assert str(broken) in doc["text"]


def test_a_read_the_policy_denies_alerts(cli: Cli, tmp_path: Path) -> None:
    policy = tmp_path / "reads.yaml"
    policy.write_text("version: 1\nrules:\n  - id: READ-001\n    kind: protected_namespaces\n"
                      "    namespaces: [payments]\n    match: {mutating_only: false}\n")
    with Receiver() as slack, Receiver() as plain:
        _configure(tmp_path, slack.url, plain.url, policy=str(policy))
        code, out, err = cli.run("ask", "pods in payments", "--context", "prod-eu")
        received = list(plain.received)
    assert code == 4, out + err
    [doc] = received
    assert doc["kind"] == "denial" and doc["rule_ids"] == ["READ-001"]
