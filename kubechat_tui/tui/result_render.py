"""A read result as a Rich renderable for the chat thread: cluster badge(s), step id, status,
duration and kubectl line, then the table, text or log excerpts (marked rows and error
lines highlighted). Every piece of cluster text goes through `plain` (never markup)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from kubechat_tui.engine.diagnostics.results import (
    LogExcerpt,
    LogsOutput,
    Output,
    StepResult,
    TableOutput,
)
from kubechat_tui.tui.plain_text import plain

CHAT_ROWS = 25  # table rows shown in the chat (the kubectl line reads the rest)
CHAT_TEXT_LINES = 60
SHOWN_LINES = 3  # kubectl lines of a block gathering several clusters
STATUS_BADGES = {"ok": ("ok", "bold green"), "failed": ("FAILED", "bold white on red"),
                 "denied": ("DENIED", "bold white on dark_orange3"),
                 "skipped": ("skipped", "dim")}
PRODUCTION_BADGE = "bold white on red"
CLUSTER_BADGE = "bold black on cyan"
MARKED = "bold yellow"
ERROR_LINE = "bold red"


def result_renderable(results: Sequence[StepResult],
                      production: frozenset[str] = frozenset()) -> RenderableType:
    """The block of one result, or of several results of one step sharing an outcome
    (a skipped step: one badge per cluster)."""
    first = results[0]
    parts: list[RenderableType] = [_header(results, production)]
    parts += [plain(r.kubectl, "dim") for r in results[:SHOWN_LINES]]
    if len(results) > SHOWN_LINES:
        parts.append(Text(f"… and on {len(results) - SHOWN_LINES} more clusters", "dim"))
    parts += [plain(f"  {line}", "dim italic") for line in first.request_lines()]
    if first.error:
        parts.append(plain(first.error, "red" if first.status == "failed" else ""))
    if first.remediation:
        parts.append(plain(first.remediation))
    output = first.output
    if output is not None:
        parts += _body(output)
        if output.note:
            parts.append(plain(output.note, "italic dim"))
    return Group(*parts)


def _header(results: Sequence[StepResult], production: frozenset[str]) -> Text:
    first = results[0]
    header = Text()
    for result in results:
        style = PRODUCTION_BADGE if result.cluster in production else CLUSTER_BADGE
        header.append_text(plain(f" {result.cluster} ", style, lines=False))
        header.append(" ")
    header.append(f"{first.step_id} ", "bold")
    word, style = STATUS_BADGES[first.status]
    header.append(f" {word} ", style)
    if first.status in ("ok", "failed"):
        header.append(f"  {first.duration * 1000:.0f} ms", "dim")
    return header


def _body(output: Output) -> list[RenderableType]:
    if isinstance(output, TableOutput):
        return [_table(output)] if output.rows else []
    if isinstance(output, LogsOutput):
        return [_excerpt(e) for e in output.excerpts]
    lines = output.text.splitlines()
    shown = plain("\n".join(lines[:CHAT_TEXT_LINES]))
    if len(lines) > CHAT_TEXT_LINES:
        return [shown, Text(f"… {len(lines) - CHAT_TEXT_LINES} more lines", "italic dim")]
    return [shown]


def _table(output: TableOutput) -> RenderableType:
    table = Table(box=None, padding=(0, 1), pad_edge=False, show_edge=False,
                  header_style="bold", expand=False)
    last = len(output.columns) - 1
    for i, column in enumerate(output.columns):
        table.add_column(plain(column, lines=False), no_wrap=i != last,
                         overflow="ellipsis" if i != last else "fold")
    marked = set(output.marked)
    for i, row in enumerate(output.rows[:CHAT_ROWS]):
        style = MARKED if i in marked else ""
        table.add_row(*(plain(cell, style, lines=False) for cell in row))
    if len(output.rows) > CHAT_ROWS:
        return Group(table, Text(f"… {len(output.rows) - CHAT_ROWS} more rows", "italic dim"))
    return table


def _excerpt(excerpt: LogExcerpt) -> RenderableType:
    lines = [plain(excerpt.title, "bold underline", lines=False)]
    errors = set(excerpt.errors)
    lines += [plain(line, ERROR_LINE if i in errors else "", lines=False)
              for i, line in enumerate(excerpt.lines)]
    if excerpt.note:
        lines.append(plain(excerpt.note, "italic dim", lines=False))
    return Group(*lines)
