"""Verification of the audit chain: recompute every hash, check links and signed checkpoints.

Per record ``hash = sha256(prev || sha256(body))`` and ``prev`` must equal the previous
record's hash (32 zero bytes before seq 1). The walk runs over the stored canonical bytes
with hashlib in one tight loop; signatures are checked only at checkpoints. The first
problem is reported with its sequence number and one of these kinds:

- ``edited``: a record's bytes or hash changed, or a rewritten chain disagrees with a checkpoint
- ``missing``: a sequence number is absent (deleted row)
- ``reordered``: a record sits at another record's place
- ``truncated``: a signed checkpoint (database or anchor file) names records that are gone
- ``bad signature``: a checkpoint is not signed by the trusted key
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field

import orjson

from kubechat_tui.store.checkpoints import Checkpoint, link_of, parse_checkpoint
from kubechat_tui.store.signing import TrustedKey

GENESIS = bytes(32)


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with the chain."""

    seq: int
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"seq {self.seq}: {self.kind}: {self.detail}"


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of ``AuditLog.verify``; ``ok`` when no problem was found."""

    records: int
    head_seq: int
    head_hash: str
    checkpoints: int
    last_signed_seq: int
    key_source: str
    key_fingerprint: str
    problem: Problem | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when the chain is intact."""
        return self.problem is None

    @property
    def unsigned_tail(self) -> int:
        """Records after the last signed checkpoint (safe from edits, not from truncation)."""
        return max(0, self.head_seq - self.last_signed_seq)


@dataclass
class _Walk:
    verified_to: int = 0  # last seq whose chain is sound
    max_seq: int = 0
    hashes: dict[int, bytes] = field(default_factory=dict)  # chain hash at checkpoint seqs
    problem: Problem | None = None


def verify_chain(
    conn: sqlite3.Connection,
    trusted: TrustedKey | None,
    anchored: Iterable[Checkpoint],
    warnings: list[str],
) -> VerifyResult:
    """Verify the chain visible through ``conn`` (one read transaction) against ``trusted``."""
    stored = [
        (int(seq), bytes(payload), bytes(signature))
        for seq, payload, signature in conn.execute(
            "SELECT seq, payload, signature FROM audit_checkpoint ORDER BY id"
        )
    ]
    anchored = list(anchored)
    wanted = {seq for seq, _, _ in stored} | {cp.seq for cp in anchored}
    walk = _walk(conn, wanted)
    problems = [walk.problem] if walk.problem else []
    stored_problems, last_signed, verified = _check_stored(stored, trusted, walk)
    problems += stored_problems
    for cp in anchored:
        if (cp.payload, cp.signature) in verified:
            continue  # the same signed bytes as a database checkpoint, already checked
        if trusted is None or not cp.signed_by(trusted):
            warnings.append(f"anchor checkpoint for seq {cp.seq} is not trusted (ignored)")
            continue
        problem = _check_against_chain(cp, walk)
        problems += [problem] if problem else []
        last_signed = max(last_signed, _signed_seq(cp, problem, walk))
    anchored_payloads = {cp.payload for cp in anchored}
    missing_from_anchor = [seq for seq, payload, _ in stored if payload not in anchored_payloads]
    if missing_from_anchor:
        warnings.append(
            f"{len(missing_from_anchor)} checkpoint(s) are not in the anchor file "
            f"(first: seq {missing_from_anchor[0]}); truncation checks rely on the database alone"
        )
    first = min(problems, key=lambda p: p.seq) if problems else None
    head_hash = walk.hashes.get(walk.max_seq, b"") if walk.max_seq else b""
    return VerifyResult(
        records=walk.max_seq,
        head_seq=walk.max_seq,
        head_hash=head_hash.hex(),
        checkpoints=len(stored),
        last_signed_seq=last_signed,
        key_source=trusted.source if trusted else "none (created by the first append)",
        key_fingerprint=trusted.fingerprint if trusted else "",
        problem=first,
        warnings=tuple(warnings),
    )


def _walk(conn: sqlite3.Connection, wanted: set[int]) -> _Walk:
    """Recompute every hash in seq order; stop at the first broken record."""
    sha256 = hashlib.sha256
    walk = _Walk()
    expected, prev = 1, GENESIS
    marks = iter(sorted(wanted))
    mark = next(marks, 0)
    rows = conn.execute("SELECT seq, prev, body, hash FROM audit ORDER BY seq")
    try:
        for seq, link, body, digest in rows:
            try:
                if (
                    seq != expected
                    or link != prev
                    or sha256(link + sha256(body).digest()).digest() != digest
                ):
                    walk.problem = (
                        Problem(expected, "missing", _missing_detail(expected, seq))
                        if seq != expected
                        else _diagnose(conn, seq, link, body, digest)
                    )
                    break
            except TypeError:  # a column no longer holds bytes
                walk.problem = Problem(seq, "edited", "a column of this record was rewritten")
                break
            while mark and mark <= seq:
                if mark == seq:
                    walk.hashes[seq] = digest
                mark = next(marks, 0)
            prev = digest
            expected += 1
    except sqlite3.DatabaseError as exc:  # a damaged page: name where reading stopped
        walk.problem = Problem(expected, "edited", f"records from here on are unreadable ({exc})")
    walk.verified_to = expected - 1
    walk.hashes[walk.verified_to] = prev
    if walk.problem is None:
        walk.max_seq = walk.verified_to
    else:
        with suppress(sqlite3.DatabaseError):
            row = conn.execute("SELECT coalesce(max(seq), 0) FROM audit").fetchone()
            walk.max_seq = int(row[0])
        walk.max_seq = max(walk.max_seq, walk.verified_to)
    return walk


