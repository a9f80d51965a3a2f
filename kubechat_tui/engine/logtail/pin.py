"""Pin a range of log lines to the incident timeline (an entry of kind `log_range`).

The entry names every stream it quotes (cluster, namespace, pod, container) and the time
range; the lines are stored redacted (`domain.redaction`), as everything in the store.
"""

from __future__ import annotations

from collections.abc import Sequence

from kubechat_tui.domain.log_records import LogLine
from kubechat_tui.domain.redaction import redact_text
from kubechat_tui.store.timeline import Timeline, TimelineEntry

MAX_PINNED = 2000  # lines in one pin


def pin_log_range(timeline: Timeline, author: str, lines: Sequence[LogLine],
                  note: str = "") -> TimelineEntry:
    """Append the lines (at most MAX_PINNED, the newest) as one timeline entry; ValueError
    when there is no line to pin."""
    chosen = list(lines)[-MAX_PINNED:]
    if not chosen:
        raise ValueError("no log lines to pin")
    streams = list(dict.fromkeys(line.key for line in chosen))
    body = "\n".join(f"{line.key.label()} {line.stamp} {line.text}" for line in chosen)
    where = streams[0].label() if len(streams) == 1 else f"{len(streams)} streams"
    payload = {"streams": [key.ids() for key in streams], "from": chosen[0].stamp,
               "to": chosen[-1].stamp, "lines": len(chosen)}
    return timeline.add(TimelineEntry(
        kind="log_range", author=author,
        title=redact_text(note).text if note else f"{len(chosen)} log lines from {where}",
        body=redact_text(body).text, payload=payload))
