"""The newest signed checkpoint of each database, kept beside the signing key.

Why it exists: the anchor file lives beside the database by default, so ``rm kubechat.db*``
removes the database, its WAL and its anchor together, and nothing left behind would say
that an audit log ever existed; ``kubechat audit verify`` used to answer "OK" over a fresh
empty file. The marker closes that gap without a server:

- ``<data dir>/audit-checkpoints.json`` (mode 0600) lives where the file signing key lives
  (for a keyring key, where the file would be) and survives ``rm kubechat.db*``.
- It maps each database's absolute path to the last checkpoint signed for it: the same
  signed ``{payload, signature}`` the anchor file holds, so it cannot be forged without
  the key. Each checkpoint replaces the entry only with a higher seq (under a lock, so
  concurrent writers never move it back) and the file is swapped in atomically. It is
  not fsynced (the anchor line is): after a power cut it may name an older checkpoint,
  which still proves the log existed.
- ``verify`` treats it like one more anchor line: a database that is missing, emptied or
  cut short below the marked seq is reported as ``truncated`` ("records 1..84 are gone").

Limits, on purpose: someone who can delete the whole data dir can delete the marker and
the file key with it; that is also how a user deliberately starts over. Deleting or
rewriting the history undetectably then still needs the anchor file, which is why its
location is configurable (``audit.anchor_path``: an append-only file, ``chattr +a``, or a
mount owned by another account or host). The keyring is not written per checkpoint:
a write every ``checkpoint_every`` records would prompt or stall on some backends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import orjson

from kubechat_tui.store.checkpoints import Checkpoint, checkpoint_from_json
from kubechat_tui.store.signing import Signer

FILE_NAME = "audit-checkpoints.json"
_LOCK_NAME = "audit-checkpoints.lock"
FORMAT = "kubechat-audit-marker/1"


class CheckpointMarker:
    """Read and advance the marker file in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / FILE_NAME

    @classmethod
    def for_signer(cls, signer: Signer | None) -> CheckpointMarker | None:
        """The marker beside a key loaded from a data dir; None for in-memory keys."""
        return cls(signer.home) if signer is not None and signer.home is not None else None

    def last(self, db_path: Path) -> Checkpoint | None:
        """The newest checkpoint recorded for ``db_path``; None when absent or unreadable."""
        return _parse(self._read().get(_key(db_path)))

    def record(self, db_path: Path, checkpoint: Checkpoint) -> None:
        """Remember ``checkpoint`` for ``db_path`` unless a newer one is already recorded."""
        key = _key(db_path)
        with _locked(self.directory / _LOCK_NAME):
            databases = self._read()
            known = _parse(databases.get(key))
            if known is not None and known.seq > checkpoint.seq:
                return
            databases[key] = checkpoint.to_json()
            self._write({"format": FORMAT, "databases": databases})

    def _read(self) -> dict[str, Any]:
        try:
            doc = orjson.loads(self.path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}
        databases = doc.get("databases") if isinstance(doc, dict) else None
        return databases if isinstance(databases, dict) else {}

    def _write(self, doc: dict[str, Any]) -> None:
        staging = self.path.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
        try:
            fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:  # no fsync: the anchor line is the durable copy,
                handle.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2))  # this one may lag
            os.replace(staging, self.path)
        finally:
            with suppress(FileNotFoundError):
                staging.unlink()


def _parse(entry: object) -> Checkpoint | None:
    if not isinstance(entry, dict):
        return None
    try:
        return checkpoint_from_json(entry)
    except ValueError:
        return None


def _key(db_path: Path) -> str:
    return str(db_path.expanduser().resolve())


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock between processes (no-op where flock is unavailable)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
