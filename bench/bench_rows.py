"""Row context on the simulated fleet: the fleet health card's read and `:KIND` discovery.

1. The fleet health read (pods and nodes as Tables, Warning events) over every cluster:
   the 4-cluster demo incident and the 50-cluster `scale` scenario (30,000 pods); printed
   are the seconds to the whole card (goal: <= 2 s on `scale`, as for a fanned-out read).
2. A custom resource found by discovery (`:cert` on the demo's first cluster): seconds
   from the word to a kind with its server-side columns (goal: <= 0.5 s).

Simulators run in their own processes (their CPU does not share our GIL).

    .venv/bin/python bench/bench_rows.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.kube.discovered_kinds import discover_kind
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.fleet_health import fleet_health

from sim_process import start_sim, stop_sim

GOALS = {"incident": 2.0, "scale": 2.0, "discovery": 0.5}


def timed(runs: int, work: object) -> list[float]:
    """Seconds of each run of `work()`."""
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        work()  # type: ignore[operator]
        seconds.append(time.perf_counter() - began)
    return seconds


def report(label: str, seconds: list[float], goal: float) -> None:
    median = statistics.median(seconds)
    verdict = "ok" if median <= goal else "OVER GOAL"
    print(f"  {label}: median {median:.3f} s, max {max(seconds):.3f} s "
          f"(goal <= {goal} s) {verdict}")


def bench(scenario: str, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = Path(tmp) / f"{scenario}.yaml"
        proc, _ = start_sim(kubeconfig, scenario)
        fleet = Fleet.from_kubeconfig(Settings(ai=AISettings(enabled=False)), str(kubeconfig))
        try:
            clusters = fleet.cluster_names()
            cards: list[int] = []

            def health() -> None:
                found = fleet_health(fleet, clusters, datetime.now(UTC))
                cards.append(sum(sum(h.failing.values()) for h in found))

            print(f"{scenario} scenario, {len(clusters)} clusters ({runs} runs)")
            health()  # warm: connections open
            report(f"fleet health card ({cards[-1]} failing pods)", timed(runs, health),
                   GOALS[scenario])
            if scenario == "incident":
                report(":cert by discovery", timed(runs, lambda: discover_kind(
                    fleet, clusters[0], "cert")), GOALS["discovery"])
        finally:
            fleet.close()
            stop_sim(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bench("incident", args.runs)
    bench("scale", args.runs)


if __name__ == "__main__":
    main()
