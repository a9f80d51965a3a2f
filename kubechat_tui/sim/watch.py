"""Watch streams: replay from resourceVersion, live changes, bookmarks, 410 when too old."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from kubechat_tui.sim import render
from kubechat_tui.sim.call import Call
from kubechat_tui.sim.selectors import compile_filter, parse_field_selector, parse_label_selector
from kubechat_tui.sim.status import bad_request, expired
from kubechat_tui.sim.store import Change, Obj, TooOld

if TYPE_CHECKING:
    from kubechat_tui.sim.fleet import SimFleet

BOOKMARK_INTERVAL = 30.0
DEFAULT_TIMEOUT = 1800
_EMPTY_SPECS: dict[str, dict[str, Any]] = {
    "pods": {"spec": {"containers": None}, "status": {}},
    "deployments.apps": {"spec": {"selector": None, "template": {"metadata": {}, "spec": {
        "containers": None}}, "strategy": {}}, "status": {}},
    "replicasets.apps": {"spec": {"selector": None, "template": {"metadata": {}, "spec": {
        "containers": None}}}, "status": {}},
    "nodes": {"spec": {}, "status": {"daemonEndpoints": {"kubeletEndpoint": {"Port": 0}},
                                      "nodeInfo": {}}},
}


class WatchStream:
    """One open watch: filters changes and writes JSON lines."""

    def __init__(self, call: Call) -> None:
        self.call = call
        res = call.res
        self.res = res
        labels = parse_label_selector(call.arg("labelSelector"))
        fields = parse_field_selector(call.arg("fieldSelector"), res.fields)
        self.match = compile_filter(labels, fields)
        self.namespace = call.target.namespace
        self.want = render.negotiate(call)
        self.table = self.want.shape == render.TABLE
        self.first_table = True
        self.queue: asyncio.Queue[Change | None] = asyncio.Queue()  # None: cut by a fault

    def in_scope(self, obj: Obj | None) -> bool:
        """True when obj is in the namespace and passes the selectors."""
        if obj is None:
            return False
        if self.namespace and obj["metadata"].get("namespace") != self.namespace:
            return False
        return self.match(obj)

    def translate(self, change: Change) -> tuple[str, Obj] | None:
        """The event a client of this watch sees (selector moves become ADDED/DELETED)."""
        if change.key != self.res.key:
            return None
        now_in = change.type != "DELETED" and self.in_scope(change.obj)
        was_in = change.type != "ADDED" and self.in_scope(change.old)
        if change.type == "DELETED":
            return ("DELETED", change.obj) if was_in else None
        if now_in and was_in:
            return "MODIFIED", change.obj
        if now_in:
            return "ADDED", change.obj
        if was_in:
            return "DELETED", change.obj
        return None

    def encode(self, type_: str, obj: Obj) -> bytes:
        """One JSON line."""
        payload: Any = obj
        if self.table and type_ != "BOOKMARK":
            payload = render.table(self.res, [obj], {"resourceVersion": obj["metadata"].get(
                "resourceVersion", "")}, self.want.include, self.call.now,
                with_columns=self.first_table)
            self.first_table = False
        return orjson.dumps({"type": type_, "object": payload}) + b"\n"

    def bookmark(self, rv: int, initial_end: bool = False) -> bytes:
        """A BOOKMARK event carrying only the resourceVersion."""
        meta: dict[str, Any] = {"resourceVersion": str(rv)}
        if initial_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        obj = {"kind": self.res.kind, "apiVersion": self.res.api_version, "metadata": meta,
               **_EMPTY_SPECS.get(self.res.key, {})}
        return orjson.dumps({"type": "BOOKMARK", "object": obj}) + b"\n"


def _start_rv(call: Call) -> int | None:
    """The resourceVersion to replay from; None: start with ADDED for the current state."""
    text = call.arg("resourceVersion")
    if text in ("", "0") or call.flag("sendInitialEvents"):
        return None
    try:
        return int(text)
    except ValueError:
        raise bad_request(f'invalid resource version: "{text}"') from None


async def serve(call: Call, fleet: SimFleet) -> web.StreamResponse:
    """Run a watch until timeoutSeconds, client disconnect, a watch-cutting fault or shutdown."""
    store = call.cluster.store
    stream = WatchStream(call)  # parses selectors: bad ones fail before the stream starts
    start = _start_rv(call)
    replay: list[Change] = []
    too_old: str = ""
    if start is not None:
        try:
            replay = store.changes_since(start)
        except TooOld as exc:
            too_old = str(exc)
    timeout = call.int_arg("timeoutSeconds") or DEFAULT_TIMEOUT
    bookmarks = call.flag("allowWatchBookmarks")
    response = web.StreamResponse(status=200, headers={"Content-Type": "application/json",
                                                       "Transfer-Encoding": "chunked"})
    await response.prepare(call.request)
    if too_old:
        err = expired(too_old).body()
        await response.write(orjson.dumps({"type": "ERROR", "object": err}) + b"\n")
        await response.write_eof()
        return response
    name = call.cluster.name
    store.subscribe(stream.queue.put_nowait)
    fleet.open_watch(name, stream.queue)
    try:
        if start is None:
            for obj in list(store.objects(call.res.key, call.target.namespace or None)):
                if stream.in_scope(obj):
                    await response.write(stream.encode("ADDED", obj))
            if call.flag("sendInitialEvents") and bookmarks:
                await response.write(stream.bookmark(store.resource_version, initial_end=True))
        for change in replay:
            event = stream.translate(change)
            if event:
                await response.write(stream.encode(*event))
        dropped = await _pump(stream, response, fleet, timeout, bookmarks)
    except (ConnectionError, asyncio.CancelledError):
        dropped = False
    finally:
        fleet.close_watch(name, stream.queue)
        store.unsubscribe(stream.queue.put_nowait)
    if dropped and call.request.transport is not None:
        call.request.transport.abort()  # a network drop: no clean end of stream
        return response
    with contextlib.suppress(ConnectionError, RuntimeError):
        await response.write_eof()
    return response


async def _pump(stream: WatchStream, response: web.StreamResponse, fleet: SimFleet,
                timeout: int, bookmarks: bool) -> bool:
    """Forward changes until the watch ends; True when a fault cut it (one-shot drop, or
    flap_watches seconds after it opened)."""
    loop = asyncio.get_running_loop()
    opened = loop.time()
    deadline = opened + timeout
    next_bookmark = opened + min(BOOKMARK_INTERVAL, max(timeout - 1.0, timeout * 0.75))
    store = stream.call.cluster.store
    faults = fleet.faults[stream.call.cluster.name]
    while not fleet.stopping.is_set():
        now = loop.time()
        flap = faults.state.flap_watches
        if flap and now >= opened + flap:
            return True
        if now >= deadline:
            return False
        if bookmarks and now >= next_bookmark:
            await response.write(stream.bookmark(store.resource_version))
            next_bookmark = now + BOOKMARK_INTERVAL
        until = min(deadline, next_bookmark if bookmarks else deadline, now + 0.5)
        if flap:
            until = min(until, opened + flap)
        try:
            change = await asyncio.wait_for(stream.queue.get(), timeout=max(until - now, 0.01))
        except TimeoutError:
            continue
        if change is None:
            return True
        event = stream.translate(change)
        if event:
            await response.write(stream.encode(*event))
    return False
