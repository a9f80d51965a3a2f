"""get and list, with selectors, paging and Table/metadata representations."""

from __future__ import annotations

from kubechat_tui.sim import paging, render
from kubechat_tui.sim.call import Call, Reply
from kubechat_tui.sim.selectors import compile_filter, parse_field_selector, parse_label_selector
from kubechat_tui.sim.status import expired, not_found
from kubechat_tui.sim.store import Obj

CONTINUE_EXPIRED = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list."
)


def fetch(call: Call, name: str | None = None) -> Obj:
    """The addressed object or 404."""
    res, target = call.res, call.target
    obj = call.cluster.store.get(res.key, target.namespace, name or target.name)
    if obj is None:
        raise not_found(res.plural, res.group, name or target.name)
    return obj


def get(call: Call) -> Reply:
    """GET one object in the negotiated representation."""
    obj = fetch(call)
    shape = render.negotiate(call.request.headers.get("Accept", ""))
    if shape == render.TABLE:
        lmeta = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
        return Reply(200, render.table(call.res, [obj], lmeta,
                                       call.arg("includeObject", "Metadata"), call.now))
    if shape == render.METADATA:
        return Reply(200, render.partial(obj))
    return Reply(200, call.cluster.store.encoded(obj))


def matching(call: Call) -> list[Obj]:
    """Objects in scope that pass the label and field selectors."""
    res = call.res
    labels = parse_label_selector(call.arg("labelSelector"))
    fields = parse_field_selector(call.arg("fieldSelector"), res.fields)
    items = call.cluster.store.objects(res.key, call.target.namespace or None)
    if labels or fields:
        keep = compile_filter(labels, fields)
        items = [o for o in items if keep(o)]
    return items


def _key(obj: Obj, namespaced_list: bool) -> str:
    meta = obj["metadata"]
    return meta["name"] if namespaced_list or not meta.get("namespace") else (
        f"{meta['namespace']}/{meta['name']}")


def page(call: Call, items: list[Obj]) -> tuple[list[Obj], str, int]:
    """Apply continue and limit; returns the page, the next token and the remaining count."""
    in_namespace = bool(call.target.namespace)
    token = call.arg("continue")
    if token:
        rv, start = paging.decode(token)
        if call.cluster.store.compacted_past(rv):
            raise expired(CONTINUE_EXPIRED)
        items = [o for o in items if _key(o, in_namespace) > start]
    limit = call.int_arg("limit") or 0
    if limit <= 0 or len(items) <= limit:
        return items, "", 0
    chunk = items[:limit]
    rv = call.cluster.store.resource_version
    return chunk, paging.encode(rv, _key(chunk[-1], in_namespace)), len(items) - limit


def list_(call: Call) -> Reply:
    """LIST in the negotiated representation."""
    shape = render.negotiate(call.request.headers.get("Accept", ""))
    items, cont, remaining = page(call, matching(call))
    store = call.cluster.store
    lmeta = render.list_meta(store.resource_version, cont, remaining)
    if shape == render.TABLE:
        return Reply(200, render.table_bytes(store, call.res, items, lmeta,
                                             call.arg("includeObject", "Metadata"), call.now))
    if shape == render.METADATA:
        return Reply(200, render.metadata_list(items, lmeta))
    return Reply(200, render.json_list(store, call.res, items, lmeta))
