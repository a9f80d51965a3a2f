"""Verification of the audit chain: every hash recomputed, every signed checkpoint checked.

``audit_walk`` recomputes the chain; this module checks the signed statements about it:
the checkpoints stored in the database, the lines of the anchor file and the checkpoint
marker kept beside the signing key. Signatures are checked only at checkpoints. The first
problem is reported with its sequence number and one of these kinds:

- ``edited``: a record's bytes or hash changed, or a rewritten chain disagrees with a checkpoint
- ``missing``: a sequence number is absent (deleted row)
- ``reordered``: a record sits at another record's place
- ``truncated``: a signed checkpoint (database, anchor file or marker) names records that
  are gone; the range runs to the highest such checkpoint ("records 1..84 are gone")
- ``bad signature``: a checkpoint is not signed by the trusted key, or is signed by another
  key than the one in force with no hand-over (``kubechat audit rotate-key`` makes one)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from kubechat_tui.store.audit_links import GENESIS
from kubechat_tui.store.audit_walk import Problem, Walk, walk_chain
from kubechat_tui.store.checkpoints import Checkpoint, link_of, parse_checkpoint
from kubechat_tui.store.signing import TrustedKey, fingerprint_of

__all__ = ["GENESIS", "Problem", "VerifyResult", "verify_chain"]

DATABASE = "the database"
ANCHOR = "the anchor file"
MARKER = "the checkpoint marker"


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


def verify_chain(
    conn: sqlite3.Connection,
    trusted: TrustedKey | None,
    anchored: Iterable[Checkpoint],
    warnings: list[str],
    marked: Checkpoint | None = None,
) -> VerifyResult:
    """Verify the chain visible through ``conn`` (one read transaction) against ``trusted``.

    ``anchored`` are the anchor file's checkpoints, ``marked`` the marker's.
    """
    stored = [
        (int(seq), bytes(payload), bytes(signature))
        for seq, payload, signature in conn.execute(
            "SELECT seq, payload, signature FROM audit_checkpoint ORDER BY id"
        )
    ]
    outside = [(ANCHOR, cp) for cp in anchored] + ([(MARKER, marked)] if marked else [])
    walk = walk_chain(conn, {seq for seq, _, _ in stored} | {cp.seq for _, cp in outside})
    problems = [walk.problem] if walk.problem else []
    stored_problems, authentic = _check_stored(stored, trusted)
    problems += stored_problems
    recorded = {fingerprint_of(bytes(row[0])): bytes(row[0])
                for row in conn.execute("SELECT public_key FROM audit_signing_key")}
    chain_problems, keys = _key_chain(stored, trusted, recorded)
    problems += chain_problems
    signed = [(DATABASE, cp) for cp in authentic]
    seen = {(cp.payload, cp.signature) for cp in authentic}
    foreign: dict[str, list[int]] = {}
    for source, cp in outside:
        if (cp.payload, cp.signature) in seen:
            continue  # the same signed bytes as a checkpoint already checked
        if trusted is None or not any(cp.signed_by(key) for key in keys):
            foreign.setdefault(source, []).append(cp.seq)
            continue
        seen.add((cp.payload, cp.signature))
        signed.append((source, cp))
    warnings += [f"{source}: {len(seqs)} checkpoint(s) not signed by the trusted key were "
                 f"ignored (first: seq {seqs[0]}; another key's, or forged)"
                 for source, seqs in foreign.items()]
    chain_problems, last_signed = _against_chain(signed, walk)
    problems += chain_problems
    anchored_payloads = {cp.payload for source, cp in outside if source == ANCHOR}
    missing_from_anchor = [seq for seq, payload, _ in stored if payload not in anchored_payloads]
    if missing_from_anchor:
        warnings.append(
            f"{len(missing_from_anchor)} checkpoint(s) are not in the anchor file "
            f"(first: seq {missing_from_anchor[0]}); truncation checks rely on the database alone"
        )
    return VerifyResult(
        records=walk.max_seq,
        head_seq=walk.max_seq,
        head_hash=walk.head_hash.hex(),
        checkpoints=len(stored),
        last_signed_seq=last_signed,
        key_source=trusted.source if trusted else "none (created by the first append)",
        key_fingerprint=trusted.fingerprint if trusted else "",
        problem=min(problems, key=lambda p: p.seq) if problems else None,
        warnings=tuple(warnings),
    )


def _key_chain(
    stored: list[tuple[int, bytes, bytes]], trusted: TrustedKey | None,
    recorded: dict[str, bytes],
) -> tuple[list[Problem], list[TrustedKey]]:
    """The chain of signing keys: each checkpoint must be signed by the key in force (the
    previous checkpoint's, or the one a hand-over named), so a key replaced without a
    hand-over is a ``bad signature``. Returns the problems and every key of the chain
    (public keys from hand-overs, or recorded ones matching a fingerprint the chain names)."""
    problems: list[Problem] = []
    keys = [trusted] if trusted is not None else []
    in_force: str | None = None
    for seq, payload, signature in stored:
        try:
            cp = parse_checkpoint(payload, signature)
        except ValueError:
            continue  # reported by _check_stored
        if in_force is not None and cp.key_fingerprint != in_force:
            problems.append(Problem(seq, "bad signature", f"checkpoint signed by key "
                                    f"{cp.key_fingerprint} while key {in_force} was in force, "
                                    "with no hand-over (a swapped signing key)"))
        if cp.key_fingerprint in recorded:
            keys.append(TrustedKey(recorded[cp.key_fingerprint], "recorded, named by the chain"))
        if cp.next_key:
            keys.append(TrustedKey(bytes.fromhex(cp.next_key), f"handed over at seq {seq}"))
        in_force = cp.next_fingerprint or cp.key_fingerprint
    unique = {key.fingerprint: key for key in keys}
    return problems, list(unique.values())


def _check_stored(
    stored: list[tuple[int, bytes, bytes]], trusted: TrustedKey | None
) -> tuple[list[Problem], list[Checkpoint]]:
    """Database checkpoints, newest first: authentic and naming their own seq.

    The newest is checked by signature; an older one is authentic when an authentic
    successor links to its exact bytes, else its own signature decides.
    """
    if not stored:
        return [], []
    if trusted is None:
        missing_key = Problem(stored[0][0], "bad signature", "no trusted public key to check it")
        return [missing_key], []
    problems: list[Problem] = []
    authentic: list[Checkpoint] = []
    successor: Checkpoint | None = None
    for seq, payload, signature in reversed(stored):
        cp, problem = _authentic(seq, payload, signature, trusted, successor)
        successor = cp if problem is None else None
        if problem is None and cp is not None:
            authentic.append(cp)
        elif problem is not None:
            problems.append(problem)
    return problems, authentic


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


def _against_chain(
    signed: list[tuple[str, Checkpoint]], walk: Walk
) -> tuple[list[Problem], int]:
    """Authentic checkpoints against the records: present, and the same hash.

    Returns the problems and the highest seq a checkpoint vouches for (0 if none).
    """
    problems: list[Problem] = []
    gone = [(cp.seq, source) for source, cp in signed if cp.seq > walk.max_seq]
    if gone:
        top, source = max(gone)
        first = walk.max_seq + 1
        detail = f"records {first}..{top} are gone (signed checkpoint at seq {top} in {source})"
        problems.append(Problem(first, "truncated", detail))
    reached = [cp for _, cp in signed if cp.seq <= walk.verified_to]  # else: reported above
    matching = {cp.seq for cp in reached if walk.hashes.get(cp.seq, b"").hex() == cp.head_hash}
    for cp in reached:
        if cp.seq not in matching:
            since = max((seq for seq in matching if seq < cp.seq), default=0)
            problems.append(Problem(
                cp.seq, "edited", f"chain hash at seq {cp.seq} differs from its signed "
                                  f"checkpoint (records {since + 1}..{cp.seq} were rewritten "
                                  "and their hashes recomputed)"))
    return problems, max(matching, default=0)
