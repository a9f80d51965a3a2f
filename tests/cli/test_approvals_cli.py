"""`kubechat approvals list|show|approve|reject` on the shared database of one data dir."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from kubechat_tui.cli.main import main
from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Plan, Verb
from kubechat_tui.engine.approvals import ApprovalWorkflow
from kubechat_tui.guard.policy import PolicyContext, load_configured_policy
from kubechat_tui.store.approvals import ApprovalRequest, ApprovalStore
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditEvent, AuditFilter, Operator
from kubechat_tui.store.database import open_database
from kubechat_tui.store.opener import DB_FILE
from kubechat_tui.store.signing import load_signer
from tests.guard.helpers import checks_for, plan_of, scale_step, step


class Person:
    """The OS user the CLI runs as (the real OS user comes from the uid, so it is set
    here rather than through $USER, which the CLI ignores)."""

    name = "alice"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(folder))
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    monkeypatch.setenv("KUBECHAT_CONFIG", str(tmp_path / "absent-config.yaml"))
    monkeypatch.setenv("USER", "mallory")  # spoofing $USER changes nothing
    monkeypatch.setattr(Person, "name", "alice")
    monkeypatch.setattr("kubechat_tui.engine.identity.real_os_user", lambda: Person.name)
    return folder


def _open_request(folder: Path, plan: Plan | None = None) -> ApprovalRequest:
    """What `kubechat apply` does when policy wants an approver: a request by alice."""
    folder.mkdir(parents=True, exist_ok=True)
    db = open_database(folder / DB_FILE)
    try:
        flow = ApprovalWorkflow(ApprovalStore(db), AuditLog(db, load_signer(folder)))
        plan = plan or plan_of(scale_step())
        decision = load_configured_policy(Settings()).evaluate(plan, PolicyContext())
        return flow.request(plan, decision, {"prod-eu/deployments/payments/payments-api": "9"},
                            Operator("alice", "admin"), diff="-  replicas: 3\n+  replicas: 5",
                            checks=checks_for(plan))
    finally:
        db.close()


def _audit_records(folder: Path) -> list[AuditEvent]:
    db = open_database(folder / DB_FILE)
    try:
        log = AuditLog(db, load_signer(folder))
        assert log.verify().ok
        return [r.event for r in log.records(AuditFilter())]
    finally:
        db.close()


def _audit_actions(folder: Path) -> list[str]:
    return [e.action for e in _audit_records(folder)]


def test_list_and_show(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = _open_request(data_dir)
    assert main(["approvals", "list"]) == 0
    out = capsys.readouterr().out
    assert request.id in out and "pending" in out and "alice" in out
    assert main(["approvals", "show", request.id[:5]]) == 0
    out = capsys.readouterr().out
    assert "+  replicas: 5" in out and "KC-APPROVE-001" in out and "medium" in out
    assert main(["approvals", "show", request.id, "--json"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["state"] == "pending" and doc["required_approvals"] == 1


def test_requester_cannot_approve_and_another_person_can(
        data_dir: Path, sim_kubeconfig: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = _open_request(data_dir)
    kube = ["--kubeconfig", str(sim_kubeconfig)]
    assert main(["approvals", "approve", request.id, *kube]) == 1
    err = capsys.readouterr().err
    assert "refused: the requester cannot approve their own request" in err
    assert "same Kubernetes identity (admin)" in err
    assert main(["approvals", "approve", request.id, "--as", "lead", *kube]) == 1
    assert "own request (the same OS user (alice))" in capsys.readouterr().err
    Person.name = "bob"
    assert main(["approvals", "approve", request.id, "--as", "lead", "--comment", "lgtm",
                 *kube]) == 0
    captured = capsys.readouterr()
    assert f"approved {request.id} as bob (sre-lead on prod-eu)" in captured.out
    assert captured.err == ("kubechat: note: --as lead: requests go through lead@prod-eu; "
                            "the clusters report you as sre-lead on prod-eu; the audit records "
                            "OS user bob with that identity\n")
    assert main(["approvals", "list", "--json"]) == 0
    [row] = orjson.loads(capsys.readouterr().out)
    assert row["state"] == "approved"
    assert row["approvers"] == [{"os_user": "bob", "kube_identity": "sre-lead"}]
    assert _audit_actions(data_dir) == ["approval.requested", "approval.refused",
                                        "approval.refused", "approval.approved"]
    assert main(["approvals", "show", request.id, "--json"]) == 0
    [decision] = orjson.loads(capsys.readouterr().out)["decisions"]
    assert decision == {**decision, "comment": "lgtm", "actor": "bob",
                        "kube_identity": "sre-lead"}
    approved = _audit_records(data_dir)[-1]
    assert approved.operator == Operator("bob", "sre-lead")  # the real OS user, never --as
    assert approved.payload["acting_as"] == "lead"


def test_as_needs_a_user_at_cluster_context(data_dir: Path, sim_kubeconfig: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    request = _open_request(data_dir)
    Person.name = "bob"
    assert main(["approvals", "approve", request.id, "--as", "mallory",
                 "--kubeconfig", str(sim_kubeconfig)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kubechat: error: --as mallory: no context reaches cluster "
                          "'prod-eu' as mallory") and err.count("\n") == 1
    assert _audit_actions(data_dir) == ["approval.requested"]  # nothing was decided


def test_two_as_approvals_from_one_os_user_count_once(
        data_dir: Path, sim_kubeconfig: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = _open_request(data_dir, plan_of(step(Verb.DELETE)))
    assert request.required_approvals == 2
    kube = ["--kubeconfig", str(sim_kubeconfig)]
    Person.name = "root"
    assert main(["approvals", "approve", request.id, "--as", "lead", *kube]) == 0
    assert main(["approvals", "approve", request.id, "--as", "operator", *kube]) == 1
    assert "approvers must be distinct people (the same OS user (root))" in \
        capsys.readouterr().err
    assert main(["approvals", "show", request.id, "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out)["state"] == "pending"


def test_demo_approver_is_told_apart_by_cluster_identity(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = _open_request(data_dir / "demo")
    assert main(["approvals", "approve", request.id, "--demo"]) == 1
    assert "same Kubernetes identity (admin)" in capsys.readouterr().err
    assert main(["approvals", "approve", request.id, "--demo", "--as", "lead"]) == 0
    assert f"approved {request.id} as alice (sre-lead on prod-eu)" in capsys.readouterr().out
    assert not (data_dir / "demo" / "demo-server.json").exists()  # the fleet stopped


def test_reject_then_approve_is_refused(data_dir: Path, sim_kubeconfig: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    request = _open_request(data_dir)
    kube = ["--kubeconfig", str(sim_kubeconfig)]
    Person.name = "bob"
    assert main(["approvals", "reject", request.id, "--as", "lead", "--comment", "no",
                 *kube]) == 0
    assert main(["approvals", "approve", request.id, "--as", "operator", *kube]) == 1
    assert "is rejected" in capsys.readouterr().err


@pytest.mark.parametrize("action", ["show", "approve", "reject"])
def test_unknown_id_is_one_clear_line_and_exit_2(
        data_dir: Path, sim_kubeconfig: Path, action: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    _open_request(data_dir)
    args = ["approvals", action, "feedbeef00"]
    if action != "show":
        args += ["--kubeconfig", str(sim_kubeconfig), "--as", "lead"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err == "kubechat: error: unknown approval request 'feedbeef00'\n"


def test_empty_list(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["approvals", "list"]) == 0
    assert "no approval requests" in capsys.readouterr().out
