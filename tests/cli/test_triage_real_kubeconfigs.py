"""This session's triage features on a real user's kubeconfig shape: a context named unlike
its cluster (an EKS ARN cluster entry), a user bound to one namespace (`dev`, no
cluster-wide reads). `ask` (results and insight cards), `logs` and `exec` all stay in that
namespace and answer, through the real CLI on the simulated fleet over HTTP."""

from __future__ import annotations

from pathlib import Path

import orjson

from kubechat_tui.cli.main import main
from tests.cli.runner import Cli
from tests.shapes import Ctx, kubeconfig

ARN = "arn:aws:eks:eu-west-1:111122223333:cluster/prod"


def as_namespaced_dev(cli: Cli, tmp_path: Path) -> None:
    cli.kubeconfig = str(kubeconfig(cli.sim, tmp_path / "kc", [
        Ctx("dev@payments-prod", "prod-eu", "dev", entry=ARN, namespace="payments")]))


def test_ask_answers_with_cards_for_a_user_of_one_namespace(cli: Cli, tmp_path: Path) -> None:
    as_namespaced_dev(cli, tmp_path)
    code, doc = cli.json("ask", "crashlooping payment pods", "--planner", "rules")
    assert code == 0
    assert doc["results"] and all(r["cluster"] == ARN for r in doc["results"])
    assert any(r["ok"] for r in doc["results"])
    assert doc["insights"] and {c["cluster"] for c in doc["insights"]} == {ARN}
    sent = cli.sim.requests("prod-eu")
    assert {r.user for r in sent} == {"dev"}  # never another identity's credentials


def test_logs_and_exec_run_as_that_user_in_that_namespace(cli: Cli, tmp_path: Path) -> None:
    pods = cli.get("prod-eu", "/api/v1/namespaces/payments/pods")["items"]  # as admin
    pod = next(p["metadata"]["name"] for p in pods
               if p["metadata"]["name"].startswith("payments-api-"))
    as_namespaced_dev(cli, tmp_path)
    before = len(cli.sim.requests("prod-eu"))
    code, out, err = cli.run("logs", "deploy/payments-api", "--tail", "1")
    assert code == 0, err
    assert out.startswith(f"{ARN}/payments-api-")
    code = main(["exec", f"pod/{pod}", "-c", "sidecar", "-y", "--json",
                 "--kubeconfig", cli.kubeconfig, "--", "ls"])  # the runner's flags go last
    out, err = cli.capsys.readouterr()
    assert code == 0, err
    assert "etc" in str(orjson.loads(out))
    assert {r.user for r in cli.sim.requests("prod-eu")[before:]} == {"dev"}
