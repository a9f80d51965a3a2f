"""Everything `kubechat` prints goes through `domain.visible_text`: no control sequence
from a name, a message, a model's reply or a plan file reaches the terminal.

`visible_output()` swaps sys.stdout and sys.stderr for writers that pass every string
through `visible` on its way out, so every print path (tables, plans, previews, error
lines, argparse messages) is covered at once, including ones added later. JSON output
needs nothing of its own: its strings already escape C0 controls, and the JSON escapes
`visible` writes for the rest keep the document valid and its data unchanged. The console
is not affected: Textual writes to the terminal through `sys.__stderr__`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO, cast

from kubechat_tui.domain.visible_text import visible


class VisibleWriter:
    """A text stream that writes `visible(text)` to `inner`; everything else is inner's."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner

    def write(self, text: str) -> int:
        self.inner.write(visible(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, buffer...
        return getattr(self.inner, name)


@contextmanager
def visible_output() -> Iterator[None]:
    """Route sys.stdout and sys.stderr through VisibleWriter until the block ends."""
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout = cast(TextIO, VisibleWriter(stdout))
    sys.stderr = cast(TextIO, VisibleWriter(stderr))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = stdout, stderr
