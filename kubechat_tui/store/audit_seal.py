"""Refuse to sign a broken chain: the cheap check that runs before every checkpoint.

A checkpoint says, with the audit key, "the chain up to seq N has hash H"; signing one over
an edited or cut chain would launder the damage (a rewritten chain would then verify
against its own fresh checkpoint). So before ``AuditLog.checkpoint`` signs, inside the
same write transaction that reads the head:

1. Witnesses: the newest checkpoint stored in the database (its signature must verify, or
   nothing is signed), the newest checkpoint in the anchor file's tail signed by the
   trusted key, and the checkpoint marker's (when signed by it). Older checkpoints add
   nothing here: each was checked the same way before the next one was signed.
2. Every witness must still describe the chain: its seq is present (else ``truncated``) and
   the stored hash there equals the signed one (else ``edited``: the records up to it were
   rewritten and their hashes recomputed).
3. From the newest witness, ``link_up`` recomputes every later record: the unsigned tail,
   about ``checkpoint_every`` records, so a periodic checkpoint costs well under a
   millisecond more (see ``bench/bench_audit.py``).

Each witness was itself signed only after this check, so by induction the chain up to it
was sound when signed; damage done below the newest checkpoint after it was signed leaves
the signed statement true and is found by a full ``verify`` (which evidence exports run
first). Signature checks are remembered per process, so each witness is checked once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from kubechat_tui.store.audit_links import GENESIS, link_up
from kubechat_tui.store.audit_walk import Problem
from kubechat_tui.store.checkpoints import Checkpoint, link_of, parse_checkpoint
from kubechat_tui.store.signing import TrustedKey

StoredRow = tuple[int, bytes, bytes]  # (seq, payload, signature) of an audit_checkpoint row


class SealCheck:
    """The pre-signing check for one trusted key, with a cache of verified signatures."""

    def __init__(self, trusted: TrustedKey, predecessor: TrustedKey | None = None) -> None:
        self.trusted = trusted
        self.predecessor = predecessor  # during a key rotation: the key handing over
        self._known: dict[str, bool] = {}

    def authentic(self, checkpoint: Checkpoint) -> bool:
        """True when the trusted key signed this checkpoint, or (during a rotation) the
        predecessor signed it handing over to the trusted key (cached per process)."""
        link = link_of(checkpoint.payload, checkpoint.signature)
        if link not in self._known:
            if len(self._known) > 4096:
                self._known.clear()
            handed = (self.predecessor is not None
                      and checkpoint.next_key == self.trusted.public_key.hex()
                      and checkpoint.signed_by(self.predecessor))
            self._known[link] = handed or checkpoint.signed_by(self.trusted)
        return self._known[link]

    def problem(
        self,
        conn: sqlite3.Connection,
        head: int,
        stored: StoredRow | None,
        anchored: Sequence[Checkpoint],
        marked: Checkpoint | None = None,
    ) -> Problem | None:
        """What forbids signing the head ``head`` now; None when the chain checks out.

        ``anchored``: the anchor file's last lines, oldest first (the newest one signed by
        the trusted key is the witness); ``marked``: the marker's checkpoint.
        """
        newest_anchored = next((cp for cp in reversed(anchored) if self.authentic(cp)), None)
        witnesses = [cp for cp in (newest_anchored, marked)
                     if cp is not None and self.authentic(cp)]
        if stored is not None:
            newest = self._stored(stored)
            if isinstance(newest, Problem):
                return newest
            witnesses.append(newest)
        for witness in sorted(witnesses, key=lambda cp: cp.seq):
            problem = _disagreement(conn, head, witness)
            if problem is not None:
                return problem
        base = max(witnesses, key=lambda cp: cp.seq, default=None)
        after, prev = (base.seq, bytes.fromhex(base.head_hash)) if base else (0, GENESIS)
        if link_up(conn, after, prev) != head:
            return Problem(after + 1, "edited",
                           f"the records after the signed checkpoint at seq {after} do not link up")
        return None

    def _stored(self, row: StoredRow) -> Checkpoint | Problem:
        seq, payload, signature = row
        try:
            checkpoint = parse_checkpoint(payload, signature)
        except ValueError:
            return Problem(seq, "bad signature", "checkpoint payload is unreadable")
        if checkpoint.seq != seq or not self.authentic(checkpoint):
            return Problem(seq, "bad signature", "the newest stored checkpoint does not verify")
        return checkpoint


def _disagreement(conn: sqlite3.Connection, head: int, witness: Checkpoint) -> Problem | None:
    if witness.seq > head:
        return Problem(head + 1, "truncated", f"records {head + 1}..{witness.seq} are gone "
                                              f"(signed checkpoint at seq {witness.seq})")
    row = conn.execute("SELECT hash FROM audit WHERE seq = ?", (witness.seq,)).fetchone()
    if row is None:
        return Problem(witness.seq, "missing", f"record {witness.seq} was deleted")
    if not isinstance(row[0], bytes) or row[0].hex() != witness.head_hash:
        return Problem(witness.seq, "edited", f"chain hash at seq {witness.seq} differs from "
                                              "its signed checkpoint")
    return None
