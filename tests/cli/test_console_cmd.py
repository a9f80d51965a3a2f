"""`kubechat` (the console): the engine opens on first use, never at start, and closing the
console checkpoints the audit head."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kubechat_tui.cli import console_cmd
from kubechat_tui.cli.main import build_parser
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.database import open_database
from kubechat_tui.store.opener import DB_FILE
from kubechat_tui.store.signing import load_signer
from kubechat_tui.tui.engine_slot import EngineClosed


def test_the_console_opens_the_engine_lazily_and_checkpoints_on_exit(
        sim_kubeconfig: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    seen: dict[str, Any] = {}

    def fake_run_app(session: Any, engine: Any = None) -> int:
        seen["unopened"] = engine.handle is None
        handle = engine.get()  # what the first submitted plan does, in a worker
        seen["identity"] = handle.pipeline.operator.kube_identity
        seen["recorded"] = handle.pipeline.approvals.record_policy(
            handle.pipeline.policy, handle.pipeline.operator)  # the audit head moves
        seen["engine"] = engine
        return 0

    monkeypatch.setattr("kubechat_tui.tui.app.run_app", fake_run_app)
    args = build_parser().parse_args(["--kubeconfig", str(sim_kubeconfig),
                                      "--context", "staging"])
    assert console_cmd.run_console(args) == 0
    assert seen["unopened"] and seen["identity"] == "admin" and seen["recorded"]
    with pytest.raises(EngineClosed):
        seen["engine"].get()
    db = open_database(tmp_path / DB_FILE)
    try:
        result = AuditLog(db, load_signer(tmp_path, create=False)).verify()
    finally:
        db.close()
    assert result.ok and result.records >= 1
    assert result.last_signed_seq == result.head_seq  # closing signed the head


def test_the_console_reports_a_lost_approval_announcement_once_it_is_gone(
        sim_kubeconfig: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from kubechat_tui.config.settings import Settings
    from kubechat_tui.guard.policy import PolicyContext, load_configured_policy
    from kubechat_tui.store.audit_model import Operator
    from tests.guard.helpers import plan_of, scale_step
    from tests.guard.receivers import Receiver

    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")

    def fake_run_app(session: Any, engine: Any = None) -> int:
        flow = engine.get().pipeline.approvals  # a request opened from the console
        plan = plan_of(scale_step())
        flow.request(plan, load_configured_policy(Settings()).evaluate(plan, PolicyContext()),
                     {}, Operator("alice", "admin"))
        return 0

    monkeypatch.setattr("kubechat_tui.tui.app.run_app", fake_run_app)
    with Receiver(status=500) as receiver:
        config = tmp_path / "config.yaml"
        config.write_text(f"approvals:\n  webhook_url: {receiver.url}\n")
        args = build_parser().parse_args(["--kubeconfig", str(sim_kubeconfig), "--context",
                                          "staging", "--config", str(config)])
        assert console_cmd.run_console(args) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("kubechat: warning: approval request ")
    assert err.rstrip().endswith("webhook answered HTTP 500")
