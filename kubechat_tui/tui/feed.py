"""Owns the live Inventory for the current scope and coalesces its change callbacks.

Loader threads call `on_change` after every batch; only the first call since the last
`take_rows()` posts an InventoryChanged message, so the UI refreshes at its own pace.
"""

from __future__ import annotations

import threading
from typing import Any

from textual.message_pump import MessagePump

from kubechat_tui.kube.types import LoadProgress
from kubechat_tui.tui.backend import InventoryLike, KubeBackend, Row
from kubechat_tui.tui.messages import InventoryChanged
from kubechat_tui.tui.scope import ViewScope


class InventoryFeed:
    """One inventory at a time; switching scope stops the old one off the UI thread."""

    def __init__(self, backend: KubeBackend, fleet: Any, target: MessagePump) -> None:
        self.backend = backend
        self.fleet = fleet
        self.target = target
        self.generation = 0
        self._inventory: InventoryLike | None = None
        self._dirty = False

    def switch(self, scope: ViewScope) -> None:
        """Start an inventory for `scope` (kind, clusters, namespace, label selector)."""
        self.stop()
        self.generation += 1
        generation = self.generation
        kind = self.backend.kinds[scope.kind]
        inventory = self.backend.make_inventory(
            self.fleet, kind, scope.clusters, scope.namespace, scope.label_selector
        )
        self._inventory = inventory
        self._dirty = False

        def on_change() -> None:
            if not self._dirty and generation == self.generation:
                self._dirty = True
                self.target.post_message(InventoryChanged(generation))

        inventory.start(on_change)

    @property
    def pending(self) -> bool:
        """True while a change notification is waiting for the UI to take the rows."""
        return self._dirty

    def take_rows(self) -> list[Row]:
        """The current snapshot; re-arms the change notification."""
        self._dirty = False
        return self._inventory.rows() if self._inventory else []

    def progress(self) -> dict[str, LoadProgress]:
        """Per-cluster load progress of the current inventory."""
        return self._inventory.progress() if self._inventory else {}

    def stop(self) -> None:
        """Stop the current inventory in a daemon thread (its threads may take a moment)."""
        inventory, self._inventory = self._inventory, None
        if inventory is not None:
            threading.Thread(target=inventory.stop, name="inventory-stop", daemon=True).start()
