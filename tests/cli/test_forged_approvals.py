"""Approvals nobody can forge (issue 20, item 1), through the real CLI: a decision row
written into the shared database by hand never releases a run, says why, and the attempt
is on the audit record."""

from __future__ import annotations

import base64
import os
import sqlite3
from pathlib import Path

import orjson
import pytest

from kubechat_tui.engine.approval_signatures import sign
from kubechat_tui.store.approvals import ApprovalStore, Decision
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.store.database import open_database
from kubechat_tui.store.opener import DB_FILE
from kubechat_tui.store.signing import Signer
from tests.cli.runner import Cli

SCALE = "scale payments-api in prod-eu to 5"
NOBODY = 65534  # a uid that is not the approver's: the requester, in real life


def waiting_request(cli: Cli) -> tuple[Path, dict]:
    plan = cli.save_plan(SCALE)
    code, doc = cli.json("apply", str(plan), "--yes")
    assert code == 5, doc["message"]
    return plan, doc


def insert_decision(cli: Cli, decision: Decision) -> None:
    """What an attacker with write access does: one row, straight into the table."""
    with sqlite3.connect(cli.data / DB_FILE) as conn:
        conn.execute(
            "INSERT INTO approval_decisions (request_id, at, kind, actor, actor_kube, comment, "
            "plan_digest, resource_versions, actor_identities, signature, key_fingerprint) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (decision.request_id, decision.at, decision.kind, decision.actor.os_user,
             decision.actor.kube_identity, decision.comment, decision.plan_digest,
             orjson.dumps(dict(decision.resource_versions)).decode(),
             orjson.dumps(dict(decision.identities)).decode(), decision.signature,
             decision.key_fingerprint))


def bound(cli: Cli, request_id: str) -> Decision:
    """A decision bound exactly like a real one (digest, target state)."""
    db = open_database(cli.data / DB_FILE)
    try:
        request = ApprovalStore(db).get(request_id)
    finally:
        db.close()
    assert request is not None
    return Decision(request_id, "approve", Operator("mallory", "sre-lead"), request.plan_digest,
                    request.resource_versions, "lgtm", identities={"prod-eu": "sre-lead"})


@pytest.mark.parametrize("forgery", ["unsigned", "break-glass", "planted key",
                                     "copied signature"])
def test_a_hand_written_decision_never_releases_a_run(cli: Cli, forgery: str) -> None:
    plan, doc = waiting_request(cli)
    request_id = doc["approval"]["request_id"]
    forged = bound(cli, request_id)
    if forgery == "break-glass":
        forged = Decision(**{**forged.__dict__, "kind": "break_glass",
                             "actor": Operator("alice", "admin")})
    elif forgery == "planted key":  # mallory's "public key", written by someone else
        attacker = Signer.generate()
        forged = sign(forged, attacker)
        keys = cli.data / "approvers"
        keys.mkdir(parents=True, exist_ok=True)
        planted = keys / "mallory.pub"
        planted.write_text(base64.b64encode(attacker.trusted.public_key).decode() + "\n")
        os.chown(planted, NOBODY, NOBODY)
    elif forgery == "copied signature":  # a real approval's signature, on another request
        other_plan, other = waiting_request_in(cli, "scale payments-api in prod-us to 4")
        lead = cli.as_os_user("bob", "approvals", "approve", other["approval"]["request_id"],
                              "--as", "lead")
        assert lead[0] == 0, lead[2]
        signature = next(d for d in decisions(cli, other["approval"]["request_id"])
                         if d.kind == "approve").signature
        forged = Decision(**{**forged.__dict__, "signature": signature})
        assert other_plan.exists()
    insert_decision(cli, forged)
    code, result = cli.json("apply", str(plan), "--yes")
    assert code == 5 and result["status"] == "awaiting_approval", result["message"]
    assert "1 unsigned or forged decision(s) ignored" in result["message"]
    assert cli.replicas() == 3
    checked = [e for e in cli.records() if e.action == "approval.checked"][-1]
    assert "forged decision(s) ignored" in checked.payload["reason"]  # the attempt, audited


def waiting_request_in(cli: Cli, text: str) -> tuple[Path, dict]:
    plan = cli.plan_file.with_name("other-plan.json")
    code, _, err = cli.run("plan", text, "--save", str(plan))
    assert code == 0, err
    code, doc = cli.json("apply", str(plan), "--yes")
    assert code == 5, doc["message"]
    return plan, doc


def decisions(cli: Cli, request_id: str) -> list[Decision]:
    db = open_database(cli.data / DB_FILE)
    try:
        return ApprovalStore(db).decisions(request_id)
    finally:
        db.close()


def test_a_real_approval_is_signed_and_still_releases(cli: Cli) -> None:
    plan, doc = waiting_request(cli)
    request_id = doc["approval"]["request_id"]
    code, _, err = cli.as_os_user("bob", "approvals", "approve", request_id, "--as", "lead")
    assert code == 0, err
    [approval] = [d for d in decisions(cli, request_id) if d.kind == "approve"]
    assert approval.signature and approval.key_fingerprint.startswith("sha256:")
    assert (cli.data / "approvers" / "bob.pub").is_file()
    recorded = [e for e in cli.records() if e.action == "approval.approved"][-1]
    assert recorded.payload["signature"] == approval.signature
    code, out, err = cli.run("apply", str(plan), "--yes")
    assert code == 0, out + err
    assert cli.replicas() == 5
