"""What a read step answered in one cluster: the output for people, and the run around it.

A `StepResult` is one (step, cluster): its guardrail status (ok, failed, denied with
remediation, skipped by the user), the kubectl line, the requests it sent, how long it took
and its output — a table, text or log excerpts — already filtered and ordered for people.
`evidence` keeps the API objects the output was made from (pods, events, metrics,
ReplicaSets): the input insight analyzers read, never printed or audited.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

import rfc8785

from kubechat_tui.domain import Plan
from kubechat_tui.kube.recorder import Request

ResultStatus = Literal["ok", "failed", "denied", "skipped"]
OutputKind = Literal["table", "events", "metrics", "text", "logs"]
Obj = dict[str, Any]
SKIPPED = "skipped by the user"
SHOWN_REQUESTS = 3  # request lines shown with a result (the audit record has them all)


@dataclass(frozen=True)
class TableOutput:
    """Rows for people; `marked` rows need attention (warning events, failing pods)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    marked: tuple[int, ...] = ()
    note: str = ""  # what was filtered or cut: "3 of 12 pods in CrashLoopBackOff"

    def to_json(self) -> dict[str, Any]:
        """The `--json` form."""
        return {"columns": list(self.columns), "rows": [list(r) for r in self.rows],
                "marked": list(self.marked), "note": self.note}


@dataclass(frozen=True)
class TextOutput:
    """Describe text, YAML or a rollout status line."""

    text: str
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        """The `--json` form."""
        return {"text": self.text, "note": self.note}


@dataclass(frozen=True)
class LogExcerpt:
    """The last lines of one container instance; `errors` index its error lines."""

    pod: str
    container: str
    previous: bool  # the instance that ran before the last restart
    lines: tuple[str, ...] = ()
    errors: tuple[int, ...] = ()
    note: str = ""  # why there are no lines ("no previous container: it has not restarted")

    @property
    def title(self) -> str:
        """`pod/payments-api-x container api (previous)`."""
        return (f"pod/{self.pod} container {self.container}"
                + (" (previous instance)" if self.previous else ""))

    def to_json(self) -> dict[str, Any]:
        """The `--json` form."""
        return {"pod": self.pod, "container": self.container, "previous": self.previous,
                "lines": list(self.lines), "error_lines": list(self.errors), "note": self.note}


@dataclass(frozen=True)
class LogsOutput:
    """Log excerpts of the pods a logs step reads."""

    excerpts: tuple[LogExcerpt, ...]
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        """The `--json` form."""
        return {"excerpts": [e.to_json() for e in self.excerpts], "note": self.note}


Output = TableOutput | TextOutput | LogsOutput


@dataclass(frozen=True)
class StepResult:
    """One read step in one cluster."""

    step_id: str
    verb: str
    cluster: str
    kubectl: str  # the step's line for this cluster (with --context)
    status: ResultStatus
    kind: str  # an OutputKind when ok; else "error", "denied" or "skipped"
    output: Output | None = None
    error: str = ""
    remediation: str = ""
    requests: tuple[Request, ...] = ()
    duration: float = 0.0  # seconds
    evidence: tuple[Obj, ...] = field(default=(), compare=False, repr=False)

    @property
    def ok(self) -> bool:
        """True when the cluster answered the step."""
        return self.status == "ok"

    def request_lines(self) -> list[str]:
        """The requests the step sent here (as the audit lists them), the first few."""
        lines = [r.line() for r in self.requests[:SHOWN_REQUESTS]]
        more = len(self.requests) - SHOWN_REQUESTS
        return lines + ([f"(+{more} more requests)"] if more > 0 else [])

    def output_json(self) -> dict[str, Any] | None:
        """The output's JSON form (a denial's remediation; None without output)."""
        if self.output is not None:
            return self.output.to_json()
        return {"remediation": self.remediation} if self.remediation else None

    def output_sha256(self) -> str:
        """sha256 of the canonical JSON of what was shown (the audit keeps this, not it)."""
        shown = {"status": self.status, "kind": self.kind, "output": self.output_json(),
                 "error": self.error}
        return hashlib.sha256(rfc8785.dumps(shown)).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """The `kubechat ask --json` form of one result."""
        return {"step": self.step_id, "cluster": self.cluster, "ok": self.ok,
                "error": self.error or None, "kind": self.kind, "output": self.output_json()}

    def audit_payload(self) -> dict[str, Any]:
        """What the audit records: the action and its requests, not the output."""
        return {"step": self.step_id, "verb": self.verb, "kubectl": self.kubectl,
                "requests": [r.line() for r in self.requests], "error": self.error,
                "output_sha256": self.output_sha256(),
                "duration_ms": round(self.duration * 1000, 1)}


@dataclass
class ReadRun:
    """Every result of one submitted plan's read steps, in the order they arrived."""

    run_id: str
    plan: Plan
    results: list[StepResult] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        """Results per status."""
        return Counter(r.status for r in self.results)

    @property
    def answered(self) -> bool:
        """True when at least one cluster answered a step."""
        return any(r.ok for r in self.results)

    @property
    def denied(self) -> bool:
        """True when nothing answered and a guardrail (policy or RBAC) refused a step."""
        return not self.answered and any(r.status == "denied" for r in self.results)

    def summary(self) -> str:
        """`6 results: 4 answered, 1 failed, 1 denied`."""
        counts = self.counts()
        words = {"ok": "answered", "failed": "failed", "denied": "denied",
                 "skipped": "skipped"}
        parts = [f"{counts[s]} {w}" for s, w in words.items() if counts[s]]
        return f"{len(self.results)} result(s): " + (", ".join(parts) or "none")
