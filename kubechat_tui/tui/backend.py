"""The kube-layer functions the console uses, bundled so tests and benches can swap them.

Widgets never call these; screen workers do (in threads), and post the results as messages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kubechat_tui.kube.types import ClusterStatus, LoadProgress, ResourceKind

Row = tuple[str, ...]


class InventoryLike(Protocol):
    """The slice of kube.inventory.Inventory the console needs."""

    def start(self, on_change: Callable[[], None]) -> None: ...
    def rows(self) -> list[Row]: ...
    def progress(self) -> dict[str, LoadProgress]: ...
    def stop(self) -> None: ...


class FleetLike(Protocol):
    """The slice of kube.fleet.Fleet the console needs."""

    def cluster_names(self) -> list[str]: ...
    def statuses(self) -> list[ClusterStatus]: ...
    def start(self) -> None: ...
    def on_status(self, callback: Callable[[ClusterStatus], None]) -> None: ...


class PlannerLike(Protocol):
    """The slice of planner.service.PlannerService the chat pane needs (blocking)."""

    def plan(self, text: str, scope: Any = None) -> Any: ...
    def rescore(self, plan: Any, edits: Any) -> Any: ...


InventoryFactory = Callable[
    [Any, ResourceKind, Sequence[str], str | None, str | None], InventoryLike
]


@dataclass(frozen=True)
class KubeBackend:
    """Resource kinds, inventory construction and the blocking object reads."""

    kinds: dict[str, ResourceKind]  # by name and alias; kinds found by discovery join it
    make_inventory: InventoryFactory
    get_object: Callable[..., dict[str, Any]]
    describe: Callable[..., str]
    object_events: Callable[..., list[dict[str, Any]]]
    pod_log_tail: Callable[..., list[str]]
    mask_secret_values: Callable[[dict[str, Any]], dict[str, Any]]
    discover_kind: Callable[[Any, str, str], ResourceKind | None]

    def add_kind(self, kind: ResourceKind, word: str) -> None:
        """List `kind` in this console from now on, by its name, aliases and `word`."""
        for name in (kind.name, *kind.aliases, word):
            self.kinds.setdefault(name, kind)


def default_backend() -> KubeBackend:
    """The real kube layer (imported lazily so the console module imports fast)."""
    import kubechat_tui.kube.objects as objects
    from kubechat_tui.domain.secret_masking import mask_secret_values
    from kubechat_tui.kube.discovered_kinds import discover_kind
    from kubechat_tui.kube.inventory import KINDS, Inventory

    def make_inventory(
        fleet: Any, kind: ResourceKind, clusters: Sequence[str],
        namespace: str | None, label_selector: str | None,
    ) -> InventoryLike:
        return Inventory(fleet, kind, clusters, namespace=namespace, label_selector=label_selector)

    return KubeBackend(
        kinds=dict(KINDS),
        make_inventory=make_inventory,
        get_object=objects.get_object,
        describe=objects.describe,
        object_events=objects.object_events,
        pod_log_tail=objects.pod_log_tail,
        mask_secret_values=mask_secret_values,
        discover_kind=discover_kind,
    )
