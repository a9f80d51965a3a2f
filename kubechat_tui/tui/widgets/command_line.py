"""The `:` command / `/` filter line above the status bar (hidden when not in use)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label

from kubechat_tui.tui.bindings import LINE_BINDINGS
from kubechat_tui.tui.messages import CommandSubmitted, FilterEdited
from kubechat_tui.tui.widgets.line_input import LineInput


class CommandLine(Horizontal):
    """A prompt (`:` or `/`) and an input; posts CommandSubmitted / FilterEdited."""

    BINDINGS: ClassVar[list[BindingType]] = list(LINE_BINDINGS)
    DEFAULT_CSS = """
    CommandLine { height: 1; display: none; background: $boost; }
    CommandLine.-open { display: block; }
    CommandLine Label { width: 2; padding: 0 0 0 1; color: $accent; text-style: bold; }
    CommandLine Input, CommandLine Input:focus {
        border: none; height: 1; padding: 0; background: $boost; width: 1fr;
    }
    """

    class Closed(Message):
        """The line was closed (submitted or cancelled)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.mode = "command"

    def compose(self) -> ComposeResult:
        yield Label(":")
        yield LineInput(id="command-input", select_on_focus=False)

    @property
    def input(self) -> Input:
        """The text input."""
        return self.query_one(Input)

    def open(self, mode: str, value: str = "", suggestions: Iterable[str] = ()) -> None:
        """Show the line in `command` or `filter` mode and focus it."""
        self.mode = mode
        self.query_one(Label).update(":" if mode == "command" else "/")
        entry = self.input
        entry.suggester = SuggestFromList(list(suggestions)) if suggestions else None
        entry.value = value
        entry.cursor_position = len(value)
        self.add_class("-open")
        self.screen.set_focus(entry)  # at once, not later: the next key is typed here

    def close(self) -> None:
        """Hide the line."""
        self.remove_class("-open")
        self.post_message(self.Closed())

    @on(Input.Changed, "#command-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.mode == "filter" and self.has_class("-open"):
            self.post_message(FilterEdited(event.value))

    @on(Input.Submitted, "#command-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.has_class("-open"):  # keys typed on after enter, before focus moved
            return
        if self.mode == "filter":
            self.post_message(FilterEdited(event.value, done=True))
        else:
            self.post_message(CommandSubmitted(event.value))
        self.close()

    def action_cancel(self) -> None:
        if self.mode == "filter":
            self.post_message(FilterEdited("", done=True))
        self.close()
