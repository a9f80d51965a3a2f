"""Approval requests and decisions in the shared database (append-only rows), plus policy versions.

API::

    store = ApprovalStore(db)
    store.add_request(ApprovalRequest(...))        # returns it; ids are short random hex
    store.add_decision(Decision(...))              # approve | reject | break_glass | executed
    store.get(request_id) / store.resolve(prefix)  # None / StoreError when unknown or ambiguous
    store.decisions(request_id)                    # oldest first
    store.requests(limit=100, plan_digest=None)    # newest first
    store.record_policy(hash, path, content)       # True when this version is new

This module stores facts only; the rules (who may approve, what voids an approval) live in
`engine.approvals.ApprovalWorkflow`, which also writes every transition to the audit chain.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

from kubechat_tui.store.audit_model import Operator
from kubechat_tui.store.database import Database
from kubechat_tui.store.errors import StoreError

DecisionKind = Literal["approve", "reject", "break_glass", "executed"]
# "cluster/resource/namespace/name" -> resourceVersion of each target when the request was made.
ResourceVersions = Mapping[str, str]


def new_request_id() -> str:
    """A short id an operator can type: 10 hex characters."""
    return secrets.token_hex(5)


def now_text() -> str:
    """The stored timestamp form: UTC ISO 8601 with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class ApprovalRequest:
    """A plan waiting for approvers, bound to its digest and its targets' resourceVersions."""

    id: str
    requester: Operator
    plan_digest: str
    plan_json: str
    resource_versions: Mapping[str, str]
    required_approvals: int
    risk: str
    title: str
    diff: str = ""
    policy_hash: str = ""
    policy_allowed: bool = True  # False: policy denied; only break-glass can release it
    rule_ids: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    created_at: str = field(default_factory=now_text)
    # cluster -> who that cluster said the requester is (SelfSubjectReview)
    requester_identities: Mapping[str, str] = field(default_factory=dict)
    # the access reviews the requester passed: {"cluster": ..., "attributes": {...}}
    access_checks: tuple[Mapping[str, Any], ...] = ()
    absolute_rules: tuple[str, ...] = ()  # denying rules that break-glass never overrides


@dataclass(frozen=True)
class Decision:
    """One approver's (or the executor's) word on a request, bound to what they saw."""

    request_id: str
    kind: DecisionKind
    actor: Operator
    plan_digest: str
    resource_versions: Mapping[str, str]
    comment: str = ""
    at: str = field(default_factory=now_text)
    seq: int | None = None
    identities: Mapping[str, str] = field(default_factory=dict)  # cluster -> who, as reviewed
    signature: str = ""  # base64 Ed25519 over engine.approval_signatures.signed_payload
    key_fingerprint: str = ""  # of the key that signed it


