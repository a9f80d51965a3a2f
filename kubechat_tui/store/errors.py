"""Errors raised by the store layer; each message is one line fit for the user."""

from __future__ import annotations

from kubechat_tui.store.audit_walk import Problem


class StoreError(Exception):
    """The database or a file beside it cannot be used (unreadable, corrupt, too new, locked)."""


class SigningKeyError(StoreError):
    """The audit signing key cannot be loaded, created or trusted."""


class EvidenceError(StoreError):
    """An evidence export cannot be written."""


class MissingDatabaseError(StoreError):
    """The database file does not exist (or is empty) and must not be created here."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.reason = reason


class ChainBrokenError(StoreError):
    """The audit chain failed verification, so nothing is signed or exported over it."""

    def __init__(self, problem: Problem, refused: str) -> None:
        super().__init__(f"audit chain is broken at {problem}; {refused}")
        self.problem = problem
