"""Results as plain text for terminals and logs (`kubechat ask`): a header per (step,
cluster), the kubectl line, then the table, text or log excerpts. Rows and lines that need
attention (warning events, failing pods, error log lines) start with `!`."""

from __future__ import annotations

from kubechat_tui.engine.diagnostics.results import (
    LogsOutput,
    StepResult,
    TableOutput,
    TextOutput,
)

INDENT = "   "
MAX_CELL = 80
STATUS_WORDS = {"ok": "ok", "failed": "FAILED", "denied": "DENIED", "skipped": "skipped"}


def result_text(result: StepResult) -> str:
    """One result as lines of text."""
    took = f"  {result.duration * 1000:.0f} ms" if result.status in ("ok", "failed") else ""
    lines = [f"[{result.step_id}] {result.cluster}  {STATUS_WORDS[result.status]}{took}",
             f"{INDENT}{result.kubectl}"]
    lines += [f"{INDENT}  {line}" for line in result.request_lines()]
    if result.error:
        lines.append(f"{INDENT}{result.error}")
    if result.remediation:
        lines += [INDENT + line for line in result.remediation.splitlines()]
    output = result.output
    if isinstance(output, TableOutput):
        lines += table_lines(output)
    elif isinstance(output, TextOutput):
        lines += [INDENT + line for line in output.text.splitlines()]
    elif isinstance(output, LogsOutput):
        for excerpt in output.excerpts:
            lines.append(f"{INDENT}--- {excerpt.title}")
            errors = set(excerpt.errors)
            lines += [f"{INDENT}{'!' if i in errors else ' '} {line}"
                      for i, line in enumerate(excerpt.lines)]
            if excerpt.note:
                lines.append(f"{INDENT}  ({excerpt.note})")
    note = getattr(output, "note", "")
    if note:
        lines.append(f"{INDENT}({note})")
    return "\n".join(lines)


def table_lines(table: TableOutput) -> list[str]:
    """The table as kubectl aligns it, marked rows starting with `!` (nothing without rows:
    the note says why)."""
    if not table.rows:
        return []
    cells = [[_cut(c) for c in row] for row in (table.columns, *table.rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(table.columns))]
    marked = {i + 1 for i in table.marked}
    return [f"{INDENT[:-2]}{'! ' if n in marked else '  '}"
            + "   ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip()
            for n, row in enumerate(cells)]


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "…"
