"""Where the trouble is, per cluster: pods failing by reason, nodes not ready and the rate of
Warning events. Read as the server's Tables (STATUS exactly as kubectl prints it) and one
Warning-only event list per cluster, all clusters at once. Blocking: call from a worker."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from kubechat_tui.domain.ages import parse_timestamp
from kubechat_tui.domain.resources import RESOURCES
from kubechat_tui.kube.errors import ApiError, KubeconfigError
from kubechat_tui.kube.kinds import event_time
from kubechat_tui.kube.queries import RawRequester, ServerTable, list_items, list_table

HEALTHY_POD_STATUSES = frozenset({"Running", "Completed", "Succeeded"})
WARNING_WINDOW = 15 * 60  # seconds of Warning events counted
MAX_THREADS = 16


@dataclass(frozen=True)
class ClusterHealth:
    """One cluster's trouble (or why it could not be read: `error`, one line)."""

    cluster: str
    failing: dict[str, int] = field(default_factory=dict)  # pod STATUS -> pods
    pods: int = 0
    nodes_not_ready: int = 0
    nodes: int = 0
    warnings: int = 0  # Warning events seen in the last WARNING_WINDOW
    error: str = ""

    @property
    def healthy(self) -> bool:
        """Answered, and nothing failing, not ready or warning."""
        return not (self.error or self.failing or self.nodes_not_ready or self.warnings)


def fleet_health(api: RawRequester, clusters: list[str], now: datetime) -> list[ClusterHealth]:
    """Every cluster's health, in the order given (each cluster read concurrently)."""
    if not clusters:
        return []
    with ThreadPoolExecutor(min(MAX_THREADS, len(clusters))) as pool:
        return list(pool.map(lambda c: cluster_health(api, c, now), clusters))


def cluster_health(api: RawRequester, cluster: str, now: datetime) -> ClusterHealth:
    """One cluster's health; a cluster that does not answer says why."""
    try:
        pods = list_table(api, cluster, RESOURCES["pods"], None)
        nodes = list_table(api, cluster, RESOURCES["nodes"], None)
        events, _ = list_items(api, cluster, RESOURCES["events"], None,
                               field_selector="type=Warning")
    except (ApiError, KubeconfigError, OSError) as exc:  # unreachable, refused, no creds
        return ClusterHealth(cluster, error=(str(exc).splitlines() or [type(exc).__name__])[0])
    failing = Counter(s for s in _cells(pods, "Status") if s not in HEALTHY_POD_STATUSES)
    not_ready = sum(1 for s in _cells(nodes, "Status") if "Ready" not in s.split(","))
    recent = 0
    for event in events:
        seen = parse_timestamp(event_time(event))
        if seen is not None and (now - seen).total_seconds() <= WARNING_WINDOW:
            recent += 1
    return ClusterHealth(cluster, dict(failing.most_common()), len(pods.rows), not_ready,
                         len(nodes.rows), recent)


def _cells(table: ServerTable, column: str) -> list[str]:
    """The text of one column in every row."""
    names = [c.name.lower() for c in table.columns]
    if column.lower() not in names:
        return []
    index = names.index(column.lower())
    return [str(row.cells[index]) if index < len(row.cells) else "" for row in table.rows]
