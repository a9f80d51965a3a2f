"""The chat pane: a thread of messages and an input with history (up/down)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Static

from kubechat_tui.engine.diagnostics.results import StepResult
from kubechat_tui.engine.insights.cards import InsightCard
from kubechat_tui.tui.bindings import CHAT_BINDINGS
from kubechat_tui.tui.messages import ChatSubmitted
from kubechat_tui.tui.plain_text import plain
from kubechat_tui.tui.widgets.insight_block import InsightBlock
from kubechat_tui.tui.widgets.line_input import LineInput
from kubechat_tui.tui.widgets.result_block import ResultBlock

MAX_THREAD_MESSAGES = 200
MAX_HISTORY = 100
ROLE_STYLE = {"you": "bold cyan", "system": "italic dim", "planner": "green"}


class ChatInput(LineInput):
    """An Input that recalls earlier messages with up/down."""

    BINDINGS: ClassVar[list[BindingType]] = list(CHAT_BINDINGS)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="ask kubechat… (enter to send, ↑/↓ history)", id=id)
        self.history: list[str] = []
        self._position = 0

    async def action_submit(self) -> None:
        """Send the line and empty it at once: keys typed on start the next message."""
        await super().action_submit()
        self.value = ""

    def remember(self, text: str) -> None:
        """Add a sent message to the history and reset the recall position."""
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
            del self.history[:-MAX_HISTORY]
        self._position = len(self.history)

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        self._position = max(0, min(self._position + step, len(self.history)))
        self.value = self.history[self._position] if self._position < len(self.history) else ""
        self.cursor_position = len(self.value)


class ChatPane(Vertical):
    """Posts ChatSubmitted; the screen answers with add_message()."""

    ALLOW_MAXIMIZE = True

    DEFAULT_CSS = """
    ChatPane { border: round $primary-darken-1; border-title-color: $accent; height: 14; }
    ChatPane:focus-within { border: round $accent; }
    ChatPane #chat-thread { height: 1fr; }
    ChatPane .chat-message { width: 1fr; }
    ChatPane ChatInput, ChatPane ChatInput:focus { border: none; height: 1; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "chat"

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="chat-thread")
        yield ChatInput(id="chat-input")

    def show_planner(self, label: str, healthy: bool) -> None:
        """The planner in use, in the pane's title (`chat · planner: rules`)."""
        title = Text("chat · ")
        title.append_text(plain(label, "green" if healthy else "bold yellow", lines=False))
        self.border_title = title

    def show_subject(self, label: str | None) -> None:
        """What the chat asks about (a selected row), under the pane; None: the scope."""
        self.border_subtitle = plain(f"about {label}", lines=False) if label else ""

    @property
    def thread(self) -> VerticalScroll:
        """The message list."""
        return self.query_one("#chat-thread", VerticalScroll)

    def add_message(self, role: str, body: str | Widget) -> None:
        """Append a message (text, or a widget such as a plan view); old ones are dropped.
        Text is shown as it is: never parsed as markup, its controls shown as escapes."""
        thread = self.thread
        if isinstance(body, Widget):
            thread.mount(Static(Text(f"{role}:", "bold"), classes="chat-message"), body)
        else:
            content = Text.assemble((f"{role}: ", ROLE_STYLE.get(role, "")), plain(body))
            thread.mount(Static(content, classes="chat-message"))
        self._trim()

    def add_result(self, result: StepResult, production: frozenset[str]) -> None:
        """Show a read result as a block (a skipped step joins its block of the same run);
        old messages are dropped as for `add_message`."""
        thread = self.thread
        last = thread.children[-1] if thread.children else None
        if isinstance(last, ResultBlock) and last.absorb(result):
            return
        thread.mount(ResultBlock(result, production))
        self._trim()

    def add_insight(self, card: InsightCard, production: frozenset[str]) -> None:
        """Show an insight card as a block after the results (`p` on it pins it)."""
        self.thread.mount(InsightBlock(card, production))
        self._trim()

    def _trim(self) -> None:
        thread = self.thread
        excess = len(thread.children) - MAX_THREAD_MESSAGES
        if excess > 0:
            thread.remove_children(list(thread.children)[:excess])
        thread.scroll_end(animate=False)

    @on(Input.Submitted, "#chat-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text:
            self.submit(text)

    def submit(self, text: str) -> None:
        """Send `text` as if typed (kept in the input history, shown, planned)."""
        self.query_one(ChatInput).remember(text)
        self.add_message("you", text)
        self.post_message(ChatSubmitted(text))
