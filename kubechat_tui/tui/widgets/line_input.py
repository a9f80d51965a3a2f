"""An Input whose enter submits in turn with the keys around it.

Input's own enter is a binding, and bindings run only once the key has bubbled up to the
app; by then the keys typed after it in the same burst (a paste, a macro, a fast typist)
are already in the line and would be submitted with it.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class LineInput(Input):
    """Submits on enter as the key arrives, not after the keys that follow it."""

    async def on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()
