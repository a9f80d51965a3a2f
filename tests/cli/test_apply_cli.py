"""`kubechat apply` and `kubechat rollback` end to end: real CLI, simulated fleet over HTTP."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from kubechat_tui.store.audit_model import Operator
from tests.cli.apply_runner import Cli


def test_apply_waits_for_approval_then_executes_and_rolls_back(cli: Cli) -> None:
    plan = str(cli.save_plan())
    code, doc = cli.json("apply", plan, "--yes")
    assert code == 5 and doc["status"] == "awaiting_approval"
    request_id = doc["approval"]["request_id"]
    assert "KC-APPROVE-001" in doc["policy"]["rule_ids"]
    assert "+  replicas: 5" in doc["changes"][0]["diff"]

    code, _, err = cli.run("approvals", "approve", request_id)
    assert code == 1 and "own request (the same Kubernetes identity (admin))" in err
    code, _, err = cli.run("approvals", "approve", request_id, "--as", "lead")
    assert code == 1 and "own request (the same OS user (alice)" in err  # --as is no way out
    code, out, err = cli.as_os_user("bob", "approvals", "approve", request_id, "--as", "lead")
    assert code == 0, err
    assert f"approved {request_id} as bob (sre-lead)" in out

    code, out, err = cli.run("apply", plan, "--yes", "--note", "promo traffic")
    assert code == 0, out + err
    assert "[1/1] ✓" in out and "replicas 3 → 5" in out
    assert cli.replicas() == 5
    execution_id = out.split("kubechat rollback ")[-1].split()[0]

    code, doc = cli.json("rollback", execution_id, "--yes")
    assert code == 5, doc["message"]
    rollback_request = doc["approval"]["request_id"]
    code, _, err = cli.as_os_user("bob", "approvals", "approve", rollback_request)
    assert code == 1 and "same Kubernetes identity (admin)" in err  # alice's identity
    code, _, err = cli.as_os_user("bob", "approvals", "approve", rollback_request, "--as", "lead")
    assert code == 0, err
    code, out, err = cli.run("rollback", execution_id, "--yes")
    assert code == 0, out + err
    assert cli.replicas() == 3
    assert cli.audit_ok()


def test_dry_run_changes_nothing(cli: Cli) -> None:
    code, out, _ = cli.run("apply", str(cli.save_plan()), "--dry-run")
    assert code == 0
    assert "-  replicas: 3" in out and "+  replicas: 5" in out
    assert "rollback: kubectl scale deployments/payments-api -n payments --replicas=3" in out
    assert cli.replicas() == 3


def test_viewer_is_denied_with_remediation(cli: Cli) -> None:
    code, out, _ = cli.run("apply", str(cli.save_plan()), "--yes", "--as", "viewer")
    assert code == 4
    assert "denied: RBAC denied: viewer" in out and "remediation:" in out
    assert cli.replicas() == 3
    submitted = next(e for e in cli.records() if e.action == "plan.submitted")
    assert submitted.operator == Operator("alice", "viewer")  # OS user + cluster identity
    assert submitted.payload["acting_as"] == "viewer"


def test_execution_needs_explicit_confirmation(cli: Cli) -> None:
    code, out, _ = cli.run("apply", str(cli.save_plan("scale payments-api in staging to 2")))
    assert code == 2 and "explicit confirmation" in out
    assert cli.replicas("staging") == 1
    last = cli.records()[-1]
    assert (last.action, last.outcome) == ("execution.not_confirmed", "not_executed")
    assert last.payload["reason"] == "confirmation not given"


@pytest.mark.parametrize("field, value", [
    ("name", "../../kube-system/pods/kube-proxy-kq6gc"),
    ("name", "x; rm -rf /"),
    ("namespace", "../kube-system"),
    ("selector", "app=web\nrm -rf /"),
])
def test_a_plan_file_cannot_walk_out_of_its_names(cli: Cli, field: str, value: str) -> None:
    plan_file = cli.save_plan()
    doc = orjson.loads(plan_file.read_bytes())
    doc["steps"][-1][field] = value
    plan_file.write_bytes(orjson.dumps(doc))
    cli.sim.clear_requests()
    code, out, err = cli.run("apply", str(plan_file), "--yes")
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith(f"kubechat: error: {plan_file}: step ")
    assert "not a valid Kubernetes name" in err or "not a label selector" in err
    rejected = cli.records()[-1]
    assert (rejected.action, rejected.outcome) == ("plan.submitted", "rejected")
    assert rejected.payload["error"] in err
    asked = {r.path for c in cli.sim.clusters for r in cli.sim.requests(c)}
    assert asked <= {"/apis/authentication.k8s.io/v1/selfsubjectreviews"}  # who am I, only
    assert cli.replicas() == 3


def test_self_approval_through_as_is_refused(cli: Cli) -> None:
    """The reviewer's repro: one OS user (root) on a real kubeconfig."""
    cli.os_user = "root"
    plan = str(cli.save_plan("delete deployment payments-api in prod-eu"))
    code, doc = cli.json("apply", plan, "--yes")
    assert code == 5, doc["message"]
    request_id = doc["approval"]["request_id"]
    code, _out, err = cli.run("approvals", "approve", request_id, "--as", "mallory")
    assert code == 2 and "no context 'mallory@prod-eu'" in err and err.count("\n") == 1
    for identity in ("lead", "operator"):
        code, _, err = cli.run("approvals", "approve", request_id, "--as", identity)
        assert code == 1 and "same OS user (root)" in err
    code, doc = cli.json("apply", plan, "--yes")
    assert code == 5 and "waiting for 2 more approval(s)" in doc["message"]
    code, _, err = cli.run("apply", plan, "--yes", "--as", "mallory")
    assert code == 2 and "no context 'mallory@prod-eu'" in err
    refusals = [e for e in cli.records() if e.action == "approval.refused"]
    assert [e.operator for e in refusals] == [Operator("root", "sre-lead"),
                                              Operator("root", "operator")]
    assert [e.payload["acting_as"] for e in refusals] == ["lead", "operator"]


