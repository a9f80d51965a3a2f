"""The context banner: clusters or cluster set, namespace, identity and health per cluster."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from rich.text import Text
from textual.timer import Timer
from textual.widget import Widget

from kubechat_tui.kube.types import ClusterStatus, DataState, Health, LoadProgress
from kubechat_tui.tui.plain_text import escaped
from kubechat_tui.tui.scope import ViewScope

FLASH_SECONDS = 1.2
DETAILED_UP_TO = 6  # more selected clusters than this: counts plus the unhealthy ones
HEALTH_STYLE = {
    Health.OK: "green",
    Health.CONNECTING: "dim",
    Health.DEGRADED: "yellow",
    Health.UNREACHABLE: "bold red",
    Health.FORBIDDEN: "bold magenta",
}
HEALTH_MARK = {
    Health.OK: "●", Health.CONNECTING: "○", Health.DEGRADED: "◐",
    Health.UNREACHABLE: "✗", Health.FORBIDDEN: "⊘",
}


def load_badge(progress: LoadProgress | None) -> tuple[str, str]:
    """Row count when loaded, `…N` while loading, `!load` when the list failed, `N STALE`
    while the rows are not kept current (the status bar says why)."""
    if progress is None:
        return "", ""
    if progress.state is DataState.FAILED:
        return " !load", "red"
    if progress.state is DataState.STALE:
        return f" {progress.rows:,} STALE", "bold black on yellow"
    if progress.done:
        return f" {progress.rows:,}", "dim"
    return f" …{progress.rows:,}", "yellow"


def scope_line(scope: ViewScope, production: bool, incident: str = "") -> Text:
    """Line 1: clusters, namespace, kind, selector, the PRODUCTION badge and the active
    incident."""
    text = Text()
    text.append(" clusters ", "reverse")
    text.append(f" {scope.describe_clusters()}  ")
    text.append(" ns ", "reverse")
    text.append(f" {scope.namespace or 'all namespaces'}  ")
    text.append(" kind ", "reverse")
    text.append(f" {scope.kind}")
    if scope.label_selector:
        text.append(f"  -l {scope.label_selector}")
    if production:
        text.append("   ")
        text.append(" ⚠ PRODUCTION ", "bold white on red")
    if incident:
        text.append("   ")
        text.append(" INCIDENT ", "bold black on yellow")
        text.append(f" {incident}", "bold yellow")
    return text


def cluster_badge(cluster: str, status: ClusterStatus | None,
                  progress: LoadProgress | None) -> Text:
    """`● prod-eu as admin 1,200` with the health colour and a badge when unhealthy; `via
    CONTEXT` when the serving context is not named like the cluster."""
    health = status.health if status else Health.CONNECTING
    text = Text()
    text.append(f" {HEALTH_MARK[health]} ", HEALTH_STYLE[health])
    text.append(cluster, "bold")
    if status and status.context and status.context != cluster:
        text.append(f" via {status.context}", "dim italic")
    identity = status.identity if status and status.identity else "?"
    text.append(f" as {identity}", "dim")
    if health not in (Health.OK, Health.CONNECTING):
        text.append(f" [{health.value}]", HEALTH_STYLE[health])
    text.append(*load_badge(progress))
    text.append("  ")
    return text


def fleet_summary(clusters: tuple[str, ...], statuses: Mapping[str, ClusterStatus],
                  progress: Mapping[str, LoadProgress]) -> Text:
    """For many clusters: health counts, identities, then a badge per unhealthy cluster."""
    healths = Counter(statuses[c].health if c in statuses else Health.CONNECTING
                      for c in clusters)
    text = Text(" ")
    for health in Health:
        if healths[health]:
            text.append(f"{HEALTH_MARK[health]} {healths[health]} {health.value}  ",
                        HEALTH_STYLE[health])
    identities = sorted({s.identity for c in clusters if (s := statuses.get(c)) and s.identity})
    if identities:
        text.append(f"as {', '.join(identities[:3])}  ", "dim")
    loaded = sum(1 for c in clusters if (p := progress.get(c)) and p.loaded)
    text.append(f"loaded {loaded}/{len(clusters)}  ", "dim")
    for cluster in clusters:
        status = statuses.get(cluster)
        failing = progress.get(cluster)
        if (status and status.health in (Health.DEGRADED, Health.UNREACHABLE, Health.FORBIDDEN)) \
                or (failing and failing.state in (DataState.FAILED, DataState.STALE)):
            text.append_text(cluster_badge(cluster, status, failing))
    return text


def banner_text(scope: ViewScope, statuses: Mapping[str, ClusterStatus],
                production: Mapping[str, bool],
                progress: Mapping[str, LoadProgress] | None = None,
                incident: str = "") -> Text:
    """Two lines: the scope (and the active incident), then a badge per cluster (health,
    identity, rows loaded)."""
    progress = progress or {}
    text = scope_line(scope, any(production.get(c, False) for c in scope.clusters), incident)
    text.append("\n")
    if len(scope.clusters) > DETAILED_UP_TO:
        text.append_text(fleet_summary(scope.clusters, statuses, progress))
        return text
    for cluster in scope.clusters:
        text.append_text(cluster_badge(cluster, statuses.get(cluster), progress.get(cluster)))
    return text


class ContextBanner(Widget):
    """Shows the current scope; flashes when the scope changes. Redraws without relayout."""

    DEFAULT_CSS = """
    ContextBanner { height: 2; background: $panel; color: $text; }
    ContextBanner.-flash { background: $warning; color: $background; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()
        self._flash_timer: Timer | None = None

    def render(self) -> Text:
        return self._text

    def show(self, scope: ViewScope, statuses: Mapping[str, ClusterStatus],
             production: Mapping[str, bool], progress: Mapping[str, LoadProgress],
             flash: bool = False, incident: str = "") -> None:
        """Redraw; `flash` highlights the banner briefly (scope changed)."""
        self._text = escaped(banner_text(scope, statuses, production, progress, incident))
        self.refresh()
        if flash:
            self.add_class("-flash")
            if self._flash_timer is not None:
                self._flash_timer.stop()
            self._flash_timer = self.set_timer(FLASH_SECONDS, self._end_flash)

    def _end_flash(self) -> None:
        self.remove_class("-flash")