def _missing_detail(expected: int, found: int) -> str:
    if found == expected + 1:
        return f"record {expected} was deleted (next present is {found})"
    return f"records {expected}..{found - 1} were deleted"


def _diagnose(
    conn: sqlite3.Connection, seq: int, link: bytes, body: bytes, digest: bytes
) -> Problem:
    """Name what is wrong with the record stored at ``seq``."""
    self_consistent = hashlib.sha256(link + hashlib.sha256(body).digest()).digest() == digest
    claimed = _claimed_seq(body)
    if claimed is not None and claimed != seq:
        if self_consistent or _is_record_of(conn, claimed, body):
            return _misplaced(conn, seq, claimed)
        return Problem(seq, "edited", "content changed (its sequence number too)")
    if not self_consistent:
        return Problem(seq, "edited", "content or hash changed (hash does not match the bytes)")
    if seq == 1:
        return Problem(seq, "edited", "first record does not start from the genesis hash")
    return Problem(
        seq - 1,
        "edited",
        f"record {seq - 1} was replaced and its hash recomputed "
        f"(record {seq} still links to the original)",
    )


def _is_record_of(conn: sqlite3.Connection, seq: int, body: bytes) -> bool:
    """True when ``body`` is the genuine record whose hashes are stored at ``seq``."""
    row = conn.execute("SELECT prev, hash FROM audit WHERE seq = ?", (seq,)).fetchone()
    if row is None:
        return False
    link, digest = bytes(row[0]), bytes(row[1])
    return hashlib.sha256(link + hashlib.sha256(body).digest()).digest() == digest


def _misplaced(conn: sqlite3.Connection, seq: int, claimed: int) -> Problem:
    """A genuine record sits at ``seq``: moved there (reordered) or shifted down (missing)."""
    holder = next(
        (int(at) for at, body in conn.execute("SELECT seq, body FROM audit")
         if _claimed_seq(body) == seq),
        None,
    )
    if holder is None and claimed > seq:
        return Problem(seq, "missing", f"record {seq} was deleted and later records renumbered")
    where = f"; record {seq} is stored at seq {holder}" if holder else ""
    return Problem(seq, "reordered", f"the record stored here is record {claimed}{where}")


def _claimed_seq(body: object) -> int | None:
    try:
        value = orjson.loads(body).get("seq")  # type: ignore[arg-type]
    except (orjson.JSONDecodeError, AttributeError, TypeError):
        return None
    return value if isinstance(value, int) else None


def _check_stored(
    stored: list[tuple[int, bytes, bytes]], trusted: TrustedKey | None, walk: _Walk
) -> tuple[list[Problem], int, set[tuple[bytes, bytes]]]:
    """Database checkpoints, newest first: authentic, naming their own seq, matching the chain.

    The newest is checked by signature; an older one is authentic when an authentic
    successor links to its exact bytes, else its own signature decides. Returns the
    problems, the last signed seq and the authentic ``(payload, signature)`` pairs.
    """
    if not stored:
        return [], 0, set()
    if trusted is None:
        missing_key = Problem(stored[0][0], "bad signature", "no trusted public key to check it")
        return [missing_key], 0, set()
    problems: list[Problem] = []
    authentic: set[tuple[bytes, bytes]] = set()
    last_signed = 0
    successor: Checkpoint | None = None
    for seq, payload, signature in reversed(stored):
        cp, problem = _authentic(seq, payload, signature, trusted, successor)
        successor = cp if problem is None else None
        if problem is None and cp is not None:
            authentic.add((payload, signature))
            problem = _check_against_chain(cp, walk)
            last_signed = max(last_signed, _signed_seq(cp, problem, walk))
        problems += [problem] if problem else []
    return problems, last_signed, authentic


def _authentic(
    seq: int, payload: bytes, signature: bytes, trusted: TrustedKey, successor: Checkpoint | None
) -> tuple[Checkpoint | None, Problem | None]:
    try:
        cp = parse_checkpoint(payload, signature)
    except ValueError:
        return None, Problem(seq, "bad signature", "checkpoint payload is unreadable")
    linked = successor is not None and successor.prev == link_of(payload, signature)
    if not linked:
        if cp.key_fingerprint != trusted.fingerprint:
            detail = f"checkpoint signed by unknown key {cp.key_fingerprint}"
            return cp, Problem(seq, "bad signature", detail)
        if not cp.signed_by(trusted):
            return cp, Problem(seq, "bad signature", "checkpoint signature does not verify")
    if cp.seq != seq:
        return cp, Problem(seq, "bad signature", f"checkpoint row says seq {seq}, payload {cp.seq}")
    return cp, None


def _signed_seq(cp: Checkpoint, problem: Problem | None, walk: _Walk) -> int:
    """The seq a checkpoint vouches for: 0 unless it was checked against sound records."""
    return cp.seq if problem is None and cp.seq <= walk.verified_to else 0


def _check_against_chain(cp: Checkpoint, walk: _Walk) -> Problem | None:
    """A validly signed checkpoint against the records: present, and the same hash."""
    if cp.seq > walk.max_seq:
        first_gone = walk.max_seq + 1
        return Problem(
            first_gone,
            "truncated",
            f"records {first_gone}..{cp.seq} are gone (signed checkpoint at seq {cp.seq})",
        )
    if cp.seq > walk.verified_to:
        return None  # beyond an earlier break: that break is the reported problem
    if walk.hashes.get(cp.seq, b"").hex() != cp.head_hash:
        return Problem(
            cp.seq,
            "edited",
            f"chain hash at seq {cp.seq} differs from its signed checkpoint "
            f"(records up to {cp.seq} were rewritten)",
        )
    return None
