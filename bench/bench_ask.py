"""The console answering questions: read-only diagnostics on the simulated fleet.

1. Demo incident, rule planner, the real console (Textual pilot) and engine: the chat
   opens, a question is typed (20 characters a second) and sent, its plan is shown and
   submitted at once; printed are the seconds from sending the question to the plan, to
   the first result block on screen, and to the last one (goals: first result <= 1 s, all
   results <= 2 s). Each run is a fresh console process (the engine opens while the
   question is typed, as in the console); the same question asked again in that console
   is printed as "asked again".
2. The 50-cluster `scale` scenario: one read fanned out to every cluster through the read
   path (SQLite audit, a record per cluster): the crash-looping pods of all namespaces
   (30,000 pods listed as Tables), and the warning events (goal: all results <= 2 s).

Simulators run in their own processes (their CPU does not share our GIL).

    .venv/bin/python bench/bench_ask.py [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import Plan, Scope, Verb
from kubechat_tui.engine.diagnostics.path import ReadPath
from kubechat_tui.engine.wiring import open_engine, open_fleet_engine
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.lookup import FleetView
from kubechat_tui.planner.render import build_step
from kubechat_tui.planner.service import PlannerService
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.tui.app import KubechatApp, initial_scope
from kubechat_tui.tui.engine_slot import EngineSlot
from kubechat_tui.tui.messages import ReadRunFinished
from kubechat_tui.tui.screens.main_screen import MainScreen
from kubechat_tui.tui.screens.operating import OperatingScreen
from kubechat_tui.tui.widgets.chat_pane import ChatInput, ChatPane
from kubechat_tui.tui.widgets.plan_view import PlanView
from kubechat_tui.tui.widgets.result_block import ResultBlock

from sim_process import start_sim, stop_sim

QUESTION = "crashlooping payment pods in prod"
SETS = {"prod": ["prod-eu", "prod-us"], "staging": ["staging"], "canary": ["canary"]}
SIZE = (160, 48)
GOALS = {"first": 1.0, "all": 2.0}
TYPING_RATE = 20.0  # characters a second


def frame(app: KubechatApp) -> None:
    """Render one full frame (what putting the blocks on screen costs)."""
    app.screen._compositor.render_update(full=True)


def laid_out(block: ResultBlock) -> Any:
    """True once the block has its place and size on the screen (it is drawn next frame)."""
    return lambda: block.size.height > 0


async def until(check: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        await asyncio.sleep(0)


async def ask_once(app: KubechatApp, done: list[float]) -> dict[str, float]:
    """Type the question, submit its plan at once; seconds to plan, first and all results."""
    screen = app.screen
    chat = screen.query_one(ChatPane)
    plans, blocks, runs = len(chat.query(PlanView)), len(chat.query(ResultBlock)), len(done)
    typing = chat.query_one(ChatInput)
    typing.focus()  # `i`: the chat opens (the engine starts opening, as in the console)
    for char in QUESTION:  # a fast typist: 20 characters a second
        typing.insert_text_at_cursor(char)
        await asyncio.sleep(1 / TYPING_RATE)
    typing.value = ""
    start = time.perf_counter()
    chat.submit(QUESTION)
    await until(lambda: len(chat.query(PlanView)) > plans)
    planned = time.perf_counter()
    chat.query(PlanView).last().action_submit()
    await until(lambda: len(chat.query(ResultBlock)) > blocks)
    await until(laid_out(chat.query(ResultBlock)[blocks]))
    frame(app)
    first = time.perf_counter()
    await until(lambda: len(done) > runs)
    await until(laid_out(chat.query(ResultBlock).last()))
    frame(app)
    last = time.perf_counter()
    return {"plan": planned - start, "first": first - start, "all": last - start}


async def console_run(kubeconfig: str, data: str) -> dict[str, float]:
    settings = Settings(ai=AISettings(enabled=False), cluster_sets=SETS)
    fleet = Fleet.from_kubeconfig(settings, kubeconfig)
    slot = EngineSlot(lambda: open_fleet_engine(settings, fleet, Path(data),
                                                fleet.cluster_names()))
    done: list[float] = []
    finished = OperatingScreen.on_read_run_finished

    def noted(self: OperatingScreen, message: ReadRunFinished) -> None:
        finished(self, message)
        done.append(time.perf_counter())

    OperatingScreen.on_read_run_finished = noted  # type: ignore[method-assign]
    app = KubechatApp(settings, fleet, initial_scope(fleet, settings),
                      planner=PlannerService(settings, FleetView(fleet), mode="rules"),
                      engine=slot, start_fleet=False)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: isinstance(app.screen, MainScreen))
        await pilot.pause(1.0)  # the table's first load is in
        cold = await ask_once(app, done)
        warm = await ask_once(app, done)
    slot.close()
    fleet.close()
    return {**cold, **{f"warm_{k}": v for k, v in warm.items()}}


def console_process(kubeconfig: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as data:
        result = subprocess.run([sys.executable, __file__, "--child", str(kubeconfig), data],
                                capture_output=True, text=True, check=False,
                                env={**os.environ, "KUBECHAT_AUDIT_KEY_BACKEND": "file"})
    if result.returncode != 0:
        raise SystemExit(f"console run failed:\n{result.stderr.strip()[-2000:]}")
    metrics: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return metrics


def fan_out(kubeconfig: Path, runs: int) -> dict[str, list[float]]:
    """The read path over every cluster of the scale scenario."""
    settings = Settings(ai=AISettings(enabled=False))
    fleet = Fleet.from_kubeconfig(settings, str(kubeconfig))
    clusters = tuple(fleet.cluster_names())
    plans = {
        "crash-looping pods, all namespaces": build_step(
            "s1", Verb.GET, "pods", clusters=clusters,
            params={"status_filter": "CrashLoopBackOff"}),
        "warning events, all namespaces": build_step(
            "s1", Verb.EVENTS, "events", clusters=clusters, params={"types": "Warning"}),
    }
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as data:
        os.environ["KUBECHAT_AUDIT_KEY_BACKEND"] = "file"
        handle = open_engine(settings, fleet, Path(data), Operator("bench", "admin"))
        reads = ReadPath.beside(handle.pipeline)
        for label, step in plans.items():
            plan = Plan(input=label, planner="rules", scope=Scope(clusters=clusters),
                        steps=(step,))
            reads.run(plan)  # warms the simulator (it builds a cluster on first use)
            for _ in range(runs):
                arrivals: list[float] = []
                start = time.perf_counter()
                run = reads.run(plan, on_result=lambda _r, seen=arrivals: seen.append(
                    time.perf_counter()))
                took = time.perf_counter() - start
                assert len(run.results) == len(clusters) and all(r.ok for r in run.results), \
                    run.summary()
                samples.setdefault(f"{label}: first", []).append(arrivals[0] - start)
                samples.setdefault(f"{label}: all", []).append(took)
        handle.close()
    fleet.close()
    return samples


def line(label: str, values: list[float], goal: float | None = None) -> str:
    med = statistics.median(values)
    verdict = "" if goal is None else ("  ok" if med <= goal else f"  OVER GOAL {goal:g} s")
    return (f"  {label:<52} median {med:6.3f} s  min {min(values):6.3f}  "
            f"max {max(values):6.3f}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("KUBECONFIG", "DATA"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(console_run(*args.child))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = Path(tmp) / "incident.yaml"
        proc, _ = start_sim(kubeconfig, "incident")
        try:
            runs = [console_process(kubeconfig) for _ in range(args.runs)]
        finally:
            stop_sim(proc)
        print(f"demo incident, rule planner, console: {QUESTION!r} ({args.runs} runs)")
        for key, label in (("plan", "question -> plan shown"),
                           ("first", "question -> first result on screen"),
                           ("all", "question -> all results on screen"),
                           ("warm_first", "asked again: first result"),
                           ("warm_all", "asked again: all results")):
            print(line(label, [r[key] for r in runs], GOALS.get(key)))
        kubeconfig = Path(tmp) / "scale.yaml"
        proc, _ = start_sim(kubeconfig, "scale")
        try:
            samples = fan_out(kubeconfig, args.runs)
        finally:
            stop_sim(proc)
        print(f"scale scenario, 50 clusters, read path fan-out ({args.runs} runs)")
        for label, values in samples.items():
            print(line(label, values, GOALS["all"] if label.endswith(": all") else None))


if __name__ == "__main__":
    main()
