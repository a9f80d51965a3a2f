"""Guard timings: policy load, policy evaluation (CEL included), RBAC pre-flight on the sim.

Run: .venv/bin/python bench/guard_bench.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import ApiCall, Plan, Risk, Scope, Step, Verb
from kubechat_tui.guard.policy import PolicyContext, load_policy
from kubechat_tui.guard.rbac import check_rbac
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.sim import SimServer

EXAMPLE = Path(__file__).parents[1] / "docs" / "policy-example.yaml"


def timed(label: str, fn: Callable[[], object], runs: int) -> None:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    print(f"{label:<58} median {statistics.median(samples):8.2f} ms   "
          f"p95 {sorted(samples)[int(runs * 0.95) - 1]:8.2f} ms   ({runs} runs)")


def scale_plan(steps: int, clusters: tuple[str, ...]) -> Plan:
    made = tuple(Step(
        id=f"s{i}", verb=Verb.SCALE, resource="deployments", namespace="payments",
        name="payments-api", clusters=clusters, params={"replicas": 3 + i}, mutating=True,
        risk=Risk.MEDIUM, api_calls=(ApiCall(
            method="PATCH",
            path="/apis/apps/v1/namespaces/payments/deployments/payments-api/scale"),))
        for i in range(steps))
    return Plan(input="bench", planner="rules", scope=Scope(clusters=clusters), steps=made)


def main() -> None:
    timed("load docs/policy-example.yaml (11 rules, 2 CEL)", lambda: load_policy(EXAMPLE), 20)
    policy = load_policy(EXAMPLE)
    for steps, clusters in ((1, ("prod-eu",)), (10, ("prod-eu", "prod-us", "staging")),
                            (20, tuple(f"prod-{i}" for i in range(10)))):
        plan = scale_plan(steps, clusters)
        labels = {(s.id, c): [{"team": "payments"}] for s in plan.steps for c in clusters}
        ctx = PolicyContext(now=datetime(2026, 11, 25, 10, tzinfo=UTC), labels=labels)
        timed(f"evaluate {steps} step(s) x {len(clusters)} cluster(s)",
              partial(policy.evaluate, plan, ctx), 20)
    with tempfile.TemporaryDirectory() as folder, SimServer("incident").start() as sim:
        fleet = Fleet.from_kubeconfig(Settings(), str(sim.write_kubeconfig(
            Path(folder) / "kubeconfig")))
        try:
            plan = scale_plan(1, tuple(sim.clusters))
            timed(f"check_rbac 1 step x {len(sim.clusters)} clusters (Fleet -> sim, HTTPS)",
                  lambda: check_rbac(fleet, plan), 20)
            plan = scale_plan(10, tuple(sim.clusters))
            timed(f"check_rbac 10 steps, one target, x {len(sim.clusters)} clusters (deduplicated)",
                  lambda: check_rbac(fleet, plan), 10)
        finally:
            fleet.close()


if __name__ == "__main__":
    main()
