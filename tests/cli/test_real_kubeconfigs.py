"""The shapes real kubeconfigs have, through the real CLI on a simulated fleet over HTTP:
contexts named unlike their clusters, several contexts for one cluster, a read-only
context, a user limited to one namespace (issue 11, items 1, 2, 3 and 5)."""

from __future__ import annotations

from pathlib import Path

import orjson

from kubechat_tui.cli.main import main
from kubechat_tui.sim.kubeconfig import cloud_name
from tests.cli.runner import Cli
from tests.shapes import Ctx, kubeconfig

SCALE = "scale payments-api in payments to 5"


def saved_plan(cli: Cli, text: str, *flags: str) -> tuple[Path, dict]:
    code, _, err = cli.run("plan", text, "--save", str(cli.plan_file), *flags)
    assert code == 0, err
    return cli.plan_file, orjson.loads(cli.plan_file.read_bytes())


def writes_by(cli: Cli, cluster: str) -> list[str]:
    """Who sent every mutating request (dry runs included) to a simulated cluster."""
    return [r.user for r in cli.sim.requests(cluster)
            if r.method in ("POST", "PATCH", "PUT", "DELETE")
            and "selfsubject" not in r.path]


def test_production_is_the_cluster_not_the_context_name(cli: Cli, tmp_path: Path) -> None:
    cli.kubeconfig = str(kubeconfig(cli.sim, tmp_path / "kc", [
        Ctx("sre@prod", "prod-eu", entry="prod")]))
    plan_file, plan = saved_plan(cli, SCALE)
    assert plan["scope"]["contexts"] == {"prod": "sre@prod"}
    assert plan["steps"][-1]["clusters"] == ["prod"]
    code, doc = cli.json("apply", str(plan_file), "--yes")
    assert code == 5 and doc["status"] == "awaiting_approval"  # production: a 2nd person
    assert "KC-APPROVE-001" in doc["policy"]["rule_ids"]
    assert cli.replicas("prod-eu") == 3
    assert main(["audit", "log", "--cluster", "prod", "--json"]) == 0
    out = cli.capsys.readouterr().out
    actions = [orjson.loads(line)["action"] for line in out.splitlines()]
    assert "plan.submitted" in actions and "approval.requested" in actions
    code, out, _ = cli.run("approvals", "show", doc["approval"]["request_id"])
    assert "kubectl --context sre@prod scale deployments/payments-api" in out


def test_a_context_named_user_at_cluster_is_not_a_cluster(cli: Cli) -> None:
    code, doc = cli.json("plan", SCALE, "--context", "lead@prod-eu")
    assert code == 0 and doc["steps"][-1]["clusters"] == ["prod-eu"]
    code, doc = cli.json("plan", SCALE, "--context", cloud_name("prod-us"))
    assert code == 0 and doc["steps"][-1]["clusters"] == ["prod-us"]  # an alias of its server


def test_a_read_only_context_never_borrows_another_contexts_credentials(
        cli: Cli, tmp_path: Path) -> None:
    cli.kubeconfig = str(kubeconfig(cli.sim, tmp_path / "kc", [
        Ctx("prod", "prod-eu"), Ctx("staging", "staging"),
        Ctx("staging-view", "staging", "viewer")]))
    (tmp_path / "config.yaml").write_text(
        "ai: {enabled: false}\ncluster_sets: {prod: [prod], staging: [staging]}\n")
    code, out, err = cli.run("plan", "scale payments-api in payments in prod to 5",
                             "--context", "staging-view")
    assert code == 3 and "set 'prod' includes prod, which this session does not reach" \
        in out + err
    plan_file, plan = saved_plan(cli, "scale payments-api in payments to 2",
                                 "--context", "staging-view")
    assert plan["scope"]["contexts"] == {"staging": "staging-view"}
    cli.sim.clear_requests()
    code, out, _ = cli.run("apply", str(plan_file), "--yes", "--context", "staging-view")
    assert code == 4 and "viewer@staging cannot patch deployments/scale" in out
    code, out, _ = cli.run("apply", str(plan_file), "--yes")  # the plan's identity, not
    assert code == 4 and "viewer@staging cannot" in out        # the default (admin) one
    assert writes_by(cli, "staging") == [] and writes_by(cli, "prod-eu") == []
    code, out, err = cli.run("apply", str(plan_file), "--yes", "--context", "staging")
    assert code == 0, out + err  # named on the command line: that context runs it
    assert set(writes_by(cli, "staging")) == {"admin"}


def test_two_contexts_of_one_cluster_are_one_cluster(cli: Cli, tmp_path: Path) -> None:
    cli.kubeconfig = str(kubeconfig(cli.sim, tmp_path / "kc", [
        Ctx("prod", "prod-eu"), Ctx("prod-view", "prod-eu", "viewer")]))
    code, doc = cli.json("plan", "scale payments-api in payments in all clusters to 4")
    assert code == 0 and doc["steps"][-1]["clusters"] == ["prod-eu"]
    code, _, err = cli.run("plan", SCALE, "--context", "prod", "--context", "prod-view")
    assert code == 2 and "both reach cluster 'prod-eu'" in err and err.count("\n") == 1


def test_a_namespaced_user_gets_namespaced_plans_and_a_role_to_ask_for(cli: Cli) -> None:
    plan_file, plan = saved_plan(cli, "restart payments-api", "--context", "dev@staging")
    assert plan["scope"]["namespace"] == "payments"  # from the context, as kubectl does
    assert plan["steps"][-1]["namespace"] == "payments"
    code, out, _ = cli.run("apply", str(plan_file), "--dry-run", "--context", "dev@staging")
    assert code == 0, out
    other, _ = saved_plan(cli, "scale checkout-web in checkout to 2",
                          "--context", "dev@staging")
    code, out, _ = cli.run("apply", str(other), "--yes", "--context", "dev@staging")
    assert code == 4 and "RBAC denied: dev@staging cannot" in out
    assert "deployments 'checkout-web' in namespace checkout" in out
    assert "kind: Role\n" in out and "kind: RoleBinding" in out and "namespace: checkout" in out
    assert "ClusterRole" not in out  # never a cluster-wide grant for a namespaced object


def test_selector_flag_as_kubectl(cli: Cli) -> None:
    code, doc = cli.json("plan", "delete pods in payments", "-l", "app=payments-api",
                         "--context", "staging")
    assert code == 0 and doc["steps"][-1]["selector"] == "app=payments-api"
    code, _, err = cli.run("plan", "delete pods in payments", "-l", "app=x;rm -rf /")
    assert code == 2 and "-l/--selector" in err and err.count("\n") == 1
