"""Console benchmark on the `scale` scenario (50 clusters, 30k pods over loopback HTTP).

Runs the simulator in a subprocess (so its CPU does not share our GIL), opens the real
Fleet + Inventory path and drives the console with Textual's pilot, once per run, each run
in a fresh process. Prints per run and as median/min/max: time to first frame (from opening
the kubeconfig to the main screen's first refresh), time until the table paints its first
rows, every row of one cluster (first rows come as a small first page, so the two differ),
and all rows, RSS, and keypress latency (down, page-down, filter keystroke) at 30k rows.
Keys are pressed once the console has settled: the health probes and the detail of the row
under the cursor, which wait for the first load to complete, are in (their time is printed;
keys pressed during that half second can take ~50-80 ms).

A keypress is timed from handing the key event to the driver until the console's state
reflects it, plus one full compositor frame (the work a terminal repaint needs). Pilot.press
is not used for timing: it also waits for the app to go idle, which measures the event
loop's idle polling rather than the console.

By default the simulator is warmed first (it builds each cluster's objects on the first
request, which a real API server has long done); `--cold` starts a fresh simulator per run
and includes that build in the numbers.

    .venv/bin/python bench/bench_tui.py [--runs 3] [--presses 40] [--cold]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import psutil
from textual import events
from textual.keys import _character_to_key
from textual.strip import Strip

from kubechat_tui.config.settings import Settings
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.inventory import KINDS, Inventory
from kubechat_tui.kube.types import Health
from kubechat_tui.tui.app import KubechatApp, initial_scope
from kubechat_tui.tui.screens.main_screen import MainScreen
from kubechat_tui.tui.widgets.resource_table import ResourceTable

from sim_process import start_sim, stop_sim

SIZE = (160, 48)
FILTER_TEXT = "ns:search svc-0"
# (label, unit, goal or None); times are seconds since the kubeconfig was opened.
METRICS: dict[str, tuple[str, str, float | None]] = {
    "first_frame": ("first frame", "s", 0.8),
    "first_rows": ("first rows shown", "s", 0.3),
    "first_cluster": ("first cluster complete", "s", 0.3),
    "all_rows": ("all rows shown", "s", 1.5),
    "after_paint_rows": ("  first rows - first frame", "s", None),
    "after_paint_cluster": ("  first cluster - first frame", "s", None),
    "settled": ("settled (health, detail in)", "s", None),
    "rss": ("RSS (console + client)", "MB", 300),
    "down": ("down median", "ms", 50),
    "down_p95": ("down p95", "ms", 50),
    "page_down": ("page-down median", "ms", 50),
    "page_down_p95": ("page-down p95", "ms", 50),
    "filter": ("filter keystroke median", "ms", 100),
    "filter_p95": ("filter keystroke p95", "ms", 100),
}


class Marks:
    """When the main screen first painted, and when the table first painted its first rows,
    all rows of one cluster, and all rows of every cluster: the moment set_rows took them is
    noted, and the table's next render_line of a row marks them shown."""

    def __init__(self) -> None:
        self.first_paint: float | None = None
        self.first_rows: float | None = None
        self.first_cluster: float | None = None
        self.all_rows: float | None = None
        self._unpainted: list[str] = []

    def install(self) -> None:
        paint, set_rows = MainScreen._start_background_work, ResourceTable.set_rows
        render_line = ResourceTable.render_line
        marks = self

        def painted(self: MainScreen) -> None:
            marks.first_paint = marks.first_paint or time.perf_counter()
            paint(self)

        def rows_set(self: ResourceTable, rows: list[tuple[str, ...]]) -> None:
            set_rows(self, rows)
            if rows and marks.all_rows is None and "all_rows" not in marks._unpainted:
                marks.stamp(rows, self.screen)

        def line(self: ResourceTable, y: int) -> Strip:
            if marks._unpainted and y >= 1 and self.row_count:
                now = time.perf_counter()
                for name in marks._unpainted:
                    setattr(marks, name, now)
                marks._unpainted = []
            return render_line(self, y)

        MainScreen._start_background_work = painted  # type: ignore[method-assign]
        ResourceTable.set_rows = rows_set  # type: ignore[method-assign]
        ResourceTable.render_line = line  # type: ignore[method-assign]

    def stamp(self, rows: list[tuple[str, ...]], screen: Any) -> None:
        """Note which milestones these rows reach (they are shown at the next paint)."""
        reached = set(self._unpainted)
        if self.first_rows is None:
            reached.add("first_rows")
        progress = screen.feed.progress().items()
        if self.first_cluster is None:  # counted only while the table is still filling
            counts = Counter(row[0] for row in rows)
            if any(p.done and counts[name] == p.rows for name, p in progress):
                reached.add("first_cluster")
        if all(p.done for _, p in progress) and len(rows) == sum(p.rows for _, p in progress):
            reached.add("all_rows")
        self._unpainted = [n for n in reached if getattr(self, n) is None]


def settled(app: KubechatApp, screen: MainScreen) -> bool:
    """Every cluster probed and the row under the cursor described: the work the console
    holds back until the first load is complete is done."""
    probed = all(s.health is not Health.CONNECTING for s in app.fleet.statuses())
    return probed and screen.shown_detail is not None


def frame(app: KubechatApp) -> None:
    """Render one full frame of the current screen (what a repaint costs)."""
    app.screen._compositor.render_update(full=True)


async def timed_key(app: KubechatApp, key: str, char: str | None,
                    done: Callable[[], bool]) -> float:
    """Seconds from sending `key` until `done()` holds and a frame is rendered."""
    assert app._driver is not None
    start = time.perf_counter()
    app._driver.send_message(events.Key(key, char))
    while not done():
        await asyncio.sleep(0)
    frame(app)
    return time.perf_counter() - start


