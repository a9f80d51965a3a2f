"""The one error a policy load raises: a one-line message naming the file and line or key."""

from __future__ import annotations


class PolicyError(Exception):
    """An unreadable, unparseable or invalid policy file; `str()` is one line."""
