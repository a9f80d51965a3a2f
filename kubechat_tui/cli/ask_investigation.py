"""`kubechat ask` with a model: after the plan's diagnostics, the model investigates with
read-only tools (`engine.investigation`); calls, refusals and results print as they come,
then the answer and its evidence. Without a model (or when the rules planned because the
model failed) there is no investigation and `ask` answers as before."""

from __future__ import annotations

import sys
from typing import Any

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import PlanResult


def investigate(settings: Settings, pipeline: Any, result: PlanResult, run: Any,
                quiet: bool) -> Any:
    """The Investigation of the question (printed unless `quiet`), None when not wanted."""
    from kubechat_tui.cli.plan_cmd import write
    from kubechat_tui.engine.diagnostics.path import ReadPath
    from kubechat_tui.engine.diagnostics.text import result_text
    from kubechat_tui.engine.investigation.loop import Investigator, investigates
    from kubechat_tui.engine.investigation.text import answer_text, call_text
    from kubechat_tui.planner.model_client import ModelClient

    if result.plan is None or not investigates(settings.ai, result.plan):
        return None

    def out(text: str) -> None:
        if not quiet:
            write(text + "\n", sys.stdout)

    investigator = Investigator(ReadPath.beside(pipeline), ModelClient(settings.ai),
                                settings.ai)
    out(f"investigating with {investigator.model} (read-only tools, at most "
        f"{settings.ai.investigate_max_calls} calls, {settings.ai.investigate_seconds:g} s)…")
    found = investigator.run(result.plan, run.results,
                             on_call=lambda record: out(call_text(record)),
                             on_result=lambda r: out(result_text(r)))
    out(answer_text(found))
    return found
