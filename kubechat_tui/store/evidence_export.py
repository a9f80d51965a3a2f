"""Write an evidence package (see ``evidence_format``) for a slice of the audit chain.

API::

    manifest = export_evidence(log, out_dir, AuditFilter(since=..., until=..., actions=(...)),
                               fmt="csv")   # signs an "export" checkpoint first

The directory must be new or empty; on failure every file written so far is removed and
nothing in the database changes except the new checkpoint.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import rfc8785

from kubechat_tui.store import evidence_format as fmt_
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditFilter, ts_text
from kubechat_tui.store.errors import EvidenceError, SigningKeyError


def export_evidence(
    log: AuditLog, out_dir: Path, filters: AuditFilter, fmt: str = "json"
) -> dict[str, Any]:
    """Export matching records with proof material into ``out_dir``; returns the manifest."""
    if fmt not in ("csv", "json"):
        raise EvidenceError(f"unknown export format {fmt!r}: use csv or json")
    if log.signer is None:
        raise SigningKeyError("no audit signing key: cannot sign the export checkpoint")
    if log.head()[0] == 0:
        raise EvidenceError("nothing to export: the audit log is empty")
    _prepare(out_dir)
    checkpoint = log.checkpoint("export")
    if checkpoint is None:
        raise EvidenceError("nothing to export: the audit log is empty")
    selected = [r for r in log.records(filters) if r.seq <= checkpoint.seq]
    first = selected[0].seq if selected else checkpoint.seq
    files: dict[str, bytes] = {
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
    }
    manifest["signature"] = _b64(log.signer.sign(rfc8785.dumps(manifest)))
    files[fmt_.MANIFEST] = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
    _write_all(out_dir, files)
    return manifest


def _prepare(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        if any(out_dir.iterdir()):
            raise EvidenceError(f"{out_dir}: export directory is not empty (nothing overwritten)")
        probe = out_dir / ".kubechat-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise EvidenceError(f"{out_dir}: cannot write export ({exc.strerror})") from exc


def _write_all(out_dir: Path, files: dict[str, bytes]) -> None:
    written: list[Path] = []
    try:
        for name, data in files.items():
            path = out_dir / name
            path.write_bytes(data)
            written.append(path)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise EvidenceError(f"{out_dir}: cannot write export ({exc.strerror})") from exc


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
    lines = []
    with log.db.snapshot() as conn:
        rows = conn.execute(
            "SELECT seq, prev, body, hash FROM audit WHERE seq BETWEEN ? AND ? ORDER BY seq",
            (first, last),
        )
        for seq, prev, body, digest in rows:
            lines.append(
                orjson.dumps(
                    {
                        "seq": seq,
                        "prev": bytes(prev).hex(),
                        "digest": hashlib.sha256(body).hexdigest(),
                        "hash": bytes(digest).hex(),
                    }
                )
            )
    return b"\n".join(lines) + b"\n"


def _filters_json(filters: AuditFilter) -> dict[str, Any]:
    doc = asdict(filters)
    for key in ("since", "until"):
        doc[key] = ts_text(doc[key]) if doc[key] else None
    return {key: list(value) if isinstance(value, tuple) else value for key, value in doc.items()}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
