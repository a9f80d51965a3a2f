"""InsightBlock: one insight card in the chat thread (see `tui.insight_render`); focus it
and press `p` to pin it to the incident timeline (the screen appends the entry)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from kubechat_tui.engine.insights.cards import InsightCard
from kubechat_tui.tui.insight_render import card_renderable

INSIGHT_BINDINGS: list[Binding] = [
    Binding("p", "pin", "Pin to the timeline", id="insight.pin"),
]


class InsightBlock(Static, can_focus=True):
    """The rendered card."""

    BINDINGS: ClassVar[list[BindingType]] = list(INSIGHT_BINDINGS)

    DEFAULT_CSS = """
    InsightBlock { height: auto; width: 1fr; padding: 0 0 0 1; margin: 0 0 1 0;
                   border-left: outer $secondary; }
    InsightBlock:focus { border-left: outer $accent; background: $boost; }
    """

    class PinRequested(Message):
        """Pin `card` to the timeline."""

        def __init__(self, block: InsightBlock) -> None:
            super().__init__()
            self.block = block
            self.card = block.card

    def __init__(self, card: InsightCard, production: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.card = card
        self.production = production
        self.pinned = False
        self.update(card_renderable(card, production))

    def action_pin(self) -> None:
        """Ask the screen to pin the card (once)."""
        if not self.pinned:
            self.post_message(self.PinRequested(self))

    def mark_pinned(self) -> None:
        """Show that the card is on the timeline."""
        self.pinned = True
        self.update(card_renderable(self.card, self.production, pinned=True))
