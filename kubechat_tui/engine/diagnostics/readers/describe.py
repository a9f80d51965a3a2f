"""`describe`: kubectl-describe text (Secret values never shown) with the object's events
at the end, as kubectl prints them; a collection describes its first objects."""

from __future__ import annotations

from kubechat_tui.domain.ages import age
from kubechat_tui.domain.secret_masking import mask_secret_values
from kubechat_tui.engine.diagnostics.readers.base import Obj, ReadContext, Reading, flat
from kubechat_tui.engine.diagnostics.results import TextOutput
from kubechat_tui.kube.describe import describe_object
from kubechat_tui.kube.kinds import event_time
from kubechat_tui.kube.objects import get_object, object_events
from kubechat_tui.kube.queries import list_items

MAX_DESCRIBED = 10  # objects of a collection described in one result
EVENT_ROWS = 15


def read_describe(ctx: ReadContext) -> Reading:
    """Describe the named object, or the first MAX_DESCRIBED of the collection."""
    if ctx.step.name:
        obj = mask_secret_values(get_object(ctx.api, ctx.cluster, ctx.step.resource,
                                            ctx.object_namespace, ctx.step.name))
        events = object_events(ctx.api, ctx.cluster, ctx.object_namespace, ctx.info.kind,
                               ctx.step.name, limit=EVENT_ROWS)
        text = describe_object(obj) + events_section(events, ctx)
        return Reading("text", TextOutput(text), (obj, *events))
    items, truncated = list_items(ctx.api, ctx.cluster, ctx.info, ctx.namespace,
                                  label_selector=ctx.step.selector)
    objects = [mask_secret_values(i) for i in items]
    text = "\n\n".join(describe_object(o).rstrip() for o in objects[:MAX_DESCRIBED])
    note = ""
    if len(objects) > MAX_DESCRIBED or truncated:
        note = (f"described the first {MAX_DESCRIBED} of {len(objects)}"
                f"{'+' if truncated else ''} {ctx.info.plural}; name one to see it")
    elif not objects:
        note = f"no {ctx.info.plural} found"
    return Reading("text", TextOutput(text, note), tuple(objects))


def events_section(events: list[Obj], ctx: ReadContext) -> str:
    """kubectl describe's `Events:` table, oldest first."""
    if not events:
        return "Events:            <none>\n"
    rows = [("Type", "Reason", "Age", "From", "Message"),
            ("----", "------", "----", "----", "-------")]
    for event in sorted(events, key=event_time):
        source = event.get("source") or {}
        rows.append((str(event.get("type") or ""), str(event.get("reason") or ""),
                     age(event_time(event), ctx.now),
                     str(source.get("component") or event.get("reportingComponent") or ""),
                     flat(str(event.get("message") or ""), 200)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  " + "  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4]
             for r in rows]
    return "Events:\n" + "\n".join(lines) + "\n"
