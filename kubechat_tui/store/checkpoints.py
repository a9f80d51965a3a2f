"""Signed checkpoints of the audit chain head, and the anchor file that mirrors them.

A checkpoint signs the RFC 8785 payload ``{kind, seq, head, ts, key, reason, prev}`` with
the audit Ed25519 key (a hand-over, signed by the outgoing key when the key is rotated,
adds ``next_key``: the public key that signs from then on); ``prev`` is ``link_of`` the
previous stored checkpoint, so the checkpoints form their own hash chain and a verifier
needs one signature check for the newest checkpoint plus a hash per older one (a broken
link falls back to its signature).
Each one is stored in the ``audit_checkpoint`` table and appended, one JSON line each, to
an anchor file outside the database, so a database whose tail was cut off still
disagrees with the anchor. Lines torn by a crash are skipped with a warning.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
import rfc8785

from kubechat_tui.store.audit_model import ts_text
from kubechat_tui.store.errors import StoreError
from kubechat_tui.store.signing import Signer, TrustedKey, fingerprint_of

KIND = "kubechat-audit-checkpoint"
TAIL_BYTES = 64 * 1024  # a few hundred checkpoint lines


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement: "the chain's record ``seq`` has hash ``head_hash``"."""

    seq: int
    head_hash: str
    ts: str
    key_fingerprint: str
    reason: str
    prev: str
    payload: bytes
    signature: bytes
    next_key: str = ""  # a hand-over (key rotation): hex of the public key taking over

    @property
    def next_fingerprint(self) -> str:
        """The fingerprint of the key this checkpoint hands over to ("" when none)."""
        return fingerprint_of(bytes.fromhex(self.next_key)) if self.next_key else ""

    def signed_by(self, key: TrustedKey) -> bool:
        """True when ``key`` made this signature over these exact payload bytes."""
        return self.key_fingerprint == key.fingerprint and key.verify(self.payload, self.signature)

    def to_json(self) -> dict[str, str]:
        """Portable form (payload text + base64 signature), as written to the anchor file."""
        return {
            "payload": self.payload.decode(),
            "signature": base64.b64encode(self.signature).decode(),
        }


def link_of(payload: bytes, signature: bytes) -> str:
    """The hash a later checkpoint uses to name this one: sha256(payload || signature)."""
    return hashlib.sha256(payload + signature).hexdigest()


def sign_checkpoint(
    seq: int, head_hash: bytes, reason: str, signer: Signer, prev: str,
    next_key: bytes | None = None,
) -> Checkpoint:
    """A new checkpoint over ``(seq, head_hash)`` signed now; ``prev`` links the last one;
    ``next_key`` (a hand-over) names the public key that signs from now on."""
    doc: dict[str, str | int] = {
        "kind": KIND,
        "seq": seq,
        "head": head_hash.hex(),
        "ts": ts_text(datetime.now(UTC)),
        "key": signer.fingerprint,
        "reason": reason,
        "prev": prev,
    }
    if next_key is not None:
        doc["next_key"] = next_key.hex()
    payload = rfc8785.dumps(doc)
    return parse_checkpoint(payload, signer.sign(payload))


def parse_checkpoint(payload: bytes, signature: bytes) -> Checkpoint:
    """A Checkpoint from stored bytes; ValueError when the payload is not one."""
    try:
        doc = orjson.loads(payload)
        if doc.get("kind") != KIND:
            raise ValueError("not a checkpoint payload")
        return Checkpoint(
            seq=int(doc["seq"]),
            head_hash=str(doc["head"]),
            ts=str(doc["ts"]),
            key_fingerprint=str(doc["key"]),
            reason=str(doc["reason"]),
            prev=str(doc["prev"]),
            payload=bytes(payload),
            signature=bytes(signature),
            next_key=str(doc.get("next_key", "")),
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"unreadable checkpoint payload: {exc}") from exc


def checkpoint_from_json(doc: dict[str, str]) -> Checkpoint:
    """Inverse of ``Checkpoint.to_json``; ValueError when malformed."""
    try:
        return parse_checkpoint(doc["payload"].encode(), base64.b64decode(doc["signature"]))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ValueError(f"unreadable checkpoint: {exc}") from exc


class AnchorFile:
    """An append-only JSON-lines mirror of the checkpoints, kept outside the database."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, checkpoint: Checkpoint) -> None:
        """Append one line and fsync it (a torn previous line is closed off first)."""
        line = orjson.dumps(checkpoint.to_json()) + b"\n"
        with self._errors("write"), open(self.path, "ab") as handle:
            if handle.tell() > 0 and not self._ends_with_newline():
                line = b"\n" + line
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def read(self) -> tuple[list[Checkpoint], list[str]]:
        """Every readable checkpoint line, and a warning per unreadable one."""
        if not self.path.exists():
            return [], []
        checkpoints: list[Checkpoint] = []
        warnings: list[str] = []
        with self._errors("read"):
            content = self.path.read_bytes()
        for number, raw in enumerate(content.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                checkpoints.append(checkpoint_from_json(orjson.loads(raw)))
            except (ValueError, TypeError):
                warnings.append(f"anchor {self.path} line {number} is unreadable (skipped)")
        return checkpoints, warnings

    def tail(self, count: int) -> list[Checkpoint]:
        """The last ``count`` readable checkpoints (within the last ``TAIL_BYTES``), oldest
        first; cheap whatever the file's size."""
        try:
            with self._errors("read", missing_ok=True), open(self.path, "rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(0, size - TAIL_BYTES))
                raw = handle.read()
        except FileNotFoundError:
            return []
        lines = raw.splitlines()
        if size > TAIL_BYTES:
            lines = lines[1:]  # the first line is cut off
        found: list[Checkpoint] = []
        for line in reversed(lines):
            with suppress(ValueError, TypeError):
                found.append(checkpoint_from_json(orjson.loads(line)))
            if len(found) == count:
                break
        return found[::-1]

    @contextmanager
    def _errors(self, doing: str, missing_ok: bool = False) -> Iterator[None]:
        """An unusable anchor path (a directory, no permission) is a one-line StoreError."""
        try:
            yield
        except FileNotFoundError:
            if missing_ok:
                raise
            raise StoreError(f"{self.path}: cannot {doing} the audit anchor file (its "
                             "directory does not exist)") from None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot {doing} the audit anchor file "
                             f"({exc.strerror or exc})") from None

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"
