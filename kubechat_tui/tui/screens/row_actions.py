"""The screen layer that acts on the selected row (k9s keys): describe, logs of a chosen
container (or its previous instance), events and "ask about this" through the planner and
the read path, copy its name; selecting a row brings its latest result block into view,
and a result block can be promoted to a plan (a follow-up change, or a recipe)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from textual import work
from textual.binding import BindingType

from kubechat_tui.domain import Scope
from kubechat_tui.tui.bindings import ROW_BINDINGS
from kubechat_tui.tui.clipboard import copy_text
from kubechat_tui.tui.detail_fetch import LOG_LINES, one_line
from kubechat_tui.tui.messages import ObjectKey, PlanReady, ReadResultReady
from kubechat_tui.tui.row_subject import RowSubject, step_subject
from kubechat_tui.tui.scope import ViewScope
from kubechat_tui.tui.screens.choice_screen import ChoiceScreen
from kubechat_tui.tui.screens.operating import OperatingScreen
from kubechat_tui.tui.widgets.chat_pane import ChatInput, ChatPane
from kubechat_tui.tui.widgets.detail_pane import DetailPane
from kubechat_tui.tui.widgets.log_panel import LogPanel
from kubechat_tui.tui.widgets.plan_view import PlanView
from kubechat_tui.tui.widgets.resource_table import ResourceTable
from kubechat_tui.tui.widgets.result_block import ResultBlock
from kubechat_tui.tui.widgets.status_bar import StatusBar

ROW_ACTIONS = frozenset(b.action for b in ROW_BINDINGS)
MAX_REMEMBERED = 500  # results remembered for focusing and promoting (older ones forgotten)


class RowActionsScreen(OperatingScreen):
    """Row keys act only while the table has focus (elsewhere the keys are free)."""

    BINDINGS: ClassVar[list[BindingType]] = list(ROW_BINDINGS)

    def __init__(self, scope: ViewScope) -> None:
        super().__init__(scope)
        self.subject: RowSubject | None = None  # what the chat asks about ("ask about this")
        self._latest: dict[tuple[str, str], Any] = {}  # (cluster, name) -> newest result
        self._steps: dict[int, tuple[Any, Any]] = {}  # id(result) -> (result, its step)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ROW_ACTIONS:
            return self.focused is self.query_one(ResourceTable)
        return True

    def selected_subject(self) -> RowSubject | None:
        """The selected row as a subject, or None (and a status line) when none is."""
        key = self.selected
        if key is None:
            self.query_one(StatusBar).show_error("no row selected")
            return None
        return RowSubject(key.cluster, key.kind, key.namespace, key.name)

    def row_failed(self, subject: RowSubject, what: str, line: str) -> None:
        """A row action that could not be done: one line in the chat and the status bar."""
        self.query_one(ChatPane).add_message("system", f"{what} {subject.label()}: {line}")
        self.query_one(StatusBar).show_error(f"{what}: {line}")

    # --- describe, logs, events, copy -----------------------------------------------------

    def action_describe(self) -> None:
        key = self.selected
        if key is None:
            self.query_one(StatusBar).show_error("no row selected")
            return
        self.detail_mode = "describe"
        self._load_detail(key)
        self.query_one(DetailPane).focus()

    def action_logs(self) -> None:
        self._logs(previous=False)

    def action_previous_logs(self) -> None:
        self._logs(previous=True)

    def _logs(self, previous: bool) -> None:
        subject = self.selected_subject()
        if subject is None:
            return
        if subject.kind != "pods":
            self.query_one(StatusBar).show_info(
                f"logs are per pod: enter shows this {subject.singular}'s pods")
            return
        self.query_one(LogPanel).show_note(f"{subject.cluster}/{subject.name}", "loading…")
        self._containers(subject, previous)

    @work(thread=True, exclusive=True, group="row-logs")
    def _containers(self, subject: RowSubject, previous: bool) -> None:
        """Worker: the pod's containers (init containers last), then its log or a picker."""
        app = self.kubechat
        try:
            pod = app.backend.get_object(app.fleet, subject.cluster, "pods", subject.namespace,
                                         subject.name)
        except Exception as exc:  # a vanished pod, a forbidden read: one line
            app.call_from_thread(self.row_failed, subject, "logs of", one_line(exc))
            return
        spec = pod.get("spec") or {}
        names = [str(c.get("name")) for group in ("containers", "initContainers")
                 for c in spec.get(group) or () if c.get("name")]
        app.call_from_thread(self._choose_container, subject, names, previous)

    def _choose_container(self, subject: RowSubject, names: list[str], previous: bool) -> None:
        if len(names) <= 1:
            self._read_logs(subject, names[0] if names else None, previous)
            return
        word = "previous instance of which container" if previous else "which container"

        def chosen(container: str | None) -> None:
            if container:
                self._read_logs(subject, container, previous)

        self.app.push_screen(
            ChoiceScreen(f"logs of {subject.name}: {word}?", [(n, n) for n in names]), chosen)

    @work(thread=True, exclusive=True, group="row-logs")
    def _read_logs(self, subject: RowSubject, container: str | None, previous: bool) -> None:
        """Worker: the tail of one container's log (or of its previous instance)."""
        app = self.kubechat
        try:
            lines = app.backend.pod_log_tail(app.fleet, subject.cluster, subject.namespace,
                                             subject.name, container=container,
                                             lines=LOG_LINES, previous=previous)
        except Exception as exc:  # no previous instance, a vanished pod: one line
            app.call_from_thread(self.row_failed, subject, "logs of", one_line(exc))
            return
        app.call_from_thread(self._show_logs, subject, container, previous, lines)

    def _show_logs(self, subject: RowSubject, container: str | None, previous: bool,
                   lines: list[str]) -> None:
        title = f"{subject.cluster}/{subject.name}" + (f" · {container}" if container else "")
        title += " (previous instance)" if previous else ""
        panel = self.query_one(LogPanel)
        if lines:
            panel.show_lines(title, lines)
        else:
            panel.show_note(title, "no log lines")
        panel.focus()

    def action_events(self) -> None:
        subject = self.selected_subject()
        if subject is not None:
            self.plan_about(subject, f"events for {subject.singular} {subject.name}", run=True)

    def action_copy_name(self) -> None:
        key = self.selected
        if key is None:
            self.query_one(StatusBar).show_error("no row selected")
            return
        copied, said = copy_text(self.app, key.name, f"name {key.name}")
        bar = self.query_one(StatusBar)
        bar.show_info(said) if copied else bar.show_error(said)

    # --- ask about this ----------------------------------------------------------------

    def action_ask_about(self) -> None:
        """The chat asks about the selected row from now on (again on that row: no more)."""
        subject = self.selected_subject()
        if subject is None:
            return
        chat = self.query_one(ChatPane)
        if subject == self.subject:
            self.subject = None
            chat.show_subject(None)
            self.query_one(StatusBar).show_info("the chat asks about the table's scope again")
            return
        self.subject = subject
        chat.show_subject(subject.label())
        self.set_focus(chat.query_one(ChatInput))

    def planned_question(self, text: str) -> tuple[str, ViewScope]:
        """A question about the subject names it and is planned in its cluster and
        namespace only."""
        subject = self.subject
        if subject is None:
            return super().planned_question(text)
        return subject.question(text), self._scope_of(subject)

    def _scope_of(self, subject: RowSubject) -> ViewScope:
        return replace(self.scope, clusters=(subject.cluster,), namespace=subject.namespace,
                       cluster_set=None, label_selector=None)

    def plan_about(self, subject: RowSubject, text: str, run: bool) -> None:
        """Plan `text` in the subject's cluster and namespace; with `run`, a plan that only
        reads runs at once (its results stream into the chat), else it waits in the chat
        for enter (a change then opens the preview)."""
        if self.kubechat.planner is None:
            self.query_one(ChatPane).add_message("system", "no planner in this console")
            return
        self.query_one(ChatPane).add_message("you", f"{text} ({subject.label()})")
        self._plan_for(text, self._scope_of(subject), run)

    @work(thread=True, group="row-plan")
    def _plan_for(self, text: str, scope: ViewScope, run: bool) -> None:
        """Worker: plan a row action's request."""
        planner = self.kubechat.planner
        assert planner is not None
        try:
            result = planner.plan(text, Scope(clusters=scope.clusters,
                                              namespace=scope.namespace))
        except Exception as exc:  # one line in the chat
            self.app.call_from_thread(self.query_one(ChatPane).add_message, "system",
                                      f"planner failed: {one_line(exc)}")
            return
        self.app.call_from_thread(self._planned, result, run)

    def _planned(self, result: Any, run: bool) -> None:
        table = self.query_one(ResourceTable)
        self.on_plan_ready(PlanReady(result))
        plan = result.plan
        if run and plan is not None and not result.blocked and not plan.mutating:
            self.post_message(PlanView.SubmitRequested(plan))
            self.set_focus(table)

    # --- results: focus on selection, promote --------------------------------------------

    def on_read_result_ready(self, message: ReadResultReady) -> None:
        """Remember which objects a result is about (before the block is shown)."""
        result, step = message.result, message.step
        self._steps[id(result)] = (result, step)
        target = step_subject(result.cluster, step)
        names = {target.name} if target is not None else set()
        names |= {str((obj.get("metadata") or {}).get("name") or "")
                  for obj in result.evidence if isinstance(obj, dict)}
        for name in names - {""}:
            self._latest[(result.cluster, name)] = result
        while len(self._steps) > MAX_REMEMBERED:
            del self._steps[next(iter(self._steps))]
        while len(self._latest) > MAX_REMEMBERED:
            del self._latest[next(iter(self._latest))]

    def on_resource_table_selected(self, message: ResourceTable.Selected) -> None:
        key = self._key_of(message.row)
        if key is not None and message.by_user:
            self.focus_result(key)

    def focus_result(self, key: ObjectKey) -> ResultBlock | None:
        """Bring the newest result block about `key` into view, marked; None if none."""
        result = self._latest.get((key.cluster, key.name))
        thread = self.query_one(ChatPane).thread
        found = None
        for block in thread.query(ResultBlock):
            block.set_class(False, "-focused")
            if result is not None and any(r is result for r in block.results):
                found = block
        if found is not None:
            found.set_class(True, "-focused")
            thread.scroll_to_widget(found, animate=False, top=True)
        return found

    def on_result_block_promote_requested(self, message: ResultBlock.PromoteRequested) -> None:
        result = message.result
        _, step = self._steps.get(id(result), (None, None))
        subject = step_subject(result.cluster, step)
        if subject is None:
            self.query_one(StatusBar).show_error(
                "this result names no single object to act on: ask in the chat instead")
            return

        def chosen(request: str | None) -> None:
            if request:
                self.plan_about(subject, request, run=False)

        self.app.push_screen(
            ChoiceScreen(f"promote {subject.label()} to a plan", subject.follow_ups()), chosen)
