"""One simulated cluster: its store, identity seeds and scenario knobs."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field

from kubechat_tui.sim.builders import Ids
from kubechat_tui.sim.store import ClusterStore


@dataclass
class Cluster:
    """A named cluster whose objects may be generated lazily on first use."""

    name: str
    production: bool
    image_behaviors: dict[str, str]
    ids: Ids
    store: ClusterStore = field(default_factory=ClusterStore)
    populate: Callable[[Cluster], None] | None = None
    started: dict[str, float] = field(default_factory=dict)  # pod uid -> container start time
    metrics_api: bool = True  # whether metrics-server (metrics.k8s.io) is installed
    ca_pem: bytes = b""  # the cluster CA, published in every namespace's kube-root-ca.crt

    def ensure_loaded(self) -> None:
        """Generate the cluster's objects if that has not happened yet."""
        if self.populate is not None:
            populate, self.populate = self.populate, None
            gc.disable()  # many small allocations; collection passes would dominate
            try:
                populate(self)
            finally:
                gc.enable()
