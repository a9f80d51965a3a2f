"""The diagnostic walk: when the fast check fails, name the first bad record and why.

``walk_chain`` runs ``audit_links.chain_head`` (the fast, possibly multi-core check that
answers only "sound or not") and, only when it fails, repeats the walk the slow way to
name the first bad record and why (``edited``, ``missing``, ``reordered``).
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import suppress
from dataclasses import dataclass, field

import orjson

from kubechat_tui.store.audit_links import GENESIS, chain_head


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with the chain."""

    seq: int
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"seq {self.seq}: {self.kind}: {self.detail}"


@dataclass
class Walk:
    """What a walk established: records ``1..verified_to`` are sound."""

    verified_to: int = 0
    max_seq: int = 0  # the highest seq stored, sound or not
    head_hash: bytes = b""  # the hash stored at max_seq
    hashes: dict[int, bytes] = field(default_factory=dict)  # chain hash at requested seqs
    problem: Problem | None = None


def walk_chain(conn: sqlite3.Connection, wanted: set[int]) -> Walk:
    """Check every record; ``hashes`` holds the chain hash at each ``wanted`` seq reached."""
    head = chain_head(conn)
    if head is None:
        return _diagnostic_walk(conn, wanted)
    walk = Walk(verified_to=head, max_seq=head)
    marks = sorted(seq for seq in wanted if 0 < seq <= head)
    for start in range(0, len(marks), 500):
        chunk = marks[start:start + 500]
        rows = conn.execute(
            f"SELECT seq, hash FROM audit WHERE seq IN ({', '.join('?' * len(chunk))})", chunk
        )
        walk.hashes.update((int(seq), bytes(digest)) for seq, digest in rows)
    if head:
        row = conn.execute("SELECT hash FROM audit WHERE seq = ?", (head,)).fetchone()
        walk.hashes[head] = walk.head_hash = bytes(row[0])
    return walk


def _diagnostic_walk(conn: sqlite3.Connection, wanted: set[int]) -> Walk:
    """Recompute every hash in seq order; stop at the first broken record and name it."""
    sha256 = hashlib.sha256
    walk = Walk()
    expected, prev = 1, GENESIS
    marks = iter(sorted(wanted))
    mark = next(marks, 0)
    try:
        for seq, link, body, digest in conn.execute(
            "SELECT seq, prev, body, hash FROM audit ORDER BY seq"
        ):
            try:
                if (
                    seq != expected
                    or link != prev
                    or sha256(link + sha256(body).digest()).digest() != digest
                ):
                    if seq < expected:
                        walk.problem = Problem(expected, "edited", f"a record was inserted "
                                               f"before seq {expected} (stored at seq {seq})")
                    elif seq != expected:
                        walk.problem = Problem(expected, "missing",
                                               _missing_detail(expected, seq))
                    else:
                        walk.problem = _diagnose(conn, seq, link, body, digest)
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
    walk.head_hash = prev if walk.verified_to else b""
    walk.max_seq = walk.verified_to
    if walk.problem is not None:
        with suppress(sqlite3.DatabaseError, TypeError):
            row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            if row is not None and int(row[0]) > walk.verified_to:
                walk.max_seq, walk.head_hash = int(row[0]), bytes(row[1])
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
