"""The one error a policy load raises: a one-line message naming the file and line or key."""

from __future__ import annotations

from kubechat_tui.config.errors import one_line


class PolicyError(Exception):
    """An unreadable, unparseable or invalid policy file; `str()` is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))
