"""The fleet health read on the simulated fleet (real HTTP): per cluster, pods failing by
reason, nodes not ready, recent warnings; a cluster that does not answer says why in one
line while the others answer."""

from __future__ import annotations

from datetime import UTC, datetime

from kubechat_tui.kube.fleet_health import fleet_health
from tests.e2e.conftest import World


def test_the_incident_shows_where_the_trouble_is(world: World) -> None:
    healths = {h.cluster: h for h in fleet_health(world.fleet, world.fleet.cluster_names(),
                                                  datetime.now(UTC))}
    assert healths["prod-eu"].failing["CrashLoopBackOff"] >= 4  # one may be between back-offs
    assert healths["prod-eu"].failing["Pending"] == 1
    assert healths["prod-eu"].warnings > 0
    assert healths["prod-us"].nodes_not_ready == 1 and healths["prod-us"].nodes == 4
    assert healths["canary"].failing == {"ImagePullBackOff": 2}
    assert healths["staging"].healthy


def test_a_cluster_that_does_not_answer_is_one_line(world: World) -> None:
    world.sim.faults("prod-us").set(unreachable=True)
    healths = {h.cluster: h for h in fleet_health(world.fleet, ["prod-eu", "prod-us"],
                                                  datetime.now(UTC))}
    assert healths["prod-us"].error and "\n" not in healths["prod-us"].error
    assert not healths["prod-us"].healthy
    assert healths["prod-eu"].failing["CrashLoopBackOff"] >= 4
