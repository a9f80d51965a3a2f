"""Errors raised by the store layer; each message is one line fit for the user."""

from __future__ import annotations


class StoreError(Exception):
    """The database or a file beside it cannot be used (unreadable, corrupt, too new, locked)."""


class SigningKeyError(StoreError):
    """The audit signing key cannot be loaded, created or trusted."""


class EvidenceError(StoreError):
    """An evidence export cannot be written."""
