"""The audit log: an append-only, hash-chained, checkpoint-signed record of what was done.

API (for the engine, approvals, policies and the CLI/TUI)::

    db = open_database(path)
    log = AuditLog(db, load_signer(data_dir), checkpoint_every=settings.audit.checkpoint_every)
    record = log.append(AuditEvent(action="execution.succeeded", operator=Operator.current("admin"),
                                   payload={...}, scope=AuditScope(clusters=("prod-eu",)), ...))
    for rec in log.records(AuditFilter(actions=("execution.succeeded",), since=...)): ...
    log.latest(AuditFilter(), 50)        # the newest 50 matching records, oldest first
    log.verify() -> VerifyResult         # .ok, .problem (seq, kind, detail), .key_source
    log.checkpoint("manual")             # sign the current head now
    log.close()                          # session end: sign the head if it moved

Each append is one ``BEGIN IMMEDIATE`` transaction: read the head, add the record with
``hash = sha256(prev || sha256(canonical body))``, commit. Concurrent processes therefore
form one linear chain, and a process killed mid-append leaves either the whole record or
nothing. Every ``checkpoint_every`` records a checkpoint is signed, appended to the anchor
file (``<db>.anchor.jsonl``) and then stored, in that order, so the anchor never names a
record that was not committed.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kubechat_tui.store.audit_model import (
    AuditEvent,
    AuditFilter,
    AuditRecord,
    decode_body,
    encode_body,
    ts_text,
)
from kubechat_tui.store.audit_verify import GENESIS, VerifyResult, verify_chain
from kubechat_tui.store.checkpoints import (
    AnchorFile,
    Checkpoint,
    link_of,
    parse_checkpoint,
    sign_checkpoint,
)
from kubechat_tui.store.database import Database
from kubechat_tui.store.errors import SigningKeyError, StoreError
from kubechat_tui.store.signing import Signer, TrustedKey

_BATCH = 500
_COLUMNS = "seq, prev, body, hash"


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
    ) -> None:
        self.db = db
        self.signer = signer
        self.checkpoint_every = checkpoint_every
        self.anchor = AnchorFile(anchor_path or default_anchor_path(db.path))
        if signer is not None:
            self._register_key(signer.trusted)

    def append(self, event: AuditEvent) -> AuditRecord:
        """Add ``event`` at the end of the chain; signs a checkpoint every N records."""
        if self.signer is None:
            raise SigningKeyError("no audit signing key: cannot append to the audit log")
        with self.db.write() as conn:
            head = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (head[0] + 1, bytes(head[1])) if head else (1, GENESIS)
            moment = datetime.now(UTC)
            body = encode_body(seq, moment, event)
            digest = hashlib.sha256(prev + hashlib.sha256(body).digest()).digest()
            conn.execute(
                "INSERT INTO audit (seq, prev, body, hash) VALUES (?, ?, ?, ?)",
                (seq, prev, body, digest),
            )
            signed = conn.execute(
                "SELECT coalesce(max(seq), 0) FROM audit_checkpoint"
            ).fetchone()[0]
        if seq - signed >= self.checkpoint_every:
            self.checkpoint("interval", force=False)
        _, ts, stored_event = decode_body(body)
        return AuditRecord(seq, ts, stored_event, prev.hex(), digest.hex(), body)

    def checkpoint(self, reason: str = "manual", *, force: bool = True) -> Checkpoint | None:
        """Sign the current head (anchor file first, then the database); None when empty.

        With ``force=False`` an existing checkpoint of the same head is returned instead.
        """
        if self.signer is None:
            raise SigningKeyError("no audit signing key: cannot sign a checkpoint")
        with self.db.write() as conn:
            head = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            if head is None:
                return None
            last = conn.execute(
                "SELECT payload, signature FROM audit_checkpoint ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if not force and last is not None and self._same_head(last, head[0]):
                return parse_checkpoint(bytes(last[0]), bytes(last[1]))
            prev = link_of(bytes(last[0]), bytes(last[1])) if last else ""
            checkpoint = sign_checkpoint(head[0], bytes(head[1]), reason, self.signer, prev)
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

    def close(self) -> None:
        """Session end: sign the head if records were added since the last checkpoint."""
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
        """Recompute the whole chain and check every checkpoint (database and anchor file)."""
        anchored, warnings = self.anchor.read()  # before the snapshot: anchored records exist
        if not self.anchor.path.exists():
            warnings.append(f"anchor file {self.anchor.path} does not exist")
        trusted = self.signer.trusted if self.signer else self._recorded_key(warnings)
        with self.db.snapshot() as conn:
            return verify_chain(conn, trusted, anchored, warnings)

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
        """Record the signer's public key; refuse a different key than the one in use."""
        recorded = {k.fingerprint for k in self.recorded_keys()}
        if recorded and key.fingerprint not in recorded:
            raise SigningKeyError(
                f"{self.db.path}: checkpoints were signed with key {sorted(recorded)[0]}, but the "
                f"key found now is {key.fingerprint} ({key.source}); restore the original key"
            )
        if not recorded:
            with self.db.write() as conn:
                conn.execute(
                    "INSERT OR IGNORE INTO audit_signing_key (fingerprint, public_key, created_at) "
                    "VALUES (?, ?, ?)",
                    (key.fingerprint, key.public_key, ts_text(datetime.now(UTC))),
                )

    @staticmethod
    def _same_head(last: sqlite3.Row | tuple[Any, ...], head_seq: int) -> bool:
        try:
            return parse_checkpoint(bytes(last[0]), bytes(last[1])).seq == head_seq
        except ValueError:
            return False


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

