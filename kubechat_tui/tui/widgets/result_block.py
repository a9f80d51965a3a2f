"""ResultBlock: one read result in the chat thread (see `tui.result_render`). A skipped
step's results for several clusters share one block, a badge per cluster."""

from __future__ import annotations

from textual.widgets import Static

from kubechat_tui.engine.diagnostics.results import StepResult
from kubechat_tui.tui.result_render import result_renderable


class ResultBlock(Static):
    """The rendered result(s) of one step."""

    DEFAULT_CSS = """
    ResultBlock { height: auto; width: 1fr; padding: 0 0 0 1; margin: 0 0 1 0;
                  border-left: outer $success; }
    ResultBlock.-failed { border-left: outer $error; }
    ResultBlock.-denied { border-left: outer $warning; }
    ResultBlock.-skipped { border-left: outer $panel; }
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
