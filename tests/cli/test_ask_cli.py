"""`kubechat ask`: plans, runs the read-only steps on the simulated fleet, prints the
answers; the `--json` contract; exit codes 0 answered, 1 nothing answered, 3 not
understood / nothing to read, 4 denied."""

from __future__ import annotations

from pathlib import Path

import orjson

from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.database import open_database
from kubechat_tui.store.opener import DB_FILE
from kubechat_tui.store.signing import load_signer
from tests.cli.runner import Cli

CRASHLOOP = "crashlooping pods in payments"


def read_actions(cli: Cli) -> list[str]:
    db = open_database(cli.data / DB_FILE)
    try:
        return [r.event.action for r in AuditLog(db, load_signer(cli.data)).records()]
    finally:
        db.close()


def test_ask_prints_each_clusters_answer_and_exits_0(cli: Cli) -> None:
    code, out, err = cli.run("ask", CRASHLOOP, "--context", "prod-eu",
                             "--context", "prod-us")
    assert code == 0, err
    assert "[s1] prod-eu  ok" in out and "[s1] prod-us  ok" in out
    assert "kubectl --context prod-eu get pods -n payments -o wide" in out
    assert " ! payments-api-" in out and "in CrashLoopBackOff)" in out
    assert "4 result(s): 4 answered, " in out.rstrip().splitlines()[-1]  # then the insights
    assert read_actions(cli).count("read.step") == 4
    assert cli.audit_ok()


def test_ask_json_contract(cli: Cli) -> None:
    code, doc = cli.json("ask", CRASHLOOP, "--context", "prod-eu")
    assert code == 0
    assert list(doc) == ["plan", "results", "insights"]  # insights: test_ask_insights.py
    assert doc["plan"]["planner"] == "rules" and not doc["plan"]["blocked"]
    assert [s["verb"] for s in doc["plan"]["steps"]] == ["get", "events"]
    for result in doc["results"]:
        assert list(result) == ["step", "cluster", "ok", "error", "kind", "output"]
    pods = next(r for r in doc["results"] if r["step"] == "s1")
    assert pods["ok"] and pods["error"] is None and pods["kind"] == "table"
    status = pods["output"]["columns"].index("STATUS")
    assert {row[status] for row in pods["output"]["rows"]} == {"CrashLoopBackOff"}
    events = next(r for r in doc["results"] if r["step"] == "s2")
    assert events["kind"] == "events" and events["output"]["rows"]


def test_a_failing_cluster_does_not_fail_the_answer_but_all_failing_does(cli: Cli) -> None:
    cli.sim.faults("prod-us").set(unreachable=True)
    code, doc = cli.json("ask", CRASHLOOP, "--context", "prod-eu", "--context", "prod-us")
    assert code == 0
    down = [r for r in doc["results"] if r["cluster"] == "prod-us"]
    assert down and all(not r["ok"] and r["error"].startswith("prod-us: unreachable")
                        and r["kind"] == "error" and r["output"] is None for r in down)
    code, doc = cli.json("ask", CRASHLOOP, "--context", "prod-us")
    assert code == 1 and not any(r["ok"] for r in doc["results"])


def test_ask_denied_exits_4_with_remediation(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"ai:\n  enabled: false\npolicy_file: {tmp_path / 'policy.yaml'}\n")
    (tmp_path / "policy.yaml").write_text(
        "version: 1\nrules:\n  - id: NO-PROD-READS\n    kind: cel\n"
        "    match: {mutating_only: false, clusters: ['prod-*']}\n"
        "    expression: 'true'\n    remediation: 'Ask in #prod-access.'\n")
    code, out, err = cli.run("ask", CRASHLOOP, "--context", "prod-eu")
    assert code == 4, err
    assert "[s1] prod-eu  DENIED" in out and "policy: NO-PROD-READS" in out
    assert "Ask in #prod-access." in out


def test_ask_not_understood_exits_3(cli: Cli) -> None:
    code, out, _ = cli.run("ask", "please sing me a song", "--context", "prod-eu")
    assert code == 3 and "blocked:" in out
    code, doc = cli.json("ask", "please sing me a song", "--context", "prod-eu")
    assert code == 3 and doc["results"] == [] and doc["plan"]["blocked"]


def test_ask_runs_no_change_and_says_so(cli: Cli) -> None:
    code, out, err = cli.run("ask", "restart payments-api in prod-eu", "--context", "prod-eu")
    assert code == 0, err
    assert "not run: s5 kubectl rollout restart deployments/payments-api" in err
    assert "[s3] prod-eu  ok" in out and "rollout history" in out
    assert "execution.step" not in read_actions(cli)
    assert all(r.method == "GET" for r in cli.sim.requests("prod-eu")
               if "selfsubject" not in r.path)


def test_ask_output_is_valid_json_whatever_the_cluster_says(cli: Cli) -> None:
    code, out, _ = cli.run("ask", "logs of deployment payments-api in prod-eu", "--json",
                           "--context", "prod-eu")
    assert code == 0
    doc = orjson.loads(out)
    excerpts = doc["results"][0]["output"]["excerpts"]
    assert excerpts and all(isinstance(line, str) for e in excerpts for line in e["lines"])
