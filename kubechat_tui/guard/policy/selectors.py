"""Kubernetes label selectors (`app=web,tier!=db,env in (a,b),!legacy`) parsed and matched."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_SET_TERM = re.compile(r"^\s*([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")
_EQ_TERM = re.compile(r"^\s*([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)\s*$")
_EXISTS_TERM = re.compile(r"^\s*(!?)\s*([\w./-]+)\s*$")


class SelectorError(ValueError):
    """A label selector that does not parse."""


@dataclass(frozen=True)
class Requirement:
    """One term of a selector: key, operator (=, !=, in, notin, exists, !exists), values."""

    key: str
    op: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """True when the labels satisfy this term."""
        value = labels.get(self.key)
        if self.op in ("=", "in"):
            return value is not None and value in self.values
        if self.op in ("!=", "notin"):
            return value is None or value not in self.values
        if self.op == "exists":
            return value is not None
        return value is None


@dataclass(frozen=True)
class LabelSelector:
    """A parsed selector; the empty selector matches everything."""

    text: str
    requirements: tuple[Requirement, ...]

    def matches(self, labels: Mapping[str, str]) -> bool:
        """True when every term matches."""
        return all(r.matches(labels) for r in self.requirements)


def _split_terms(text: str) -> list[str]:
    terms, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += char
    terms.append(current)
    return [t for t in terms if t.strip()]


def _parse_term(term: str) -> Requirement:
    if m := _SET_TERM.match(term):
        values = tuple(v.strip() for v in m.group(3).split(",") if v.strip())
        return Requirement(m.group(1), m.group(2), values)
    if m := _EQ_TERM.match(term):
        op = "=" if m.group(2) in ("=", "==") else "!="
        return Requirement(m.group(1), op, (m.group(3),))
    if m := _EXISTS_TERM.match(term):
        return Requirement(m.group(2), "!exists" if m.group(1) else "exists")
    raise SelectorError(f"bad label selector term {term.strip()!r}")


def parse_selector(text: str) -> LabelSelector:
    """Parse a selector string; raises SelectorError naming the bad term."""
    return LabelSelector(text, tuple(_parse_term(t) for t in _split_terms(text)))
