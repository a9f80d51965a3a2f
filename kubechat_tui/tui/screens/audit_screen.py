"""The audit screen: a live tail of the audit chain with filters and verification status.

    app.push_screen(AuditScreen(audit_log))      # audit_log: store.audit.AuditLog

Every store call runs in a thread worker. The table keeps the newest ``MAX_ROWS``
matching records and polls for new ones every ``POLL_SECONDS``. The status line shows the
result of the last full verification and when it ran; the chain is verified again when
the tail brings new records and every ``VERIFY_SECONDS`` (one verification at a time), so
tampering shows up while the screen is open. Filters: clusters, users and action types
(comma-separated) and a start time (ISO 8601 or 15m/2h/7d); enter applies.
Keys: `v` verify the chain, `t` the transcript of the selected record's exec session,
`f` edit filters, `r` reload, escape close.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar

import orjson
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditFilter, AuditRecord, parse_time
from kubechat_tui.store.audit_verify import VerifyResult
from kubechat_tui.store.transcripts import SESSION_PREFIX
from kubechat_tui.tui.bindings import AUDIT_BINDINGS
from kubechat_tui.tui.plain_text import plain

MAX_ROWS = 1000
POLL_SECONDS = 1.0
VERIFY_SECONDS = 30.0
FILTER_FIELDS = ("cluster", "user", "action", "since")
OUTCOME_STYLE = {"succeeded": "green", "failed": "bold red", "refused": "red", "denied": "red",
                 "pending": "yellow"}


def build_filter(values: dict[str, str]) -> AuditFilter:
    """An AuditFilter from the filter inputs; ValueError (one line) for a bad time."""

    def items(name: str) -> tuple[str, ...]:
        return tuple(v.strip() for v in values.get(name, "").split(",") if v.strip())

    since = values.get("since", "").strip()
    return AuditFilter(clusters=items("cluster"), users=items("user"), actions=items("action"),
                       since=parse_time(since) if since else None)


def status_text(result: VerifyResult, at: datetime | None = None) -> Text:
    """One line: intact (green) or the first problem (red), the key in use, when checked."""
    when = f"{at.astimezone(UTC):%H:%M:%S} UTC  " if at else ""
    if result.problem is not None:
        return plain(f"{when}TAMPERED  {result.problem}", "bold red", lines=False)
    text = Text(f"{when}chain intact: {result.records} records, last signed seq "
                f"{result.last_signed_seq}", "green")
    text.append(f"   key: {result.key_source}", "dim")
    if result.warnings:
        text.append_text(plain(f"   {len(result.warnings)} warning(s): {result.warnings[0]}",
                               "yellow", lines=False))
    return text


def record_row(record: AuditRecord) -> tuple[Any, ...]:
    """The table cells for one record (Text: a str cell would be parsed as markup)."""
    event = record.event
    kube = event.operator.kube_identity
    user = event.operator.os_user + (f" ({kube})" if kube else "")
    outcome = plain(event.outcome, OUTCOME_STYLE.get(event.outcome, ""), lines=False)
    return (str(record.seq), record.ts.strftime("%Y-%m-%d %H:%M:%S"),
            *(plain(cell, lines=False) for cell in
              (user, event.action, ",".join(event.scope.clusters))),
            outcome, plain(event.justification, lines=False))


class AuditScreen(Screen[None]):
    """Filters on top, records in the middle, the selected record and the chain status below."""

    BINDINGS: ClassVar[list[BindingType]] = list(AUDIT_BINDINGS)
    DEFAULT_CSS = """
    AuditScreen #audit-filters { height: 3; }
    AuditScreen #audit-filters Input { width: 1fr; }
    AuditScreen #audit-table { height: 2fr; }
    AuditScreen #audit-detail { height: 1fr; border-top: solid $accent; padding: 0 1; }
    AuditScreen #audit-status { height: 1; padding: 0 1; }
    """

    def __init__(self, audit: AuditLog) -> None:
        super().__init__()
        self.audit = audit
        self.filters = AuditFilter()
        self.records: dict[int, AuditRecord] = {}
        self.last_seq = 0
        self.generation = 0  # bumped on reload; stale tail results are dropped
        self.tailing = False  # a tail read is in flight
        self.verifying = False  # a verification is in flight

    def compose(self) -> ComposeResult:
        with Vertical():
            with Horizontal(id="audit-filters"):
                for name in FILTER_FIELDS:
                    hint = "since (2h, 2026-11-25T10:00Z)" if name == "since" else f"{name}(s)"
                    yield Input(placeholder=hint, id=f"audit-filter-{name}")
            yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="audit-detail"):
                yield Static("", id="audit-record")
            yield Static("verifying the audit chain...", id="audit-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("SEQ", "TIME (UTC)", "USER", "ACTION", "CLUSTERS", "OUTCOME", "WHY")
        table.focus()
        self.action_reload()
        self.action_verify()
        self.set_interval(POLL_SECONDS, self.tail)
        self.set_interval(VERIFY_SECONDS, self.reverify)

    def action_reload(self) -> None:
        """Reload the newest matching records."""
        self.generation += 1
        self.load(self.filters, self.generation)

    def action_verify(self) -> None:
        """Verify the whole chain in a worker."""
        self.query_one("#audit-status", Static).update("verifying the audit chain...")
        self.verifying = True
        self.verify()

    def reverify(self) -> None:
        """Verify again in the background, keeping the last status until the new one is in."""
        if not self.verifying:
            self.verifying = True
            self.verify()

    def action_filters(self) -> None:
        """Move to the first filter input."""
        self.query_one(f"#audit-filter-{FILTER_FIELDS[0]}", Input).focus()

    def action_close(self) -> None:
        """Back to the previous screen."""
        self.app.pop_screen()

    def action_transcript(self) -> None:
        """Open the transcript of the selected record's exec session."""
        from kubechat_tui.tui.screens.transcript_screen import TranscriptScreen

        record = self.selected_record()
        session = record.event.links.execution_id if record is not None else None
        if session is None or not session.startswith(SESSION_PREFIX):
            self.show_status(plain("the selected record is not part of an exec session",
                                   "yellow", lines=False))
            return
        self.app.push_screen(TranscriptScreen(self.audit, session))

    def selected_record(self) -> AuditRecord | None:
        """The record under the cursor (None: none)."""
        table = self.query_one(DataTable)
        if not table.row_count or not 0 <= table.cursor_row < table.row_count:
            return None
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        return self.records.get(int(key)) if key else None

    def tail(self) -> None:
        """Ask for records newer than the last one shown (one read at a time)."""
        if not self.tailing:
            self.tailing = True
            self.fetch_new(self.filters, self.last_seq, self.generation)

    @work(thread=True, exclusive=True, group="audit-load")
    def load(self, filters: AuditFilter, generation: int) -> None:
        """Read the newest matching records off the UI thread."""
        try:
            records = self.audit.latest(filters, MAX_ROWS)
        except Exception as exc:  # a locked or corrupt store must not crash the console
            self.app.call_from_thread(self.show_status,
                                      plain(f"cannot read audit: {exc}", "red", lines=False))
            return
        self.app.call_from_thread(self.show_records, records, generation, True)

    @work(thread=True, group="audit-tail")
    def fetch_new(self, filters: AuditFilter, after: int, generation: int) -> None:
        """Read records appended since ``after`` off the UI thread."""
        try:
            records = self.audit.latest(replace(filters, after_seq=after), MAX_ROWS)
        except Exception:  # transient (locked); the next poll retries
            records = []
        finally:
            self.tailing = False
        if records:
            self.app.call_from_thread(self.show_records, records, generation, False)

    @work(thread=True, group="audit-verify")
    def verify(self) -> None:
        """Verify the chain off the UI thread."""
        from kubechat_tui.engine.journal import verify_with_interrupted

        try:
            text = status_text(verify_with_interrupted(self.audit), datetime.now(UTC))
        except Exception as exc:
            text = plain(f"cannot verify: {exc}", "bold red", lines=False)
        finally:
            self.verifying = False
        self.app.call_from_thread(self.show_status, text)

    def show_records(self, records: list[AuditRecord], generation: int, replace: bool) -> None:
        """Fill (or extend) the table, keeping at most MAX_ROWS rows."""
        if generation != self.generation:
            return
        table = self.query_one(DataTable)
        if replace:
            table.clear()
            self.records.clear()
            self.last_seq = 0
        follow = table.row_count == 0 or table.cursor_row >= table.row_count - 1
        before = self.last_seq
        for record in records:
            if record.seq <= self.last_seq:
                continue
            table.add_row(*record_row(record), key=str(record.seq))
            self.records[record.seq] = record
            self.last_seq = record.seq
        if not replace and self.last_seq > before:
            self.reverify()  # the chain moved: check it again
        while len(self.records) > MAX_ROWS:
            oldest = min(self.records)
            del self.records[oldest]
            table.remove_row(str(oldest))
        if follow and table.row_count:
            table.move_cursor(row=table.row_count - 1)
        self.show_detail()

    def show_detail(self) -> None:
        """The full selected record (canonical content and hashes)."""
        record = self.selected_record()
        detail = self.query_one("#audit-record", Static)
        if record is None:
            detail.update("no matching audit records")
        else:
            detail.update(plain(orjson.dumps(record.to_json(),
                                             option=orjson.OPT_INDENT_2).decode()))

    def show_status(self, text: Text) -> None:
        """The verification / error line."""
        self.query_one("#audit-status", Static).update(text)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, _: DataTable.RowHighlighted) -> None:
        self.show_detail()

    @on(Input.Submitted)
    def _apply_filters(self, _: Input.Submitted) -> None:
        values = {name: self.query_one(f"#audit-filter-{name}", Input).value
                  for name in FILTER_FIELDS}
        try:
            self.filters = build_filter(values)
        except ValueError as exc:
            self.show_status(plain(str(exc), "bold red", lines=False))
            return
        self.query_one(DataTable).focus()
        self.action_reload()

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        """Letters typed into a filter box are text, not actions."""
        typing = isinstance(self.focused, Input)
        return not (typing and action in ("verify", "filters", "reload", "transcript"))
