"""Console benchmark on the `scale` scenario (50 clusters, 30k pods over loopback HTTP).

Runs the simulator in a subprocess (so its CPU does not share our GIL), opens the real
Fleet + Inventory path and drives the console with Textual's pilot. Prints: time to first
frame (from opening the kubeconfig to the main screen's first refresh), time to first / all
rows in the table, RSS, and keypress latency (down, page-down, filter keystroke) at 30k rows.
A keypress is timed from handing the key event to the driver until the console's state
reflects it, plus one full compositor frame (the work a terminal repaint needs). Pilot.press
is not used for timing: it also waits for the app to go idle, which measures the event
loop's idle polling rather than the console.

    .venv/bin/python bench/bench_tui.py [--presses 40] [--cold]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import psutil
from textual import events
from textual.keys import _character_to_key

from kubechat_tui.config.settings import Settings
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.inventory import KINDS, Inventory
from kubechat_tui.tui.app import KubechatApp, initial_scope
from kubechat_tui.tui.screens.main_screen import MainScreen
from kubechat_tui.tui.widgets.resource_table import ResourceTable

SIZE = (160, 48)
FILTER_TEXT = "ns:search svc-0"
GOALS = {"first frame": 0.8, "down": 0.05, "page-down": 0.05, "filter keystroke": 0.1}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_sim(kubeconfig: Path) -> subprocess.Popen[bytes]:
    """`kubechat sim serve --scenario scale` in a subprocess; returns once it listens."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubechat_tui", "sim", "serve", "--scenario", "scale",
         "--port", str(port), "--kubeconfig-out", str(kubeconfig)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"simulator exited with {proc.returncode}")
        if kubeconfig.exists():
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return proc
            except OSError:
                pass
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("simulator did not start within 60 s")


def record_first_paint(marks: list[float]) -> None:
    """Note when the main screen's first refresh is done (it then starts background work)."""
    original = MainScreen._start_background_work

    def wrapped(self: MainScreen) -> None:
        marks.append(time.perf_counter())
        original(self)

    MainScreen._start_background_work = wrapped  # type: ignore[method-assign]


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


def summary(name: str, samples: list[float]) -> str:
    median = statistics.median(samples)
    p95 = sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]
    goal = GOALS.get(name)
    verdict = ""
    if goal is not None:
        verdict = "  ok" if p95 <= goal else f"  MISSED goal {goal * 1000:.0f} ms"
    return f"{name:<18} median {median * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms{verdict}"


async def run(kubeconfig: Path, presses: int) -> None:
    settings = Settings()
    first_paint: list[float] = []
    record_first_paint(first_paint)
    t0 = time.perf_counter()
    fleet = Fleet.from_kubeconfig(settings, str(kubeconfig))
    app = KubechatApp(settings, fleet, initial_scope(fleet, settings))
    async with app.run_test(size=SIZE) as pilot:
        while not first_paint:
            await pilot.pause(0.01)
        first_frame = first_paint[0] - t0
        screen = app.screen
        assert isinstance(screen, MainScreen)
        first_rows = all_rows = None
        deadline = time.monotonic() + 120
        while all_rows is None and time.monotonic() < deadline:
            await pilot.pause(0.01)
            total = screen.table.model.total
            if total and first_rows is None:
                first_rows = time.perf_counter() - t0
            progress = screen.feed.progress()
            if progress and all(p.done or p.error for p in progress.values()) and \
                    not screen.feed.pending:
                all_rows = time.perf_counter() - t0
        rows = screen.table.model.total
        print(f"clusters           {len(fleet.cluster_names())}")
        print(f"rows in table      {rows:,}")
        print(f"first frame        {first_frame:7.3f} s"
              f"{'  ok' if first_frame <= GOALS['first frame'] else '  MISSED goal 0.8 s'}")
        print(f"first rows shown   {first_rows or float('nan'):7.3f} s")
        print(f"all rows shown     {all_rows or float('nan'):7.3f} s")
        print(f"RSS                {psutil.Process().memory_info().rss / 2**20:7.0f} MB"
              " (console + client; simulator runs in another process)")
        table = screen.table
        downs = await cursor_moves(app, table, "down", presses)
        pages = await cursor_moves(app, table, "pagedown", presses)
        await pilot.press("slash")
        keystrokes = await filter_keystrokes(app, table, FILTER_TEXT)
        print(f"filter {FILTER_TEXT!r} matches {table.row_count:,} rows")
        print(summary("down", downs))
        print(summary("page-down", pages))
        print(summary("filter keystroke", keystrokes))
    fleet.close()


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=40, help="key presses per measurement")
    parser.add_argument("--cold", action="store_true",
                        help="skip the warm-up list (include the simulator's cluster generation)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        sim = start_sim(kubeconfig)
        try:
            if not args.cold:
                print(f"sim warm-up        {warm_up(kubeconfig):7.3f} s (not part of the numbers)")
            asyncio.run(run(kubeconfig, args.presses))
        finally:
            sim.terminate()
            sim.wait(timeout=10)


if __name__ == "__main__":
    main()
