"""Shared builders for the store tests: a populated audit log and an attacker's raw access."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

from kubechat_tui.domain.redaction import RedactedData
from kubechat_tui.store.audit import AuditLog, default_anchor_path
from kubechat_tui.store.audit_model import AuditEvent, AuditLinks, AuditScope, Operator
from kubechat_tui.store.audit_verify import VerifyResult
from kubechat_tui.store.database import open_database
from kubechat_tui.store.signing import Signer

DB_NAME = "kubechat.db"
TRIGGERS = ("audit_no_update", "audit_no_delete", "audit_checkpoint_no_update",
            "audit_checkpoint_no_delete")
# Indexes over JSON-generated columns refuse malformed bodies; an attacker drops them too.
GENERATED_INDEXES = ("audit_ts", "audit_action", "audit_os_user")


def sample_event(i: int) -> AuditEvent:
    """A realistic record; clusters, users and actions vary with ``i``."""
    cluster = ("prod-eu", "prod-us", "staging")[i % 3]
    return AuditEvent(
        action=("plan.submitted", "dryrun.completed", "execution.succeeded")[i % 3],
        operator=Operator(("alice", "bob")[i % 2], ("admin", "operator")[i % 2]),
        payload={"step": i, "kubectl": f"kubectl -n payments scale deploy/api --replicas={i}",
                 "api": {"method": "PATCH", "path": "/apis/apps/v1/namespaces/payments/x"}},
        scope=AuditScope(clusters=(cluster,), namespaces=("payments",),
                         objects=("deployments/payments/api",)),
        approvals=({"approver": "carol", "decision": "approve"},) if i % 5 == 0 else (),
        outcome="succeeded",
        justification=f"INC-{i}",
        links=AuditLinks(execution_id=f"exec-{i // 3}", plan_hash=f"plan-{i // 3}"),
    )


def build_log(directory: Path, signer: Signer, count: int, checkpoint_every: int = 10) -> Path:
    """A closed log of ``count`` records (session-end checkpoint included); returns the db path."""
    path = directory / DB_NAME
    db = open_database(path, synchronous="NORMAL")
    log = AuditLog(db, signer, checkpoint_every=checkpoint_every)
    for i in range(count):
        log.append(sample_event(i))
    log.close()
    db.close()
    return path


def copy_log(source_db: Path, directory: Path) -> Path:
    """Copy the database and its anchor file into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / source_db.name
    shutil.copy(source_db, target)
    anchor = default_anchor_path(source_db)
    if anchor.exists():
        shutil.copy(anchor, default_anchor_path(target))
    return target


def attacker(db_path: Path) -> sqlite3.Connection:
    """Raw write access with the append-only triggers dropped (the attacker model)."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    for trigger in TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for index in GENERATED_INDEXES:
        conn.execute(f"DROP INDEX IF EXISTS {index}")
    return conn


def verify(db_path: Path, signer: Signer | None) -> VerifyResult:
    """Open the (possibly tampered) database and verify it."""
    db = open_database(db_path, synchronous="NORMAL")
    try:
        return AuditLog(db, signer).verify()
    finally:
        db.close()


def flip_in_file(db_path: Path, needle: bytes, offset: int, mask: int) -> None:
    """XOR one byte of ``needle`` where it is stored in the database file (a hex editor)."""
    raw = bytearray(db_path.read_bytes())
    assert raw.count(needle) == 1, "the bytes to flip must be stored exactly once"
    raw[raw.index(needle) + offset] ^= mask
    db_path.write_bytes(bytes(raw))


class Unredacted:
    """A store redaction that masks nothing: what kubechat wrote before issue 19 (set it as
    `db.redaction` to build such a store)."""

    def payload(self, payload: Any) -> Any:
        return dict(payload)

    def data(self, value: Any) -> RedactedData:
        return RedactedData(value, frozenset())

    def text(self, text: str) -> str:
        return text
