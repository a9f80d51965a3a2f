"""Messages between the console's widgets, workers and screens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from kubechat_tui.kube.types import ClusterStatus


class InventoryChanged(Message):
    """The inventory of generation `generation` has new rows (posted from loader threads)."""

    def __init__(self, generation: int) -> None:
        super().__init__()
        self.generation = generation


class IncidentChanged(Message):
    """The active incident changed (its banner label; "" when none is active)."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label


class ClusterStatusChanged(Message):
    """A cluster's health or identity changed (posted from fleet threads)."""

    def __init__(self, status: ClusterStatus) -> None:
        super().__init__()
        self.status = status


@dataclass(frozen=True)
class ObjectKey:
    """Which object a detail or log result belongs to."""

    cluster: str
    kind: str
    namespace: str | None
    name: str


class DetailLoaded(Message):
    """The describe/YAML text and recent events of an object (or an error line)."""

    def __init__(self, key: ObjectKey, mode: str, text: str, events: list[dict[str, Any]],
                 error: str | None = None) -> None:
        super().__init__()
        self.key, self.mode, self.text, self.events, self.error = key, mode, text, events, error


class LogsLoaded(Message):
    """The recent log lines of a pod (or an error line)."""

    def __init__(self, key: ObjectKey, lines: list[str], error: str | None = None) -> None:
        super().__init__()
        self.key, self.lines, self.error = key, lines, error


class CommandSubmitted(Message):
    """A `:` command line was entered."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class FilterEdited(Message):
    """The `/` filter text changed (every keystroke) or was committed."""

    def __init__(self, text: str, done: bool = False) -> None:
        super().__init__()
        self.text, self.done = text, done


class ChatSubmitted(Message):
    """The user sent a chat message."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class PlanReady(Message):
    """The planner answered a chat message (result is a domain PlanResult)."""

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result


class PlanFailed(Message):
    """The planner raised; one line for the chat thread."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class ReadResultReady(Message):
    """One read step answered in one cluster (an engine StepResult; posted from the read
    worker as each result arrives), with the plan step it answers (its target)."""

    def __init__(self, result: Any, step: Any = None) -> None:
        super().__init__()
        self.result = result
        self.step = step


class InsightsReady(Message):
    """The insight cards of a read run (`cards`: engine InsightCards; `summary`: a model's
    wording of them, or None), or why there are none (`error`: one line)."""

    def __init__(self, cards: Any = (), summary: str | None = None,
                 error: str | None = None) -> None:
        super().__init__()
        self.cards, self.summary, self.error = cards, summary, error


class ReadRunFinished(Message):
    """A plan's read steps are done (`run`: the engine ReadRun), or could not run
    (`error`: one line); `plan` goes on to the preview when it has a change."""

    def __init__(self, plan: Any, run: Any = None, error: str | None = None) -> None:
        super().__init__()
        self.plan, self.run, self.error = plan, run, error


class InvestigationCallMade(Message):
    """The model's tool call was run or refused (an engine CallRecord; posted from the
    investigation worker; the call's results come as ReadResultReady)."""

    def __init__(self, record: Any) -> None:
        super().__init__()
        self.record = record


class InvestigationFinished(Message):
    """The investigation ended (`found`: the engine Investigation), or could not run
    (`error`: one line)."""

    def __init__(self, found: Any = None, error: str | None = None) -> None:
        super().__init__()
        self.found, self.error = found, error
