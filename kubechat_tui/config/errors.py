"""The configuration error (kept import-light so the CLI entry point can catch it)."""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration problem, as one line: `source: key: problem`."""
