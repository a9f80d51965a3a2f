"""Planner latency: offline rule planning, re-scoring, and the native LLM path (cold, warm)
against a loopback stub speaking the Ollama and OpenAI APIs.
Run: .venv/bin/python bench/bench_planner.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import Scope
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.lookup import FleetView
from kubechat_tui.planner.service import PlannerService
from kubechat_tui.sim import SimServer
from tests.planner.llm_stub import LLMStub, Scripted
from tests.planner.phrasings import TABLE

SETS = {"prod": ["prod-eu", "prod-us"], "staging": ["staging"], "canary": ["canary"]}
SCOPE = Scope(clusters=("prod-eu",))


def timings(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall-clock milliseconds of `runs` calls."""
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def report(name: str, samples: list[float]) -> None:
    """One line: median, p95, max."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(f"{name:<38} n={len(samples):<5} median={statistics.median(samples):8.2f} ms  "
          f"p95={p95:8.2f} ms  max={ordered[-1]:8.2f} ms")


def main() -> None:
    """Print the numbers."""
    rules = PlannerService(Settings(cluster_sets=SETS, ai=AISettings(enabled=False)), None,
                           mode="rules")
    texts = [t for t, _ in TABLE if len(t) < 1000]
    samples = [ms for text in texts for ms in timings(partial(rules.plan, text, SCOPE), 5)]
    report("offline rule planning (per request)", samples)
    plan = rules.plan("scale deployment payments-api in payments on staging to 3").plan
    assert plan is not None
    change = plan.steps[-1].id
    counter = iter(range(10**6))
    report("re-score after an edit", timings(
        lambda: rules.rescore(plan, {change: {"replicas": next(counter) % 50}}), 300))

    live_planning(texts=["scale payments-api in prod-eu to 5", "restart payments-api in prod",
                         "crashlooping pods in prod", "delete failed pods in payments",
                         "logs of payments-api in payments and restart deployment payments-api"])

    stub = LLMStub()
    stub.start()
    try:
        reply = json.dumps({"steps": [
            {"verb": "describe", "resource": "deployments", "name": "payments-api"},
            {"verb": "scale", "resource": "deployments", "name": "payments-api",
             "params": {"replicas": 5}}]})
        llm = PlannerService(Settings(cluster_sets=SETS, ai=AISettings(
            provider="ollama", model="ollama/llama3.1", api_base=stub.base_url)), None)
        report("LLM path cold (first request)", llm_timings(llm, stub, reply, 1))
        report("LLM path warm, Ollama API (stub)", llm_timings(llm, stub, reply, 30))
        os.environ["KUBECHAT_BENCH_KEY"] = "sk-bench-0123456789abcdef"
        openai = PlannerService(Settings(cluster_sets=SETS, ai=AISettings(
            provider="openai", model="gpt-4o-mini", api_base=stub.base_url + "/v1",
            api_key_env="KUBECHAT_BENCH_KEY")), None)
        report("LLM path warm, OpenAI API (stub)", llm_timings(openai, stub, reply, 30))
        planners = {q["path"] for q in stub.requests}
        print(f"LLM requests served by the stub: {len(stub.requests)} via {sorted(planners)}")
    finally:
        stub.stop()


def llm_timings(service: PlannerService, stub: LLMStub, reply: str, runs: int) -> list[float]:
    """Milliseconds of `runs` LLM plans, each checked to come from the model (no fallback)."""
    text = "scale payments-api in payments on prod-eu to 5"
    stub.script(*[Scripted(reply)] * runs)
    planners: list[str] = []
    samples = timings(lambda: planners.append(service.plan(text, SCOPE).planner), runs)
    if any(not p.startswith("llm:") for p in planners):
        raise SystemExit(f"the LLM path fell back to the rules ({planners}): no numbers")
    return samples


def live_planning(texts: list[str]) -> None:
    """Planning with affected counts resolved over HTTP on the simulated fleet."""
    import tempfile

    settings = Settings(cluster_sets=SETS, ai=AISettings(enabled=False))
    with SimServer(scenario="incident", port=0) as server, \
            tempfile.TemporaryDirectory() as tmp:
        kubeconfig = server.write_kubeconfig(Path(tmp) / "config", current="prod-eu")
        fleet = Fleet.from_kubeconfig(settings, str(kubeconfig))
        try:
            cold: list[float] = []
            for text in texts:  # a fresh view per request: every lookup goes over HTTP
                service = PlannerService(settings, FleetView(fleet), mode="rules")
                cold += timings(partial(service.plan, text, SCOPE), 1)
            report("live planning, cold lookups (sim HTTP)", cold)
            service = PlannerService(settings, FleetView(fleet), mode="rules")
            warm = [ms for text in texts for ms in
                    timings(partial(service.plan, text, SCOPE), 10)]
            report("live planning, cached lookups", warm)
            plan = service.plan(texts[0], SCOPE).plan
            assert plan is not None
            change = plan.steps[-1].id
            report("live re-score after an edit (cached)", timings(
                lambda: service.rescore(plan, {change: {"replicas": 4}}), 50))
        finally:
            fleet.close()


if __name__ == "__main__":
    main()
