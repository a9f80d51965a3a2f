"""The screen layer that shows the selected row: describe/YAML with events, and pod logs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.screen import Screen
from textual.worker import get_current_worker

from kubechat_tui.kube.types import ResourceKind
from kubechat_tui.tui.detail_fetch import fetch_detail, fetch_logs, one_line
from kubechat_tui.tui.messages import DetailLoaded, LogsLoaded, ObjectKey
from kubechat_tui.tui.row_filter import Row
from kubechat_tui.tui.scope import ViewScope
from kubechat_tui.tui.widgets.detail_pane import DetailPane
from kubechat_tui.tui.widgets.log_panel import LogPanel
from kubechat_tui.tui.widgets.resource_table import ResourceTable

if TYPE_CHECKING:
    from kubechat_tui.tui.app import KubechatApp


class InspectingScreen(Screen[None]):
    """Fetches detail and logs in thread workers when the table cursor settles."""

    def __init__(self, scope: ViewScope) -> None:
        super().__init__()
        self.scope = scope
        self.detail_mode = "describe"
        self.selected: ObjectKey | None = None
        self.shown_detail: ObjectKey | None = None  # whose detail / logs are on screen
        self.shown_logs: ObjectKey | None = None
        self._held: tuple[Row | None] | None = None  # a selection whose detail waits

    @property
    def kubechat(self) -> KubechatApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def action_toggle_yaml(self) -> None:
        self.detail_mode = "yaml" if self.detail_mode == "describe" else "describe"
        if self.selected is not None:
            self._load_detail(self.selected)

    def on_resource_table_selected(self, message: ResourceTable.Selected) -> None:
        if not message.by_user and self.detail_on_hold():
            self._held = (message.row,)
            return
        self._held = None
        self._show_selected(message.row)

    def detail_on_hold(self) -> bool:
        """True while a row selected by arriving rows (not by a key) should wait for its
        detail and logs; the main screen holds them while lists load. Never, here."""
        return False

    def release_detail(self) -> None:
        """Fetch the detail and logs of a selection held by `detail_on_hold`, if any."""
        if self._held is not None:
            (row,), self._held = self._held, None
            self._show_selected(row)

    def forget_selected_row(self) -> None:
        """Forget the selected (or held) row: the scope changed, its rows are gone."""
        self._held = None
        if self.selected is not None:
            self._show_selected(None)

    def _show_selected(self, row: Row | None) -> None:
        key = self._key_of(row)
        self.selected = key
        if key is None:
            self.query_one(DetailPane).show_empty()
            self.query_one(LogPanel).show_note("", "no row selected")
            return
        self._load_detail(key)
        self.shown_logs = None
        if key.kind == "pods":
            self.query_one(LogPanel).show_note(f"{key.cluster}/{key.name}", "loading…")
            self.fetch_logs(key)
        else:
            self.query_one(LogPanel).show_note("", f"no logs for {key.kind}")

    def current_kind(self) -> ResourceKind:
        """The kind the table shows."""
        return self.kubechat.backend.kinds[self.scope.kind]

    def _key_of(self, row: Row | None) -> ObjectKey | None:
        if row is None:
            return None
        kind = self.current_kind()
        c, n, name = kind.key_columns
        namespace = row[n] if kind.namespaced else None
        return ObjectKey(row[c], self.scope.kind, namespace, row[name])

    def _load_detail(self, key: ObjectKey) -> None:
        self.shown_detail = None
        self.query_one(DetailPane).show_loading(key, self.detail_mode)
        self.fetch_detail(key, self.detail_mode)

    @work(thread=True, exclusive=True, group="detail")
    def fetch_detail(self, key: ObjectKey, mode: str) -> None:
        """Worker: describe/YAML and events of one object."""
        worker = get_current_worker()
        app = self.kubechat
        try:
            body, events = fetch_detail(app.backend, app.fleet, key, mode)
            message = DetailLoaded(key, mode, body, events)
        except Exception as exc:  # any failure is shown as one line in the pane
            message = DetailLoaded(key, mode, "", [], error=one_line(exc))
        if not worker.is_cancelled:
            self.post_message(message)

    @work(thread=True, exclusive=True, group="logs")
    def fetch_logs(self, key: ObjectKey) -> None:
        """Worker: the tail of a pod's log."""
        worker = get_current_worker()
        app = self.kubechat
        try:
            message = LogsLoaded(key, fetch_logs(app.backend, app.fleet, key))
        except Exception as exc:  # shown as one line in the panel
            message = LogsLoaded(key, [], error=one_line(exc))
        if not worker.is_cancelled:
            self.post_message(message)

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        if message.key != self.selected or message.mode != self.detail_mode:
            return
        self.shown_detail = message.key
        self.query_one(DetailPane).show_object(
            message.key, message.mode, message.text, message.events, self.kubechat.clock(),
            error=message.error,
        )

    def on_logs_loaded(self, message: LogsLoaded) -> None:
        if message.key != self.selected:
            return
        self.shown_logs = message.key
        title = f"{message.key.cluster}/{message.key.name}"
        panel = self.query_one(LogPanel)
        if message.error:
            panel.show_note(title, message.error)
        else:
            panel.show_lines(title, message.lines)
