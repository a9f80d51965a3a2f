"""The screen layer behind the chat pane: planner requests in a worker, plans shown inline."""

from __future__ import annotations

from textual import work
from textual.worker import get_current_worker

from kubechat_tui.domain import Scope
from kubechat_tui.tui.detail_fetch import one_line
from kubechat_tui.tui.messages import ChatSubmitted, PlanFailed, PlanReady
from kubechat_tui.tui.scope import ViewScope
from kubechat_tui.tui.screens.inspecting import InspectingScreen
from kubechat_tui.tui.widgets.chat_pane import ChatPane
from kubechat_tui.tui.widgets.plan_view import PlanView


class ChattingScreen(InspectingScreen):
    """Sends chat text to the planner (blocking, so in a thread) and shows the answer."""

    def on_chat_submitted(self, message: ChatSubmitted) -> None:
        if self.kubechat.planner is None:
            self.query_one(ChatPane).add_message("system", "planner not wired yet")
            return
        self.query_one(ChatPane).add_message("system", "planning…")
        self.plan_request(message.text, self.scope)

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
        for note in result.notes:
            chat.add_message("system", note)
        if result.blocked or result.plan is None:
            chat.add_message("planner", f"cannot plan that: {result.reason or 'no plan'}")
            for suggestion in result.suggestions:
                chat.add_message("system", f"try: {suggestion}")
            return
        planner = self.kubechat.planner
        assert planner is not None
        chat.add_message("planner", PlanView(result.plan, planner.rescore))

    def on_plan_failed(self, message: PlanFailed) -> None:
        self.query_one(ChatPane).add_message("system", f"planner failed: {message.error}")

    def on_plan_view_submit_requested(self, message: PlanView.SubmitRequested) -> None:
        self.query_one(ChatPane).add_message(
            "system", f"plan {message.plan.digest()[:12]}: execution is not wired yet"
        )
