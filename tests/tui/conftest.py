"""Fixtures that build the console on the real Fleet + Inventory over the simulated fleet."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.tui.app import KubechatApp, initial_scope

CLUSTER_SETS = {"prod": ["prod-eu", "prod-us"], "staging": ["staging"], "canary": ["canary"]}


def incident_now() -> datetime:
    """The console's clock in pilot tests (ages are not asserted there)."""
    return datetime.now(UTC)


@pytest.fixture
def make_console(sim_kubeconfig: Path) -> Iterator[Callable[..., KubechatApp]]:
    """Build a KubechatApp on the incident fleet: `make_console(settings=..., clusters=...)`
    (optionally with a planner, an engine slot, or a subclass of the app)."""
    fleets: list[Fleet] = []

    def build(settings: Settings | None = None, planner: Any = None, engine: Any = None,
              app_class: type[KubechatApp] = KubechatApp, **scope: Any) -> KubechatApp:
        settings = settings or Settings(cluster_sets=CLUSTER_SETS)
        fleet = Fleet.from_kubeconfig(settings, str(sim_kubeconfig))
        fleets.append(fleet)
        return app_class(settings, fleet, initial_scope(fleet, settings, **scope),
                         clock=incident_now, planner=planner, engine=engine)

    yield build
    for fleet in fleets:
        fleet.close()
