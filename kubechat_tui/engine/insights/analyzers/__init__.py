"""One module per analyzer, each `analyze(ClusterSnapshot) -> list[InsightCard]`; an
analyzer that cannot decide returns nothing rather than guess."""

from __future__ import annotations

from collections.abc import Callable

from kubechat_tui.engine.insights.analyzers import (
    config_error,
    disruption_budget,
    image_pull,
    node_health,
    oom,
    probes,
    rollout_crash,
    scheduling,
    service_endpoints,
)
from kubechat_tui.engine.insights.cards import InsightCard
from kubechat_tui.engine.insights.snapshot import ClusterSnapshot

Analyzer = Callable[[ClusterSnapshot], list[InsightCard]]
ANALYZERS: dict[str, Analyzer] = {
    rollout_crash.NAME: rollout_crash.analyze,
    oom.NAME: oom.analyze,
    image_pull.NAME: image_pull.analyze,
    scheduling.NAME: scheduling.analyze,
    probes.NAME: probes.analyze,
    node_health.NAME: node_health.analyze,
    disruption_budget.NAME: disruption_budget.analyze,
    service_endpoints.NAME: service_endpoints.analyze,
    config_error.NAME: config_error.analyze,
}
