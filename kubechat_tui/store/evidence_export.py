"""Write an evidence package (see ``evidence_format``) for a slice of the audit chain.

API::

    manifest = export_evidence(log, out_dir, AuditFilter(since=..., until=..., actions=(...)),
                               fmt="csv")   # verifies the chain, then signs an "export" checkpoint

Order of work, so a refusal leaves nothing behind: check the target directory (new, or
an empty directory; nothing is created yet), verify the whole chain (``ChainBrokenError``
naming the first bad seq: no checkpoint, no files), check that some record matches (an
empty package would prove nothing, so none is written: ``NothingMatchedError``), sign the
export checkpoint, build every file in memory, and only then create the directory
and write the files (exclusive create). A failed write removes what it wrote, including
directories it created. Export runs the full verify rather than the incremental
pre-signing check because its package vouches for records anywhere in the chain.
"""

from __future__ import annotations

import base64
import csv
import errno
import hashlib
import io
import os
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import rfc8785

from kubechat_tui.store import evidence_format as fmt_
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditFilter, ts_text
from kubechat_tui.store.audit_walk import Problem
from kubechat_tui.store.errors import ChainBrokenError, EvidenceError, SigningKeyError
from kubechat_tui.store.transcripts import evidence_files, transcript_dir

NOTHING_EXPORTED = "nothing exported"


class NothingMatchedError(EvidenceError):
    """No record matches the export filters; no package is written."""


def export_evidence(
    log: AuditLog, out_dir: Path, filters: AuditFilter, fmt: str = "json"
) -> dict[str, Any]:
    """Export matching records with proof material into ``out_dir``; returns the manifest."""
    if fmt not in ("csv", "json"):
        raise EvidenceError(f"unknown export format {fmt!r}: use csv or json")
    if log.signer is None:
        raise SigningKeyError("no audit signing key: cannot sign the export checkpoint")
    _check_target(out_dir)
    result = log.verify()
    if result.problem is not None:
        raise ChainBrokenError(result.problem, NOTHING_EXPORTED)
    if result.head_seq == 0:
        raise EvidenceError("nothing to export: the audit log is empty")
    if not log.latest(filters, 1):
        raise NothingMatchedError(f"no records match the filters; {NOTHING_EXPORTED}")
    try:
        checkpoint = log.checkpoint("export")
    except ChainBrokenError as exc:  # damaged between the verify and the signature
        raise ChainBrokenError(exc.problem, NOTHING_EXPORTED) from None
    if checkpoint is None:
        raise EvidenceError("nothing to export: the audit log is empty")
    selected = [r for r in log.records(filters) if r.seq <= checkpoint.seq]
    first = selected[0].seq if selected else checkpoint.seq
    transcripts, transcript_problems = evidence_files(selected, transcript_dir(log.db.path))
    files: dict[str, bytes] = {
        **transcripts,
        fmt_.records_file(fmt): _records_bytes(selected, fmt),
        fmt_.CHAIN: _chain_bytes(log, first, checkpoint.seq),
        fmt_.CHECKPOINT: orjson.dumps(
            {**checkpoint.to_json(), "public_key": _b64(log.signer.trusted.public_key)},
            option=orjson.OPT_INDENT_2,
        ),
    }
    manifest: dict[str, Any] = {
        "format": fmt_.FORMAT,
        "created_at": ts_text(datetime.now(UTC)),
        "filters": _filters_json(filters),
        "record_format": fmt,
        "records": len(selected),
        "chain_range": {"first": first, "last": checkpoint.seq},
        "head_hash": checkpoint.head_hash,
        "checkpoint": checkpoint.to_json(),
        "public_key": _b64(log.signer.trusted.public_key),
        "public_key_fingerprint": log.signer.fingerprint,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
        "transcript_problems": transcript_problems,
    }
    manifest["signature"] = _b64(log.signer.sign(rfc8785.dumps(manifest)))
    files[fmt_.MANIFEST] = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
    _write_all(out_dir, files)
    return manifest


def _check_target(out_dir: Path) -> None:
    """Refuse, in words, a target that is a file, not empty, or not creatable; create nothing."""
    if out_dir.is_dir():
        if any(out_dir.iterdir()):
            raise EvidenceError(f"{out_dir}: export directory is not empty (nothing overwritten)")
        if not os.access(out_dir, os.W_OK | os.X_OK):
            raise EvidenceError(f"{out_dir}: cannot write export (permission denied)")
        return
    if out_dir.exists() or out_dir.is_symlink():
        raise EvidenceError(f"{out_dir}: exists and is not a directory; "
                            "export into a new or empty directory")
    parent = out_dir.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise EvidenceError(f"{out_dir}: cannot write export: {parent} is a file, not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise EvidenceError(f"{out_dir}: cannot write export: no permission to create "
                            f"directories in {parent}")


def _write_all(out_dir: Path, files: dict[str, bytes]) -> None:
    """Create the directory and write every file; on failure remove all of it again."""
    created = [p for p in (out_dir, *out_dir.parents) if not p.exists()]
    written: list[Path] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            path = out_dir / name
            with open(path, "xb") as handle:  # never overwrite what appeared meanwhile
                written.append(path)
                handle.write(data)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        for directory in created:  # deepest first
            try:
                directory.rmdir()
            except OSError:
                break
        raise EvidenceError(f"{out_dir}: cannot write export ({_reason(exc)})") from exc


def _reason(exc: OSError) -> str:
    """An OSError in words."""
    words = {
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOTDIR: "a part of the path is a file, not a directory",
        errno.EEXIST: "a file of that name appeared meanwhile",
        errno.EROFS: "the file system is read-only",
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "disk quota exceeded",
    }
    return words.get(exc.errno or 0, (exc.strerror or str(exc)).lower())


def _records_bytes(records: list[Any], fmt: str) -> bytes:
    if fmt == "json":
        items = [fmt_.json_item(r.body, r.prev_hash, r.hash) for r in records]
        return orjson.dumps(items, option=orjson.OPT_INDENT_2)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fmt_.CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in records:
        writer.writerow(fmt_.csv_row(r.body, r.prev_hash, r.hash))
    return buffer.getvalue().encode()


def _chain_bytes(log: AuditLog, first: int, last: int) -> bytes:
    """The skeleton of ``first..last``, re-checked as it is read (it was verified just before)."""
    lines = []
    expected, previous = first, None
    with log.db.snapshot() as conn:
        rows = conn.execute(
            "SELECT seq, prev, body, hash FROM audit WHERE seq BETWEEN ? AND ? ORDER BY seq",
            (first, last),
        )
        for seq, prev, body, digest in rows:
            inner = hashlib.sha256(body).digest()
            if (seq != expected or (previous is not None and prev != previous)
                    or hashlib.sha256(prev + inner).digest() != digest):
                problem = Problem(expected, "edited", "changed while the export was being written")
                raise ChainBrokenError(problem, NOTHING_EXPORTED)
            lines.append(orjson.dumps(
                {"seq": seq, "prev": prev.hex(), "digest": inner.hex(), "hash": digest.hex()}
            ))
            expected, previous = expected + 1, digest
    if expected != last + 1:
        problem = Problem(expected, "missing", "vanished while the export was being written")
        raise ChainBrokenError(problem, NOTHING_EXPORTED)
    return b"\n".join(lines) + b"\n"


def _filters_json(filters: AuditFilter) -> dict[str, Any]:
    doc = asdict(filters)
    for key in ("since", "until"):
        doc[key] = ts_text(doc[key]) if doc[key] else None
    return {key: list(value) if isinstance(value, tuple) else value for key, value in doc.items()}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
