"""The main screen: banner, resource table, detail, logs, chat, command line, status bar."""

from __future__ import annotations

from dataclasses import replace
from time import monotonic
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Footer, Input

from kubechat_tui.kube.types import ClusterStatus, DataState
from kubechat_tui.tui.bindings import SCREEN_BINDINGS
from kubechat_tui.tui.commands import Command, CommandError, UnknownWord, parse_command
from kubechat_tui.tui.feed import InventoryFeed
from kubechat_tui.tui.log_tail_request import LogTailRequest
from kubechat_tui.tui.messages import (
    ClusterStatusChanged,
    CommandSubmitted,
    FilterEdited,
    IncidentChanged,
    InventoryChanged,
)
from kubechat_tui.tui.scope import ScopeError, ViewScope
from kubechat_tui.tui.screens.exec_launch import ExecLaunchingScreen
from kubechat_tui.tui.screens.help_screen import HelpScreen
from kubechat_tui.tui.screens.investigating import InvestigatingScreen
from kubechat_tui.tui.screens.navigating import NavigatingScreen
from kubechat_tui.tui.widgets.chat_pane import ChatPane
from kubechat_tui.tui.widgets.command_line import CommandLine
from kubechat_tui.tui.widgets.context_banner import ContextBanner
from kubechat_tui.tui.widgets.detail_pane import DetailPane
from kubechat_tui.tui.widgets.log_panel import LogPanel
from kubechat_tui.tui.widgets.resource_table import ResourceTable
from kubechat_tui.tui.widgets.status_bar import StatusBar

REFRESH_INTERVAL = 0.1  # coalesce inventory changes to at most 10 redraws a second
# While lists are still loading, redraw less often: every redraw re-lays out the scrolled
# table and repaints the screen (~25 ms of the UI thread, which shares the GIL with the
# parsers); the first rows and the redraw that completes the load are never held back.
LOADING_REFRESH_INTERVAL = 0.3
# The detail and logs of a row the cursor rests on while lists load wait for the load (its
# pane updates re-lay out the screen and compete with the parsers), at most this long; a
# row chosen by a key is shown at once.
DETAIL_HOLD_MAX = 3.0
LOADING, FIRST_CLUSTER_LOADED, LOADED = range(3)
PROGRESS_INTERVAL = 0.5
BANNER_DELAY = 0.2
# Health and identity checks (TLS handshakes, reviews: ~5 ms of CPU per cluster) start once
# the first lists are in, or after this long, so they do not slow the first load down.
HEALTH_START_DELAY = 2.0
# The priority bindings hand the keyboard to an input (see bindings.py).
INPUT_OPENERS = frozenset(b.action for b in SCREEN_BINDINGS if b.priority)


