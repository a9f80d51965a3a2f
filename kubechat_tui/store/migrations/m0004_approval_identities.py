"""Approvals name people per cluster: who each cluster said the requester and every
decider were (SelfSubjectReview), and the access checks the requester passed, so that an
approver is reviewed for exactly the same requests; the absolute policy rules that deny
it (no break-glass releases it); each decision's signature by its decider's key. An
approval is consumed once: a second `executed` decision for one request is refused by the
database itself."""

from __future__ import annotations

import sqlite3

STATEMENTS = (
    "ALTER TABLE approval_requests ADD COLUMN requester_identities TEXT NOT NULL DEFAULT '{}'",
    "ALTER TABLE approval_requests ADD COLUMN access_checks TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE approval_requests ADD COLUMN absolute_rules TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE approval_decisions ADD COLUMN actor_identities TEXT NOT NULL DEFAULT '{}'",
    "ALTER TABLE approval_decisions ADD COLUMN signature TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE approval_decisions ADD COLUMN key_fingerprint TEXT NOT NULL DEFAULT ''",
    "CREATE UNIQUE INDEX approval_decisions_executed_once ON approval_decisions(request_id) "
    "WHERE kind = 'executed'",
)


def upgrade(conn: sqlite3.Connection) -> None:
    """Add the identity and access-check columns (existing rows: none recorded)."""
    for statement in STATEMENTS:
        conn.execute(statement)
