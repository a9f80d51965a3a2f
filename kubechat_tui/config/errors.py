"""The configuration error (kept import-light so the CLI entry point can catch it)."""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration problem, as one line: `source: key: problem`."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


def one_line(text: str) -> str:
    """`text` on one line: line breaks and other control characters (from keys, values or
    paths) shown escaped, as Python writes them."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
