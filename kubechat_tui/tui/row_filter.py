"""The `/` filter language: `ns:X`, `status:X`, `cluster:X`, `node:X` and free text, all
AND-ed substrings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

FIELDS = ("ns", "status", "cluster", "node")
STATUS_COLUMNS = ("STATUS", "TYPE")

Row = tuple[str, ...]


@dataclass(frozen=True)
class Term:
    """One AND-ed condition: a field (or "" for the whole row) containing a value."""

    field: str
    value: str


def parse_filter(text: str) -> tuple[Term, ...]:
    """Split filter text into terms; matching is case-insensitive."""
    terms = []
    for word in text.lower().split():
        field, sep, value = word.partition(":")
        if sep and field in FIELDS:
            terms.append(Term(field, value))
        else:
            terms.append(Term("", word))
    return tuple(terms)


def refines(old: Sequence[Term], new: Sequence[Term]) -> bool:
    """True when every row matching `new` also matches `old` (safe to filter old results)."""
    if len(new) < len(old):
        return False
    return all(o.field == n.field and o.value in n.value for o, n in zip(old, new, strict=False))


def compile_terms(terms: Sequence[Term], columns: Sequence[str]) -> Callable[[Row], bool]:
    """A predicate for rows aligned with `columns`."""
    upper = [c.upper() for c in columns]
    index = {
        "cluster": 0,
        "ns": upper.index("NAMESPACE") if "NAMESPACE" in upper else None,
        "status": next((upper.index(c) for c in STATUS_COLUMNS if c in upper), None),
        "node": upper.index("NODE") if "NODE" in upper else None,
    }
    checks: list[Callable[[Row], bool]] = []
    for term in terms:
        if not term.value:
            continue
        if term.field:
            column = index[term.field]
            if column is None:
                return lambda row: False
            checks.append(_column_contains(column, term.value))
        else:
            checks.append(_row_contains(term.value))
    if not checks:
        return lambda row: True
    if len(checks) == 1:
        return checks[0]
    return lambda row: all(check(row) for check in checks)


def _column_contains(column: int, value: str) -> Callable[[Row], bool]:
    return lambda row: value in row[column].lower()


def _row_contains(value: str) -> Callable[[Row], bool]:
    return lambda row: value in " ".join(row).lower()