async def cursor_moves(app: KubechatApp, table: ResourceTable, key: str, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        before = table.cursor
        moved = partial(lambda b: table.cursor != b, before)
        samples.append(await timed_key(app, key, None, moved))
    return samples


async def filter_keystrokes(app: KubechatApp, table: ResourceTable, text: str) -> list[float]:
    samples = []
    for end in range(1, len(text) + 1):
        char, typed = text[end - 1], text[:end]
        done = partial(lambda t: table.model.filter_text == t, typed)
        samples.append(await timed_key(app, _character_to_key(char), char, done))
    return samples


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]


async def run(kubeconfig: Path, presses: int) -> dict[str, float]:
    """One console start; the metrics (seconds, MB, ms) by METRICS key."""
    settings = Settings()
    marks = Marks()
    marks.install()
    t0 = time.perf_counter()
    fleet = Fleet.from_kubeconfig(settings, str(kubeconfig))
    app = KubechatApp(settings, fleet, initial_scope(fleet, settings))
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.monotonic() + 120
        while marks.all_rows is None and time.monotonic() < deadline:
            await pilot.pause(0.05)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert marks.first_paint and marks.first_rows and marks.first_cluster and marks.all_rows
        while not settled(app, screen) and time.monotonic() < deadline:
            await pilot.pause(0.05)
        settled_at = time.perf_counter()
        table = screen.table
        rows = table.model.total
        rss = psutil.Process().memory_info().rss / 2**20
        downs = await cursor_moves(app, table, "down", presses)
        pages = await cursor_moves(app, table, "pagedown", presses)
        await pilot.press("slash")
        keystrokes = await filter_keystrokes(app, table, FILTER_TEXT)
        matches = table.row_count
    fleet.close()
    ms = 1000.0
    return {
        "clusters": len(fleet.cluster_names()), "rows": rows, "matches": matches,
        "first_frame": marks.first_paint - t0, "first_rows": marks.first_rows - t0,
        "first_cluster": marks.first_cluster - t0, "all_rows": marks.all_rows - t0,
        "after_paint_rows": marks.first_rows - marks.first_paint,
        "after_paint_cluster": marks.first_cluster - marks.first_paint,
        "settled": settled_at - t0,
        "rss": rss,
        "down": statistics.median(downs) * ms, "down_p95": p95(downs) * ms,
        "page_down": statistics.median(pages) * ms, "page_down_p95": p95(pages) * ms,
        "filter": statistics.median(keystrokes) * ms, "filter_p95": p95(keystrokes) * ms,
    }


def warm_up(kubeconfig: Path) -> float:
    """List every cluster's pods once without the console, so the simulator has built its
    (lazily generated) clusters; returns the seconds that took."""
    settings = Settings()
    fleet = Fleet.from_kubeconfig(settings, str(kubeconfig))
    done = threading.Event()
    start = time.perf_counter()
    inventory = Inventory(fleet, KINDS["pods"], fleet.cluster_names())

    def changed() -> None:
        if all(p.done or p.error for p in inventory.progress().values()):
            done.set()

    inventory.start(changed)
    done.wait(120)
    elapsed = time.perf_counter() - start
    inventory.stop()
    fleet.close()
    return elapsed


def one_process(kubeconfig: Path, presses: int) -> dict[str, float]:
    """Run the console measurement in a fresh Python process (honest RSS, no warm caches)."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(kubeconfig), "--presses", str(presses)],
        capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"console run failed:\n{result.stderr.strip()[-2000:]}")
    metrics: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return metrics


def report(runs: list[dict[str, float]]) -> None:
    last = runs[-1]
    print(f"clusters {last['clusters']:.0f}, rows in table {last['rows']:,.0f}, "
          f"filter {FILTER_TEXT!r} matches {last['matches']:,.0f} rows, {len(runs)} runs")
    print(f"{'metric':<32}{'median':>9}{'min':>9}{'max':>9}  goal")
    for key, (label, unit, goal) in METRICS.items():
        values = [r[key] for r in runs]
        median = statistics.median(values)
        verdict = ""
        if goal is not None:
            verdict = f"{goal:g} {unit} " + ("ok" if median <= goal else
                                             f"MISSED by {median - goal:.3g} {unit}")
        digits = 3 if unit == "s" else 1
        print(f"{label + f' ({unit})':<32}{median:>9.{digits}f}{min(values):>9.{digits}f}"
              f"{max(values):>9.{digits}f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="console starts to measure")
    parser.add_argument("--presses", type=int, default=40, help="key presses per measurement")
    parser.add_argument("--cold", action="store_true",
                        help="fresh simulator per run, its cluster generation included")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(run(args.child, args.presses))))
        return
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        sim: subprocess.Popen[str] | None = None
        try:
            for number in range(1, args.runs + 1):
                if sim is None or args.cold:
                    if sim is not None:
                        stop_sim(sim)
                        kubeconfig.unlink()
                    sim, _ = start_sim(kubeconfig)
                    if not args.cold:
                        print(f"sim warm-up {warm_up(kubeconfig):.3f} s (not in the numbers)")
                metrics = one_process(kubeconfig, args.presses)
                runs.append(metrics)
                print(f"run {number}: first frame {metrics['first_frame']:.3f} s, first rows "
                      f"{metrics['first_rows']:.3f} s, first cluster "
                      f"{metrics['first_cluster']:.3f} s, all rows {metrics['all_rows']:.3f} s",
                      flush=True)
        finally:
            if sim is not None:
                stop_sim(sim)
    report(runs)


if __name__ == "__main__":
    main()
