"""InvestigationBlock: a refused tool call, or the model's answer with its evidence, in the
chat thread (see `tui.investigation_render`)."""

from __future__ import annotations

from rich.console import RenderableType
from textual.widgets import Static


class InvestigationBlock(Static):
    """One refused call (`-refused`) or the answer (`-answer`, `-unanswered`)."""

    DEFAULT_CSS = """
    InvestigationBlock { height: auto; width: 1fr; padding: 0 0 0 1; margin: 0 0 1 0;
                         border-left: outer $accent; }
    InvestigationBlock.-refused { border-left: outer $warning; }
    InvestigationBlock.-unanswered { border-left: outer $error; }
    """

    def __init__(self, body: RenderableType, kind: str) -> None:
        super().__init__(body, classes=f"-{kind}")
