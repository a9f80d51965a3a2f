"""The audit chain: records, signed checkpoints and the signing keys that made them.

``audit.body`` holds the RFC 8785 canonical JSON of the record (the bytes that are hashed);
``digest = sha256(body)`` and ``hash = sha256(prev || digest)``, all raw 32-byte blobs.
The filter columns are generated from the body, so they can never disagree with it.
"""

from __future__ import annotations

import sqlite3

from kubechat_tui.store.migrations import append_only_triggers


def _json(path: str) -> str:
    return f"json_extract(CAST(body AS TEXT), '{path}')"


STATEMENTS = (
    f"""CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        prev BLOB NOT NULL,
        body BLOB NOT NULL,
        hash BLOB NOT NULL,
        ts TEXT GENERATED ALWAYS AS ({_json('$.ts')}) VIRTUAL,
        action TEXT GENERATED ALWAYS AS ({_json('$.action')}) VIRTUAL,
        os_user TEXT GENERATED ALWAYS AS ({_json('$.operator.os_user')}) VIRTUAL,
        kube_identity TEXT GENERATED ALWAYS AS ({_json('$.operator.kube_identity')}) VIRTUAL
    )""",
    "CREATE INDEX audit_ts ON audit(ts)",
    "CREATE INDEX audit_action ON audit(action)",
    "CREATE INDEX audit_os_user ON audit(os_user)",
    """CREATE TABLE audit_checkpoint (
        id INTEGER PRIMARY KEY,
        seq INTEGER NOT NULL,
        payload BLOB NOT NULL,
        signature BLOB NOT NULL
    )""",
    "CREATE INDEX audit_checkpoint_seq ON audit_checkpoint(seq)",
    """CREATE TABLE audit_signing_key (
        fingerprint TEXT PRIMARY KEY,
        public_key BLOB NOT NULL,
        created_at TEXT NOT NULL
    )""",
    *append_only_triggers("audit"),
    *append_only_triggers("audit_checkpoint"),
    *append_only_triggers("audit_signing_key"),
)


def upgrade(conn: sqlite3.Connection) -> None:
    """Create the audit tables, their indexes and the append-only triggers."""
    for statement in STATEMENTS:
        conn.execute(statement)
