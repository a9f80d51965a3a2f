"""The screen layer that investigates: when a model planned the question, once its
diagnostics are in, the model may call read-only tools (`engine.investigation`) in a
worker; each call is shown (its results as result blocks, a refusal as a block saying
why) and the answer ends in a block citing its evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work

from kubechat_tui.tui.detail_fetch import one_line
from kubechat_tui.tui.messages import (
    InvestigationCallMade,
    InvestigationFinished,
    ReadResultReady,
    ReadRunFinished,
)
from kubechat_tui.tui.screens.operating import OperatingScreen
from kubechat_tui.tui.widgets.chat_pane import ChatPane
from kubechat_tui.tui.widgets.investigation_block import InvestigationBlock

if TYPE_CHECKING:
    from kubechat_tui.domain import Plan
    from kubechat_tui.engine.wiring import EngineHandle


class InvestigatingScreen(OperatingScreen):
    """Investigations with the model run here; their calls and answer go to the chat."""

    def on_read_run_finished(self, message: ReadRunFinished) -> None:
        """A read-only plan the model made is investigated once its diagnostics are in
        (this runs before the base layer's handler, by Textual's MRO dispatch: the chat
        line waits for its summary, `call_later`)."""
        if message.error is not None or message.run is None or message.plan.mutating:
            return
        from kubechat_tui.engine.investigation.loop import investigates

        ai = self.kubechat.settings.ai
        if not investigates(ai, message.plan):
            return
        plan, results = message.plan, list(message.run.results)
        self.call_later(self.query_one(ChatPane).add_message, "system",
                        f"investigating with the model (read-only tools, at most "
                        f"{ai.investigate_max_calls} calls, {ai.investigate_seconds:g} s)…")
        self.kubechat.with_engine(lambda handle: self.investigate(handle, plan, results),
                                  self._cannot_investigate)

    @work(thread=True, exclusive=True, group="investigation")
    def investigate(self, handle: EngineHandle, plan: Plan, results: list[Any]) -> None:
        """Worker: the investigation on the engine's read path, each call and result
        posted as it comes, then the end."""
        from kubechat_tui.engine.diagnostics.path import ReadPath
        from kubechat_tui.engine.investigation.loop import Investigator
        from kubechat_tui.planner.model_client import ModelClient

        ai = self.kubechat.settings.ai
        try:
            found = Investigator(ReadPath.beside(handle.pipeline), ModelClient(ai), ai).run(
                plan, results,
                on_call=self._post_call, on_result=self._post_result)
        except Exception as exc:  # a store failure: one line, the console stays up
            self.post_message(InvestigationFinished(error=f"investigation failed: "
                                                    f"{one_line(exc)}"))
        else:
            self.post_message(InvestigationFinished(found))

    def _post_call(self, record: Any) -> None:
        self.post_message(InvestigationCallMade(record))

    def _post_result(self, result: Any) -> None:
        self.post_message(ReadResultReady(result))

    def _cannot_investigate(self, line: str) -> None:
        self.post_message(InvestigationFinished(error=f"cannot investigate: {line}"))

    def _production(self) -> frozenset[str]:
        return frozenset(s.name for s in self.kubechat.fleet.statuses() if s.production)

    def on_investigation_call_made(self, message: InvestigationCallMade) -> None:
        from kubechat_tui.tui.investigation_render import call_line, refused_renderable

        record = message.record
        chat = self.query_one(ChatPane)
        if record.refused:
            chat.add_message("model", InvestigationBlock(
                refused_renderable(record, self._production()), "refused"))
        else:
            chat.add_message("model", call_line(record))

    def on_investigation_finished(self, message: InvestigationFinished) -> None:
        from kubechat_tui.tui.investigation_render import answer_renderable

        chat = self.query_one(ChatPane)
        if message.error is not None:
            chat.add_message("system", message.error)
            return
        found = message.found
        chat.add_message("model", InvestigationBlock(
            answer_renderable(found, self._production()),
            "answer" if found.answer is not None else "unanswered"))
