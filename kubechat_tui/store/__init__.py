"""The store layer: the only code that touches the database.

- ``database``: ``open_database(path) -> Database`` (SQLite via sqlite-utils, WAL,
  ``BEGIN IMMEDIATE`` writers, schema versioned by ``migrations/mNNNN_*.py``)
- ``audit``: ``AuditLog(db, signer)`` with ``append``, ``records``, ``latest``, ``verify``,
  ``checkpoint``, ``close``; record types in ``audit_model``; the hash walk in
  ``audit_walk``; checkpoint checks in ``audit_verify``; the check before every signature
  in ``audit_seal``; what readers say about a missing database in ``audit_missing``
- ``signing``: the Ed25519 checkpoint key (keyring, or a 0600 file on headless hosts)
- ``checkpoints``: signed checkpoints and the anchor file (beside the database unless
  ``audit.anchor_path`` moves it); ``checkpoint_marker``: the last checkpoint of each
  database, kept beside the key
- ``evidence_export`` / ``evidence_verify``: evidence packages and their offline check
- ``approvals``, ``timeline``, ``incidents``: further tables on the same database (while
  an incident is active, audit records and timeline entries attach to it)
"""
