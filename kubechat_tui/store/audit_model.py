"""What one audit record says, its canonical bytes, and how records are filtered.

An ``AuditEvent`` is what callers hand to ``AuditLog.append``; the log adds ``seq`` and a
UTC timestamp and stores the RFC 8785 canonical JSON of the whole record (``encode_body``).
Those bytes are exactly what is hashed, exported and re-verified offline.
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import rfc8785

BODY_VERSION = 1

# The action types kubechat writes: the vocabulary an action filter is checked against
# (a log may also hold others, e.g. from a newer kubechat; those are accepted when present).
ACTION_TYPES = frozenset({
    "plan.submitted", "targets.read", "rbac.checked", "policy.evaluated", "policy.loaded",
    "policy.load_failed", "dryrun.completed", "dryrun.skipped", "approval.requested",
    "approval.approved", "approval.rejected", "approval.refused", "approval.checked",
    "approval.executed", "approval.break_glass", "approval.break_glass_refused",
    "approval.notify_failed",
    "snapshot.captured", "execution.intent", "execution.step", "request.retried",
    "execution.succeeded", "execution.failed",
    "execution.cancelled", "execution.not_confirmed", "summary.written", "summary.archived",
    "demo.attach_refused", "settings.override_refused", "read.submitted", "read.step",
    "exec.submitted", "exec.not_confirmed", "exec.started", "exec.ended",
    "incident.opened", "incident.closed", "incident.notes_saved", "incident.exported",
    "insights.read",
    "policy.activated", "violation.alerted", "violation.suppressed", "violation.alert_failed",
    "audit.key_rotated", "recipe.published", "recipe.deprecated", "recipe.restored",
    "recipe.feedback",
})


@dataclass(frozen=True)
class Operator:
    """Who acted: the OS user and the Kubernetes identity (from SelfSubjectReview)."""

    os_user: str
    kube_identity: str | None = None

    @classmethod
    def current(cls, kube_identity: str | None = None) -> Operator:
        """The OS user running this process, with an optional Kubernetes identity."""
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
        return cls(user, kube_identity)


@dataclass(frozen=True)
class AuditScope:
    """Where the action applied: clusters, namespaces and objects (``kind/ns/name``)."""

    clusters: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditLinks:
    """Cross-references: the execution this belongs to and the plan's content hash."""

    execution_id: str | None = None
    plan_hash: str | None = None


@dataclass(frozen=True)
class AuditEvent:
    """One thing worth recording.

    ``action`` is a short dotted type (``plan.created``, ``execution.succeeded``, ...);
    ``payload`` the command itself (plan step, kubectl line, API request) as JSON-able data;
    ``approvals`` one mapping per approval (e.g. approver, decision, at).
    """

    action: str
    operator: Operator
    payload: Mapping[str, Any] = field(default_factory=dict)
    scope: AuditScope = field(default_factory=AuditScope)
    approvals: Sequence[Mapping[str, Any]] = ()
    outcome: str = ""
    justification: str = ""
    links: AuditLinks = field(default_factory=AuditLinks)


@dataclass(frozen=True)
class AuditRecord:
    """A stored event: its place in the chain, its time and its hashes (hex)."""

    seq: int
    ts: datetime
    event: AuditEvent
    prev_hash: str
    hash: str
    body: bytes

    def to_json(self) -> dict[str, Any]:
        """The record as plain JSON data: the canonical body plus its chain hashes (hex)."""
        doc: dict[str, Any] = orjson.loads(self.body)
        doc["prev_hash"] = self.prev_hash
        doc["hash"] = self.hash
        return doc


@dataclass(frozen=True)
class AuditFilter:
    """Which records to read; empty tuples mean "any". ``users`` match OS or kube identity,
    ``execution_ids`` the records' ``links.execution_id``."""

    clusters: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    execution_ids: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    after_seq: int = 0


def ts_text(moment: datetime) -> str:
    """The stored timestamp form: UTC, microseconds, ``+00:00`` (sorts as text)."""
    if moment.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def encode_body(seq: int, moment: datetime, event: AuditEvent) -> bytes:
    """The RFC 8785 canonical JSON of a record; raises ValueError for non-JSON payloads."""
    doc = {
        "v": BODY_VERSION,
        "seq": seq,
        "ts": ts_text(moment),
        "action": event.action,
        "operator": {
            "os_user": event.operator.os_user,
            "kube_identity": event.operator.kube_identity,
        },
        "payload": _plain(event.payload),
        "scope": {
            "clusters": list(event.scope.clusters),
            "namespaces": list(event.scope.namespaces),
            "objects": list(event.scope.objects),
        },
        "approvals": _plain(list(event.approvals)),
        "outcome": event.outcome,
        "justification": event.justification,
        "links": {"execution_id": event.links.execution_id, "plan_hash": event.links.plan_hash},
    }
    try:
        return rfc8785.dumps(doc)
    except (rfc8785.CanonicalizationError, TypeError) as exc:
        raise ValueError(f"audit record is not canonical JSON: {exc}") from exc


def decode_body(body: bytes) -> tuple[int, datetime, AuditEvent]:
    """``(seq, ts, event)`` from canonical bytes written by ``encode_body``."""
    doc = orjson.loads(body)
    operator = doc["operator"]
    scope = doc["scope"]
    links = doc["links"]
    event = AuditEvent(
        action=doc["action"],
        operator=Operator(operator["os_user"], operator["kube_identity"]),
        payload=doc["payload"],
        scope=AuditScope(
            tuple(scope["clusters"]), tuple(scope["namespaces"]), tuple(scope["objects"])
        ),
        approvals=tuple(doc["approvals"]),
        outcome=doc["outcome"],
        justification=doc["justification"],
        links=AuditLinks(links["execution_id"], links["plan_hash"]),
    )
    return int(doc["seq"]), datetime.fromisoformat(doc["ts"]), event


def _plain(value: Any) -> Any:
    """JSON-only data (datetimes, dataclasses and pydantic models converted)."""
    try:
        return orjson.loads(
            orjson.dumps(value, default=_fallback, option=orjson.OPT_NON_STR_KEYS)
        )
    except orjson.JSONEncodeError as exc:
        raise ValueError(f"audit payload is not JSON-representable: {exc}") from exc


def _fallback(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


_DURATION = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_time(text: str, now: datetime | None = None) -> datetime:
    """An aware UTC datetime from ISO 8601 (naive = UTC) or a duration ago (15m, 2h, 7d).

    Raises ValueError with a one-line message naming the accepted forms.
    """
    raw = text.strip()
    match = _DURATION.match(raw)
    if match:
        amount, unit = int(match.group(1)), _UNITS[match.group(2)]
        return (now or datetime.now(UTC)) - timedelta(**{unit: amount})
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"bad time {text!r}: use ISO 8601 (2026-11-25T10:00Z) or a duration such as 15m, 2h, 7d"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