class MainScreen(NavigatingScreen, ExecLaunchingScreen, InvestigatingScreen):
    """Layout, scope, inventory and keys; detail/logs, chat, the engine, row actions and
    drill-down come from the base layers."""

    BINDINGS: ClassVar[list[BindingType]] = list(SCREEN_BINDINGS)

    def __init__(self, scope: ViewScope) -> None:
        super().__init__(scope)
        self.statuses: dict[str, ClusterStatus] = {}
        self._last_refresh = 0.0  # 0: the next rows are shown at once
        self._shown_stage = LOADED  # load stage of the rows last shown (see _load_stage)
        self._holding = False  # detail of rows selected while loading waits (see above)
        self._refresh_timer: Timer | None = None
        self._banner_timer: Timer | None = None
        self._shown_progress: dict[str, tuple[int, DataState, str | None]] = {}
        self._namespace_prompt = False  # the `n` prompt is open (see run_command)
        self.feed: InventoryFeed

    def compose(self) -> ComposeResult:
        yield ContextBanner(id="banner")
        yield ResourceTable(self.kubechat.clock, id="table")
        with Horizontal(id="panes"):
            yield DetailPane(id="detail")
            yield LogPanel(id="logs")
            yield ChatPane(id="chat")
        yield CommandLine(id="command-line")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    @property
    def status_bar(self) -> StatusBar:
        return self.query_one(StatusBar)

    def on_mount(self) -> None:
        app = self.kubechat
        self.statuses = {s.name: s for s in app.fleet.statuses()}
        app.fleet.on_status(self._status_from_thread)
        self.feed = InventoryFeed(app.backend, app.fleet, self)
        self._show_kind()
        self._redraw_banner(flash=False)
        self._update_status()
        self.set_interval(PROGRESS_INTERVAL, self._update_status)
        self.query_one(DetailPane).show_empty()
        self.set_focus(self.table)
        for warning in app.startup_warnings:
            self.status_bar.show_error(warning)
        self.feed.switch(self.scope)  # the first lists travel while the screen paints
        self._hold_detail()
        self.call_after_refresh(self._start_background_work)
        app.call_later(self._keys_ready)  # queued behind every key the app holds so far

    def _keys_ready(self) -> None:
        """The table has focus: route keys from here on; say if some were dropped."""
        dropped = self.kubechat.accept_keys()
        if dropped and not self.status_bar.message:  # a startup warning says more
            self.status_bar.show_error(
                f"ignored {dropped} key(s) typed while the console was starting")

    def _start_background_work(self) -> None:
        """After the first paint: the fleet's health checks (once the first lists are in, or
        after a moment, so the first rows do not queue behind them) and the planner check."""
        self.set_timer(HEALTH_START_DELAY, self.kubechat.start_fleet)
        self.set_timer(HEALTH_START_DELAY, self.first_health_card)
        self.check_planner()
        self.set_interval(self.kubechat.settings.incidents.poll_seconds, self.watch_incident)

    def _status_from_thread(self, status: ClusterStatus) -> None:
        self.post_message(ClusterStatusChanged(status))

    def on_unmount(self) -> None:
        self.feed.stop()

    # --- scope and inventory -------------------------------------------------------------

    def change_scope(self, scope: ViewScope) -> None:
        """Switch what the table shows; restarts the inventory and flashes the banner."""
        if scope == self.scope:
            self._redraw_banner(flash=True)
            return
        self.scope = scope
        self._start_inventory(flash=True)

    def _start_inventory(self, flash: bool) -> None:
        if self._refresh_timer is not None:  # rows of the old scope: not shown any more
            self._refresh_timer.stop()
            self._refresh_timer = None
        self._last_refresh = 0.0
        self.forget_selected_row()
        self._show_kind()
        self.feed.switch(self.scope)
        self._hold_detail()
        self._redraw_banner(flash=flash)
        self._update_status()

    def detail_on_hold(self) -> bool:
        return self._holding

    def _hold_detail(self) -> None:
        """Hold the detail of rows selected while the inventory just switched to loads."""
        self._holding = True
        generation = self.feed.generation
        self.set_timer(DETAIL_HOLD_MAX, lambda: self._end_hold(generation))

    def _end_hold(self, generation: int | None = None) -> None:
        if generation is None or generation == self.feed.generation:
            self._holding = False
            self.release_detail()

    def _show_kind(self) -> None:
        """Columns of the scope's kind, no rows yet, the filter kept."""
        kind = self.current_kind()
        self.table.set_kind(kind.columns, kind.age_columns, kind.key_columns,
                            self.table.model.filter_text)

    def _redraw_banner(self, flash: bool) -> None:
        app = self.kubechat
        production = {}
        for cluster in self.scope.clusters:
            status = self.statuses.get(cluster)
            production[cluster] = app.settings.is_production(cluster) or bool(
                status and status.production
            )
        self.query_one(ContextBanner).show(
            self.scope, self.statuses, production, self.feed.progress(), flash=flash,
            incident=app.incident_label,
        )

    def on_inventory_changed(self, message: InventoryChanged) -> None:
        if message.generation != self.feed.generation:
            return
        stage = self._load_stage()
        if not self._last_refresh or stage > self._shown_stage:
            delay = 0.0  # the first rows, the first cluster complete, or every cluster
        else:
            interval = LOADING_REFRESH_INTERVAL if stage < LOADED else REFRESH_INTERVAL
            delay = self._last_refresh + interval - monotonic()
        if delay <= 0:
            if self._refresh_timer is not None:
                self._refresh_timer.stop()
            self._refresh_rows()
        elif self._refresh_timer is None:
            self._refresh_timer = self.set_timer(delay, self._refresh_rows)

    def _load_stage(self) -> int:
        """LOADING, FIRST_CLUSTER_LOADED (some cluster completely listed) or LOADED (every
        cluster listed or failed)."""
        progress = self.feed.progress().values()
        if all(p.done or p.error for p in progress):
            return LOADED
        return FIRST_CLUSTER_LOADED if any(p.done for p in progress) else LOADING

    def _refresh_rows(self) -> None:
        self._refresh_timer = None
        self._last_refresh = monotonic()
        self._shown_stage = self._load_stage()
        if self._shown_stage == LOADED:
            self._end_hold()
            self.kubechat.start_fleet()
            self.first_health_card()
        self.table.set_rows(self.feed.take_rows())
        self._update_status()

    def _update_status(self) -> None:
        table = self.table
        shown, total = table.row_count, table.model.total
        count = f"{shown:,}" if shown == total else f"{shown:,}/{total:,}"
        table.border_title = f"{self.scope.kind} [{count}]"
        progress = self.feed.progress()
        self.status_bar.show_summary(
            self.scope.kind, shown, total, table.sort_label(), table.model.filter_text, progress
        )
        seen = {name: (p.rows, p.state, p.error) for name, p in progress.items()}
        if seen != self._shown_progress:
            self._shown_progress = seen
            self._redraw_banner(flash=False)

    def on_resource_table_sort_changed(self, _message: ResourceTable.SortChanged) -> None:
        self._update_status()

    def on_cluster_status_changed(self, message: ClusterStatusChanged) -> None:
        self.statuses[message.status.name] = message.status
        if self._banner_timer is None:  # coalesce a burst of status changes
            self._banner_timer = self.set_timer(BANNER_DELAY, self._redraw_banner_later)

    def on_incident_changed(self, message: IncidentChanged) -> None:
        self.kubechat.incident_label = message.label
        self._redraw_banner(flash=True)

    def _redraw_banner_later(self) -> None:
        self._banner_timer = None
        self._redraw_banner(flash=False)

    # --- commands and keys ------------------------------------------------------------

    def run_command(self, text: str) -> None:
        """Execute a `:` command; errors become one status-bar line (a word that is no
        command may name a custom resource: the cluster's discovery says)."""
        try:
            command = parse_command(text)
            if self._namespace_prompt and command == Command("kind", "namespaces"):
                self.status_bar.show_info(f"namespace unchanged: {self.scope.namespace or 'all'}"
                                          " (:ns all for every namespace)")
                return
            self._execute(command)
        except UnknownWord as exc:
            self.find_kind(exc)
        except (CommandError, ScopeError, ValueError) as exc:
            self.status_bar.show_error(str(exc))

    def _execute(self, command: Command) -> None:
        navigator = self.kubechat.navigator
        verb, arg = command.verb, command.arg
        if verb == "kind":
            self.change_scope(replace(self.scope, kind=arg))
        elif verb == "ctx":
            self.change_scope(navigator.use_contexts(self.scope, arg))
        elif verb == "set":
            self.change_scope(navigator.use_set(self.scope, arg))
        elif verb == "ns":
            self.change_scope(replace(self.scope, namespace=arg or None))
            self.status_bar.show_info(f"namespace: {arg or 'all namespaces'}")
        elif verb == "label":
            self.change_scope(replace(self.scope, label_selector=arg or None))
        elif verb == "sort":
            self.table.sort_by(arg)
            self._update_status()
        elif verb == "theme":
            self.kubechat.use_theme(arg)
        elif verb == "approvals":
            self.action_approvals()
        elif verb == "audit":
            self.action_audit()
        elif verb == "timeline":
            self.action_timeline(arg)
        elif verb == "policy":
            self.action_policy()
        elif verb == "rollback":
            self.rollback(arg)
        elif verb == "recipe":
            self.plan_recipe(arg)
        elif verb == "exec":
            self.exec_into(arg)
        elif verb == "logs":
            self.kubechat.open_log_tail(self.log_request(arg))
        elif verb == "health":
            self.show_health(focus=True)
        elif verb == "feedback":
            self.recipe_feedback(arg)
        elif verb == "help":
            self.action_help()
        elif verb == "quit":
            self.app.exit(0)

    def log_request(self, arg: str) -> LogTailRequest:
        """`:logs [TARGET] [-c CONTAINER]`: TARGET in the scope's clusters, else the
        selected pod or deployment in its cluster, else the scope's label selector."""
        words = arg.split()
        container = None
        if "-c" in words:
            at = words.index("-c")
            if at + 1 >= len(words):
                raise CommandError(":logs -c needs a container name")
            container = words.pop(at + 1)
            words.pop(at)
        if len(words) > 1:
            raise CommandError(f"one TARGET at most (got {' '.join(words)!r})")
        scope, selected = self.scope, self.selected
        if words:
            return LogTailRequest(scope.clusters, words[0], scope.namespace, None, container)
        if selected is not None and selected.kind in ("pods", "deployments"):
            kind = "pod" if selected.kind == "pods" else "deploy"
            return LogTailRequest((selected.cluster,), f"{kind}/{selected.name}",
                                  selected.namespace, None, container)
        if scope.label_selector:
            return LogTailRequest(scope.clusters, None, scope.namespace,
                                  scope.label_selector, container)
        raise CommandError(":logs needs a TARGET (pod NAME, deploy/NAME) or a selected pod")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The keys that open an input (priority bindings) are text while one has focus."""
        if action in INPUT_OPENERS and isinstance(self.focused, Input):
            return False
        return super().check_action(action, parameters)

    def on_command_submitted(self, message: CommandSubmitted) -> None:
        self.status_bar.clear_message()
        self.run_command(message.text)

    def on_filter_edited(self, message: FilterEdited) -> None:
        self.table.set_filter(message.text)
        self._update_status()

    def on_command_line_closed(self, _message: CommandLine.Closed) -> None:
        self._namespace_prompt = False
        self.table.focus()

    def action_command_mode(self) -> None:
        self.status_bar.clear_message()
        self.query_one(CommandLine).open("command")

    def action_filter_mode(self) -> None:
        self.status_bar.clear_message()
        self.query_one(CommandLine).open("filter", self.table.model.filter_text)

    def action_namespace(self) -> None:
        self._namespace_prompt = True
        self.query_one(CommandLine).open(
            "command", "ns ", [f"ns {ns}" for ns in self.known_namespaces()]
        )

    def known_namespaces(self) -> list[str]:
        """Namespaces seen in the current rows (for suggestions and the palette)."""
        columns = [c.upper() for c in self.table.model.columns]
        if "NAMESPACE" not in columns:
            return []
        index = columns.index("NAMESPACE")
        return sorted({row[index] for row in self.table.model.view if row[index]})

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.kubechat.settings.keymap))

    def action_cycle_set(self, step: int) -> None:
        self._scope_action(lambda: self.kubechat.navigator.cycle_set(self.scope, step))

    def action_jump_set(self, number: int) -> None:
        self._scope_action(lambda: self.kubechat.navigator.jump_set(self.scope, number))

    def _scope_action(self, make: Any) -> None:
        self.status_bar.clear_message()
        try:
            self.change_scope(make())
        except ScopeError as exc:
            self.status_bar.show_error(str(exc))

    def action_focus_chat(self) -> None:
        self.set_focus(self.query_one("#chat-input"))  # now: the next key is typed there

    def action_zoom(self) -> None:
        """Maximize the focused pane (table, detail, logs or chat), or restore the layout."""
        if self.maximized is not None:
            self.minimize()
        elif self.focused is not None:
            self.maximize(self.focused)

    def action_back(self) -> None:
        """Escape: restore a zoomed pane, leave the chat/log focus, else clear the filter."""
        if self.maximized is not None:
            self.minimize()
            return
        if self.focused is not self.table:
            self.table.focus()
            return
        self.status_bar.clear_message()
        if self.go_back():
            return
        if self.table.model.filter_text:
            self.table.set_filter("")
            self._update_status()

    def action_reload(self) -> None:
        self._start_inventory(flash=True)
        self.status_bar.show_info(f"reloading {self.scope.kind} from "
                                  f"{len(self.scope.clusters)} cluster(s)…")
