"""Governance: every activation of a policy version (the active one is the newest entry).

`policy_history` is append-only: applying or rolling back a policy adds a version; the
active policy is the highest version. Each entry names its content and sha256, the author
(OS user and Kubernetes identities), the message, the version active before it (`parent`),
the version it re-activates (`restores`, for a rollback) and the approval request that
released it, if any.
"""

from __future__ import annotations

import sqlite3

from kubechat_tui.store.migrations import append_only_triggers

STATEMENTS = (
    """CREATE TABLE policy_history (
        version INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        hash TEXT NOT NULL,
        content TEXT NOT NULL,
        message TEXT NOT NULL,
        author TEXT NOT NULL,
        author_identities TEXT NOT NULL,
        parent INTEGER,
        restores INTEGER,
        request_id TEXT
    )""",
    *append_only_triggers("policy_history"),
)


def upgrade(conn: sqlite3.Connection) -> None:
    """Create the policy history table and its append-only triggers."""
    for statement in STATEMENTS:
        conn.execute(statement)
