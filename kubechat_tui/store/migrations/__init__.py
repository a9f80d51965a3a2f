"""Schema migrations, discovered by file name.

Adding a migration is a one-file job: create ``mNNNN_short_name.py`` in this package
(NNNN = the next number) with a docstring and ``upgrade(conn: sqlite3.Connection) -> None``
that issues its DDL through ``conn.execute``. ``open_database`` applies every pending
migration in order inside one ``BEGIN IMMEDIATE`` transaction and records the schema
version in ``PRAGMA user_version``. Never edit a migration that has shipped; add a new one.
Tables that must be append-only can use ``append_only_triggers(table)`` from here.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

_NAME = re.compile(r"^m(\d{4})_[a-z0-9_]+$")


@dataclass(frozen=True)
class Migration:
    """One schema step: its version number, module name and upgrade function."""

    version: int
    name: str
    upgrade: Callable[[sqlite3.Connection], None]


def discover() -> list[Migration]:
    """Every migration module in this package, ordered by version; versions must be 1..N."""
    found: list[Migration] = []
    for info in pkgutil.iter_modules(__path__):
        match = _NAME.match(info.name)
        if not match:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append(Migration(int(match.group(1)), info.name, module.upgrade))
    found.sort(key=lambda m: m.version)
    expected = list(range(1, len(found) + 1))
    if [m.version for m in found] != expected:
        names = [m.name for m in found]
        raise RuntimeError(f"migration versions must be contiguous from 1: {names}")
    return found


def append_only_triggers(table: str) -> tuple[str, str]:
    """DDL for two triggers that make ``table`` refuse UPDATE and DELETE."""
    return (
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
    )
