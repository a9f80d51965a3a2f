"""What a reader says when the audit database is gone: never "intact", never a new file.

``kubechat audit verify|log|export`` open the database with ``create=False``. When it is
missing (or an empty file), ``missing_database`` looks for signed evidence that a log
existed at that path: the anchor file (wherever ``audit.anchor_path`` puts it) and the
checkpoint marker beside the signing key (see ``checkpoint_marker``). The newest
checkpoint signed by the key of this data dir turns the error into ``LostDatabaseError``,
which carries a failed ``VerifyResult`` ("records 1..84 are gone"). Evidence that cannot
be checked (no key left) still counts, marked as unverified. Without any evidence the
database simply was never created here, which is a plain ``MissingDatabaseError``.
"""

from __future__ import annotations

from pathlib import Path

from kubechat_tui.store.audit_verify import ANCHOR, MARKER, Problem, VerifyResult
from kubechat_tui.store.checkpoint_marker import CheckpointMarker
from kubechat_tui.store.checkpoints import AnchorFile, Checkpoint
from kubechat_tui.store.errors import MissingDatabaseError, StoreError
from kubechat_tui.store.signing import Signer


class LostDatabaseError(StoreError):
    """The database is gone although signed checkpoints say it held records."""

    def __init__(self, result: VerifyResult) -> None:
        super().__init__(f"the audit log is lost: {result.problem}")
        self.result = result


def missing_database(
    missing: MissingDatabaseError, db_path: Path, anchor_path: Path, marker: CheckpointMarker,
    signer: Signer | None,
) -> StoreError:
    """The error to raise instead of ``missing`` (database at ``db_path`` missing or empty)."""
    reason = missing.reason
    anchored, _ = AnchorFile(anchor_path).read()
    marked = marker.last(db_path)
    found = [(ANCHOR, cp) for cp in anchored] + ([(MARKER, marked)] if marked else [])
    found.sort(key=lambda item: item[1].seq, reverse=True)
    trusted = signer.trusted if signer is not None else None
    if trusted is not None:  # the newest checkpoint this key signed (one check, usually)
        evidence = next((item for item in found if item[1].signed_by(trusted)), None)
    else:
        evidence = found[0] if found else None
    if evidence is None:
        return MissingDatabaseError(db_path, f"{reason} (no signed checkpoint says one existed "
                                             "here; the console creates it on first use)")
    source, top = evidence
    note = "" if trusted is not None else ", not verified: no signing key found"
    problem = Problem(1, "truncated", _detail(db_path, reason, source, top, note))
    result = VerifyResult(
        records=0, head_seq=0, head_hash="", checkpoints=0, last_signed_seq=0,
        key_source=trusted.source if trusted else "none found",
        key_fingerprint=trusted.fingerprint if trusted else "",
        problem=problem,
    )
    return LostDatabaseError(result)


def _detail(db_path: Path, reason: str, source: str, top: Checkpoint, note: str) -> str:
    return (f"records 1..{top.seq} are gone: {db_path}: {reason} (signed checkpoint at "
            f"seq {top.seq} of {top.ts} in {source}{note})")
