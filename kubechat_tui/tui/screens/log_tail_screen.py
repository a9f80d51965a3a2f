"""The log tail screen: stern-style live logs of a pod, a workload or a selector across the
clusters in scope, with filters that change without restarting the streams.

Open it with `app.open_log_tail(LogTailRequest(...))` (the `:logs` command does). The
streams run in their own threads and fill a bounded TailBuffer (`kube.log_ring_lines`);
a timer moves what arrived into the view ten times a second, so a flood of lines never
queues messages or blocks keys. Changing since or previous restarts the streams.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from kubechat_tui.domain.ages import parse_duration
from kubechat_tui.domain.log_records import LogEvent, LogLine, TailOptions
from kubechat_tui.engine.logtail.buffer import Entry, TailBuffer
from kubechat_tui.engine.logtail.patterns import LineFilter, PatternError
from kubechat_tui.tui.bindings import LOG_TAIL_BINDINGS
from kubechat_tui.tui.log_tail_request import LogTailRequest
from kubechat_tui.tui.log_view_model import LogViewModel
from kubechat_tui.tui.plain_text import plain
from kubechat_tui.tui.widgets.log_tail_view import LogTailView

if TYPE_CHECKING:
    from kubechat_tui.tui.app import KubechatApp
    from kubechat_tui.tui.engine_slot import EngineHandle

POLL_SECONDS = 0.1
START_TAIL = 200  # lines of each container to start with
SHOWN_CARDS = 3
PAGE = 20


class TailLike(Protocol):
    """What the screen needs of a running tail (kube.log_tail.LogTail)."""

    def start(self) -> Any: ...
    def stop(self) -> None: ...


TailFactory = Callable[[LogTailRequest, TailOptions, Callable[[LogEvent], None]], TailLike]


def fleet_tail(fleet: Any) -> TailFactory:
    """Tails through the kube layer on `fleet` (ValueError for a TARGET it cannot use)."""
    def make(request: LogTailRequest, options: TailOptions,
             sink: Callable[[LogEvent], None]) -> TailLike:
        from kubechat_tui.kube.log_tail import LogTail
        from kubechat_tui.kube.log_targets import parse_target

        target = parse_target(request.target, request.selector, request.namespace)
        return LogTail(fleet, request.clusters, target, options, sink)
    return make


class LogTailScreen(Screen[None]):
    """Header, anomaly cards, the tail, a prompt line and a status line."""

    BINDINGS: ClassVar[list[BindingType]] = list(LOG_TAIL_BINDINGS)
    DEFAULT_CSS = """
    LogTailScreen #log-header { height: 1; background: $boost; }
    LogTailScreen #log-cards { height: auto; max-height: 3; color: $warning; }
    LogTailScreen #log-prompt { display: none; }
    LogTailScreen #log-prompt.open { display: block; }
    LogTailScreen #log-status { height: 1; }
    """

    def __init__(self, request: LogTailRequest, capacity: int,
                 factory: TailFactory) -> None:
        super().__init__()
        self.request = request
        self.options = TailOptions(container=request.container, tail_lines=START_TAIL)
        self.filter = LineFilter(container=request.container or "")
        self.buffer = TailBuffer(capacity)
        self.model = LogViewModel(capacity)
        self._factory = factory
        self._tail: TailLike | None = None
        self._seq = 0
        self._cards = 0
        self._prompt: str | None = None  # what the open prompt edits

    @property
    def kubechat(self) -> KubechatApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="log-header")
        yield Static(id="log-cards")
        yield LogTailView(self.model, id="log-view")
        yield Input(id="log-prompt")
        yield Static(id="log-status")
        yield Footer()

    @property
    def view(self) -> LogTailView:
        return self.query_one(LogTailView)

    def on_mount(self) -> None:
        self._header()
        self._subtitle()
        self.set_interval(POLL_SECONDS, self.pull)
        self.view.focus()
        self._start()

    def on_unmount(self) -> None:
        self._stop_tail()

    # --- the streams --------------------------------------------------------------

    def _start(self) -> None:
        try:
            tail = self._factory(self.request, self.options, self.buffer.add)
        except ValueError as exc:
            self.status(str(exc), error=True)
            return
        self._tail = tail
        self._run(tail)

    @work(thread=True, group="log-tail")
    def _run(self, tail: TailLike) -> None:
        """Worker: start the streams (building clients may block)."""
        tail.start()

    def _stop_tail(self) -> None:
        tail, self._tail = self._tail, None
        if tail is not None:
            self.run_worker(tail.stop, thread=True, group="log-tail-stop")

    def _restart(self, options: TailOptions) -> None:
        """Since or previous changed: new streams, a fresh buffer."""
        self._stop_tail()
        self.options = options
        self.buffer = TailBuffer(self.buffer.capacity)
        self._seq = self._cards = 0
        self.model.refilter(self.model.shown, [])
        self.view.refresh_rows()
        self._header()
        self._start()

    def pull(self) -> None:
        """Move what the streams delivered into the view (timer, ten times a second)."""
        entries = self.buffer.since(self._seq)
        if entries:
            self._seq = entries[-1].seq
            if self.model.add(entries):
                self.view.refresh_rows()
                self._subtitle()
        cards = self.buffer.cards_since(self._cards)
        if cards:
            self._cards += len(cards)
            self.model.marked = set(self.buffer.marked)
            self.model.invalidate()
            self.view.refresh_rows()
            shown = list(self.buffer.cards)[-SHOWN_CARDS:]
            text = Text("\n").join(plain("⚠ " + c.line(), lines=False) for c in shown)
            self.query_one("#log-cards", Static).update(text)
            self.notify(cards[-1].line(), title="log anomaly", severity="warning",
                        markup=False)

    # --- what the header, subtitle and status line say ----------------------------

    def _header(self) -> None:
        parts = [f"logs · {self.request.title()}"]
        spec = self.filter
        parts += [f"{name} {value}" for name, value in (
            ("container", spec.container), ("include", spec.include),
            ("exclude", spec.exclude)) if value]
        if self.options.since_seconds:
            parts.append(f"since {self.options.since_seconds}s")
        if self.options.previous:
            parts.append("previous")
        self.query_one("#log-header", Static).update(plain(" · ".join(parts), lines=False))

    def _subtitle(self) -> None:
        model = self.model
        state = "following" if model.following else (
            f"paused · {model.new_lines} new lines (p: resume)")
        flags = [f for f, on in (("wrap", model.wrap), ("json", model.json_first)) if on]
        self.view.border_subtitle = plain(" · ".join([state, *flags]), lines=False)
        self.view.border_title = plain(f"{len(model.entries)} lines · "
                                       f"{self.buffer.lines_seen} received", lines=False)

    def status(self, line: str, error: bool = False) -> None:
        """One line under the tail."""
        self.query_one("#log-status", Static).update(
            plain(line, "red" if error else "green", lines=False))

    # --- keys ---------------------------------------------------------------------

    def action_pause(self) -> None:
        if self.model.following:
            self.model.pause()
        else:
            self.model.follow()
        self.view.refresh_rows()
        self._subtitle()

    def action_follow(self) -> None:
        self.model.follow()
        self.view.refresh_rows()
        self._subtitle()

    def action_move(self, delta: int) -> None:
        self.model.move(delta)
        self.view.show_cursor()
        self._subtitle()

    def action_wrap(self) -> None:
        self.model.wrap = not self.model.wrap
        self.view.refresh_rows()
        self._subtitle()

    def action_json(self) -> None:
        self.model.json_first = not self.model.json_first
        self.model.invalidate()
        self.view.refresh_rows()
        self._subtitle()

    def action_mark(self) -> None:
        self.model.toggle_mark()
        self.view.refresh()

    def action_copy(self) -> None:
        lines = self._selected_text()
        if lines:
            self.app.copy_to_clipboard("\n".join(lines))
            self.status(f"copied {len(lines)} line(s)")

    def action_prompt(self, what: str) -> None:
        current = {"include": self.filter.include, "exclude": self.filter.exclude,
                   "container": self.filter.container,
                   "since": f"{self.options.since_seconds}s" if self.options.since_seconds
                   else "",
                   "save": f"kubechat-logs-{datetime.now(UTC):%Y%m%dT%H%M%S}.txt"}[what]
        prompt = self.query_one("#log-prompt", Input)
        prompt.placeholder = {"include": "show only lines matching (RE2)",
                              "exclude": "hide lines matching (RE2)",
                              "container": "only this container (empty: all)",
                              "since": "only lines newer than (30s, 10m, 2h; empty: all)",
                              "save": "save the shown lines to this file"}[what]
        prompt.value = current
        prompt.add_class("open")
        self._prompt = what
        prompt.focus()

    def action_previous(self) -> None:
        self._restart(replace(self.options, previous=not self.options.previous,
                              follow=self.options.previous))

    def action_pin(self) -> None:
        lines = [e.event for e in self.model.selection() if isinstance(e.event, LogLine)]
        if not lines:
            self.status("nothing to pin: move the cursor to a log line", error=True)
            return
        self.kubechat.with_engine(lambda handle: self._pin(handle, lines),
                                  lambda line: self.status(line, error=True))

    def action_close(self) -> None:
        if self._prompt is not None:
            self._close_prompt()
        else:
            self.dismiss()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        what, value = self._prompt, message.value.strip()
        message.stop()
        if what is None:
            return
        try:
            self._apply(what, value)
        except (PatternError, ValueError) as exc:
            self.status(str(exc), error=True)
            return
        self._close_prompt()

    def _apply(self, what: str, value: str) -> None:
        if what in ("include", "exclude", "container"):
            spec = replace(self.filter, **{what: value})
            compiled = spec.compiled()  # a bad pattern raises: the old filter stays
            self.filter = spec
            self.model.refilter(compiled, self.buffer.entries())
            self.view.refresh_rows()
            self._header()
            self._subtitle()
            self.status(f"{what}: {value or 'cleared'} (streams not restarted)")
        elif what == "since":
            seconds = parse_duration(value) if value else None
            self._restart(replace(self.options, since_seconds=seconds,
                                  tail_lines=None if seconds else START_TAIL))
        elif what == "save":
            self._save(Path(value).expanduser() if value else Path("kubechat-logs.txt"),
                       [self._line_text(e) for e in self.model.entries])

    def _close_prompt(self) -> None:
        self._prompt = None
        self.query_one("#log-prompt", Input).remove_class("open")
        self.view.focus()

    def _selected_text(self) -> list[str]:
        return [self._line_text(e) for e in self.model.selection()]

    @staticmethod
    def _line_text(entry: Entry) -> str:
        event = entry.event
        if isinstance(event, LogLine):
            return f"{event.key.label()} {event.stamp} {event.text}"
        return entry.text

    @work(thread=True, group="log-save")
    def _save(self, path: Path, lines: list[str]) -> None:
        """Worker: write the lines to a new file (never over an existing one, never half)."""
        try:
            if path.exists():
                raise FileExistsError(f"{path} exists: choose another name")
            fd, temp = tempfile.mkstemp(dir=path.parent or ".", prefix=".kubechat-logs-")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write("\n".join(lines) + "\n")
            os.replace(temp, path)
        except OSError as exc:
            self.app.call_from_thread(self.status, f"not saved: {exc}", True)
            return
        self.app.call_from_thread(self.status, f"saved {len(lines)} lines to {path}")

    @work(thread=True, group="log-pin")
    def _pin(self, handle: EngineHandle, lines: list[LogLine]) -> None:
        """Worker: the selected lines onto the incident timeline."""
        from kubechat_tui.engine.logtail.pin import pin_log_range

        pipeline = handle.pipeline
        author = pipeline.operator.kube_identity or pipeline.operator.os_user
        try:
            entry = pin_log_range(pipeline.timeline, author, lines)
        except Exception as exc:  # a locked store: one line, the tail goes on
            self.app.call_from_thread(self.status, f"not pinned: {exc}", True)
            return
        self.app.call_from_thread(self.status, f"pinned to the timeline: {entry.title}")
