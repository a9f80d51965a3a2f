"""The store redacts whatever it writes (audit chain, timeline, approval requests) and
keeps the old values a rollback needs outside the chain, encrypted, until the retention
ends; records written before redaction are found by `credential_leaks`."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kubechat_tui.config.settings import AISettings, AuditSettings, Settings
from kubechat_tui.store.approvals import ApprovalRequest, ApprovalStore
from kubechat_tui.store.audit_leaks import credential_leaks
from kubechat_tui.store.audit_model import AuditEvent, Operator
from kubechat_tui.store.opener import Store, open_store
from kubechat_tui.store.record_redaction import KeptValueGone
from kubechat_tui.store.timeline import Timeline, TimelineEntry
from tests.store.helpers import Unredacted

TOKEN = "ghp_Zq3Lm9Tx0Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9"
AWS_ID = "AKIAZ7Q2VYKX4MN3PL5T"
SECRET_DATA = base64.b64encode(b"s3cr3t-canary-value").decode()
SECRET_OBJECT = {"apiVersion": "v1", "kind": "Secret",
                 "metadata": {"name": "creds", "namespace": "payments"},
                 "data": {"password": SECRET_DATA}}
PATCH = json.dumps({"metadata": {"annotations": {"ci/token": TOKEN}}}, sort_keys=True)
ROLLBACK = {"input": f"rollback of ex-1: rotate {AWS_ID}", "planner": "rollback",
            "steps": [{"id": "rb1", "verb": "patch", "params": {"patch": PATCH}}]}
CANARIES = (TOKEN, AWS_ID, SECRET_DATA)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    opened = open_store(Settings(), tmp_path / "data")
    yield opened
    opened.close()


def raw(store: Store) -> bytes:
    """Every byte of the database file and its WAL."""
    return b"".join(p.read_bytes() for p in store.db.path.parent.glob("kubechat.db*"))


def leaked(blob: bytes) -> list[str]:
    return [c for c in CANARIES if c.encode() in blob]


def execution(payload: dict[str, Any]) -> AuditEvent:
    return AuditEvent(action="execution.succeeded", operator=Operator("alice", "admin"),
                      payload=payload, justification=f"leaked {AWS_ID}")


def test_the_chain_holds_markers_and_the_kept_values_bring_a_rollback_back(
        store: Store) -> None:
    record = store.audit.append(execution({"rollback_plan": ROLLBACK,
                                           "snapshots": [{"object": SECRET_OBJECT}]}))
    body = record.event.payload
    assert leaked(record.body) == [] and leaked(raw(store)) == []
    assert "[REDACTED:aws-access-key-id:" in record.event.justification
    assert body["snapshots"][0]["object"]["data"]["password"].startswith(
        "[REDACTED:kubernetes-secret:")
    restored = store.db.redaction.restore_plan(body["rollback_plan"], "ex-1")
    assert restored["steps"][0]["params"]["patch"] == PATCH
    assert store.db.redaction.restore(body["snapshots"][0]["object"]) == SECRET_OBJECT
    assert store.audit.verify().ok


def test_the_timeline_and_approval_requests_are_redacted(store: Store) -> None:
    entry = Timeline(store.db).add(TimelineEntry(
        kind="execution", author="alice", title=f"executed: rotate {AWS_ID}", body=TOKEN,
        execution_id="ex-1", payload={"rollback_plan": ROLLBACK}))
    plan = json.dumps({"input": f"use {TOKEN}", "steps": []})
    request = ApprovalStore(store.db).add_request(ApprovalRequest(
        id="a1b2c3d4e5", requester=Operator("alice"), plan_digest="d", plan_json=plan,
        resource_versions={}, required_approvals=1, risk="high", title=f"rotate {AWS_ID}",
        diff=f"+ token: {TOKEN}"))
    assert leaked(raw(store)) == []
    assert [e.payload for e in Timeline(store.db).for_execution("ex-1")] == [entry.payload]
    assert ApprovalStore(store.db).get(request.id) == request
    stored = entry.payload["rollback_plan"]
    assert store.db.redaction.restore_plan(stored, "ex-1")["steps"][0]["params"]["patch"] == PATCH


def test_after_the_retention_the_kept_value_is_deleted_and_the_rollback_refused(
        store: Store) -> None:
    record = store.audit.append(execution({"rollback_plan": ROLLBACK}))
    vault = store.db.redaction.vault
    assert vault is not None
    old = (datetime.now(UTC) - timedelta(days=31)).isoformat(timespec="microseconds")
    with store.db.write() as conn:
        conn.execute("UPDATE kept_value SET kept_at = ?", (old,))
    with pytest.raises(KeptValueGone, match=r"audit\.kept_value_retention_days"):
        store.db.redaction.restore_plan(record.event.payload["rollback_plan"], "ex-1")
    assert vault.purge() == 1
    with store.db.read() as conn:
        assert conn.execute("SELECT count(*) FROM kept_value").fetchone()[0] == 0


def test_a_retention_of_zero_keeps_nothing(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    settings = Settings(audit=AuditSettings(kept_value_retention_days=0))
    store = open_store(settings, tmp_path / "data")
    try:
        record = store.audit.append(execution({"rollback_plan": ROLLBACK}))
        with pytest.raises(KeptValueGone):
            store.db.redaction.restore_plan(record.event.payload["rollback_plan"], "ex-1")
    finally:
        store.close()



def test_records_written_before_redaction_are_found_not_removed(store: Store) -> None:
    store.audit.append(execution({"rollback_plan": ROLLBACK}))
    store.db.redaction = Unredacted()  # type: ignore[assignment]
    store.audit.append(replace(execution({"diff": f"+ token: {TOKEN}"}), justification=""))
    leaks = list(credential_leaks(store.audit.records()))
    assert [(leak.seq, leak.action, leak.rules) for leak in leaks] == [
        (2, "execution.succeeded", ("github-token",))]
    assert "rotate it" in leaks[0].line() and TOKEN not in leaks[0].line()
    assert store.audit.verify().ok


def test_the_store_masks_the_users_patterns_too(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    store = open_store(Settings(ai=AISettings(redact_patterns=["INC-[0-9]{6}"])),
                       tmp_path / "data")
    try:
        record = store.audit.append(replace(execution({}), justification="see INC-123456"))
    finally:
        store.close()
    assert record.event.justification.startswith("see [REDACTED:redact_patterns0:")
