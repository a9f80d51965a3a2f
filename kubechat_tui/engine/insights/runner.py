"""Insights of a read run: gather recent history in the clusters that answered, run every
analyzer, keep the cards people should see first.

    cards = Insights.beside(pipeline).analyze(run)   # after ReadPath(...).run(plan)
    [c.to_json() for c in cards]                     # `kubechat ask --json` insights

Each cluster's reads are audited (one `insights.read` record: its requests, the collections
policy refused and the cards found, never the objects); a collection a read-policy rule
forbids is not read (`guard`). An analyzer that fails is skipped: a card is never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kubechat_tui.config.settings import Settings
from kubechat_tui.engine import trail as stage
from kubechat_tui.engine.diagnostics.results import LogsOutput, ReadRun
from kubechat_tui.engine.insights.analyzers import ANALYZERS
from kubechat_tui.engine.insights.cards import CONFIDENCE_ORDER, InsightCard
from kubechat_tui.engine.insights.gather import gather
from kubechat_tui.engine.insights.guard import refused
from kubechat_tui.engine.insights.snapshot import ClusterSnapshot
from kubechat_tui.engine.trail import AuditSink, Trail
from kubechat_tui.guard.policy import Policy
from kubechat_tui.kube.queries import RawRequester
from kubechat_tui.store.audit_model import Operator

MAX_CARDS = 12
ORDER = {name: i for i, name in enumerate(ANALYZERS)}


def analyze_snapshot(snap: ClusterSnapshot) -> list[InsightCard]:
    """Every analyzer's cards for one cluster (an analyzer that raises gives none)."""
    cards: list[InsightCard] = []
    for analyzer in ANALYZERS.values():
        try:
            cards += analyzer(snap)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            continue
    return cards


def ranked(cards: list[InsightCard], clusters: list[str]) -> list[InsightCard]:
    """High confidence first, then by cluster (scope order) and analyzer; MAX_CARDS."""
    where = {c: i for i, c in enumerate(clusters)}
    unique = {c.key: c for c in cards}.values()
    return sorted(unique, key=lambda c: (CONFIDENCE_ORDER[c.confidence],
                                         where.get(c.cluster, 0), ORDER[c.analyzer],
                                         c.subject))[:MAX_CARDS]


@dataclass
class Insights:
    """Analyzes read runs; its collaborators are the pipeline's."""

    api: RawRequester
    settings: Settings
    audit: AuditSink
    operator: Operator
    policy: Policy

    @classmethod
    def beside(cls, pipeline: Any) -> Insights:
        """The insights of an `engine.pipeline.Pipeline`'s fleet, audited in its chain, its
        policy judging their reads."""
        return cls(pipeline.fleet, pipeline.settings, pipeline.audit, pipeline.operator,
                   pipeline.policy)

    def analyze(self, run: ReadRun, now: datetime | None = None) -> list[InsightCard]:
        """Cards for the clusters where the run answered (none when nothing did)."""
        clusters = list(dict.fromkeys(r.cluster for r in run.results if r.ok))
        if not clusters:
            return []
        now = now or datetime.now(UTC)
        namespace = _namespace(run)
        forbidden = refused(self.policy, self.settings, clusters, namespace,
                            self.operator.kube_identity or self.operator.os_user, now)
        snaps, sent = gather(self.api, clusters, namespace, now,
                             self.settings.kube.read_deadline_seconds, frozenset(forbidden))
        for result in run.results:
            if result.ok and isinstance(result.output, LogsOutput):
                snaps[result.cluster].logs += result.output.excerpts
        cards = ranked([c for snap in snaps.values() for c in analyze_snapshot(snap)],
                       clusters)
        trail = Trail(self.audit, self.operator, run.plan, run.run_id)
        for cluster in clusters:
            trail.record(stage.INSIGHTS_READ, {
                "requests": sent[cluster],
                "refused_by_policy": sorted(n for c, n in forbidden if c == cluster),
                "cards": [c.key for c in cards if c.cluster == cluster]}, "ok",
                clusters=[cluster])
        return cards


def _namespace(run: ReadRun) -> str | None:
    """The one namespace the run's read steps looked in (None: several, or all)."""
    plan = run.plan
    spaces = {s.namespace if s.namespace is not None else plan.scope.namespace
              for s in plan.steps if s.accepted and not s.mutating}
    return spaces.pop() if len(spaces) == 1 else None
