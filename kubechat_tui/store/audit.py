"""The audit log: an append-only, hash-chained, checkpoint-signed record of what was done.

API (for the engine, approvals, policies and the CLI/TUI)::

    db = open_database(path)
    log = AuditLog(db, load_signer(data_dir), checkpoint_every=settings.audit.checkpoint_every)
    record = log.append(AuditEvent(action="execution.succeeded", operator=Operator.current("admin"),
                                   payload={...}, scope=AuditScope(clusters=("prod-eu",)), ...))
    for rec in log.records(AuditFilter(actions=("execution.succeeded",), since=...)): ...
    log.latest(AuditFilter(), 50)        # the newest 50 matching records, oldest first
    log.verify() -> VerifyResult         # .ok, .problem (seq, kind, detail), .key_source
    log.checkpoint("manual")             # sign the current head now (ChainBrokenError if broken)
    log.close()                          # session end: sign the head if it moved
    log.rotate_key(new_signer, event, promote)  # hand-over checkpoint, then the new key signs
    log.problem                          # why a checkpoint was refused in this process, or None

Every event is redacted first (``db.redaction``: no credential reaches the chain; the
values a rollback needs are kept outside it). Each append is one ``BEGIN IMMEDIATE``
transaction: read the head, add the record with
``hash = sha256(prev || sha256(canonical body))``, commit. Concurrent processes therefore
form one linear chain, and a process killed mid-append leaves either the whole record or
nothing. Every ``checkpoint_every`` records a checkpoint is signed, appended to the anchor
file (``<db>.anchor.jsonl`` unless ``anchor_path`` says otherwise, see
``audit.anchor_path``), stored, and recorded in the checkpoint marker beside the key, in
that order, so the anchor never names a record that was not committed.

No checkpoint is signed over a broken chain: ``checkpoint`` first runs the incremental
check of ``audit_seal`` (from the newest signed checkpoint to the head) and raises
``ChainBrokenError`` naming the first bad seq (found by a full verify) instead. A periodic
checkpoint refused inside ``append`` does not fail the append (the record is committed and
worth keeping); it is logged, kept in ``log.problem`` and raised again at ``close()``.
Record 1 is refused (``StoreError``) when the anchor file or the checkpoint marker holds a
checkpoint of this path signed by this key: the database was deleted and recreated, and a
new chain must not quietly replace the lost one.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kubechat_tui.domain.tracing import traced
from kubechat_tui.store.audit_model import (
    AuditEvent,
    AuditFilter,
    AuditRecord,
    decode_body,
    encode_body,
    ts_text,
)
from kubechat_tui.store.audit_seal import SealCheck, StoredRow
from kubechat_tui.store.audit_verify import GENESIS, Problem, VerifyResult, verify_chain
from kubechat_tui.store.checkpoint_marker import CheckpointMarker
from kubechat_tui.store.checkpoints import (
    AnchorFile,
    Checkpoint,
    link_of,
    parse_checkpoint,
    sign_checkpoint,
)
from kubechat_tui.store.database import Database
from kubechat_tui.store.errors import ChainBrokenError, SigningKeyError, StoreError
from kubechat_tui.store.incidents import attach_record
from kubechat_tui.store.signing import Signer, TrustedKey

_BATCH = 500
_COLUMNS = "seq, prev, body, hash"
_log = logging.getLogger(__name__)


def default_anchor_path(db_path: Path) -> Path:
    """Where the anchor file lives unless told otherwise: beside the database file."""
    return db_path.with_name(db_path.name + ".anchor.jsonl")


class AuditLog:
    """Append, read, checkpoint and verify the audit chain stored in ``db``."""

    def __init__(
        self,
        db: Database,
        signer: Signer | None,
        *,
        checkpoint_every: int = 100,
        anchor_path: Path | None = None,
        marker: CheckpointMarker | None = None,
    ) -> None:
        self.db = db
        self.signer = signer
        self.checkpoint_every = checkpoint_every
        self.anchor = AnchorFile(anchor_path or default_anchor_path(db.path))
        self.marker = marker or CheckpointMarker.for_signer(signer)
        self.problem: Problem | None = None
        self._seal = SealCheck(signer.trusted) if signer is not None else None
        if signer is not None:
            self._register_key(signer.trusted)

    @traced("kubechat.store.append", lambda self, event: {"kubechat.action": event.action})
    def append(self, event: AuditEvent) -> AuditRecord:
        """Add ``event`` at the end of the chain; signs a checkpoint every N records."""
        if self.signer is None:
            raise SigningKeyError("no audit signing key: cannot append to the audit log")
        redacted = self._redacted(event)
        with self.db.write() as conn:
            head = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            if head is None:
                self._refuse_lost_history()
            seq, prev = (head[0] + 1, bytes(head[1])) if head else (1, GENESIS)
            moment = datetime.now(UTC)
            body = encode_body(seq, moment, redacted)
            digest = hashlib.sha256(prev + hashlib.sha256(body).digest()).digest()
            conn.execute(
                "INSERT INTO audit (seq, prev, body, hash) VALUES (?, ?, ?, ?)",
                (seq, prev, body, digest),
            )
            attach_record(conn, seq)
            signed = conn.execute(
                "SELECT coalesce(max(seq), 0) FROM audit_checkpoint"
            ).fetchone()[0]
        if seq - signed >= self.checkpoint_every and self.problem is None:
            try:
                self.checkpoint("interval", force=False)
            except ChainBrokenError as exc:  # the record stays; the refusal is kept and logged
                _log.error("%s: %s", self.db.path, exc)
        _, ts, stored_event = decode_body(body)
        return AuditRecord(seq, ts, stored_event, prev.hex(), digest.hex(), body)

    def _redacted(self, event: AuditEvent) -> AuditEvent:
        """The event as stored: no credential in its payload, approvals or justification."""
        redaction = self.db.redaction
        return replace(event, payload=redaction.payload(event.payload),
                       approvals=tuple(redaction.data(list(event.approvals)).value),
                       justification=redaction.text(event.justification),
                       outcome=redaction.text(event.outcome))

    def checkpoint(self, reason: str = "manual", *, force: bool = True) -> Checkpoint | None:
        """Sign the current head (anchor file first, then the database); None when empty.

        With ``force=False`` an existing checkpoint of the same head is returned instead.
        Raises ``ChainBrokenError`` (nothing signed) when the chain does not check out.
        """
        if self.signer is None or self._seal is None:
            raise SigningKeyError("no audit signing key: cannot sign a checkpoint")
        outcome = self._sign_head(self.signer, self._seal, reason, force)
        if isinstance(outcome, Problem):
            found = self.verify().problem or outcome  # name the first bad seq, not the symptom
            self.problem = found
            raise ChainBrokenError(found, "refusing to sign a checkpoint over it")
        if outcome is not None and self.marker is not None:
            try:
                self.marker.record(self.db.path, outcome)
            except OSError as exc:  # the checkpoint itself is stored; the marker is extra
                _log.warning("%s: cannot record the checkpoint marker (%s)",
                             self.marker.path, exc.strerror)
        return outcome

    def rotate_key(self, new: Signer, event: AuditEvent,
                   promote: Callable[[], None]) -> tuple[Checkpoint, Checkpoint]:
        """Hand the audit over to the key ``new``: ``event`` (the rotation) is appended, the
        current key signs a hand-over checkpoint naming ``new`` (whose public key is
        recorded), ``promote`` makes ``new`` the stored key, and ``new`` signs the next
        checkpoint. Raises ChainBrokenError (nothing signed) over a broken chain."""
        if self.signer is None or self._seal is None:
            raise SigningKeyError("no audit signing key: cannot rotate it")
        old = self.signer
        self.append(event)
        handover = self._sign_head(old, self._seal, "key-rotation", True, new.trusted)
        if not isinstance(handover, Checkpoint):
            found = self.verify().problem or handover
            raise ChainBrokenError(found or Problem(0, "missing", "no records"),
                                   "refusing to hand the key over")
        if self.marker is not None:
            self.marker.record(self.db.path, handover)
        promote()
        self.signer, self._seal = new, SealCheck(new.trusted, old.trusted)
        accepted = self.checkpoint("key-accepted")
        assert accepted is not None
        return handover, accepted

    def accept_handover(self, previous: TrustedKey) -> Checkpoint:
        """Finish a rotation interrupted after the hand-over: this log's key (the one the
        newest checkpoint hands over to, from ``previous``) signs the next checkpoint."""
        if self.signer is None:
            raise SigningKeyError("no audit signing key: cannot accept the hand-over")
        self._seal = SealCheck(self.signer.trusted, previous)
        accepted = self.checkpoint("key-accepted")
        assert accepted is not None
        return accepted

    def key_in_force(self) -> str | None:
        """The fingerprint that signs the next checkpoint (see ``key_in_force``)."""
        return key_in_force(self.db)

    def _sign_head(
        self, signer: Signer, seal: SealCheck, reason: str, force: bool,
        next_key: TrustedKey | None = None,
    ) -> Checkpoint | Problem | None:
        """Inside one write transaction: check the chain, sign, anchor, store (a hand-over
        to ``next_key`` also records that key)."""
        with self.db.write() as conn:
            head = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            if head is None:
                return None
            row = conn.execute(
                "SELECT seq, payload, signature FROM audit_checkpoint ORDER BY id DESC LIMIT 1"
            ).fetchone()
            last: StoredRow | None = (int(row[0]), bytes(row[1]), bytes(row[2])) if row else None
            if not force and last is not None and self._same_head(last, head[0]):
                return parse_checkpoint(last[1], last[2])
            marked = self.marker.last(self.db.path) if self.marker is not None else None
            problem = seal.problem(conn, int(head[0]), last, self.anchor.tail(8), marked)
            if problem is not None:
                return problem
            prev = link_of(last[1], last[2]) if last else ""
            checkpoint = sign_checkpoint(head[0], bytes(head[1]), reason, signer, prev,
                                         next_key.public_key if next_key else None)
            if next_key is not None:
                conn.execute(
                    "INSERT OR IGNORE INTO audit_signing_key (fingerprint, public_key, "
                    "created_at) VALUES (?, ?, ?)",
                    (next_key.fingerprint, next_key.public_key, ts_text(datetime.now(UTC))))
            try:
                self.anchor.append(checkpoint)
            except OSError as exc:
                raise StoreError(
                    f"{self.anchor.path}: cannot append checkpoint ({exc.strerror})"
                ) from exc
            conn.execute(
                "INSERT INTO audit_checkpoint (seq, payload, signature) VALUES (?, ?, ?)",
                (checkpoint.seq, checkpoint.payload, checkpoint.signature),
            )
        return checkpoint

    def _refuse_lost_history(self) -> None:
        """Before record 1: refuse when signed checkpoints say this path held a longer log.

        The console opens (and so creates) its database; after ``rm kubechat.db*`` that is a
        fresh empty file. Starting a new chain there would bury the evidence of the loss.
        """
        if self._seal is None:
            return
        marked = self.marker.last(self.db.path) if self.marker is not None else None
        found = [*self.anchor.tail(8), *([marked] if marked else [])]
        signed = [cp for cp in found if self._seal.authentic(cp)]
        if signed:
            top = max(signed, key=lambda cp: cp.seq)
            raise StoreError(
                f"{self.db.path}: the audit log kept here is gone (records 1..{top.seq}; "
                f"signed checkpoint of {top.ts}); restore it, or, to start a new log on "
                f"purpose, remove its entry from {self._marker_name()} and move "
                f"{self.anchor.path} aside"
            )

    def _marker_name(self) -> str:
        return str(self.marker.path) if self.marker is not None else "the checkpoint marker"

    def close(self) -> None:
        """Session end: sign the head if records were added since the last checkpoint.

        Raises ``ChainBrokenError`` when the chain is broken (nothing is signed).
        """
        if self.signer is not None:
            self.checkpoint("session-end", force=False)

    def records(self, filters: AuditFilter | None = None) -> Iterator[AuditRecord]:
        """Matching records in seq order, read in batches (safe while others append)."""
        filters = filters or AuditFilter()
        after = filters.after_seq
        while True:
            where, params = _where(filters, after)
            with self.db.read() as conn:
                query = f"SELECT {_COLUMNS} FROM audit WHERE {where} ORDER BY seq LIMIT {_BATCH}"
                rows = conn.execute(query, params).fetchall()
            for row in rows:
                yield _record(row)
            if len(rows) < _BATCH:
                return
            after = rows[-1][0]

    def latest(self, filters: AuditFilter | None, count: int) -> list[AuditRecord]:
        """The newest ``count`` matching records, oldest first."""
        filters = filters or AuditFilter()
        where, params = _where(filters, filters.after_seq)
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM audit WHERE {where} ORDER BY seq DESC LIMIT ?",
                [*params, count],
            ).fetchall()
        return [_record(row) for row in reversed(rows)]

    def actions(self) -> list[str]:
        """Every action type recorded so far, sorted."""
        with self.db.read() as conn:
            rows = conn.execute("SELECT DISTINCT action FROM audit ORDER BY action").fetchall()
        return [str(row[0]) for row in rows if row[0] is not None]

    def head(self) -> tuple[int, str]:
        """``(seq, hash hex)`` of the last record; ``(0, "")`` when empty."""
        with self.db.read() as conn:
            row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        return (int(row[0]), bytes(row[1]).hex()) if row else (0, "")

    def verify(self) -> VerifyResult:
        """Recompute the whole chain; check every checkpoint (database, anchor file, marker)."""
        anchored, warnings = self.anchor.read()  # before the snapshot: anchored records exist
        if not self.anchor.path.exists():
            warnings.append(f"anchor file {self.anchor.path} does not exist")
        marked = self.marker.last(self.db.path) if self.marker is not None else None
        trusted = self.signer.trusted if self.signer else self._recorded_key(warnings)
        with self.db.snapshot() as conn:
            result = verify_chain(conn, trusted, anchored, warnings, marked)
        if result.ok:
            self.problem = None
        return result

    def recorded_keys(self) -> list[TrustedKey]:
        """Public keys registered by writers of this database (informational, not trusted)."""
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT public_key FROM audit_signing_key ORDER BY created_at"
            ).fetchall()
        return [TrustedKey(bytes(row[0]), "recorded in the database") for row in rows]

    def _recorded_key(self, warnings: list[str]) -> TrustedKey | None:
        keys = self.recorded_keys()
        if keys:
            warnings.append(
                "signing key not found in keyring or key file: checked against the public key "
                "recorded in the database, which an attacker with write access could replace"
            )
            return keys[-1]
        return None

    def _register_key(self, key: TrustedKey) -> None:
        """Record the signer's public key; refuse a different key than the one in force
        (the newest checkpoint's, or the one it hands over to: `kubechat audit rotate-key`)."""
        keys = {k.fingerprint: k for k in self.recorded_keys()}
        recorded = set(keys)
        in_force = self._authentic_key_in_force(keys)
        if in_force is None and recorded and key.fingerprint not in recorded:
            in_force = sorted(recorded)[0]  # no authentic checkpoint: the recorded key
        if in_force is not None and key.fingerprint != in_force:
            raise SigningKeyError(
                f"{self.db.path}: checkpoints are signed with key {in_force}, but the key "
                f"found now is {key.fingerprint} ({key.source}); a key replaced without a "
                "hand-over: restore the original key (rotate it with `kubechat audit "
                "rotate-key`)"
            )
        if not recorded:
            with self.db.write() as conn:
                conn.execute(
                    "INSERT OR IGNORE INTO audit_signing_key (fingerprint, public_key, created_at) "
                    "VALUES (?, ?, ?)",
                    (key.fingerprint, key.public_key, ts_text(datetime.now(UTC))),
                )

    def _authentic_key_in_force(self, keys: dict[str, TrustedKey]) -> str | None:
        """The key in force per the newest checkpoint, when that checkpoint verifies with
        the recorded key it names (a damaged one is left to ``verify``); else None."""
        last = newest_checkpoint(self.db)
        if last is None:
            return None
        signer = keys.get(last.key_fingerprint)
        if signer is None or not last.signed_by(signer):
            return None
        return last.next_fingerprint or last.key_fingerprint

    @staticmethod
    def _same_head(last: StoredRow, head_seq: int) -> bool:
        try:
            return parse_checkpoint(last[1], last[2]).seq == head_seq
        except ValueError:
            return False


def newest_checkpoint(db: Database) -> Checkpoint | None:
    """The newest stored checkpoint, parsed; None before any (or when it does not parse:
    `verify` reports that one)."""
    with db.read() as conn:
        row = conn.execute(
            "SELECT payload, signature FROM audit_checkpoint ORDER BY id DESC LIMIT 1"
        ).fetchone()
    if row is None:
        return None
    try:
        return parse_checkpoint(bytes(row[0]), bytes(row[1]))
    except ValueError:
        return None


def key_in_force(db: Database) -> str | None:
    """The fingerprint that signs the next checkpoint: the newest checkpoint's key, or the
    key it hands over to; None before any checkpoint."""
    last = newest_checkpoint(db)
    return None if last is None else last.next_fingerprint or last.key_fingerprint


def _where(filters: AuditFilter, after: int) -> tuple[str, list[Any]]:
    clauses: list[str] = ["seq > ?"]
    params: list[Any] = [after]
    if filters.since is not None:
        clauses.append("ts >= ?")
        params.append(ts_text(filters.since))
    if filters.until is not None:
        clauses.append("ts <= ?")
        params.append(ts_text(filters.until))
    if filters.actions:
        clauses.append(f"action IN ({_marks(filters.actions)})")
        params += filters.actions
    if filters.users:
        marks = _marks(filters.users)
        clauses.append(f"(os_user IN ({marks}) OR kube_identity IN ({marks}))")
        params += [*filters.users, *filters.users]
    if filters.execution_ids:
        clauses.append("json_extract(CAST(audit.body AS TEXT), '$.links.execution_id') "
                       f"IN ({_marks(filters.execution_ids)})")
        params += filters.execution_ids
    if filters.clusters:
        clauses.append(
            "EXISTS (SELECT 1 FROM json_each(CAST(audit.body AS TEXT), '$.scope.clusters') "
            f"WHERE value IN ({_marks(filters.clusters)}))"
        )
        params += filters.clusters
    return " AND ".join(clauses), params


def _marks(values: tuple[str, ...]) -> str:
    return ", ".join("?" * len(values))


def _record(row: tuple[Any, ...]) -> AuditRecord:
    seq, prev, body, digest = row
    body = bytes(body)
    try:
        _, ts, event = decode_body(body)
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"audit record {seq} is unreadable; run `kubechat audit verify`") from exc
    return AuditRecord(int(seq), ts, event, bytes(prev).hex(), bytes(digest).hex(), body)

