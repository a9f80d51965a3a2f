"""The confirmation dialog of every dangerous act: it shows what will happen and a one-time
code; typing the code and enter confirms (dismisses with the justification, "" when none is
asked), escape cancels (None). Focus starts in the dialog's first input, so text typed on
after the key that opened it lands there and can never match the code by accident; a
wrong code says so and confirms nothing.

    app.push_screen(ConfirmScreen(execute_confirmation(prep)), on_answer)
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from kubechat_tui.tui.bindings import CONFIRM_BINDINGS
from kubechat_tui.tui.confirmations import Confirmation, new_code


def dialog_text(confirmation: Confirmation) -> Text:
    """The act, its subject and details (plain text: names and plans are never markup)."""
    text = Text()
    text.append(f"{confirmation.act}  ", "bold white on red")
    text.append(confirmation.subject + "\n", "bold")
    for line in confirmation.details:
        text.append(f"  {line}\n")
    return text


class ConfirmScreen(ModalScreen[str | None]):
    """Asks for the code (and a justification when the act needs one)."""

    BINDINGS: ClassVar[list[BindingType]] = list(CONFIRM_BINDINGS)
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 96; height: auto; max-height: 90%; border: thick $error;
        background: $surface; padding: 0 1;
    }
    ConfirmScreen Static { height: auto; }
    ConfirmScreen #confirm-message { color: $error; text-style: bold; }
    """

    def __init__(self, confirmation: Confirmation, code: str | None = None) -> None:
        super().__init__()
        self.confirmation = confirmation
        self.code = code or new_code()

    def compose(self) -> ComposeResult:
        asked = self.confirmation.justification_min
        with Vertical() as box:
            box.border_title = f"confirm: {self.confirmation.act.lower()}"
            yield Static(dialog_text(self.confirmation), id="confirm-text")
            if asked:
                yield Static(f"Why? A written justification of at least {asked} characters "
                             "(kept in the audit log):")
                yield Input(id="confirm-justification")
            yield Static(Text.assemble("Type ", (self.code, "bold reverse"), " and press "
                                       "enter to confirm; escape cancels."))
            yield Input(id="confirm-code")
            yield Static("", id="confirm-message")

    def on_mount(self) -> None:
        self.set_focus(self.query(Input).first())

    def justification(self) -> str:
        """The justification as it will be recorded (whitespace collapsed)."""
        if not self.confirmation.justification_min:
            return ""
        return " ".join(self.query_one("#confirm-justification", Input).value.split())

    @on(Input.Submitted, "#confirm-justification")
    def _justified(self, event: Input.Submitted) -> None:
        event.stop()
        if self._justification_short():
            return
        self.set_focus(self.query_one("#confirm-code", Input))

    @on(Input.Submitted, "#confirm-code")
    def _code_entered(self, event: Input.Submitted) -> None:
        event.stop()
        entry = self.query_one("#confirm-code", Input)
        if event.value.strip().lower() != self.code:
            entry.value = ""
            self._say("that is not the code: nothing was done")
            return
        if not self._justification_short():
            self.dismiss(self.justification())

    def _justification_short(self) -> bool:
        asked = self.confirmation.justification_min
        if asked and len(self.justification()) < asked:
            self._say(f"the justification needs at least {asked} characters")
            self.set_focus(self.query_one("#confirm-justification", Input))
            return True
        return False

    def _say(self, message: str) -> None:
        self.query_one("#confirm-message", Static).update(Text(message))

    def action_cancel(self) -> None:
        """Escape: nothing happens."""
        self.dismiss(None)
