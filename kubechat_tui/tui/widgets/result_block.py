"""ResultBlock: one read result in the chat thread (see `tui.result_render`). A skipped
step's results for several clusters share one block, a badge per cluster."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Static

from kubechat_tui.engine.diagnostics.results import StepResult
from kubechat_tui.tui.bindings import RESULT_BINDINGS
from kubechat_tui.tui.result_render import result_renderable


class ResultBlock(Static, can_focus=True):
    """The rendered result(s) of one step; focused, `p` promotes it to a plan."""

    BINDINGS: ClassVar[list[BindingType]] = list(RESULT_BINDINGS)

    class PromoteRequested(Message):
        """Make a plan from this result's target (a follow-up action or a recipe)."""

        def __init__(self, result: StepResult) -> None:
            super().__init__()
            self.result = result

    DEFAULT_CSS = """
    ResultBlock { height: auto; width: 1fr; padding: 0 0 0 1; margin: 0 0 1 0;
                  border-left: outer $success; }
    ResultBlock.-failed { border-left: outer $error; }
    ResultBlock.-denied { border-left: outer $warning; }
    ResultBlock.-skipped { border-left: outer $panel; }
    ResultBlock.-focused, ResultBlock:focus { background: $boost; }
    """

    def __init__(self, result: StepResult, production: frozenset[str] = frozenset()) -> None:
        super().__init__(classes=f"-{result.status}")
        self.results = [result]
        self.production = production
        self.update(result_renderable(self.results, production))

    def absorb(self, result: StepResult) -> bool:
        """Show `result` here too when it is the same step skipped in another cluster."""
        first = self.results[0]
        if not (result.status == first.status == "skipped" and result.step_id == first.step_id):
            return False
        self.results.append(result)
        self.update(result_renderable(self.results, self.production))
        return True

    def action_promote(self) -> None:
        self.post_message(self.PromoteRequested(self.results[0]))
