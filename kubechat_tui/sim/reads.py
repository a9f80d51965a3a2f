"""get and list, with selectors, consistent paging and Table/metadata representations."""

from __future__ import annotations

import bisect
from collections.abc import Callable

from kubechat_tui.sim import paging, render
from kubechat_tui.sim.call import Call, Reply
from kubechat_tui.sim.selectors import compile_filter, parse_field_selector, parse_label_selector
from kubechat_tui.sim.status import bad_request, expired, not_found
from kubechat_tui.sim.store import Obj, TooOld

CONTINUE_EXPIRED = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list."
)
LIST_EXPIRED = "The resourceVersion for the provided list is too old."


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
    want = render.negotiate(call)
    if want.shape == render.TABLE:
        lmeta = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
        body = render.table(call.res, [obj], lmeta, want.include, call.now)
        return render.reply(want, body)
    if want.shape == render.METADATA:
        return render.reply(want, render.partial(obj))
    return render.reply(want, call.cluster.store.encoded(obj))


Keep = Callable[[Obj], bool]


def selection(call: Call) -> Keep | None:
    """The label and field selectors as one predicate (None when there are none)."""
    labels = parse_label_selector(call.arg("labelSelector"))
    fields = parse_field_selector(call.arg("fieldSelector"), call.res.fields)
    return compile_filter(labels, fields) if labels or fields else None


def matching(call: Call) -> list[Obj]:
    """Objects in scope (now) that pass the label and field selectors."""
    keep = selection(call)
    items = call.cluster.store.objects(call.res.key, call.target.namespace or None)
    return items if keep is None else [o for o in items if keep(o)]


def _key(obj: Obj, namespaced_list: bool) -> str:
    meta = obj["metadata"]
    return meta["name"] if namespaced_list or not meta.get("namespace") else (
        f"{meta['namespace']}/{meta['name']}")


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise bad_request(f'invalid resource version: "{text}"') from None


def list_point(call: Call) -> tuple[int, str]:
    """The resourceVersion a list is served at and the key it starts after.

    A continue token carries the first page's resourceVersion, so every page is the same
    snapshot; once that version is compacted away the answer is 410 with a fresh token
    (rv -1) that continues, inconsistently, at the latest version, as etcd does.
    """
    store = call.cluster.store
    token, rv_text = call.arg("continue"), call.arg("resourceVersion")
    if token:
        if rv_text:
            raise bad_request("specifying resource version is not allowed when using continue")
        rv, start = paging.decode(token)
        if rv < 0:
            return store.resource_version, start
        if store.too_old(rv):
            raise expired(CONTINUE_EXPIRED, {"continue": paging.encode(paging.LATEST, start)})
        return rv, start
    if rv_text and call.arg("resourceVersionMatch") == "Exact":
        rv = _int(rv_text)
        if store.too_old(rv):
            raise expired(LIST_EXPIRED)
        return rv, ""
    if rv_text:
        _int(rv_text)
    return store.resource_version, ""


def page(call: Call, items: list[Obj], start: str, keep: Keep | None
         ) -> tuple[list[Obj], str, int | None]:
    """Items after start, filtered, up to limit: (page, last key when more follow, remaining).

    Like the etcd store, a page is full after `limit` matches and has a continuation when any
    object (matching or not) follows; remainingItemCount is only known without selectors.
    """
    in_namespace = bool(call.target.namespace)
    first = bisect.bisect_right(items, start, key=lambda o: _key(o, in_namespace)) if start else 0
    limit = call.int_arg("limit") or 0
    if keep is None:
        rest = items[first:]
        if limit <= 0 or len(rest) <= limit:
            return rest, "", None
        return rest[:limit], _key(rest[limit - 1], in_namespace), len(rest) - limit
    out: list[Obj] = []
    for index in range(first, len(items)):
        if 0 < limit <= len(out):
            return out, _key(out[-1], in_namespace), None
        if keep(items[index]):
            out.append(items[index])
    return out, "", None


def list_(call: Call) -> Reply:
    """LIST in the negotiated representation, at one resourceVersion across its pages."""
    want = render.negotiate(call)
    keep = selection(call)
    rv, start = list_point(call)
    store = call.cluster.store
    try:
        items = store.objects_at(call.res.key, rv, call.target.namespace or None)
    except TooOld:
        raise expired(LIST_EXPIRED) from None
    chunk, last, remaining = page(call, items, start, keep)
    lmeta = render.list_meta(rv, paging.encode(rv, last) if last else "", remaining)
    if want.shape == render.TABLE:
        return render.reply(want, render.table_bytes(store, call.res, chunk, lmeta, want.include,
                                                      call.now))
    if want.shape == render.METADATA:
        return render.reply(want, render.metadata_list(chunk, lmeta))
    return render.reply(want, render.json_list(store, call.res, chunk, lmeta))
