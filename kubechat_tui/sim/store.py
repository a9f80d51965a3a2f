"""One cluster's objects, its resourceVersion counter and the change history watches replay."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

Obj = dict[str, Any]


def clone(obj: Obj) -> Obj:
    """A deep copy (orjson round trip: faster than copy.deepcopy for JSON data)."""
    result: Obj = orjson.loads(orjson.dumps(obj))
    return result


@dataclass(frozen=True)
class Change:
    """One stored change: ADDED, MODIFIED or DELETED, with the object before it."""

    type: str
    key: str
    obj: Obj
    old: Obj | None
    rv: int


class TooOld(Exception):
    """The requested resourceVersion is older than the kept history."""

    def __init__(self, requested: int, oldest: int) -> None:
        super().__init__(f"too old resource version: {requested} ({oldest})")


class ClusterStore:
    """Objects of one cluster keyed by resource key, then (namespace, name).

    Lives on the server's event loop thread; nothing here is thread-safe by design.
    """

    def __init__(self, history: int = 4000, first_rv: int = 100) -> None:
        self._objects: dict[str, dict[tuple[str, str], Obj]] = {}
        self._sorted: dict[str, list[Obj]] = {}
        self._encoded: dict[int, bytes] = {}
        self._items: dict[int, bytes] = {}
        self._partials: dict[int, bytes] = {}
        self._rv = first_rv
        self._history: deque[Change] = deque(maxlen=history)
        self._listeners: list[Callable[[Change], None]] = []

    @property
    def resource_version(self) -> int:
        """The latest resourceVersion issued."""
        return self._rv

    def next_rv(self) -> int:
        """Issue a new resourceVersion."""
        self._rv += 1
        return self._rv

    def get(self, key: str, namespace: str, name: str) -> Obj | None:
        """The stored object or None. Callers must not mutate it."""
        return self._objects.get(key, {}).get((namespace, name))

    def objects(self, key: str, namespace: str | None = None) -> list[Obj]:
        """Objects sorted by namespace/name, optionally in one namespace."""
        items = self._sorted.get(key)
        if items is None:
            bucket = self._objects.get(key, {})
            items = [bucket[k] for k in sorted(bucket)]
            self._sorted[key] = items
        if namespace is None:
            return items
        return [o for o in items if o["metadata"].get("namespace", "") == namespace]

    def encoded(self, obj: Obj) -> bytes:
        """The object's JSON, cached while it is unchanged."""
        cached = self._encoded.get(id(obj))
        if cached is None:
            cached = orjson.dumps(obj)
            self._encoded[id(obj)] = cached
        return cached

    def encoded_item(self, obj: Obj) -> bytes:
        """The object's JSON as a list item (no kind/apiVersion), cached while unchanged."""
        cached = self._items.get(id(obj))
        if cached is None:
            cached = orjson.dumps({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")})
            self._items[id(obj)] = cached
        return cached

    def encoded_partial(self, obj: Obj) -> bytes:
        """The object's PartialObjectMetadata JSON, cached while unchanged."""
        cached = self._partials.get(id(obj))
        if cached is None:
            cached = orjson.dumps({"kind": "PartialObjectMetadata",
                                   "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]})
            self._partials[id(obj)] = cached
        return cached

    def _forget(self, obj: Obj) -> None:
        self._encoded.pop(id(obj), None)
        self._items.pop(id(obj), None)
        self._partials.pop(id(obj), None)

    def load(self, key: str, obj: Obj) -> None:
        """Insert without an event (scenario loading)."""
        meta = obj["metadata"]
        if "resourceVersion" not in meta:
            meta["resourceVersion"] = str(self.next_rv())
        self._objects.setdefault(key, {})[(meta.get("namespace", ""), meta["name"])] = obj
        self._sorted.pop(key, None)

    def put(self, key: str, obj: Obj) -> Obj:
        """Create or replace, stamping a new resourceVersion; notifies listeners."""
        meta = obj["metadata"]
        ident = (meta.get("namespace", ""), meta["name"])
        bucket = self._objects.setdefault(key, {})
        old = bucket.get(ident)
        rv = self.next_rv()
        meta["resourceVersion"] = str(rv)
        bucket[ident] = obj
        if old is not None:
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

    def compacted_past(self, rv: int) -> bool:
        """True when history has been trimmed beyond rv (a list at rv can no longer resume)."""
        full = self._history.maxlen is not None and len(self._history) == self._history.maxlen
        return full and rv < self._history[0].rv

    def changes_since(self, rv: int) -> list[Change]:
        """Changes after rv; raises TooOld when history no longer reaches back that far."""
        oldest = self._history[0].rv if self._history else self._rv + 1
        if rv < oldest - 1 and rv < self._rv:
            raise TooOld(rv, oldest)
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
        for listener in list(self._listeners):
            listener(change)
