"""One function opens the store: every command honours `audit.anchor_path` and friends,
and a backend kubechat cannot serve yet is refused before anything is written."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from kubechat_tui.cli.main import main
from kubechat_tui.store.audit import default_anchor_path
from kubechat_tui.store.checkpoints import checkpoint_from_json
from kubechat_tui.store.opener import DB_FILE
from tests.cli.runner import Cli

PACKAGE = Path(__file__).resolve().parents[2] / "kubechat_tui"


def test_approve_writes_its_checkpoint_to_the_configured_anchor(
        cli: Cli, tmp_path: Path) -> None:
    anchor = tmp_path / "elsewhere" / "anchor.jsonl"
    anchor.parent.mkdir()
    (tmp_path / "config.yaml").write_text(
        f"ai: {{enabled: false}}\naudit: {{anchor_path: {anchor}}}\n")
    code, doc = cli.json("apply", str(cli.save_plan()), "-y")
    assert code == 5, doc["message"]
    code, _, err = cli.as_os_user("bob", "approvals", "approve", doc["approval"]["request_id"],
                                  "--as", "lead")
    assert code == 0, err
    approved = max(i for i, e in enumerate(cli.records(), start=1)
                   if e.action == "approval.approved")
    signed = [checkpoint_from_json(orjson.loads(line)).seq
              for line in anchor.read_bytes().splitlines()]
    assert max(signed) >= approved  # the approval's session-end checkpoint is there
    assert not default_anchor_path(cli.data / DB_FILE).exists()
    assert main(["audit", "verify"]) == 0


@pytest.mark.parametrize("argv", [["config", "validate"], ["approvals", "list"],
                                  ["audit", "log"], ["plan", "restart payments-api",
                                                     "--planner", "rules", "--demo"]])
def test_the_postgres_backend_is_refused_in_one_line(
        argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("storage:\n  backend: postgres\n  postgres_dsn: postgres://kc@db/kc\n")
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path / "data"))
    code = main([*argv, "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "storage.backend: the postgres backend is not available yet" in err
    assert not (tmp_path / "data").exists()  # nothing written


def test_the_store_is_opened_in_one_place() -> None:
    """`open_database(` and `AuditLog(` outside the store layer would bypass the settings."""
    opening = re.compile(r"\b(?:open_database|AuditLog)\(")
    found = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
             if path.parent.name != "store" and opening.search(path.read_text())]
    assert found == []


def test_an_anchor_path_that_is_a_directory_is_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"audit:\n  anchor_path: {tmp_path}\n")  # a directory, found by fuzzing
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    assert main(["approvals", "list", "--config", str(config)]) == 0  # creates the database
    capsys.readouterr()
    assert main(["audit", "verify", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read the audit anchor file" in err
