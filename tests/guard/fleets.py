"""The real Fleet on the simulated clusters, acting as one of the sim's identities."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kubechat_tui.config.settings import Settings
from kubechat_tui.kube.fleet import Fleet


@contextmanager
def sim_fleet(kubeconfig: Path) -> Iterator[Fleet]:
    """A Fleet over every context of the simulator's kubeconfig."""
    fleet = Fleet.from_kubeconfig(Settings(), str(kubeconfig))
    try:
        yield fleet
    finally:
        fleet.close()


class Recording:
    """`request_json` as IDENTITY (admin, viewer, operator, lead), remembering each call."""

    def __init__(self, fleet: Fleet, identity: str) -> None:
        self.router = fleet if identity == "admin" else fleet.via(
            fleet.topology.contexts_for_user(identity, fleet.cluster_names()))
        self.calls: list[tuple[str, str, str]] = []

    def request_json(self, cluster: str, method: str, path: str, *,
                     query: dict[str, Any] | None = None, body: object | None = None,
                     content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, Any]]:
        self.calls.append((cluster, method, path))
        return self.router.request_json(cluster, method, path, query=query, body=body,
                                        content_type=content_type, timeout=timeout)
