"""The one way to open kubechat's store: the database and its audit log, as configured.

API (for the engine wiring and every CLI command that reads or writes the store)::

    store = open_store(settings, data_dir)                # a writer: creates the database and key
    store = open_store(settings, data_dir, writer=False)  # a reader: loads the key if there is one
    store = open_store(settings, data_dir, writer=False, create=False)  # never creates the file
    store.db, store.audit                                 # Database, AuditLog
    store.db.redaction                                    # keyed markers + kept values vault
    store.close()                                         # a writer signs the head, then closes

Every caller opens the store here, so ``storage.path``, ``audit.checkpoint_every`` and
``audit.anchor_path`` mean the same thing to the console, ``apply``, ``approvals``,
``rollback`` and ``audit``. The database is SQLite (the config model refuses the postgres
backend until it exists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain.redaction import DEFAULT, Redactor
from kubechat_tui.store.audit import AuditLog, default_anchor_path, key_in_force
from kubechat_tui.store.checkpoint_marker import CheckpointMarker
from kubechat_tui.store.database import Database, open_database
from kubechat_tui.store.kept_values import KeptValues
from kubechat_tui.store.record_redaction import RecordRedaction
from kubechat_tui.store.signing import Signer, load_signer

DB_FILE = "kubechat.db"
REDACTION_PURPOSE = "redaction-hash"  # the key of the markers' hashes
KEPT_VALUES_PURPOSE = "kept-values"  # the key encrypting kept values


@dataclass
class Store:
    """An open database and its audit log."""

    db: Database
    audit: AuditLog
    writer: bool

    def close(self) -> None:
        """A writer checkpoints the audit head (raises ChainBrokenError over a broken
        chain); the database is closed either way."""
        try:
            if self.writer:
                self.audit.close()
        finally:
            self.db.close()


def database_path(settings: Settings, data_dir: Path) -> Path:
    """The SQLite file: ``storage.path`` from config, else ``<data dir>/kubechat.db``."""
    return settings.storage.path or data_dir / DB_FILE


def anchor_path(settings: Settings, data_dir: Path) -> Path:
    """The anchor file: ``audit.anchor_path`` from config, else beside the database."""
    return settings.audit.anchor_path or default_anchor_path(database_path(settings, data_dir))


def store_redaction(db: Database, signer: Signer, settings: Settings, *,
                    purge: bool = True) -> RecordRedaction:
    """The store's redaction: the built-in rules and `ai.redact_patterns` (a bad pattern,
    which the model client refuses to run with, leaves the built-in rules), markers
    hashed and old values kept under keys derived from the audit signing key (never in
    the database); a writer deletes expired values first."""
    vault = KeptValues(db, signer.derived_key(KEPT_VALUES_PURPOSE),
                       settings.audit.kept_value_retention_days)
    if purge:
        vault.purge()
    try:
        redactor = Redactor(settings.ai.redact_patterns)
    except re.error:
        redactor = DEFAULT
    return RecordRedaction(signer.derived_key(REDACTION_PURPOSE), vault, redactor)


def open_store(settings: Settings, data_dir: Path, *, writer: bool = True,
               create: bool = True) -> Store:
    """Open the database and its audit log. A writer creates the signing key when missing;
    a reader loads it only when it exists (verifying needs no key). ``create=False``
    raises MissingDatabaseError instead of creating a missing database."""
    db = open_database(database_path(settings, data_dir), create=create)
    try:
        signer = load_signer(data_dir, create=writer)
        if signer is not None:
            db.redaction = store_redaction(db, signer, settings, purge=writer)
        audit = AuditLog(db, signer,
                         checkpoint_every=settings.audit.checkpoint_every,
                         anchor_path=anchor_path(settings, data_dir),
                         marker=CheckpointMarker(data_dir))
    except BaseException:
        db.close()
        raise
    return Store(db, audit, writer)


def signing_key_in_force(settings: Settings, data_dir: Path) -> str | None:
    """The fingerprint of the audit key the database expects next (a rotation's hand-over
    names the new one), read without loading any key; None without checkpoints."""
    db = open_database(database_path(settings, data_dir), create=False)
    try:
        return key_in_force(db)
    finally:
        db.close()
