"""What an investigation did: each tool call (run, with its results, or refused, with the
reason), the answer and the evidence it cites. Light to import (the console shows these)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubechat_tui.engine.diagnostics.results import StepResult


def evidence_id(result: StepResult) -> str:
    """The id a model cites a result by: `c1@prod-eu` (a call), `s2@prod-us` (the plan)."""
    return f"{result.step_id}@{result.cluster}"


@dataclass
class CallRecord:
    """One tool call the model asked for."""

    id: str  # c1, c2, ...
    shown: str  # the call as the model asked: `logs pods/web-1 -n shop on prod-eu`
    reason: str = ""  # why the model asked (printable, cut)
    clusters: tuple[str, ...] = ()  # where it reads, or (refused) where the model asked
    refused: str = ""  # why it was not run ("" when it ran)
    refusal: str = ""  # mutation, secret, scope, invalid, budget
    kubectl: str = ""  # the read step's line (when it ran)
    results: list[StepResult] = field(default_factory=list)

    @property
    def status(self) -> str:
        """`ran` or `refused`."""
        return "refused" if self.refused else "ran"

    def to_json(self) -> dict[str, Any]:
        """The `ask --json` form."""
        return {"id": self.id, "call": self.shown, "reason": self.reason,
                "clusters": list(self.clusters), "status": self.status,
                "refused": self.refused or None, "refusal": self.refusal or None,
                "kubectl": self.kubectl or None,
                "results": [r.to_json() for r in self.results]}


@dataclass(frozen=True)
class Citation:
    """A piece of evidence the answer rests on."""

    id: str  # c1@prod-eu
    cluster: str
    kubectl: str

    def to_json(self) -> dict[str, str]:
        """The `ask --json` form."""
        return {"id": self.id, "cluster": self.cluster, "kubectl": self.kubectl}


@dataclass
class Investigation:
    """The calls, the answer (None when the model gave none: `stopped` says why) and its
    citations."""

    id: str
    model: str
    calls: list[CallRecord] = field(default_factory=list)
    answer: str | None = None
    citations: list[Citation] = field(default_factory=list)
    stopped: str = ""
    notes: list[str] = field(default_factory=list)  # citations dropped, and the like

    def to_json(self) -> dict[str, Any]:
        """The `investigation` object of `kubechat ask --json`."""
        return {"id": self.id, "model": self.model,
                "calls": [c.to_json() for c in self.calls], "answer": self.answer,
                "citations": [c.to_json() for c in self.citations],
                "stopped": self.stopped or None, "notes": list(self.notes)}