@pytest.mark.parametrize("content, message", [
    ("{not json", "not a kubechat plan"),
    ('{"input": "x", "planner": "rules", "scope": {}, "steps": [{"id": "s1"}]}',
     "not a kubechat plan"),
    ("", "not a kubechat plan"),
])
def test_corrupt_plan_file_is_one_line(cli: Cli, tmp_path: Path, content: str,
                                       message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    code, out, err = cli.run("apply", str(bad), "--yes")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err + out


def test_bad_usage(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli.run("apply", str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read plan file" in err
    plan = str(cli.save_plan())
    code, _, err = cli.run("apply", plan, "--skip-dry-run")
    assert code == 2 and "--justification" in err
    code, _, err = cli.run("rollback", "ex-doesnotexist", "--yes")
    assert code == 2 and "unknown execution id" in err
    code, _, err = cli.run("approvals", "approve", "0000000000", "--as", "lead")
    assert code == 2 and "0000000000" in err and len(err.strip().splitlines()) == 1


def test_policy_file_with_a_syntax_error_denies(cli: Cli, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nrules: [\n")
    (tmp_path / "config.yaml").write_text(f"ai:\n  enabled: false\npolicy_file: {policy}\n")
    code, out, err = cli.run("apply", str(cli.save_plan()), "--yes")
    assert code == 4 and "policy file does not load" in err and "policy.yaml" in err
    assert "Traceback" not in out + err and err.count("\n") == 1
    assert cli.replicas() == 3
    [record] = cli.records()
    assert (record.action, record.outcome) == ("policy.load_failed", "fail_closed")
    assert record.payload["path"] == str(policy) and record.operator.os_user == "alice"


def test_unreachable_cluster_is_a_clear_failure(cli: Cli) -> None:
    plan = str(cli.save_plan("scale payments-api in staging to 2"))
    cli.sim.faults("staging").set(unreachable=True)
    code, out, err = cli.run("apply", plan, "--yes")
    assert code == 1, out + err
    assert "staging" in out and "unreachable" in out
    assert "Traceback" not in out + err
    cli.sim.faults("staging").clear()
    assert cli.replicas("staging") == 1
    assert cli.audit_ok()
