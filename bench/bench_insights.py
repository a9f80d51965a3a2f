"""Insight cards after a read run, on the simulated fleet (real HTTP, SQLite audit).

Prints the seconds `Insights.analyze(run)` takes after the results are in — the reads of
recent history in every cluster that answered, then every analyzer — and how many cards:
1. the demo incident: "crashlooping pods in payments" over prod-eu and prod-us;
2. the 50-cluster `scale` scenario: a read of the crash-looping pods of all namespaces
   fanned out to every cluster (history read across 30,000 pods).
Goal: the cards follow the results within 1 s on the incident, 2 s at scale.

    .venv/bin/python bench/bench_insights.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import Plan, Scope, Verb
from kubechat_tui.engine.diagnostics.path import ReadPath
from kubechat_tui.engine.insights.runner import Insights
from kubechat_tui.engine.wiring import open_engine
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.planner.render import build_step
from kubechat_tui.store.audit_model import Operator

from sim_process import start_sim, stop_sim

GOALS = {"incident": 1.0, "scale": 2.0}
WARM_UPS = 5


def measure(kubeconfig: Path, clusters: tuple[str, ...] | None, namespace: str | None,
            runs: int) -> tuple[list[float], int]:
    """Seconds per analysis, and the cards of the last one."""
    settings = Settings(ai=AISettings(enabled=False))
    fleet = Fleet.from_kubeconfig(settings, str(kubeconfig))
    scope = clusters or tuple(fleet.cluster_names())
    step = build_step("s1", Verb.GET, "pods", namespace=namespace, clusters=scope,
                      params={"status_filter": "CrashLoopBackOff"})
    plan = Plan(input="bench", planner="rules", scope=Scope(clusters=scope,
                                                            namespace=namespace),
                steps=(step,))
    samples, cards = [], 0
    with tempfile.TemporaryDirectory() as data:
        os.environ["KUBECHAT_AUDIT_KEY_BACKEND"] = "file"
        handle = open_engine(settings, fleet, Path(data), Operator("bench", "admin"))
        reads = ReadPath.beside(handle.pipeline)
        for _ in range(WARM_UPS):  # the simulator builds a cluster on first use
            run = reads.run(plan)
            if all(r.ok for r in run.results):
                break
        assert all(r.ok for r in run.results), run.summary()
        insights = Insights.beside(handle.pipeline)
        insights.analyze(run)  # warms the connections
        for _ in range(runs):
            start = time.perf_counter()
            cards = len(insights.analyze(run))
            samples.append(time.perf_counter() - start)
        handle.close()
    fleet.close()
    return samples, cards


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cases = {"incident": (("prod-eu", "prod-us"), "payments"), "scale": (None, None)}
    with tempfile.TemporaryDirectory() as tmp:
        for scenario, (clusters, namespace) in cases.items():
            kubeconfig = Path(tmp) / f"{scenario}.yaml"
            proc, _ = start_sim(kubeconfig, scenario)
            try:
                samples, cards = measure(kubeconfig, clusters, namespace, args.runs)
            finally:
                stop_sim(proc)
            med, goal = statistics.median(samples), GOALS[scenario]
            print(f"{scenario:<9} results -> cards: median {med:6.3f} s  min "
                  f"{min(samples):6.3f}  max {max(samples):6.3f}  ({cards} cards, "
                  f"{args.runs} runs){'  ok' if med <= goal else f'  OVER GOAL {goal:g} s'}")


if __name__ == "__main__":
    main()
