"""`kubechat approvals list|show|approve|reject` on the shared database of one data dir."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from kubechat_tui.cli.main import main
from kubechat_tui.config.settings import Settings
from kubechat_tui.engine.approvals import ApprovalWorkflow
from kubechat_tui.engine.wiring import DB_FILE
from kubechat_tui.guard.policy import PolicyContext, load_configured_policy
from kubechat_tui.store.approvals import ApprovalRequest, ApprovalStore
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditFilter, Operator
from kubechat_tui.store.database import open_database
from kubechat_tui.store.signing import load_signer
from tests.guard.helpers import plan_of, scale_step


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(folder))
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    monkeypatch.setenv("KUBECHAT_CONFIG", str(tmp_path / "absent-config.yaml"))
    monkeypatch.setattr("getpass.getuser", lambda: "alice")
    return folder


def _open_request(folder: Path) -> ApprovalRequest:
    """What `kubechat apply` does when policy wants an approver: a request by alice."""
    db = open_database(folder / DB_FILE)
    try:
        flow = ApprovalWorkflow(ApprovalStore(db), AuditLog(db, load_signer(folder)))
        plan = plan_of(scale_step())
        decision = load_configured_policy(Settings()).evaluate(plan, PolicyContext())
        return flow.request(plan, decision, {"prod-eu/deployments/payments/payments-api": "9"},
                            Operator("alice", "admin"), diff="-  replicas: 3\n+  replicas: 5")
    finally:
        db.close()


def _audit_actions(folder: Path) -> list[str]:
    db = open_database(folder / DB_FILE)
    try:
        log = AuditLog(db, load_signer(folder))
        assert log.verify().ok
        return [r.event.action for r in log.records(AuditFilter())]
    finally:
        db.close()


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
    assert "refused: the requester cannot approve their own request" in capsys.readouterr().err
    assert main(["approvals", "approve", request.id, "--as", "lead", "--comment", "lgtm",
                 *kube]) == 0
    out = capsys.readouterr().out
    assert f"approved {request.id} as lead (sre-lead)" in out
    assert main(["approvals", "list", "--json"]) == 0
    [row] = orjson.loads(capsys.readouterr().out)
    assert row["state"] == "approved" and row["approvers"] == ["lead"]
    assert _audit_actions(data_dir) == ["approval.requested", "approval.refused",
                                        "approval.approved"]
    assert main(["approvals", "show", request.id, "--json"]) == 0
    [decision] = orjson.loads(capsys.readouterr().out)["decisions"]
    assert decision["comment"] == "lgtm [--as lead by OS user alice]"
    assert decision["kube_identity"] == "sre-lead"


def test_reject_then_approve_is_refused(data_dir: Path, sim_kubeconfig: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    request = _open_request(data_dir)
    kube = ["--kubeconfig", str(sim_kubeconfig)]
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
