"""Copy through the terminal (OSC 52, Textual's `App.copy_to_clipboard`), and say honestly
how far it got: a terminal cannot confirm it, but some cannot do it at all, and tmux drops
the sequence unless its clipboard passthrough is on."""

from __future__ import annotations

import os
from collections.abc import Mapping

from textual.app import App

# Terminals known not to understand OSC 52 (the Linux console, dumb terminals).
NO_OSC52_TERMS = frozenset({"linux", "dumb", "vt100", "vt220"})
TMUX_HINT = ("inside tmux the terminal gets it only with `set -g set-clipboard on` "
             "(or `allow-passthrough on`)")
SCREEN_HINT = "GNU screen does not pass OSC 52 to the terminal"


def copy_text(app: App[object], text: str, what: str,
              environ: Mapping[str, str] | None = None) -> tuple[bool, str]:
    """Copy `text` (described as `what`) and return (copied as far as we can tell, one line
    for the status bar)."""
    env = os.environ if environ is None else environ
    term = env.get("TERM", "")
    if term in NO_OSC52_TERMS:
        return False, f"could not copy {what}: terminal {term!r} has no OSC 52 clipboard"
    app.copy_to_clipboard(text)
    if env.get("TMUX"):
        return True, f"sent {what} to the clipboard (OSC 52); {TMUX_HINT}"
    if term.startswith("screen"):
        return False, f"sent {what} (OSC 52), but {SCREEN_HINT}"
    return True, f"copied {what} (OSC 52)"
