"""Inventory benchmark on the `scale` scenario (50 clusters, 30k pods over loopback HTTPS).

The simulator runs in a subprocess (its CPU does not share our GIL). Times the real
Fleet + Inventory path, no UI: time to the first rows (a first page), to the first cluster's
rows (one cluster complete), to every row, and RSS of this process. Goals: first cluster's
rows <= 0.3 s, all rows <= 1.5 s, RSS <= 300 MB.

The simulator builds each cluster's objects on its first request (a real API server has long
done so): by default every cluster is touched once before timing; with `--cold` the first
run includes that build (its numbers are printed separately).

    .venv/bin/python bench/bench_inventory.py [--runs 5] [--page-size 1000] [--workers N]
                                              [--first-page 100] [--cold] [--formats]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import orjson
import psutil

from kubechat_tui.config.settings import KubeSettings, Settings
from kubechat_tui.kube import inventory as inventory_module
from kubechat_tui.kube.client import JSON, TABLE
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.gcpause import gc_paused
from kubechat_tui.kube.inventory import KINDS, Inventory
from kubechat_tui.kube.types import Health

from sim_process import start_sim, stop_sim

FIRST = "first cluster's rows"
GOALS = {FIRST: 0.3, "all rows": 1.5}
Run = tuple[float, float, float, int]  # first rows, first cluster, all rows (s); row count
RSS_GOAL_MB = 300


def one_run(fleet: Fleet, kind: str) -> Run:
    """Seconds to the first rows, to the first cluster done and to all done; rows."""
    inventory = Inventory(fleet, KINDS[kind], fleet.cluster_names())
    changed = threading.Event()
    first_rows = first_cluster = None
    started = time.perf_counter()
    inventory.start(changed.set)
    while True:
        changed.wait(0.5)
        changed.clear()
        now = time.perf_counter() - started
        progress = inventory.progress().values()
        if first_rows is None and any(p.rows for p in progress):
            first_rows = now
        if first_cluster is None and any(p.done for p in progress):
            first_cluster = now
        if all(p.done or p.error for p in progress):
            break
    total = time.perf_counter() - started
    rows = len(inventory.rows())
    inventory.stop()
    return first_rows or total, first_cluster or total, total, rows


def compare_formats(fleet: Fleet) -> None:
    """Fetch and parse every cluster's pods once per wire format, sequentially."""
    formats: tuple[tuple[str, str, dict[str, str]], ...] = (
        ("Table+Metadata (used)", TABLE, {"includeObject": "Metadata"}),
        ("Table, no object", TABLE, {"includeObject": "None"}),
        ("raw JSON PodList", JSON, {}))
    for name, accept, query in formats:
        fetch = parse = 0.0
        size = 0
        for cluster in fleet.cluster_names():
            started = time.perf_counter()
            _, body = fleet.client(cluster).request(
                "GET", "/api/v1/pods", query={**query, "limit": 1000}, accept=accept)
            fetched = time.perf_counter()
            with gc_paused():
                orjson.loads(body)
            fetch, parse = fetch + fetched - started, parse + time.perf_counter() - fetched
            size += len(body)
        print(f"  {name:<22} {size / 2**20:6.1f} MB   fetch {fetch:6.3f} s   "
              f"parse {parse:6.3f} s")


def print_runs(kind: str, runs: list[Run]) -> None:
    """Medians with their spread (min-max), and each run."""
    def stat(index: int) -> tuple[float, str]:
        values = [r[index] for r in runs]
        median = statistics.median(values)
        return median, f"{median:6.3f} s ({min(values):.3f}-{max(values):.3f})"

    _, rows_text = stat(0)
    first, first_text = stat(1)
    total, total_text = stat(2)
    print(f"{kind:<12} rows {runs[-1][3]:>6,}   first rows {rows_text}   first cluster's rows "
          f"{first_text}{verdict(FIRST, first)}   all rows {total_text}"
          f"{verdict('all rows', total)}")
    print(f"{'':<12} per run (first rows/first cluster/all): "
          + ", ".join(f"{a:.2f}/{b:.2f}/{c:.2f}" for a, b, c, _ in runs))


def verdict(name: str, value: float) -> str:
    goal = GOALS.get(name)
    if goal is None:
        return ""
    return "  ok" if value <= goal else f"  MISSED goal {goal:.1f} s by {value - goal:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="inventories loaded per kind")
    parser.add_argument("--page-size", type=int, default=KubeSettings().page_size)
    parser.add_argument("--workers", type=int, default=KubeSettings().list_workers)
    parser.add_argument("--first-page", type=int, default=inventory_module.FIRST_PAGE,
                        help="rows in the first page of the first wave of lists")
    parser.add_argument("--cold", action="store_true",
                        help="do not touch the clusters first: run 1 includes the sim's build")
    parser.add_argument("--kinds", default="pods,nodes,deployments,events")
    parser.add_argument("--formats", action="store_true",
                        help="also compare wire formats for the pod list (sequential)")
    args = parser.parse_args()
    settings = Settings(kube=KubeSettings(page_size=args.page_size, list_workers=args.workers))
    inventory_module.FIRST_PAGE = args.first_page
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        sim, _ = start_sim(kubeconfig)
        try:
            fleet = Fleet.from_kubeconfig(settings, str(kubeconfig))
            print(f"clusters {len(fleet.cluster_names())}, page size {args.page_size} (first "
                  f"page {args.first_page}), {args.workers} clusters listed at once")
            if not args.cold:
                started = time.perf_counter()
                healthy = sum(fleet.check(c).health is Health.OK for c in fleet.cluster_names())
                print(f"health + identity of {healthy} clusters, one by one: "
                      f"{time.perf_counter() - started:.2f} s (the simulator builds each cluster"
                      " on its first request; timings below are after that)")
            for kind in args.kinds.split(","):
                runs = [one_run(fleet, kind) for _ in range(args.runs)]
                if args.cold and kind == args.kinds.split(",")[0]:
                    cold, runs = runs[0], runs[1:] or runs
                    print(f"{kind:<12} cold run (sim builds its clusters): first rows "
                          f"{cold[0]:.3f} s, first cluster {cold[1]:.3f} s, all {cold[2]:.3f} s")
                print_runs(kind, runs)
            if args.formats:
                print("pods of all clusters, one request each, one after another:")
                compare_formats(fleet)
            rss = psutil.Process().memory_info().rss / 2**20
            print(f"RSS {rss:.0f} MB (fleet + inventories; simulator in another process)"
                  f"{'  ok' if rss <= RSS_GOAL_MB else f'  MISSED goal {RSS_GOAL_MB} MB'}")
            fleet.close()
        finally:
            stop_sim(sim)


if __name__ == "__main__":
    main()
