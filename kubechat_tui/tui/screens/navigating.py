"""The screen layer that moves the table: drill-down with enter (a workload or service to its
pods by selector, a node to its pods, a namespace to its pods), escape back along the trail,
`:KIND` for kinds found by the cluster's discovery (custom resources), and the fleet health
card (on start and on `:health`) whose groups jump to the table filtered to them."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual import work

from kubechat_tui.tui.commands import UnknownWord
from kubechat_tui.tui.detail_fetch import one_line
from kubechat_tui.tui.messages import FilterEdited
from kubechat_tui.tui.row_subject import RowSubject
from kubechat_tui.tui.scope import ViewScope
from kubechat_tui.tui.screens.row_actions import RowActionsScreen
from kubechat_tui.tui.widgets.chat_pane import ChatPane
from kubechat_tui.tui.widgets.health_card import HealthCard
from kubechat_tui.tui.widgets.resource_table import ResourceTable
from kubechat_tui.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from kubechat_tui.kube.fleet_health import ClusterHealth
    from kubechat_tui.kube.types import ResourceKind

# Kinds whose pods a label selector finds (services: spec.selector, the others:
# spec.selector as a LabelSelector).
SELECTING_KINDS = frozenset({"deployments", "statefulsets", "daemonsets", "replicasets",
                             "jobs", "services"})
MAX_TRAIL = 20


class NavigatingScreen(RowActionsScreen):
    """Moves between scopes the user can come back from with escape."""

    if TYPE_CHECKING:  # provided by MainScreen
        def change_scope(self, scope: ViewScope) -> None: ...

    def __init__(self, scope: ViewScope) -> None:
        super().__init__(scope)
        self._trail: list[tuple[ViewScope, str]] = []  # (scope, filter) to go back to
        self.health_shown = False  # a health card reached the chat
        self._health_started = False

    def go(self, scope: ViewScope, filter_text: str = "") -> None:
        """Show `scope` (filtered); escape comes back here."""
        table = self.query_one(ResourceTable)
        self._trail.append((self.scope, table.model.filter_text))
        del self._trail[:-MAX_TRAIL]
        self.change_scope(scope)
        self.post_message(FilterEdited(filter_text, done=True))

    def go_back(self) -> bool:
        """Back to the scope before the last drill-down or jump; False when there is none."""
        if not self._trail:
            return False
        scope, filter_text = self._trail.pop()
        self.change_scope(scope)
        self.post_message(FilterEdited(filter_text, done=True))
        return True

    def _pods_of(self, subject: RowSubject, namespace: str | None,
                 selector: str | None = None) -> ViewScope:
        return replace(self.scope, kind="pods", clusters=(subject.cluster,),
                       namespace=namespace, cluster_set=None, label_selector=selector)

    # --- drill-down --------------------------------------------------------------------

    def action_drill(self) -> None:
        """enter: into the selected row (pods of a workload, node or namespace)."""
        subject = self.selected_subject()
        if subject is None:
            return
        if subject.kind == "pods":
            self.action_describe()
        elif subject.kind == "namespaces":
            self.go(self._pods_of(subject, subject.name))
        elif subject.kind == "nodes":
            self.go(self._pods_of(subject, None), f"node:{subject.name}")
        elif subject.kind in SELECTING_KINDS:
            self._selector_of(subject)
        else:
            self.query_one(StatusBar).show_info(
                f"nothing to drill into from a {subject.singular}: d describes it, "
                "A asks about it")

    @work(thread=True, exclusive=True, group="drill")
    def _selector_of(self, subject: RowSubject) -> None:
        """Worker: the label selector of a workload or service, then its pods."""
        from kubechat_tui.kube.lookup import selector_string

        app = self.kubechat
        try:
            obj = app.backend.get_object(app.fleet, subject.cluster, subject.kind,
                                         subject.namespace, subject.name)
        except Exception as exc:  # vanished, forbidden: one line
            app.call_from_thread(self.row_failed, subject, "drill into", one_line(exc))
            return
        spec = obj.get("spec") or {}
        found = spec.get("selector") or {}
        if subject.kind == "services":
            selector = ",".join(f"{k}={v}" for k, v in sorted(found.items()))
        else:
            selector = selector_string(found)
        if not selector:
            app.call_from_thread(self.row_failed, subject, "drill into",
                                 "it selects no pods (no selector)")
            return
        app.call_from_thread(self.go, self._pods_of(subject, subject.namespace, selector))

    # --- kinds found by discovery --------------------------------------------------------

    def find_kind(self, unknown: UnknownWord) -> None:
        """`:WORD` that is no built-in kind: ask the first cluster's discovery."""
        cluster = self.scope.clusters[0] if self.scope.clusters else None
        if cluster is None:
            self.query_one(StatusBar).show_error(str(unknown))
            return
        self.query_one(StatusBar).show_info(f"looking up :{unknown.word} on {cluster}…")
        self._discover(unknown, cluster)

    @work(thread=True, exclusive=True, group="discover")
    def _discover(self, unknown: UnknownWord, cluster: str) -> None:
        """Worker: the kind a word names in the cluster's discovery, or one line."""
        app = self.kubechat
        try:
            kind = app.backend.discover_kind(app.fleet, cluster, unknown.word)
        except Exception as exc:  # discovery unreachable: one line
            app.call_from_thread(self._no_kind, f"cannot look up :{unknown.word} on "
                                 f"{cluster}: {one_line(exc)}")
            return
        if kind is None:
            app.call_from_thread(self._no_kind, str(unknown))
        else:
            app.call_from_thread(self._kind_found, unknown.word, kind)

    def _kind_found(self, word: str, kind: ResourceKind) -> None:
        self.kubechat.backend.add_kind(kind, word)
        self.change_scope(replace(self.scope, kind=kind.name))
        self.query_one(StatusBar).show_info(f"{kind.name} (found by discovery)")

    def _no_kind(self, line: str) -> None:
        self.query_one(StatusBar).show_error(line)
        self.query_one(ChatPane).add_message("system", line)

    # --- fleet health ------------------------------------------------------------------

    def first_health_card(self) -> None:
        """The card on start: once, when the first lists are in (or after a moment)."""
        if not self._health_started:
            self._health_started = True
            self.show_health()

    def show_health(self, focus: bool = False) -> None:
        """Read the health of the scope's clusters and show the card in the chat."""
        self._read_health(self.scope.clusters, focus)

    @work(thread=True, exclusive=True, group="health")
    def _read_health(self, clusters: tuple[str, ...], focus: bool) -> None:
        """Worker: every cluster's health at once."""
        from kubechat_tui.kube.fleet_health import fleet_health

        app = self.kubechat
        now = app.clock()
        try:
            healths = fleet_health(app.fleet, list(clusters), now)  # type: ignore[arg-type]
        except Exception as exc:  # a fleet without raw reads: one line
            app.call_from_thread(self._no_health, one_line(exc))
            return
        app.call_from_thread(self._health_read, healths, now.strftime("%H:%M:%S UTC"), focus)

    def _health_read(self, healths: list[ClusterHealth], checked_at: str, focus: bool) -> None:
        card = HealthCard(healths, checked_at, self.kubechat.settings.keymap)
        self.query_one(ChatPane).add_message("health", card)
        self.health_shown = True
        if focus:
            self.call_after_refresh(card.focus)

    def _no_health(self, line: str) -> None:
        self.query_one(ChatPane).add_message("system", f"fleet health: {line}")
        self.health_shown = True

    def on_health_card_jump_requested(self, message: HealthCard.JumpRequested) -> None:
        group = message.group
        self.go(replace(self.scope, kind=group.kind, clusters=(group.cluster,), namespace=None,
                        cluster_set=None, label_selector=None), group.filter)
        self.query_one(ResourceTable).focus()

    def on_health_card_refresh_requested(self, _message: HealthCard.RefreshRequested) -> None:
        self.show_health(focus=True)
