"""Log tail benchmark: a flood shown with keypress latency, memory over a million lines,
and the time from a reconnect to the first new line.

1. Flood: 50 scripted streams deliver 20,000 lines/s (from a feeder thread, through the
   TailBuffer the real streams fill) into the console's log tail screen, while keys are
   pressed (cursor, pause, wrap). A keypress is timed from handing the key to the app until
   the screen reflects it, plus one full compositor frame. Prints lines/s received and
   shown, and keypress latency median / p95 / max.
2. Memory: 1,000,000 lines through TailBuffer + the view model at a given ring size;
   traced memory after the ring filled and at the end (it must not grow).
3. Reconnect: a stream on the simulator (real HTTP, real client) is cut (`drop_logs`) or
   the API server goes away and comes back; the time until the first line written after
   the reconnect arrives.

    .venv/bin/python bench/bench_logtail.py [--seconds 5] [--rate 20000] [--streams 50]
        [--lines 1000000] [--ring 20000] [--reconnects 8]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from textual import events
from textual.app import App

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain.log_records import LogEvent, LogLine, LogNote, StreamKey, TailOptions
from kubechat_tui.engine.logtail.buffer import TailBuffer
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.log_stream import ContainerStream
from kubechat_tui.sim import SimServer
from kubechat_tui.tui.log_tail_request import LogTailRequest
from kubechat_tui.tui.log_view_model import LogViewModel
from kubechat_tui.tui.screens.log_tail_screen import LogTailScreen

NS = 1_000_000_000
SIZE = (160, 48)
TEXTS = ('{"level":"info","ts":"2027-01-15T08:00:00.123Z","msg":"request","path":"/v1/pay",'
         '"status":200,"duration_ms":%d}',
         '[2027-01-15T08:00:00.123Z] "GET /v1/orders HTTP/1.1" 200 - 0 %d 12 9 "10.244.1.7"',
         'time="2027-01-15T08:00:00Z" level=info msg="processed batch" items=%d',
         '{"level":"error","msg":"ledger connect failed","attempt":%d}')


def synthetic(stream: int, n: int, at_ns: int) -> LogLine:
    key = StreamKey(f"cluster-{stream % 5}", "payments", f"payments-api-{stream}", "api")
    text = TEXTS[n % 3] % n if n % 50 else TEXTS[3] % n  # 2% errors
    return LogLine(key, at_ns, "2027-01-15T08:00:00.123456789Z", text)


# --- 1. flood with keypresses ---------------------------------------------------------

class Flood:
    """A tail whose 50 streams a feeder thread fills at `rate` lines per second."""

    def __init__(self, sink: Callable[[LogEvent], None], rate: int, streams: int) -> None:
        self.sink, self.rate, self.streams = sink, rate, streams
        self.stop_event = threading.Event()
        self.sent = 0
        self.thread = threading.Thread(target=self._feed, daemon=True)

    def start(self) -> Flood:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()

    def _feed(self) -> None:
        began = time.perf_counter()
        while not self.stop_event.is_set():
            due = int((time.perf_counter() - began) * self.rate)
            now_ns = time.time_ns()
            while self.sent < due:
                self.sink(synthetic(self.sent % self.streams, self.sent, now_ns))
                self.sent += 1
            time.sleep(0.005)


class FloodApp(App[None]):
    def __init__(self, rate: int, streams: int, ring: int) -> None:
        super().__init__()
        self.flood: Flood | None = None
        self.rate, self.streams, self.ring = rate, streams, ring

    def on_mount(self) -> None:
        def factory(_r: LogTailRequest, _o: TailOptions, sink: Callable[[LogEvent], None]
                    ) -> Flood:
            self.flood = Flood(sink, self.rate, self.streams)
            return self.flood

        self.push_screen(LogTailScreen(LogTailRequest(("bench",), "deploy/payments-api"),
                                       self.ring, factory))


async def _timed_key(app: FloodApp, key: str, changed: Callable[[], bool]) -> float:
    began = time.perf_counter()
    app.post_message(events.Key(key, key if len(key) == 1 else None))
    while not changed():
        await asyncio.sleep(0.0005)
    app.screen._compositor.render_full_update(simplify=True)
    return (time.perf_counter() - began) * 1000


async def flood(seconds: float, rate: int, streams: int, ring: int) -> dict[str, float]:
    app = FloodApp(rate, streams, ring)
    latencies: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        while app.flood is None:
            await pilot.pause(0.01)
        screen = app.screen
        assert isinstance(screen, LogTailScreen)
        model = screen.model
        await asyncio.sleep(1.0)  # let the flood settle in
        began, seen0, shown0 = time.perf_counter(), screen.buffer.lines_seen, model_total(screen)
        while time.perf_counter() - began < seconds:
            cursor = model.cursor
            latencies.append(await _timed_key(app, "k", lambda c=cursor: model.cursor != c
                                              or not model.following))
            paused = model.following
            latencies.append(await _timed_key(app, "p", lambda p=paused: model.following != p))
            wrap = model.wrap
            latencies.append(await _timed_key(app, "w", lambda w=wrap: model.wrap != w))
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - began
        received = (screen.buffer.lines_seen - seen0) / elapsed
        shown = (model_total(screen) - shown0) / elapsed
        assert app.flood is not None
        app.flood.stop()
    ordered = sorted(latencies)
    return {"received_lps": received, "shown_lps": shown, "keys": len(latencies),
            "key_median_ms": statistics.median(ordered),
            "key_p95_ms": ordered[int(len(ordered) * 0.95) - 1], "key_max_ms": ordered[-1]}


def model_total(screen: LogTailScreen) -> int:
    """Entries moved into the view so far (by sequence number)."""
    return screen._seq


# --- 2. memory over a million lines ----------------------------------------------------

def memory(lines: int, ring: int) -> dict[str, float]:
    gc.collect()
    tracemalloc.start()
    buffer, model = TailBuffer(ring), LogViewModel(ring)
    base = tracemalloc.get_traced_memory()[0]
    seq, filled, t0 = 0, 0.0, time.perf_counter()
    for n in range(lines):
        buffer.add(synthetic(n % 50, n, 1_800_000_000 * NS + n * 50_000))
        if n % 1000 == 999:
            entries = buffer.since(seq)
            seq = entries[-1].seq
            model.add(entries)
        if n == ring * 2:
            filled = (tracemalloc.get_traced_memory()[0] - base) / 1e6
    end = (tracemalloc.get_traced_memory()[0] - base) / 1e6
    peak = (tracemalloc.get_traced_memory()[1] - base) / 1e6
    tracemalloc.stop()
    return {"ring": ring, "after_ring_filled_mb": filled, "after_all_mb": end, "peak_mb": peak,
            "lines_per_s": lines / (time.perf_counter() - t0)}


# --- 3. reconnect to first new line ----------------------------------------------------

def reconnects(count: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"drop": [], "outage": []}
    with SimServer("incident") as sim, tempfile.TemporaryDirectory() as tmp:
        fleet = Fleet.from_kubeconfig(Settings(), str(sim.write_kubeconfig(Path(tmp) / "kc")))
        _, doc = fleet.request_json("prod-eu", "GET", "/api/v1/namespaces/orders/pods",
                                         query={"labelSelector": "app=orders-api"})
        pod = doc["items"][0]["metadata"]["name"]
        key = StreamKey("prod-eu", "orders", pod, "api")
        arrived: dict[str, float] = {}
        notes: list[str] = []

        def sink(event: LogEvent) -> None:
            if isinstance(event, LogLine) and event.text.startswith("bench-"):
                arrived.setdefault(event.text, time.perf_counter())
            elif isinstance(event, LogNote):
                notes.append(event.kind)

        stream = ContainerStream(lambda: fleet.client("prod-eu"), key,
                                 TailOptions(tail_lines=0), sink).start()
        time.sleep(1.0)
        for i in range(count):
            for kind in ("drop", "outage"):
                faults = sim.faults("prod-eu")
                if kind == "drop":
                    faults.set(drop_logs=True)
                    began = time.perf_counter()
                else:
                    faults.set(unreachable=True)
                    time.sleep(0.3)
                    faults.clear()
                    began = time.perf_counter()
                text = f"bench-{kind}-{i}"
                sim.write_log("prod-eu", "orders", pod, "api", [text])
                deadline = began + 15
                while text not in arrived and time.perf_counter() < deadline:
                    time.sleep(0.001)
                out[kind].append((arrived.get(text, deadline) - began) * 1000)
                time.sleep(0.3)
        stream.stop()
        fleet.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rate", type=int, default=20_000)
    parser.add_argument("--streams", type=int, default=50)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--ring", type=int, default=20_000)
    parser.add_argument("--reconnects", type=int, default=8)
    args = parser.parse_args()

    shown = asyncio.run(flood(args.seconds, args.rate, args.streams, args.ring))
    print(f"flood: {args.rate} lines/s over {args.streams} streams, ring {args.ring}")
    print(f"  received {shown['received_lps']:.0f} lines/s, shown {shown['shown_lps']:.0f} "
          f"lines/s")
    print(f"  keypress latency over {shown['keys']:.0f} keys: median "
          f"{shown['key_median_ms']:.1f} ms, p95 {shown['key_p95_ms']:.1f} ms, max "
          f"{shown['key_max_ms']:.1f} ms (goal <= 50 ms)")
    for ring in sorted({args.ring, args.ring * 5}) if args.lines else ():
        mem = memory(args.lines, ring)
        print(f"memory: {args.lines} lines, ring {ring}: {mem['after_ring_filled_mb']:.1f} MB "
              f"once the ring filled, {mem['after_all_mb']:.1f} MB at the end, peak "
              f"{mem['peak_mb']:.1f} MB ({mem['lines_per_s']:.0f} lines/s buffered, traced)")
    times = reconnects(args.reconnects) if args.reconnects else {}
    for kind, label in (("drop", "stream dropped"), ("outage", "API server back")):
        values = sorted(times.get(kind) or [0.0])
        print(f"reconnect ({label}) -> first new line: median {statistics.median(values):.0f} "
              f"ms, max {values[-1]:.0f} ms over {len(values)}")


if __name__ == "__main__":
    main()


