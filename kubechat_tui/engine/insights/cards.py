"""An insight card: what an analyzer concluded, how sure it is, the evidence, what to do.

    InsightCard("crash-after-rollout", "prod-eu", "payments/deployment/payments-api",
                "Crash loop after a rollout", "3 pods of ... began crashing 2m after ...",
                "high", (Evidence("object", "prod-eu", "replicaset/payments-api-7d9f (rev 3)"),),
                NextStep("recipe", "rollback-deployment"))

Cards are plain data: every text in them came from a cluster and is shown as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Confidence = Literal["high", "medium"]
EvidenceKind = Literal["object", "event", "log"]
StepKind = Literal["plan", "recipe"]
CONFIDENCE_ORDER = {"high": 0, "medium": 1}


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: an object reference, an event line or a log line; `at` is
    its RFC 3339 time when it has one."""

    kind: EvidenceKind
    cluster: str
    text: str
    at: str = ""

    def line(self) -> str:
        """`[prod-eu] 2026-12-08T02:41:07Z Warning BackOff pod/x: Back-off …`."""
        return f"[{self.cluster}] " + (f"{self.at} " if self.at else "") + self.text

    def to_json(self) -> dict[str, Any]:
        """The `--json` form."""
        return {"kind": self.kind, "cluster": self.cluster, "text": self.text,
                "at": self.at or None}


@dataclass(frozen=True)
class NextStep:
    """A suggested next step: a request to plan (`kubechat plan TEXT`) or a recipe name."""

    kind: StepKind
    text: str
    params: tuple[tuple[str, str], ...] = ()  # a recipe's parameters

    def line(self) -> str:
        """`plan: roll back deployment payments-api in payments on prod-eu` or
        `recipe: rollback-deployment namespace=payments deployment=payments-api`."""
        args = "".join(f" {k}={v}" for k, v in self.params)
        return f"{self.kind}: {self.text}{args}"

    def to_json(self) -> dict[str, Any]:
        """The `--json` form."""
        return {"kind": self.kind, "text": self.text, "params": dict(self.params)}


@dataclass(frozen=True)
class InsightCard:
    """One analyzer's conclusion about one subject in one cluster."""

    analyzer: str
    cluster: str
    subject: str  # `payments/deployment/payments-api`, `node/ip-10-1-4-21`
    title: str
    claim: str  # one sentence
    confidence: Confidence
    evidence: tuple[Evidence, ...]
    next_step: NextStep

    @property
    def key(self) -> str:
        """What identifies the card across runs: analyzer, cluster and subject."""
        return f"{self.analyzer}:{self.cluster}:{self.subject}"

    def to_json(self) -> dict[str, Any]:
        """The `kubechat ask --json` form of one card."""
        return {"analyzer": self.analyzer, "cluster": self.cluster, "subject": self.subject,
                "title": self.title, "claim": self.claim, "confidence": self.confidence,
                "evidence": [e.to_json() for e in self.evidence],
                "next_step": self.next_step.to_json()}

    def text(self) -> str:
        """The card as lines of plain text (`kubechat ask`, the timeline entry's body)."""
        lines = [f"* {self.title} [{self.cluster}] ({self.confidence} confidence)",
                 f"  {self.claim}"]
        lines += [f"  - {e.line()}" for e in self.evidence]
        lines.append(f"  next: {self.next_step.line()}")
        return "\n".join(lines)
