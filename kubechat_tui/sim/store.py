"""One cluster's objects, its resourceVersion counter and the change history watches replay."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from kubechat_tui.sim.canonical import normalize

Obj = dict[str, Any]
Ident = tuple[str, str]  # (namespace, name)


def clone(obj: Obj) -> Obj:
    """A deep copy (orjson round trip: faster than copy.deepcopy for JSON data)."""
    result: Obj = orjson.loads(orjson.dumps(obj))
    return result


def _order(ident: Ident) -> str:
    """etcd key order: `<namespace>/<name>` compared as a string."""
    return f"{ident[0]}/{ident[1]}"


def ident_of(obj: Obj) -> Ident:
    """(namespace, name) of a stored object."""
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]


@dataclass(frozen=True)
class Change:
    """One stored change: ADDED, MODIFIED or DELETED, with the object before it."""

    type: str
    key: str
    obj: Obj
    old: Obj | None
    rv: int


class TooOld(Exception):
    """The requested resourceVersion is older than the kept history (etcd compacted it)."""

    def __init__(self, requested: int, oldest: int) -> None:
        super().__init__(f"too old resource version: {requested} ({oldest})")


Cache = dict[int, tuple[Obj, bytes]]  # id(obj) -> (obj, JSON); holding obj keeps ids unique


def _cached(cache: Cache, obj: Obj, encode: Callable[[Obj], bytes]) -> bytes:
    data = encode(obj)
    cache[id(obj)] = (obj, data)
    return data


def _item(obj: Obj) -> bytes:
    return orjson.dumps({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")})


def _partial(obj: Obj) -> bytes:
    return orjson.dumps({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                         "metadata": obj["metadata"]})


class ClusterStore:
    """Objects of one cluster keyed by resource key, then (namespace, name).

    Every change is kept in a bounded history, so watches can replay from a resourceVersion
    and paged lists can be served at the resourceVersion of their first page. Versions older
    than the history (`compacted`) are gone, like an etcd compaction: both answer 410.
    Lives on the server's event loop thread; nothing here is thread-safe by design.
    """

    def __init__(self, history: int = 4000, first_rv: int = 100) -> None:
        self._objects: dict[str, dict[Ident, Obj]] = {}
        self._sorted: dict[str, list[Obj]] = {}
        self._encoded: Cache = {}
        self._items: Cache = {}
        self._partials: Cache = {}
        self._rv = first_rv
        self._compacted = first_rv
        self._limit = history
        self._history: deque[Change] = deque()
        self._listeners: list[Callable[[Change], None]] = []

    @property
    def resource_version(self) -> int:
        """The latest resourceVersion issued."""
        return self._rv

    @property
    def compacted(self) -> int:
        """The oldest resourceVersion whose state can still be read or watched from."""
        return self._compacted

    def too_old(self, rv: int) -> bool:
        """True when rv lies before the kept history (lists and watches both answer 410)."""
        return rv < self._compacted

    def next_rv(self) -> int:
        """Issue a new resourceVersion."""
        self._rv += 1
        return self._rv

    def get(self, key: str, namespace: str, name: str) -> Obj | None:
        """The stored object or None. Callers must not mutate it."""
        return self._objects.get(key, {}).get((namespace, name))

    def objects(self, key: str, namespace: str | None = None) -> list[Obj]:
        """Objects in etcd key order (`namespace/name`), optionally in one namespace."""
        items = self._sorted.get(key)
        if items is None:
            bucket = self._objects.get(key, {})
            items = [bucket[k] for k in sorted(bucket, key=_order)]
            self._sorted[key] = items
        if namespace is None:
            return items
        return [o for o in items if o["metadata"].get("namespace", "") == namespace]

    def objects_at(self, key: str, rv: int, namespace: str | None = None) -> list[Obj]:
        """The objects as they were at resourceVersion rv (TooOld when compacted away)."""
        if self.too_old(rv):
            raise TooOld(rv, self._compacted)
        current = self.objects(key, namespace)
        before: dict[Ident, Obj | None] = {}
        for change in reversed(self._history):  # newest first: the oldest change after rv wins
            if change.rv <= rv:
                break
            if change.key == key:
                before[ident_of(change.obj)] = None if change.type == "ADDED" else change.old
        if not before:
            return current
        kept = [o for o in current if ident_of(o) not in before]
        kept += [o for o in before.values() if o is not None and (
            namespace is None or o["metadata"].get("namespace", "") == namespace)]
        kept.sort(key=lambda o: _order(ident_of(o)))
        return kept

    def encoded(self, obj: Obj) -> bytes:
        """The object's JSON, cached while it is unchanged."""
        entry = self._encoded.get(id(obj))
        return entry[1] if entry is not None and entry[0] is obj else _cached(
            self._encoded, obj, orjson.dumps)

    def encoded_item(self, obj: Obj) -> bytes:
        """The object's JSON as a list item (no kind/apiVersion), cached while unchanged."""
        entry = self._items.get(id(obj))
        return entry[1] if entry is not None and entry[0] is obj else _cached(
            self._items, obj, _item)

    def encoded_partial(self, obj: Obj) -> bytes:
        """The object's PartialObjectMetadata JSON, cached while unchanged."""
        entry = self._partials.get(id(obj))
        return entry[1] if entry is not None and entry[0] is obj else _cached(
            self._partials, obj, _partial)

    def _forget(self, obj: Obj | None) -> None:
        if obj is None:
            return
        for cache in (self._encoded, self._items, self._partials):
            entry = cache.get(id(obj))
            if entry is not None and entry[0] is obj:
                del cache[id(obj)]

    def load(self, key: str, obj: Obj) -> None:
        """Insert as given, without an event (scenario loading; callers normalize first);
        history starts after the load."""
        meta = obj["metadata"]
        if meta.get("resourceVersion"):
            self._rv = max(self._rv, int(meta["resourceVersion"]))
        else:
            meta["resourceVersion"] = str(self.next_rv())
        self._objects.setdefault(key, {})[(meta.get("namespace", ""), meta["name"])] = obj
        self._sorted.pop(key, None)
        if self._history:
            self.compact()  # loading after live changes: the history no longer adds up
        else:
            self._compacted = self._rv

    def put(self, key: str, obj: Obj) -> Obj:
        """Create or replace, stamping a new resourceVersion; notifies listeners."""
        meta = obj["metadata"]
        ident = (meta.get("namespace", ""), meta["name"])
        bucket = self._objects.setdefault(key, {})
        old = bucket.get(ident)
        rv = self.next_rv()
        meta["resourceVersion"] = str(rv)
        normalize(obj)
        bucket[ident] = obj
        self._forget(old)
        self._sorted.pop(key, None)
        self._emit(Change("MODIFIED" if old is not None else "ADDED", key, obj, old, rv))
        return obj

    def remove(self, key: str, namespace: str, name: str) -> Obj | None:
        """Delete; the DELETED event carries a new resourceVersion."""
        old = self._objects.get(key, {}).pop((namespace, name), None)
        if old is None:
            return None
        self._forget(old)
        self._sorted.pop(key, None)
        rv = self.next_rv()
        gone = clone(old)
        gone["metadata"]["resourceVersion"] = str(rv)
        self._emit(Change("DELETED", key, gone, old, rv))
        return gone

    def compact(self, rv: int | None = None) -> None:
        """Forget history up to rv (default: all of it), as an etcd compaction does."""
        upto = self._rv if rv is None else min(rv, self._rv)
        while self._history and self._history[0].rv <= upto:
            self._forget(self._history.popleft().old)
        self._compacted = max(self._compacted, upto)

    def changes_since(self, rv: int) -> list[Change]:
        """Changes after rv; raises TooOld when history no longer reaches back that far."""
        if self.too_old(rv):
            raise TooOld(rv, self._compacted)
        return [c for c in self._history if c.rv > rv]

    def subscribe(self, listener: Callable[[Change], None]) -> None:
        """Call listener for every future change."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[Change], None]) -> None:
        """Stop calling listener."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, change: Change) -> None:
        self._history.append(change)
        if len(self._history) > self._limit:
            evicted = self._history.popleft()
            self._forget(evicted.old)
            self._compacted = evicted.rv
        for listener in list(self._listeners):
            listener(change)
