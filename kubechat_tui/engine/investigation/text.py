"""An investigation as plain text for `kubechat ask`: each call as it is run or refused
(its results print as the diagnostics' do), then the answer and what it cites."""

from __future__ import annotations

from kubechat_tui.engine.investigation.record import CallRecord, Investigation

INDENT = "   "


def call_text(record: CallRecord) -> str:
    """`[c1] model asks: logs pods/web-1 on prod-eu (why)`, or the refusal."""
    why = f"  ({record.reason})" if record.reason else ""
    if record.refused:
        return f"[{record.id}] REFUSED: {record.shown}{why}\n{INDENT}{record.refused}"
    return f"[{record.id}] model asks: {record.shown}{why}"


def answer_text(found: Investigation) -> str:
    """The answer with its citations, or why there is none."""
    ran = sum(1 for c in found.calls if not c.refused)
    head = (f"{found.id}: {found.model}: {ran} tool call(s) run, "
            f"{len(found.calls) - ran} refused")
    if found.answer is None:
        return f"{head}\nno answer: {found.stopped}"
    lines = [head, "answer:", *(INDENT + line for line in found.answer.splitlines())]
    lines.append("evidence:" if found.citations else "evidence: none cited")
    lines += [f"{INDENT}{c.id}  {c.kubectl}" for c in found.citations]
    lines += [f"note: {note}" for note in found.notes]
    return "\n".join(lines)
