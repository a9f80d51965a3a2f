"""Untrusted text on screen: always a Rich `Text` (never markup), controls shown as escapes.

Textual parses a `str` given to `Static`, `Label`, DataTable cells, border titles,
`notify` and command palette hits as markup: `[/]` raises MarkupError (a crash) and
`[@click=app.quit]` becomes a live action. A `Text` is never parsed, but Rich and Textual
strip only BEL, BS, VT, FF and CR from it, so ESC and the rest would reach the terminal.
So untrusted text (names, log lines, messages, model output, plan files) goes to a widget
as `plain(...)`, or inside a `Text` built from trusted pieces and untrusted ones and passed
through `escaped(...)` once, where it is handed to the widget. What is escaped, and how, is
`domain.visible_text`.
"""

from __future__ import annotations

from rich.text import Span, Text

from kubechat_tui.domain.visible_text import is_visible, visible, visible_chars


def plain(text: str, style: str = "", *, lines: bool = True) -> Text:
    """`text` as a Text in `style`, never parsed as markup, controls shown as escapes;
    `lines=False` for one-line places (cells, titles, status lines) escapes line breaks."""
    return Text(visible(text, lines=lines), style)


def escaped(text: Text, *, lines: bool = True) -> Text:
    """`text` with its controls shown as escapes (line breaks too with `lines=False`);
    every style stays on the same characters."""
    source = text.plain
    if is_visible(source, lines=lines):
        return text
    pieces = visible_chars(source, lines=lines)
    starts = [0]
    for piece in pieces:
        starts.append(starts[-1] + len(piece))
    result = text.blank_copy("".join(pieces))
    result.spans = [Span(starts[s.start], starts[min(s.end, len(source))], s.style)
                    for s in text.spans]
    return result
