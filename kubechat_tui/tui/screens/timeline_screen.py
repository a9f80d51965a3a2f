"""The incident timeline: operator actions from the audit chain, summaries, imported
alerts, deploys and rollouts, insights, log ranges, notes and annotations, merged in time
order with a coloured badge per cluster and filters (kind, cluster, author); the newest
`MAX_ROWS` entries passing the filters are shown.

    app.push_screen(TimelineScreen(IncidentConsole.on(handle, settings), "inc-3f2a"))

Every engine call runs in a thread worker. The screen imports from the configured
sources when it opens and every `incidents.poll_seconds` (a re-import adds only what is
new). Keys: `a` annotate the selected entry (or, on an empty timeline, add a note), `n`
the incident notes editor, `f` filters, `m` import now, `r` reload, escape back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from kubechat_tui.tui.bindings import TIMELINE_BINDINGS
from kubechat_tui.tui.detail_fetch import one_line
from kubechat_tui.tui.plain_text import plain
from kubechat_tui.tui.timeline_render import (
    cluster_order,
    incident_title,
    item_detail,
    item_row,
)

if TYPE_CHECKING:
    from kubechat_tui.engine.incident_console import IncidentConsole
    from kubechat_tui.engine.incident_view import IncidentView, TimelineItem

FILTER_FIELDS = ("kind", "cluster", "author")
MAX_ROWS = 2000  # the newest entries passing the filters; the table stays fast
NO_INCIDENT = ("no incident yet: open one with `kubechat incident open TITLE --cluster "
               "NAME` (everything done meanwhile is attached to it)")


class TimelineScreen(Screen[None]):
    """Title and filters on top, the merged timeline, the selected entry, a status line."""

    BINDINGS: ClassVar[list[BindingType]] = list(TIMELINE_BINDINGS)
    DEFAULT_CSS = """
    TimelineScreen #timeline-title { height: 1; padding: 0 1; }
    TimelineScreen #timeline-filters { height: 3; }
    TimelineScreen #timeline-filters Input { width: 1fr; }
    TimelineScreen #timeline-table { height: 2fr; }
    TimelineScreen #timeline-detail { height: 1fr; border-top: solid $accent; padding: 0 1; }
    TimelineScreen #timeline-status { height: 1; padding: 0 1; }
    """

    def __init__(self, console: IncidentConsole, incident_id: str = "", *,
                 poll: bool = True) -> None:
        super().__init__()
        self.console = console
        self.incident_id = incident_id
        self.poll = poll
        self.view: IncidentView | None = None
        self.shown: list[TimelineItem] = []
        self.filters = {name: "" for name in FILTER_FIELDS}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("reading the timeline...", id="timeline-title")
            with Horizontal(id="timeline-filters"):
                for name in FILTER_FIELDS:
                    yield Input(placeholder=name, id=f"timeline-filter-{name}")
            yield DataTable(id="timeline-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="timeline-detail"):
                yield Static("", id="timeline-entry")
            yield Static("", id="timeline-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("TIME (UTC)", "REF", "KIND", "CLUSTERS", "AUTHOR", "WHAT")
        table.focus()
        self.action_reload()
        if self.poll:
            self.action_import_now()
            self.set_interval(self.console.settings.incidents.poll_seconds,
                              self.action_import_now)

    # --- actions ------------------------------------------------------------------------

    def action_reload(self) -> None:
        """Read the incident's timeline again."""
        self.load(self.incident_id)

    def action_import_now(self) -> None:
        """Import alerts, deploys and rollouts now (stored once)."""
        if self.console.importer.configured():
            self.import_sources()

    def action_filters(self) -> None:
        """Move to the first filter input."""
        self.query_one(f"#timeline-filter-{FILTER_FIELDS[0]}", Input).focus()

    def action_annotate(self) -> None:
        """Annotate the selected entry (a note on the incident when none is selected)."""
        if self.view is None:
            self.show_status(plain(NO_INCIDENT, "yellow", lines=False))
            return
        item = self.selected()
        ref, title = (item.ref, item.title) if item else ("", self.view.incident.title)
        from kubechat_tui.tui.screens.annotate_screen import AnnotateScreen

        def answered(text: str | None) -> None:
            if text:
                self.annotate(ref, text)

        self.app.push_screen(AnnotateScreen(ref, title), answered)

    def action_notes(self) -> None:
        """Open the incident notes editor."""
        if self.view is None:
            self.show_status(plain(NO_INCIDENT, "yellow", lines=False))
            return
        from kubechat_tui.tui.screens.notes_screen import NotesScreen

        self.app.push_screen(NotesScreen(self.console, self.view))

    def action_close(self) -> None:
        """Back to the previous screen."""
        self.app.pop_screen()

    # --- workers ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="timeline-load")
    def load(self, incident_id: str) -> None:
        """Read the incident and its merged timeline off the UI thread."""
        try:
            incident = self.console.incident(incident_id)
            view = self.console.view(incident) if incident is not None else None
        except Exception as exc:  # a locked store or an unknown id: one line
            self.app.call_from_thread(self.show_status,
                                      plain(f"cannot read the timeline: {one_line(exc)}",
                                            "red", lines=False))
            return
        self.app.call_from_thread(self.show_view, view)

    @work(thread=True, exclusive=True, group="timeline-import")
    def import_sources(self) -> None:
        """Import off the UI thread; reload when something new came in."""
        try:
            report = self.console.import_now()
        except Exception as exc:
            self.app.call_from_thread(self.show_status,
                                      plain(f"import failed: {one_line(exc)}", "red",
                                            lines=False))
            return
        style = "red" if report.failed else "dim"
        self.app.call_from_thread(self.show_status,
                                  plain("; ".join(report.lines()), style, lines=False))
        if report.new:
            self.app.call_from_thread(self.action_reload)

    @work(thread=True, group="timeline-annotate")
    def annotate(self, ref: str, text: str) -> None:
        """Store the annotation off the UI thread, then reload."""
        assert self.view is not None
        try:
            entry = self.console.annotate(self.view.incident, ref, text)
        except Exception as exc:
            self.app.call_from_thread(self.show_status,
                                      plain(f"not annotated: {one_line(exc)}", "red",
                                            lines=False))
            return
        self.app.call_from_thread(self.show_status,
                                  plain(f"added t{entry.id}: {entry.title}", "green",
                                        lines=False))
        self.app.call_from_thread(self.action_reload)

    # --- display ------------------------------------------------------------------------

    def show_view(self, view: IncidentView | None) -> None:
        """Show the incident (or say there is none) and its filtered items."""
        self.view = view
        title = self.query_one("#timeline-title", Static)
        if view is None:
            title.update(plain(NO_INCIDENT, "yellow", lines=False))
            self.shown = []
            self.query_one(DataTable).clear()
            self.show_detail()
            return
        title.update(incident_title(view.incident))
        self.refill()

    def refill(self) -> None:
        """The table rows of the items passing the filters (the cursor stays on its ref)."""
        if self.view is None:
            return
        table = self.query_one(DataTable)
        keep = self.selected()
        matching = self.view.filtered(**self.filters)
        self.shown = matching[-MAX_ROWS:]
        if len(matching) > MAX_ROWS:
            self.show_status(plain(f"showing the newest {MAX_ROWS} of {len(matching)} "
                                   "entries (filters narrow it)", "yellow", lines=False))
        order = cluster_order(self.view.incident, self.view.items)
        table.clear()
        for item in self.shown:
            table.add_row(*item_row(item, order), key=item.ref)
        refs = [i.ref for i in self.shown]
        if keep is not None and keep.ref in refs:
            table.move_cursor(row=refs.index(keep.ref))
        elif self.shown:
            table.move_cursor(row=len(self.shown) - 1)
        self.show_detail()

    def selected(self) -> TimelineItem | None:
        """The item under the cursor."""
        table = self.query_one(DataTable)
        if not self.shown or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def show_detail(self) -> None:
        """The selected item in full."""
        item = self.selected()
        self.query_one("#timeline-entry", Static).update(
            item_detail(item) if item else Text("no entries match", "dim"))

    def show_status(self, text: Text) -> None:
        """The status line."""
        self.query_one("#timeline-status", Static).update(text)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, _: DataTable.RowHighlighted) -> None:
        self.show_detail()

    @on(Input.Submitted)
    def _apply_filters(self, _: Input.Submitted) -> None:
        self.filters = {name: self.query_one(f"#timeline-filter-{name}", Input).value.strip()
                        for name in FILTER_FIELDS}
        self.query_one(DataTable).focus()
        self.refill()

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        """Letters typed into a filter box are text, not actions."""
        typing = isinstance(self.focused, Input)
        return not (typing and action in ("annotate", "notes", "filters", "import_now",
                                          "reload"))
