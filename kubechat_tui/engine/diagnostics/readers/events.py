"""`events`: the events of a namespace (or one object), warnings first, newest first.

`--for` and `--types` become field selectors (`involvedObject.kind/name`, `type`); a
planner's `reason_filter` (BackOff for a crash loop) orders those events first without
hiding the others kubectl would print.
"""

from __future__ import annotations

from kubechat_tui.domain import resolve_resource
from kubechat_tui.domain.ages import age
from kubechat_tui.engine.diagnostics.readers.base import (
    MAX_ROWS,
    Obj,
    ReadContext,
    Reading,
    capped,
    flat,
    plural_of,
)
from kubechat_tui.engine.diagnostics.results import TableOutput
from kubechat_tui.kube.kinds import event_time
from kubechat_tui.kube.queries import list_items

WARNING = "Warning"
MESSAGE_CHARS = 240


def read_events(ctx: ReadContext) -> Reading:
    """The events the step names, ordered for people."""
    types = [t for t in ctx.param("types").split(",") if t]
    fields = _for_fields(ctx) + ([f"type={types[0]}"] if len(types) == 1 else [])
    items, truncated = list_items(ctx.api, ctx.cluster, ctx.info, ctx.namespace,
                                  field_selector=",".join(fields) or None)
    if len(types) > 1:
        items = [e for e in items if e.get("type") in types]
    reason = ctx.param("reason_filter")
    items.sort(key=event_time, reverse=True)
    items.sort(key=lambda e: (reason != "" and e.get("reason") != reason,
                              e.get("type") != WARNING))
    spans = ctx.namespace is None
    columns = (("NAMESPACE",) if spans else ()) + ("LAST SEEN", "TYPE", "REASON", "OBJECT",
                                                   "COUNT", "MESSAGE")
    rows = tuple(_row(e, ctx, spans) for e in items[:MAX_ROWS])
    marked = tuple(i for i, e in enumerate(items[:MAX_ROWS]) if e.get("type") == WARNING)
    warnings = sum(1 for e in items if e.get("type") == WARNING)
    note = "; ".join(filter(None, [
        f"{plural_of(len(items), 'events')}, {warnings} warning(s)" if items else "no events",
        f"{reason} first" if reason and any(e.get("reason") == reason for e in items) else "",
        "the list was cut after its first pages" if truncated else "",
        capped(len(items), "events")]))
    return Reading("events", TableOutput(columns, rows, marked, note), tuple(items))


def _for_fields(ctx: ReadContext) -> list[str]:
    """`--for=KIND/NAME` as field selectors (the kind's API name: `Pod`)."""
    for_kind, for_name = ctx.param("for_kind"), ctx.param("for_name")
    if not (for_kind and for_name):
        return []
    info = resolve_resource(for_kind)
    kind = info.kind if info is not None else for_kind
    return [f"involvedObject.kind={kind}", f"involvedObject.name={for_name}"]


def _row(event: Obj, ctx: ReadContext, spans: bool) -> tuple[str, ...]:
    involved = event.get("involvedObject") or {}
    what = f"{str(involved.get('kind') or '').lower()}/{involved.get('name') or ''}"
    namespace = ((event.get("metadata") or {}).get("namespace") or "",) if spans else ()
    return (*namespace, age(event_time(event), ctx.now), str(event.get("type") or ""),
            str(event.get("reason") or ""), what, str(event.get("count") or 1),
            flat(str(event.get("message") or ""), MESSAGE_CHARS))
