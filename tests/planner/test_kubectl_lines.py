"""Every kubectl line the planner writes runs with the real kubectl against the simulated
fleet (changes with --dry-run=server where kubectl offers it)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import Scope, Step, Verb
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.lookup import FleetView
from kubechat_tui.planner.service import PlannerService
from kubechat_tui.sim import SimServer
from tests.planner.conftest import CLUSTER_SETS

KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"
REQUESTS = [
    "crashlooping pods in prod-eu",
    "pods with the most restarts in prod-eu",
    "why are pods pending in prod-eu",
    "what images are in use in payments on prod-eu",
    "show pods -l app=payments-api in payments on prod-eu",
    "show warning events in prod-eu",
    "scale payments-api in prod-eu to 5",
    "set image deployment/payments-api api=registry.example/payments-api:1.4.2 in prod-eu",
    "roll back payments-api in prod-eu",
    "delete failed pods in payments on prod-eu",
    "restart payments-api in prod-eu",
]
NO_DRY_RUN = {Verb.ROLLOUT_RESTART}  # kubectl rollout restart has no --dry-run flag


@pytest.fixture(scope="module")
def fleet_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, PlannerService]]:
    with SimServer(scenario="incident", port=0) as server:
        kubeconfig = Path(server.write_kubeconfig(tmp_path_factory.mktemp("kc") / "config",
                                                  current="prod-eu"))
        settings = Settings(cluster_sets=CLUSTER_SETS, ai=AISettings(enabled=False))
        fleet = Fleet.from_kubeconfig(settings, str(kubeconfig))
        try:
            yield kubeconfig, PlannerService(settings, FleetView(fleet), mode="rules")
        finally:
            fleet.close()


def run(kubeconfig: Path, step: Step) -> list[subprocess.CompletedProcess[str]]:
    results = []
    for line in step.kubectl_lines():
        args = shlex.split(line)[1:]
        if step.mutating and step.verb not in NO_DRY_RUN:
            args.append("--dry-run=server")
        results.append(subprocess.run([KUBECTL, "--kubeconfig", str(kubeconfig), *args],
                                      capture_output=True, text=True, timeout=30))
    return results


@pytest.mark.parametrize("text", REQUESTS)
def test_kubectl_accepts_every_line(fleet_env: tuple[Path, PlannerService], text: str) -> None:
    kubeconfig, service = fleet_env
    plan = service.plan(text, Scope()).plan
    assert plan is not None
    for step in plan.steps:
        for result in run(kubeconfig, step):
            assert result.returncode == 0, (step.kubectl, result.stderr[-300:])