class ApprovalStore:
    """Reads and appends approval rows; thread-safe through the Database's lock."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add_request(self, request: ApprovalRequest) -> ApprovalRequest:
        """Insert a new request, redacted (`db.redaction`); returns it as stored."""
        request = self._redacted(request)
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO approval_requests (id, created_at, requester, requester_kube, "
                "plan_digest, plan_json, resource_versions, required_approvals, risk, title, "
                "diff, policy_hash, policy_allowed, rule_ids, reasons, requester_identities, "
                "access_checks, absolute_rules) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (request.id, request.created_at, request.requester.os_user,
                 request.requester.kube_identity, request.plan_digest, request.plan_json,
                 _dumps(dict(request.resource_versions)), request.required_approvals,
                 request.risk, request.title, request.diff, request.policy_hash,
                 int(request.policy_allowed),
                 _dumps(list(request.rule_ids)), _dumps(list(request.reasons)),
                 _dumps(dict(request.requester_identities)),
                 _dumps([dict(c) for c in request.access_checks]),
                 _dumps(list(request.absolute_rules))),
            )
        return request

    def _redacted(self, request: ApprovalRequest) -> ApprovalRequest:
        """The request with no credential in its plan, title, diff or reasons."""
        redaction = self.db.redaction
        plan = orjson.dumps(redaction.data(orjson.loads(request.plan_json)).value).decode()
        return replace(request, plan_json=plan, title=redaction.text(request.title),
                       diff=redaction.text(request.diff),
                       reasons=tuple(redaction.text(r) for r in request.reasons))

    def add_decision(self, decision: Decision) -> Decision:
        """Append a decision (signed as given: the workflow redacts its comment before
        signing it); returns it with its sequence number."""
        with self.db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO approval_decisions (request_id, at, kind, actor, actor_kube, "
                "comment, plan_digest, resource_versions, actor_identities, signature, "
                "key_fingerprint) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (decision.request_id, decision.at, decision.kind, decision.actor.os_user,
                 decision.actor.kube_identity, decision.comment, decision.plan_digest,
                 _dumps(dict(decision.resource_versions)), _dumps(dict(decision.identities)),
                 decision.signature, decision.key_fingerprint),
            )
        return replace(decision, seq=cursor.lastrowid)

    def consume(self, decision: Decision) -> bool:
        """Append the `executed` decision unless the request was already used; False then
        (atomic across processes: the database refuses a second one)."""
        try:
            self.add_decision(decision)
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                return False
            raise
        return True

    def get(self, request_id: str) -> ApprovalRequest | None:
        """The request with exactly this id, or None."""
        rows = self._rows("SELECT * FROM approval_requests WHERE id = ?", [request_id])
        return _request(rows[0]) if rows else None

    def resolve(self, id_or_prefix: str) -> ApprovalRequest:
        """The request whose id is or starts with the text; StoreError when none or several."""
        text = id_or_prefix.strip().lower()
        if not text or not all(c in "0123456789abcdef" for c in text):
            raise StoreError(f"unknown approval request {id_or_prefix!r}")
        rows = self._rows("SELECT * FROM approval_requests WHERE id LIKE ? LIMIT 2",
                          [f"{text}%"])
        if not rows:
            raise StoreError(f"unknown approval request {id_or_prefix!r}")
        if len(rows) > 1:
            raise StoreError(f"approval id {id_or_prefix!r} is ambiguous; give more characters")
        return _request(rows[0])

    def decisions(self, request_id: str) -> list[Decision]:
        """Every decision on a request, oldest first."""
        rows = self._rows("SELECT * FROM approval_decisions WHERE request_id = ? ORDER BY seq",
                          [request_id])
        return [_decision(r) for r in rows]

    def requests(self, limit: int = 100, plan_digest: str | None = None) -> list[ApprovalRequest]:
        """Requests, newest first, optionally only those for one plan digest."""
        if plan_digest is None:
            rows = self._rows("SELECT * FROM approval_requests ORDER BY created_at DESC, "
                              "rowid DESC LIMIT ?", [limit])
        else:
            rows = self._rows("SELECT * FROM approval_requests WHERE plan_digest = ? "
                              "ORDER BY created_at DESC, rowid DESC LIMIT ?",
                              [plan_digest, limit])
        return [_request(r) for r in rows]

    def record_policy(self, policy_hash: str, path: str, content: str) -> bool:
        """Store a policy version once under its hash; True when it was not known yet."""
        with self.db.write() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO policy_versions (hash, first_seen, path, content) "
                "VALUES (?, ?, ?, ?)", (policy_hash, now_text(), path, content))
            return cursor.rowcount == 1

    def policy_content(self, policy_hash: str) -> str | None:
        """The text of a recorded policy version, or None."""
        rows = self._rows("SELECT content FROM policy_versions WHERE hash = ?", [policy_hash])
        return str(rows[0]["content"]) if rows else None

    def _rows(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            cursor = conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _request(row: dict[str, Any]) -> ApprovalRequest:
    return ApprovalRequest(
        id=row["id"], requester=Operator(row["requester"], row["requester_kube"]),
        plan_digest=row["plan_digest"], plan_json=row["plan_json"],
        resource_versions=orjson.loads(row["resource_versions"]),
        required_approvals=int(row["required_approvals"]), risk=row["risk"],
        title=row["title"], diff=row["diff"], policy_hash=row["policy_hash"],
        policy_allowed=bool(row["policy_allowed"]),
        rule_ids=tuple(orjson.loads(row["rule_ids"])),
        reasons=tuple(orjson.loads(row["reasons"])), created_at=row["created_at"],
        requester_identities=orjson.loads(row["requester_identities"]),
        access_checks=tuple(orjson.loads(row["access_checks"])),
        absolute_rules=tuple(orjson.loads(row["absolute_rules"])),
    )


def _decision(row: dict[str, Any]) -> Decision:
    return Decision(
        request_id=row["request_id"], kind=row["kind"],
        actor=Operator(row["actor"], row["actor_kube"]), plan_digest=row["plan_digest"],
        resource_versions=orjson.loads(row["resource_versions"]), comment=row["comment"],
        at=row["at"], seq=int(row["seq"]), identities=orjson.loads(row["actor_identities"]),
        signature=row["signature"], key_fingerprint=row["key_fingerprint"],
    )
