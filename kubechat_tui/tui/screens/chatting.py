"""The screen layer behind the chat pane: planner requests in a worker, plans shown inline,
and the planner's provider health in the chat title (probed after the first paint)."""

from __future__ import annotations

from textual import events, work
from textual.worker import get_current_worker

from kubechat_tui.domain import Scope
from kubechat_tui.planner.providers import ProviderHealth, model_string
from kubechat_tui.tui import planner_status
from kubechat_tui.tui.detail_fetch import one_line
from kubechat_tui.tui.messages import ChatSubmitted, PlanFailed, PlanReady
from kubechat_tui.tui.planner_status import PlannerHealthLike, PlannerStatus
from kubechat_tui.tui.scope import ViewScope
from kubechat_tui.tui.screens.inspecting import InspectingScreen
from kubechat_tui.tui.widgets.chat_pane import ChatInput, ChatPane
from kubechat_tui.tui.widgets.plan_view import PlanView


class ChattingScreen(InspectingScreen):
    """Sends chat text to the planner (blocking, so in a thread) and shows the answer."""

    planner_state: PlannerStatus | None = None

    @property
    def model(self) -> str:
        """The configured model's litellm string."""
        return model_string(self.kubechat.settings.ai)

    def check_planner(self) -> None:
        """Show which planner answers; with a model, import it and probe it in a worker."""
        planner = self.kubechat.planner
        if not isinstance(planner, PlannerHealthLike):
            return
        if not planner.llm_enabled:
            self._show_planner(planner_status.RULES)
            return
        self._show_planner(planner_status.checking(self.model))
        self._probe_planner(planner)

    @work(thread=True, exclusive=True, group="planner-health")
    def _probe_planner(self, planner: PlannerHealthLike) -> None:
        """Worker: import litellm (seconds), then probe the provider."""
        try:
            planner.warm_up()
            health = planner.health()
        except Exception as exc:  # a broken install is a down provider, not a crash
            health = ProviderHealth(self.model, False, one_line(exc))
        self.app.call_from_thread(self._provider_checked, planner.llm_enabled, health)

    def _provider_checked(self, llm_enabled: bool, health: ProviderHealth) -> None:
        self._show_planner(planner_status.from_health(llm_enabled, health))
        if llm_enabled and not health.ok:
            self.query_one(ChatPane).add_message(
                "system", f"AI planner {health.model}: {health.detail}; the rule planner "
                "answers until it is back")

    def _show_planner(self, state: PlannerStatus) -> None:
        self.planner_state = state
        self.query_one(ChatPane).show_planner(state.text, state.healthy)

    def plan_recipe(self, arg: str) -> None:
        """`:recipe NAME KEY=VALUE ...` goes to the chat as a request (no name: the list)."""
        self.query_one(ChatPane).submit(f"recipe {arg}".strip())

    def on_chat_submitted(self, message: ChatSubmitted) -> None:
        if self.kubechat.planner is None:
            self.query_one(ChatPane).add_message("system", "no planner in this console")
            return
        self.query_one(ChatPane).add_message("system", "planning…")
        self.plan_request(*self.planned_question(message.text))
        self._warm_engine()

    def planned_question(self, text: str) -> tuple[str, ViewScope]:
        """The request and scope a chat message is planned in (here: as typed, in the
        table's scope; row actions anchor it to a selected row)."""
        return text, self.scope

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, ChatInput):
            self._warm_engine()

    def _warm_engine(self) -> None:
        """Open the engine while a question is typed and planned, so a submitted plan's
        diagnostics start at once (a failure to open is reported when one is submitted)."""
        if self.kubechat.engine is not None and self.kubechat.engine.handle is None:
            self.kubechat.with_engine(lambda handle: None, lambda line: None)

    @work(thread=True, exclusive=True, group="planner")
    def plan_request(self, text: str, scope: ViewScope) -> None:
        """Worker: ask the planner (rules or LLM; may query the fleet)."""
        worker = get_current_worker()
        planner = self.kubechat.planner
        assert planner is not None
        plan_scope = Scope(clusters=scope.clusters, namespace=scope.namespace,
                           cluster_set=scope.cluster_set)
        try:
            message: PlanReady | PlanFailed = PlanReady(planner.plan(text, plan_scope))
        except Exception as exc:  # shown as one line in the chat thread
            message = PlanFailed(one_line(exc))
        if not worker.is_cancelled:
            self.post_message(message)

    def on_plan_ready(self, message: PlanReady) -> None:
        chat = self.query_one(ChatPane)
        result = message.result
        planner = self.kubechat.planner
        assert planner is not None
        if isinstance(planner, PlannerHealthLike) and self.planner_state is not None:
            self._show_planner(planner_status.from_result(
                planner.llm_enabled, self.model, result, self.planner_state))
        for note in result.notes:
            chat.add_message("system", note)
        unplanned = result.blocked or result.plan is None
        if unplanned:
            chat.add_message("planner", f"cannot plan that: {result.reason or 'no plan'}")
        for suggestion in result.suggestions:
            chat.add_message("system", f"try: {suggestion}")
        for index, match in enumerate(result.recipes):
            chat.add_message("system", f"recipe match: {match}"
                             + (" (↑ in the chat input to use it)" if index == 0 else ""))
        if result.recipes:  # one key: the best match is the input's last history entry
            chat.query_one(ChatInput).remember(result.recipes[0])
        if unplanned:
            return
        view = PlanView(result.plan, planner.rescore)
        chat.add_message("planner", view)
        if not chat.query_one(ChatInput).value:  # not typing the next message: keys go
            view.focus()                         # to the plan (enter submits, e edits)

    def on_plan_failed(self, message: PlanFailed) -> None:
        self.query_one(ChatPane).add_message("system", f"planner failed: {message.error}")
