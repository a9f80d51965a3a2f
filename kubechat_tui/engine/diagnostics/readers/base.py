"""What every reader gets (one step, one cluster) and returns (output plus evidence)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kubechat_tui.domain import RESOURCES, ResourceInfo, Step
from kubechat_tui.engine.diagnostics.requests import ReadRequests
from kubechat_tui.engine.diagnostics.results import Output

Obj = dict[str, Any]
MAX_ROWS = 200  # rows of one table kept for people (the note says how many more)
DEFAULT_NAMESPACE = "default"  # a named object with no namespace, as kubectl reads it


class ReadInputError(ValueError):
    """A step that cannot be read as given (whose logs?); one line."""


@dataclass(frozen=True)
class ReadContext:
    """One step in one cluster: the requester, and the namespace the step reads in (None:
    every namespace, or a cluster-scoped resource)."""

    api: ReadRequests
    step: Step
    cluster: str
    namespace: str | None
    now: datetime

    @property
    def info(self) -> ResourceInfo:
        """The step's API resource."""
        return RESOURCES[self.step.resource]

    @property
    def object_namespace(self) -> str | None:
        """The namespace of the step's named object (kubectl's default when none is set)."""
        if not self.info.namespaced:
            return None
        return self.namespace or DEFAULT_NAMESPACE

    def param(self, key: str) -> str:
        """A parameter as text ("" when absent)."""
        value = self.step.params.get(key)
        return "" if value is None or value is False else str(value)


@dataclass(frozen=True)
class Reading:
    """A reader's answer: what people see, and the objects it was made from."""

    kind: str
    output: Output
    evidence: tuple[Obj, ...] = field(default=())


def plural_of(count: int, word: str) -> str:
    """`1 pod`, `3 pods` (`word` is a plural resource name)."""
    return f"{count} {word.removesuffix('s') if count == 1 else word}"


def capped(count: int, what: str) -> str:
    """The note for a table cut at MAX_ROWS rows ("" when it was not)."""
    return f"first {MAX_ROWS} of {count} {what} shown" if count > MAX_ROWS else ""


def flat(text: str, limit: int) -> str:
    """Text on one line, cut at `limit` characters (shown escaped where it is shown)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit - 1] + "…"
