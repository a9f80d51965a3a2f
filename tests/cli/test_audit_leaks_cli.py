"""`kubechat audit verify` on a store written before redaction: each record holding a
credential shape is one warning line (seq, action, rules; never the value), the chain
still verifies and the exit code stays 0."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from kubechat_tui.cli.main import main
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditEvent, Operator
from kubechat_tui.store.database import open_database
from kubechat_tui.store.signing import load_signer
from tests.store.helpers import Unredacted

TOKEN = "ghp_Zq3Lm9Tx0Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9"



@pytest.fixture
def old_store(cli_home: Path) -> Path:
    data = cli_home / "data"
    db = open_database(data / "kubechat.db")
    log = AuditLog(db, load_signer(data))
    for payload in ({"kubectl": "kubectl scale deploy/api --replicas=3"},
                    {"diff": f"+ GH_TOKEN: {TOKEN}", "note": "AKIAZ7Q2VYKX4MN3PL5T"}):
        db.redaction = Unredacted()  # type: ignore[assignment]
        log.append(AuditEvent(action="dryrun.completed", operator=Operator("alice"),
                              payload=payload))
    log.close()
    db.close()
    return data


def test_verify_names_each_record_holding_a_credential(
        old_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert ("warning: record 2 (dryrun.completed) holds a credential shape "
            "(aws-access-key-id, github-token)") in out
    assert "record 1 " not in out and TOKEN not in out and "OK: chain intact" in out
    assert main(["audit", "verify", "--json"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["ok"] and doc["credentials"] == [
        {"seq": 2, "action": "dryrun.completed", "rules": ["aws-access-key-id", "github-token"]}]
