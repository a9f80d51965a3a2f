"""`kubechat incident ...` end to end on a simulated fleet: an incident across two clusters
carries a diagnostic, a plan, an approval, an execution, a rollback and a pinned card; its
export lists the audit records it covers and they verify against the chain; the report is
delivered to a local webhook receiver (and a failing one is recorded so); an export path
that cannot be written is one line and nothing is lost."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from kubechat_tui.store.database import open_database
from kubechat_tui.store.opener import DB_FILE
from kubechat_tui.store.timeline import Timeline, TimelineEntry
from tests.cli.runner import Cli
from tests.guard.receivers import Receiver

CRASHLOOP = "crashlooping pods in payments"


def _incident_with_everything(cli: Cli) -> str:
    code, out, err = cli.run("incident", "open", "payments-api crashlooping",
                             "--severity", "sev2", "--cluster", "prod-eu", "prod-us",
                             "--commander", "carol")
    assert code == 0, err
    incident_id = out.split()[1].rstrip(":")
    code, _, err = cli.run("ask", CRASHLOOP, "--context", "prod-eu", "--context", "prod-us")
    assert code == 0, err
    plan = str(cli.save_plan())
    code, doc = cli.json("apply", plan, "--yes")
    request_id = doc["approval"]["request_id"]
    code, _, err = cli.as_os_user("bob", "approvals", "approve", request_id, "--as", "lead")
    assert code == 0, err
    code, out, err = cli.run("apply", plan, "--yes")
    assert code == 0, out + err
    execution_id = out.split("kubechat rollback ")[-1].split()[0]
    code, doc = cli.json("rollback", execution_id, "--yes")
    code, _, err = cli.as_os_user("bob", "approvals", "approve", doc["approval"]["request_id"],
                                  "--as", "lead")
    assert code == 0, err
    code, out, err = cli.run("rollback", execution_id, "--yes")
    assert code == 0, out + err
    db = open_database(cli.data / DB_FILE)
    try:  # what the insights pane does when a card is pinned
        Timeline(db).add(TimelineEntry(kind="insight", author="alice", cluster="prod-eu",
                                       title="payments-api: CrashLoopBackOff since 1.5.0"))
    finally:
        db.close()
    return incident_id


def _show(cli: Cli, incident_id: str, *extra: str) -> list[dict[str, Any]]:
    code, out, err = cli.run("incident", "show", incident_id, "--json", *extra)
    assert code == 0, err
    return [orjson.loads(line) for line in out.splitlines()]


def test_an_incident_carries_everything_done_and_exports_verifiably(
        cli: Cli, tmp_path: Path) -> None:
    incident_id = _incident_with_everything(cli)
    items = _show(cli, incident_id)
    kinds = {i["kind"] for i in items}
    assert {"incident", "diagnostic", "plan", "dryrun", "approval", "execution", "rollback",
            "summary", "insight"} <= kinds
    assert {c for i in items for c in i["clusters"]} >= {"prod-eu", "prod-us"}
    assert [i["ts"] for i in items] == sorted(i["ts"] for i in items)
    assert {i["clusters"][0] for i in _show(cli, incident_id, "--kind", "diagnostic")} == {
        "prod-eu", "prod-us"}
    assert {i["author"] for i in _show(cli, incident_id, "--author", "bob")} == {"bob"}

    approval = next(i for i in items if i["kind"] == "approval")
    code, out, err = cli.run("incident", "annotate", incident_id, approval["ref"],
                             "--ticket", "OPS-12", "--url", "https://jira.example/OPS-12")
    assert code == 0, err
    code, out, err = cli.run("incident", "close", incident_id, "--resolution",
                             "rolled back to 3 replicas")
    assert code == 0 and "closed" in out

    report_file = tmp_path / "report.json"
    code, _, err = cli.run("incident", "export", incident_id, "--format", "json",
                           "--out", str(report_file))
    assert code == 0, err
    report = orjson.loads(report_file.read_bytes())
    seqs = [r["seq"] for r in report["audit"]["records"]]
    assert len(seqs) > 20 and seqs == sorted(seqs)
    annotation = next(i for i in report["timeline"] if i["kind"] == "annotation")
    assert annotation["annotates"] == approval["ref"] and "OPS-12" in annotation["title"]
    code, out, err = cli.run("incident", "verify-export", str(report_file))
    assert code == 0 and out.startswith(f"OK: {len(seqs)} audit record(s)"), out + err

    report["audit"]["records"][3]["hash"] = "00" * 32  # an edited report does not verify
    report_file.write_bytes(orjson.dumps(report))
    code, out, _ = cli.run("incident", "verify-export", str(report_file))
    assert code == 1 and f"FAILED: seq {seqs[3]}: hash or action differs" in out
    assert cli.audit_ok()


def test_one_active_incident_and_clear_errors(cli: Cli, tmp_path: Path) -> None:
    code, out, _ = cli.run("incident", "open", "first", "--cluster", "prod-eu")
    incident_id = out.split()[1].rstrip(":")
    code, _, err = cli.run("incident", "open", "second", "--cluster", "staging")
    assert code == 1 and f"incident {incident_id} is still active" in err
    code, _, err = cli.run("incident", "show", "inc-nope")
    assert code == 2 and "no incident 'inc-nope'" in err
    code, _, err = cli.run("incident", "annotate", incident_id, "x12", "--note", "hi")
    assert code == 2 and "bad entry 'x12'" in err
    with pytest.raises(SystemExit, match="2"):
        cli.run("incident", "open", "x", "--cluster", "prod-eu", "--severity", "P1")
    assert "invalid choice: 'P1'" in cli.capsys.readouterr().err
    before = (cli.data / DB_FILE).read_bytes()
    code, out, err = cli.run("incident", "export", incident_id,
                             "--out", str(tmp_path / "missing-dir" / "report.md"))
    assert code == 1 and out == ""
    assert err.strip() == (f"kubechat: error: cannot write {tmp_path / 'missing-dir' / 'report.md'}"
                           ": No such file or directory")
    assert not (tmp_path / "missing-dir").exists()
    code, out, _ = cli.run("incident", "list")
    assert incident_id in out and "active" in out  # nothing lost
    assert len((cli.data / DB_FILE).read_bytes()) >= len(before)


def _config(cli: Cli, url: str, fmt: str = "generic") -> None:
    config = cli.data.parent / "config.yaml"
    config.write_text(f"ai:\n  enabled: false\nincidents:\n  webhook_url: {url}\n"
                      f"  webhook_format: {fmt}\n  webhook_attempts: 2\n"
                      "  webhook_timeout_seconds: 5\n")


@pytest.mark.parametrize("fmt", ["generic", "jira"])
def test_the_report_is_delivered_to_the_ticketing_webhook(cli: Cli, fmt: str) -> None:
    code, out, _ = cli.run("incident", "open", "payments 5xx", "--cluster", "prod-eu",
                           "--severity", "SEV1")
    incident_id = out.split()[1].rstrip(":")
    with Receiver() as receiver:
        _config(cli, receiver.url, fmt)
        code, out, err = cli.run("incident", "export", incident_id, "--send")
        assert code == 0, err
        assert f"report delivered to 127.0.0.1:{receiver.server.server_address[1]} ({fmt})" in err
    (body,) = receiver.received
    if fmt == "jira":
        fields = body["fields"]
        assert fields["project"] == {"key": "OPS"} and fields["priority"]["name"] == "Highest"
        assert fields["summary"] == f"[SEV1] payments 5xx ({incident_id})"
        assert fields["description"].startswith(f"# Incident {incident_id}: payments 5xx")
    else:
        assert body["report"]["incident"]["id"] == incident_id
    deliveries = [i for i in _show(cli, incident_id) if i["kind"] == "delivery"]
    assert len(deliveries) == 1 and "delivered" in deliveries[0]["title"]


def test_a_failing_receiver_is_retried_and_recorded(cli: Cli) -> None:
    code, out, _ = cli.run("incident", "open", "payments 5xx", "--cluster", "prod-eu")
    incident_id = out.split()[1].rstrip(":")
    with Receiver(status=503) as receiver:
        _config(cli, receiver.url)
        code, out, err = cli.run("incident", "export", incident_id, "--send")
    assert code == 1
    assert "report NOT delivered" in err and "HTTP 503 (after 2 tries)" in err
    assert len(receiver.received) == 2
    (delivery,) = [i for i in _show(cli, incident_id) if i["kind"] == "delivery"]
    assert "FAILED" in delivery["title"] and "T000" not in delivery["title"]


HEX = re.compile(r"\b[0-9a-f]{64}\b")


def test_markdown_report_snapshot(cli: Cli, tmp_path: Path, snapshot: Any) -> None:
    code, out, _ = cli.run("incident", "open", "payments-api crashlooping", "--cluster",
                           "prod-eu", "--commander", "carol")
    incident_id = out.split()[1].rstrip(":")
    code, _, err = cli.run("incident", "annotate", incident_id, "--note",
                           "@bob check the ledger migration due 2026-12-10")
    assert code == 0, err
    cli.run("incident", "annotate", incident_id, "t1", "--runbook", "restart-deployment")
    cli.run("incident", "close", incident_id, "--resolution", "rolled back")
    code, draft, err = cli.run("incident", "notes", incident_id, "--draft")
    assert code == 0 and "- [ ] @bob check the ledger migration due 2026-12-10" in draft, err
    (tmp_path / "notes.md").write_text(draft)
    code, out, err = cli.run("incident", "notes", incident_id, "--save", str(tmp_path / "notes.md"))
    assert code == 0 and out.strip() == f"saved notes version 1 of {incident_id}", err
    code, out, err = cli.run("incident", "export", incident_id, "--format", "md")
    assert code == 0, err
    text = HEX.sub("<hash>", out.replace(incident_id, "<id>"))
    text = re.sub(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?(\+00:00)?", "<time>", text)
    text = re.sub(r"head seq \d+ [0-9a-f]{16}", "head seq N <head>", text)
    assert text == snapshot
