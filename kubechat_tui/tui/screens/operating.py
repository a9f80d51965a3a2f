"""The screen layer that acts: a submitted plan runs its diagnostics on the engine's read
path (results stream into the chat) and its change opens the guarded preview, `:rollback`
previews an execution's generated undo (once confirmed: its checks may request an
approval), and the approvals, audit and timeline screens open, all on the session's
engine (opened on first use, in a worker).

The engine modules import in seconds, so they are imported off the UI thread when the
engine first opens (`KubechatApp.with_engine`), never at console start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from kubechat_tui.domain import Plan
from kubechat_tui.tui.commands import CommandError
from kubechat_tui.tui.confirmations import rollback_confirmation
from kubechat_tui.tui.detail_fetch import one_line
from kubechat_tui.tui.insight_work import insight_cards, pin_card
from kubechat_tui.tui.messages import (
    IncidentChanged,
    InsightsReady,
    ReadResultReady,
    ReadRunFinished,
)
from kubechat_tui.tui.screens.chatting import ChattingScreen
from kubechat_tui.tui.screens.confirm_screen import ConfirmScreen
from kubechat_tui.tui.widgets.chat_pane import ChatPane
from kubechat_tui.tui.widgets.insight_block import InsightBlock
from kubechat_tui.tui.widgets.plan_view import PlanView
from kubechat_tui.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from kubechat_tui.engine.diagnostics.results import ReadRun, StepResult
    from kubechat_tui.engine.run_state import RunResult
    from kubechat_tui.engine.wiring import EngineHandle


class OperatingScreen(ChattingScreen):
    """Plans go to the engine here; its results come back to the chat."""

    def on_plan_view_submit_requested(self, message: PlanView.SubmitRequested) -> None:
        """A submitted plan runs its accepted diagnostics at once (results stream into the
        chat); its change, if any, then goes to the preview."""
        message.stop()
        plan = message.plan
        chat = self.query_one(ChatPane)
        reads = [s for s in plan.steps if s.accepted and not s.mutating]
        if reads:
            chat.add_message("system", f"plan {plan.digest()[:12]}: running {len(reads)} "
                             f"read-only step(s) on {', '.join(plan.clusters())}…")
            self.kubechat.with_engine(lambda handle: self.run_reads(handle, plan),
                                      lambda line: self._cannot_read(plan, line))
        elif plan.mutating:
            self._check_change(plan)
        else:
            chat.add_message("system", f"plan {plan.digest()[:12]}: every step is skipped, "
                             "nothing to run (space accepts a step)")

    def _check_change(self, plan: Plan) -> None:
        self.query_one(ChatPane).add_message(
            "system", f"plan {plan.digest()[:12]}: checking RBAC, policy and a dry run…")
        self.kubechat.with_engine(lambda handle: self.show_preview(handle, plan),
                                  self._cannot_execute)

    @work(thread=True, group="reads")
    def run_reads(self, handle: EngineHandle, plan: Plan) -> None:
        """Worker: run the plan's read steps on the engine's read path, posting each
        result as it arrives, then the end of the run."""
        from kubechat_tui.engine.diagnostics.path import ReadPath, ReadPlanError

        steps = {s.id: s for s in plan.steps}

        def show(result: StepResult) -> None:
            self.post_message(ReadResultReady(result, steps.get(result.step_id)))

        try:
            run = ReadPath.beside(handle.pipeline).run(plan, on_result=show)
        except ReadPlanError as exc:
            self.post_message(ReadRunFinished(plan, error=f"cannot run the diagnostics: {exc}"))
        except Exception as exc:  # a store or policy failure: one line, the console stays up
            self.post_message(ReadRunFinished(plan, error="cannot run the diagnostics: "
                                              f"{one_line(exc)}"))
        else:
            self.post_message(ReadRunFinished(plan, run))

    def on_read_result_ready(self, message: ReadResultReady) -> None:
        production = frozenset(s.name for s in self.kubechat.fleet.statuses() if s.production)
        self.query_one(ChatPane).add_result(message.result, production)

    def _cannot_read(self, plan: Plan, line: str) -> None:
        self.post_message(ReadRunFinished(plan, error=f"cannot run the diagnostics: {line}"))

    def on_read_run_finished(self, message: ReadRunFinished) -> None:
        chat = self.query_one(ChatPane)
        if message.error is not None:
            chat.add_message("system", message.error)
            self.query_one(StatusBar).show_error(message.error)
        else:
            chat.add_message("system", f"{message.run.run_id}: {message.run.summary()}")
            run = message.run  # the analysis waits until the results are painted: its reads
            self.call_after_refresh(self.kubechat.with_engine,  # would take the CPU first
                                    lambda handle: self.analyze_insights(handle, run),
                                    self._engine_failed)
        if message.plan.mutating:
            self._check_change(message.plan)

    @work(thread=True, group="insights")
    def analyze_insights(self, handle: EngineHandle, run: ReadRun) -> None:
        """Worker: the insight cards of a finished read run (and their summary)."""
        self.post_message(insight_cards(handle, run))

    def on_insights_ready(self, message: InsightsReady) -> None:
        chat = self.query_one(ChatPane)
        if message.error is not None:
            chat.add_message("system", message.error)
            return
        production = frozenset(s.name for s in self.kubechat.fleet.statuses() if s.production)
        for card in message.cards:
            chat.add_insight(card, production)
        if message.summary:
            chat.add_message("model", f"summary of the cards (from redacted evidence): "
                             f"{message.summary}")

    def on_insight_block_pin_requested(self, message: InsightBlock.PinRequested) -> None:
        message.stop()
        self.kubechat.with_engine(lambda handle: self._pin(handle, message.block),
                                  self._engine_failed)

    @work(thread=True, group="insight-pin")
    def _pin(self, handle: EngineHandle, block: InsightBlock) -> None:
        """Worker: append the card to the timeline, then mark it pinned."""
        try:
            line = pin_card(handle, block.card)
        except Exception as exc:  # the store refused: one line, the card stays unpinned
            self.app.call_from_thread(self._engine_failed, f"cannot pin: {one_line(exc)}")
            return
        self.app.call_from_thread(block.mark_pinned)
        self.app.call_from_thread(self.query_one(ChatPane).add_message, "system", line)

    def show_preview(self, handle: EngineHandle, plan: Plan,
                     rollback_of: str | None = None) -> None:
        """Push the preview of `plan`; its result comes back to the chat."""
        from kubechat_tui.engine.run_state import RunOptions
        from kubechat_tui.tui.screens.preview_screen import PreviewScreen

        self.app.push_screen(PreviewScreen(handle.pipeline, plan,
                                           RunOptions(rollback_of=rollback_of)),
                             self._preview_closed)

    def _preview_closed(self, result: RunResult | None) -> None:
        chat = self.query_one(ChatPane)
        if result is None:
            chat.add_message("system", "preview closed: nothing was executed")
            return
        text = f"{result.execution_id}: {result.status}: {result.message}"
        if result.rollback is not None:
            self.kubechat.last_execution = result.execution_id
            text += f" — undo with :rollback {result.execution_id}"
        chat.add_message("system", text)
        planner = result.prepared.plan.planner
        if planner.startswith("recipe:") and result.status in ("done", "failed"):
            name = planner.removeprefix("recipe:")
            self.recipe_run = (name, result.execution_id)
            chat.add_message("system", f"how did recipe {name} do? rate it: :feedback {name} "
                             "RATING [COMMENT] (1 bad … 5 great)")

    # --- :feedback ---------------------------------------------------------------------

    recipe_run: tuple[str, str] | None = None  # (recipe, execution id) of the last recipe run

    def recipe_feedback(self, text: str) -> None:
        """Store a rating (1-5) and a comment for a recipe (the last run's, when it is)."""
        name, _, more = text.strip().partition(" ")
        rating, _, comment = more.strip().partition(" ")
        run = self.recipe_run
        execution = run[1] if run is not None and run[0] == name else None
        self.kubechat.with_engine(
            lambda handle: self._store_feedback(handle, name, int(rating), comment.strip(),
                                                execution), self._engine_failed)

    @work(thread=True, group="recipe-feedback")
    def _store_feedback(self, handle: EngineHandle, name: str, rating: int, comment: str,
                        execution: str | None) -> None:
        from kubechat_tui.engine.recipe_publishing import RecipePublisher
        from kubechat_tui.store.recipe_store import RecipeStore

        pipeline = handle.pipeline
        try:
            RecipePublisher(RecipeStore(handle.db), handle.audit, pipeline.policy).feedback(
                name, rating, comment, pipeline.operator, execution)
        except Exception as exc:  # a store error: one line, the console stays up
            self.app.call_from_thread(self._engine_failed, f"feedback not stored: {exc}")
            return
        self.app.call_from_thread(self.query_one(StatusBar).show_info,
                                  f"thanks: {name} rated {rating}/5")

    def _cannot_execute(self, line: str) -> None:
        self.query_one(ChatPane).add_message("system", f"cannot execute: {line}")
        self.query_one(StatusBar).show_error(line)

    def _engine_failed(self, line: str) -> None:
        self.query_one(StatusBar).show_error(line)

    # --- :rollback, :approvals, :audit ------------------------------------------------

    def rollback(self, execution_id: str) -> None:
        """Preview the stored rollback of an execution (default: the last one run here)."""
        wanted = execution_id.strip() or self.kubechat.last_execution
        if not wanted:
            raise CommandError(":rollback needs an execution id (nothing ran in this "
                               "console yet; see :audit)")
        self.kubechat.with_engine(lambda handle: self._load_rollback(handle, wanted),
                                  self._engine_failed)

    @work(thread=True, exclusive=True, group="rollback-load")
    def _load_rollback(self, handle: EngineHandle, execution_id: str) -> None:
        """Worker: read the rollback plan stored with the execution (or rebuild it from the
        audit log's intents when the execution was interrupted)."""
        from kubechat_tui.engine.recovery import find_rollback
        from kubechat_tui.engine.rollback import RollbackError

        pipeline = handle.pipeline
        try:
            found = find_rollback(pipeline.timeline, handle.audit, pipeline.fleet,
                                  execution_id)
        except RollbackError as exc:
            self.app.call_from_thread(self._engine_failed, str(exc))
            return
        except Exception as exc:  # a locked store: one line, the console stays up
            self.app.call_from_thread(self._engine_failed, f"cannot read the timeline: {exc}")
            return
        if found.interrupted:
            self.app.call_from_thread(self.query_one(ChatPane).add_message, "system",
                                      found.headline(execution_id))
        self.app.call_from_thread(self._confirm_rollback, handle, found.plan, execution_id)

    def _confirm_rollback(self, handle: EngineHandle, plan: Plan, execution_id: str) -> None:
        """The rollback preview opens only once the dialog is confirmed."""
        def answered(answer: str | None) -> None:
            if answer is None:
                self.query_one(StatusBar).show_info(
                    "rollback not opened: the confirmation was cancelled")
            else:
                self.show_preview(handle, plan, execution_id)

        self.app.push_screen(ConfirmScreen(rollback_confirmation(execution_id, plan)), answered)

    def action_approvals(self) -> None:
        """Open the approvals screen (requests from everyone on this database)."""
        def show(handle: EngineHandle) -> None:
            from kubechat_tui.tui.screens.approvals_screen import ApprovalsScreen

            pipeline = handle.pipeline
            self.app.push_screen(ApprovalsScreen(pipeline.approvals, pipeline.operator,
                                                 pipeline.fleet))

        self.kubechat.with_engine(show, self._engine_failed)

    def action_timeline(self, incident_id: str = "") -> None:
        """Open the incident timeline (the active incident, else the newest one)."""
        def show(handle: EngineHandle) -> None:
            from kubechat_tui.engine.incident_console import IncidentConsole
            from kubechat_tui.tui.screens.timeline_screen import TimelineScreen

            self.app.push_screen(TimelineScreen(
                IncidentConsole.on(handle, self.kubechat.settings), incident_id))

        self.kubechat.with_engine(show, self._engine_failed)

    def watch_incident(self) -> None:
        """Refresh the banner's active incident (only once the engine is open: this never
        opens it)."""
        slot = self.kubechat.engine
        if slot is not None and slot.handle is not None:
            self.read_incident(slot.handle)

    @work(thread=True, exclusive=True, group="incident-watch")
    def read_incident(self, handle: EngineHandle) -> None:
        """The active incident's banner label, read off the UI thread."""
        from kubechat_tui.engine.incident_console import IncidentConsole

        try:
            label = IncidentConsole.on(handle, self.kubechat.settings).banner()
        except Exception:  # a locked store: the next poll reads again
            return
        if label != self.kubechat.incident_label:
            self.post_message(IncidentChanged(label))

    def action_policy(self) -> None:
        """Open the policy history screen (the active version, every version's diff)."""
        def show(handle: EngineHandle) -> None:
            from kubechat_tui.store.policy_history import PolicyHistory
            from kubechat_tui.tui.screens.policy_screen import PolicyScreen

            self.app.push_screen(PolicyScreen(PolicyHistory(handle.db), handle.pipeline.policy))

        self.kubechat.with_engine(show, self._engine_failed)

    def action_audit(self) -> None:
        """Open the audit screen (live tail of the chain, filters, verification)."""
        def show(handle: EngineHandle) -> None:
            from kubechat_tui.tui.screens.audit_screen import AuditScreen

            self.app.push_screen(AuditScreen(handle.audit))

        self.kubechat.with_engine(show, self._engine_failed)
