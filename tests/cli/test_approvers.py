"""Approvals that cannot be sidestepped (issue 11, items 6 and 7), through the real CLI:
an approver is a distinct person by the clusters' own word, may make the change
themselves, counts once; and everything shown and recorded is the plan that will run."""

from __future__ import annotations

from pathlib import Path

import orjson

from kubechat_tui.store.audit_model import AuditEvent
from tests.cli.runner import Cli
from tests.shapes import Ctx, kubeconfig

DELETE = "delete deployment payments-api in payments in prod-eu"  # 2 approvers by policy


def request_for(cli: Cli, text: str, *flags: str) -> tuple[Path, str]:
    code, _, err = cli.run("plan", text, "--save", str(cli.plan_file))
    assert code == 0, err
    code, doc = cli.json("apply", str(cli.plan_file), "--yes", *flags)
    assert code == 5, doc["message"]
    return cli.plan_file, doc["approval"]["request_id"]


def approvers_of(cli: Cli, request_id: str) -> list[dict]:
    code, out, _ = cli.run("approvals", "show", request_id, "--json")
    assert code == 0
    return orjson.loads(out)["approvers"]


def test_a_viewer_cannot_approve_a_production_change(cli: Cli) -> None:
    _, request_id = request_for(cli, DELETE)
    code, _, err = cli.as_os_user("victor", "approvals", "approve", request_id, "--as", "viewer")
    assert code == 1 and "you may not make this change yourself" in err
    assert "prod-eu: delete deployments 'payments-api' in namespace payments" in err
    assert approvers_of(cli, request_id) == []
    refused = [e for e in cli.records() if e.action == "approval.refused"]
    assert refused and refused[-1].operator.kube_identity == "viewer"


def test_an_approvers_identity_comes_from_the_cluster_not_the_context_name(
        cli: Cli, tmp_path: Path) -> None:
    _, request_id = request_for(cli, DELETE)
    own_creds = kubeconfig(cli.sim, tmp_path / "carol.yaml", [Ctx("carol-eu", "prod-eu")])
    cli.kubeconfig, mine = str(own_creds), cli.kubeconfig
    code, _, err = cli.as_os_user("carol", "approvals", "approve", request_id)
    assert code == 1 and "same Kubernetes identity (admin on prod-eu)" in err  # alice's creds
    lead = kubeconfig(cli.sim, tmp_path / "lead.yaml", [Ctx("oncall", "prod-eu", "lead")])
    cli.kubeconfig = str(lead)
    code, out, err = cli.as_os_user("bob", "approvals", "approve", request_id)
    assert code == 0 and "as bob (sre-lead on prod-eu)" in out, err
    cli.kubeconfig = mine
    assert approvers_of(cli, request_id) == [{"os_user": "bob", "kube_identity": "sre-lead"}]


def test_approvals_count_people_and_the_summary_names_each_once(cli: Cli) -> None:
    plan_file, request_id = request_for(cli, DELETE)
    code, _, err = cli.run("approvals", "approve", request_id, "--as", "lead")
    assert code == 1 and "the same OS user (alice)" in err  # the requester, whatever --as
    assert cli.as_os_user("bob", "approvals", "approve", request_id, "--as", "lead")[0] == 0
    code, _, err = cli.as_os_user("bob", "approvals", "approve", request_id, "--as", "lead")
    assert code == 1 and "approvers must be distinct people" in err
    code, _, err = cli.as_os_user("ops", "approvals", "approve", request_id, "--as", "lead")
    assert code == 1 and "same Kubernetes identity (sre-lead on prod-eu)" in err
    assert len(approvers_of(cli, request_id)) == 1  # one person, whatever the OS user
    code, _, err = cli.as_os_user("ops", "approvals", "approve", request_id, "--as", "operator")
    assert code == 0, err
    code, out, err = cli.run("apply", str(plan_file), "--yes")
    assert code == 0, out + err
    summary = next(e for e in cli.records() if e.action == "summary.written")
    assert "approved by bob (sre-lead), ops (operator)" in summary.payload["text"]


def test_a_requester_can_ask_for_a_second_person_where_policy_does_not(cli: Cli) -> None:
    code, _, err = cli.run("plan", "scale payments-api in staging to 2", "--save",
                           str(cli.plan_file))
    assert code == 0, err
    code, doc = cli.json("apply", str(cli.plan_file), "--yes",
                         "--ask-approval", "first change after the freeze")
    assert code == 5 and "REQUESTED" in doc["policy"]["rule_ids"]
    code, out, _ = cli.run("approvals", "show", doc["approval"]["request_id"])
    assert "approval asked for by the requester:" in out
    assert "first change after the freeze" in out


def test_what_approvers_see_is_the_edited_plan_that_runs(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli.run("plan", "scale payments-api in prod-eu to 5", "--save",
                           str(cli.plan_file))
    assert code == 0, err
    doc = orjson.loads(cli.plan_file.read_bytes())
    doc["steps"][-1]["params"]["replicas"] = 0  # edited after planning: the engine re-renders
    cli.plan_file.write_bytes(orjson.dumps(doc))
    code, out = cli.json("apply", str(cli.plan_file), "--yes")
    assert code == 5
    request_id = out["approval"]["request_id"]
    code, listing, _ = cli.run("approvals", "list")
    assert "--replicas=0" in listing and "--replicas=5" not in listing
    code, shown, _ = cli.run("approvals", "show", request_id)
    assert "plan      scale deployments/payments-api -n payments --replicas=0 on prod-eu" \
        in shown
    assert "asked as  scale payments-api in prod-eu to 5" in shown  # the words, labelled
    requested: AuditEvent = next(e for e in cli.records() if e.action == "approval.requested")
    assert requested.payload["plan"]["steps"][-1]["params"]["replicas"] == 0
