"""Two-person approval requests, their decisions, and every policy version ever loaded.

All three tables are append-only: a request's state is derived from its decisions, and a
policy version is stored once under its sha256.
"""

from __future__ import annotations

import sqlite3

from kubechat_tui.store.migrations import append_only_triggers

STATEMENTS = (
    """CREATE TABLE approval_requests (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        requester TEXT NOT NULL,
        requester_kube TEXT,
        plan_digest TEXT NOT NULL,
        plan_json TEXT NOT NULL,
        resource_versions TEXT NOT NULL,
        required_approvals INTEGER NOT NULL,
        risk TEXT NOT NULL,
        title TEXT NOT NULL,
        diff TEXT NOT NULL,
        policy_hash TEXT NOT NULL,
        policy_allowed INTEGER NOT NULL,
        rule_ids TEXT NOT NULL,
        reasons TEXT NOT NULL
    )""",
    "CREATE INDEX approval_requests_digest ON approval_requests(plan_digest)",
    "CREATE INDEX approval_requests_created ON approval_requests(created_at)",
    """CREATE TABLE approval_decisions (
        seq INTEGER PRIMARY KEY,
        request_id TEXT NOT NULL REFERENCES approval_requests(id),
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        actor_kube TEXT,
        comment TEXT NOT NULL,
        plan_digest TEXT NOT NULL,
        resource_versions TEXT NOT NULL
    )""",
    "CREATE INDEX approval_decisions_request ON approval_decisions(request_id)",
    """CREATE TABLE policy_versions (
        hash TEXT PRIMARY KEY,
        first_seen TEXT NOT NULL,
        path TEXT NOT NULL,
        content TEXT NOT NULL
    )""",
    *append_only_triggers("approval_requests"),
    *append_only_triggers("approval_decisions"),
    *append_only_triggers("policy_versions"),
)


def upgrade(conn: sqlite3.Connection) -> None:
    """Create the approval and policy-version tables, indexes and append-only triggers."""
    for statement in STATEMENTS:
        conn.execute(statement)
