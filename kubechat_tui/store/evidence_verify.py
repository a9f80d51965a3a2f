"""Offline check of an evidence package: no database, no keyring, only the directory.

API::

    check = verify_evidence(Path("evidence/"), expect_fingerprint=None)
    check.ok, check.problems, check.records, check.chain_range, check.fingerprint

Checks, in order: manifest readable and signed by the packaged key; every listed file's
sha256; the key fingerprint (and the expected one, when given); the checkpoint signature
and that it names the manifest's head; the chain skeleton links up to that head; every
exported record's canonical bytes hash to its place in the skeleton and its readable
columns agree with those bytes.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import rfc8785

from kubechat_tui.store import evidence_format as fmt_
from kubechat_tui.store.checkpoints import checkpoint_from_json
from kubechat_tui.store.signing import TrustedKey, fingerprint_of


@dataclass
class EvidenceCheck:
    """What ``verify_evidence`` found; ``ok`` when there are no problems."""

    directory: Path
    problems: list[str] = field(default_factory=list)
    records: int = 0
    chain_range: tuple[int, int] = (0, 0)
    head_hash: str = ""
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return not self.problems


class _Broken(Exception):
    """A problem that stops further checks."""


def verify_evidence(directory: Path, expect_fingerprint: str | None = None) -> EvidenceCheck:
    """Check the package in ``directory`` completely offline."""
    check = EvidenceCheck(directory)
    try:
        manifest = _load_json(directory / fmt_.MANIFEST)
        key = _check_manifest(manifest, check, expect_fingerprint)
        _check_files(directory, manifest, check)
        _check_checkpoint(manifest, key, check)
        skeleton = _check_chain(directory, check)
        _check_records(directory, manifest, skeleton, check)
    except _Broken as exc:
        check.problems.append(str(exc))
    return check


def _load_json(path: Path) -> Any:
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise _Broken(f"{path.name} is missing") from None
    except OSError as exc:
        raise _Broken(f"{path.name}: {exc.strerror}") from None
    except orjson.JSONDecodeError:
        raise _Broken(f"{path.name} is not valid JSON") from None


def _check_manifest(
    manifest: Any, check: EvidenceCheck, expect_fingerprint: str | None
) -> TrustedKey:
    if not isinstance(manifest, dict) or manifest.get("format") != fmt_.FORMAT:
        raise _Broken(f"manifest is not a {fmt_.FORMAT} manifest")
    try:
        public_key = base64.b64decode(manifest["public_key"], validate=True)
        signature = base64.b64decode(manifest["signature"], validate=True)
        span = manifest["chain_range"]
        check.chain_range = (int(span["first"]), int(span["last"]))
        check.head_hash = str(manifest["head_hash"])
        check.records = int(manifest["records"])
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise _Broken("manifest is missing required fields or they are malformed") from None
    key = TrustedKey(public_key, "evidence package")
    check.fingerprint = fingerprint_of(public_key)
    if manifest.get("public_key_fingerprint") != check.fingerprint:
        raise _Broken("manifest public-key fingerprint does not match the packaged key")
    if expect_fingerprint and expect_fingerprint != check.fingerprint:
        raise _Broken(f"signed by {check.fingerprint}, expected {expect_fingerprint}")
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    if not key.verify(rfc8785.dumps(unsigned), signature):
        raise _Broken("manifest signature does not verify (manifest edited)")
    return key


def _check_files(directory: Path, manifest: dict[str, Any], check: EvidenceCheck) -> None:
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise _Broken("manifest lists no files")
    for name, expected in files.items():
        path = directory / name
        if Path(name).name != name:
            raise _Broken(f"manifest names a file outside the package: {name}")
        if not path.is_file():
            check.problems.append(f"{name} is missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            check.problems.append(f"{name}: sha256 does not match the manifest (file changed)")
    if check.problems:
        raise _Broken("package files do not match the manifest")


def _check_checkpoint(manifest: dict[str, Any], key: TrustedKey, check: EvidenceCheck) -> None:
    try:
        checkpoint = checkpoint_from_json(manifest["checkpoint"])
    except (KeyError, ValueError):
        raise _Broken("manifest checkpoint is unreadable") from None
    if not checkpoint.signed_by(key):
        raise _Broken(f"seq {checkpoint.seq}: bad signature: checkpoint does not verify")
    if checkpoint.seq != check.chain_range[1] or checkpoint.head_hash != check.head_hash:
        raise _Broken("checkpoint does not name the manifest's head")


def _check_chain(directory: Path, check: EvidenceCheck) -> dict[int, dict[str, str]]:
    """The skeleton, checked: contiguous seqs, each hash recomputed, ending at the head."""
    try:
        lines = (directory / fmt_.CHAIN).read_bytes().splitlines()
        entries = [orjson.loads(line) for line in lines if line.strip()]
    except (OSError, orjson.JSONDecodeError):
        raise _Broken(f"{fmt_.CHAIN} is unreadable") from None
    first, last = check.chain_range
    skeleton: dict[int, dict[str, str]] = {}
    previous: str | None = None
    for expected, entry in zip(range(first, last + 1), entries, strict=False):
        try:
            if entry.get("seq") != expected:
                raise _Broken(f"seq {expected}: chain skeleton is not contiguous")
            if previous is not None and entry["prev"] != previous:
                raise _Broken(f"seq {expected}: chain link broken")
            link = bytes.fromhex(entry["prev"]) + bytes.fromhex(entry["digest"])
            if hashlib.sha256(link).hexdigest() != entry["hash"]:
                raise _Broken(f"seq {expected}: chain hash does not match")
        except (AttributeError, KeyError, TypeError, ValueError):
            raise _Broken(f"seq {expected}: chain skeleton entry is malformed") from None
        skeleton[expected] = entry
        previous = entry["hash"]
    if len(entries) != last - first + 1 or previous != check.head_hash:
        raise _Broken(f"chain skeleton does not reach the signed head at seq {last}")
    return skeleton


def _check_records(
    directory: Path,
    manifest: dict[str, Any],
    skeleton: dict[int, dict[str, str]],
    check: EvidenceCheck,
) -> None:
    fmt = manifest.get("record_format")
    if fmt not in ("csv", "json"):
        raise _Broken(f"unknown record format {fmt!r}")
    items = _read_records(directory / fmt_.records_file(fmt), fmt)
    if len(items) != check.records:
        raise _Broken(f"manifest says {check.records} records, file holds {len(items)}")
    for item, body in items:
        seq = _claimed_seq(body)
        place = skeleton.get(seq) if isinstance(seq, int) else None
        if place is None:
            raise _Broken(f"record claiming seq {seq} lies outside the chain range")
        if hashlib.sha256(body).hexdigest() != place["digest"]:
            raise _Broken(f"seq {seq}: edited: record bytes do not match the signed chain")
        expected = (
            fmt_.json_item(body, place["prev"], place["hash"])
            if fmt == "json"
            else fmt_.csv_row(body, place["prev"], place["hash"])
        )
        if item != expected:
            raise _Broken(f"seq {seq}: edited: readable columns disagree with the record bytes")


def _claimed_seq(body: bytes) -> object:
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise _Broken("a record's body is not valid JSON (edited)") from None
    return doc.get("seq") if isinstance(doc, dict) else None


def _read_records(path: Path, fmt: str) -> list[tuple[dict[str, Any], bytes]]:
    try:
        text = path.read_text(encoding="utf-8")
        if fmt == "json":
            return [(item, item["body"].encode()) for item in orjson.loads(text)]
        rows = list(csv.DictReader(io.StringIO(text)))
        return [(row, row["body"].encode()) for row in rows]
    except (OSError, UnicodeDecodeError, orjson.JSONDecodeError, KeyError, TypeError):
        raise _Broken(f"{path.name} is unreadable") from None
