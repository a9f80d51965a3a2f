"""One reader per read-only verb: `READERS[verb](ReadContext) -> Reading`."""

from __future__ import annotations

from collections.abc import Callable

from kubechat_tui.domain import Verb
from kubechat_tui.engine.diagnostics.readers.base import (
    ReadContext,
    Reading,
    ReadInputError,
)
from kubechat_tui.engine.diagnostics.readers.describe import read_describe
from kubechat_tui.engine.diagnostics.readers.events import read_events
from kubechat_tui.engine.diagnostics.readers.get import read_get
from kubechat_tui.engine.diagnostics.readers.logs import read_logs
from kubechat_tui.engine.diagnostics.readers.rollout import (
    read_rollout_history,
    read_rollout_status,
)
from kubechat_tui.engine.diagnostics.readers.top import read_top

Reader = Callable[[ReadContext], Reading]
READERS: dict[Verb, Reader] = {
    Verb.GET: read_get,
    Verb.DESCRIBE: read_describe,
    Verb.EVENTS: read_events,
    Verb.LOGS: read_logs,
    Verb.TOP: read_top,
    Verb.ROLLOUT_STATUS: read_rollout_status,
    Verb.ROLLOUT_HISTORY: read_rollout_history,
}

__all__ = ["READERS", "ReadContext", "ReadInputError", "Reader", "Reading"]
