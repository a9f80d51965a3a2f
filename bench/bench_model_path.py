"""The model path's wall time: `kubechat --demo plan "..." --planner llm` as a user runs it
(a fresh process each time: imports, the demo fleet, the model request), against a loopback
stub model that answers at once, one that answers only after a minute, and an address where
nothing listens; natively (Ollama and OpenAI APIs) and through litellm (the path every
provider took before the native adapter), with the rule planner alone as the floor.

Run: .venv/bin/python bench/bench_model_path.py [--runs 3]
Goal (issue 12.5): an instantly answering model plans in at most 1 s wall; a slow one
costs the planning budget (`ai.planning_budget_seconds`, 5 s), not `ai.timeout_seconds`.
Printed: median and best wall seconds per case, which planner answered, and the line the
CLI said on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.planner.llm_stub import LLMStub, Scripted

REQUEST = "describe deployment payments-api in payments"
REPLY = json.dumps({"steps": [{"verb": "describe", "resource": "deployments",
                               "name": "payments-api"}]})
GOAL_SECONDS = 1.0
KEY_ENV = "KUBECHAT_BENCH_KEY"


def kubechat() -> list[str]:
    """The installed `kubechat` script beside this Python, else the package's entry."""
    script = Path(sys.executable).with_name("kubechat")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kubechat_tui"]


def free_port() -> int:
    """A loopback port where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def config(folder: Path, name: str, provider: str, model: str, base: str,
           planner: str = "llm") -> Path:
    """A config file for one case."""
    path = folder / f"{name}.yaml"
    path.write_text(f"ai:\n  enabled: {'true' if planner == 'llm' else 'false'}\n"
                    f"  provider: {provider}\n  model: {model}\n  api_base: {base}\n"
                    f"  api_key_env: {KEY_ENV}\n")
    return path


def run_once(path: Path, data: Path, planner: str) -> tuple[float, str, str]:
    """Wall seconds, the planner that answered, the CLI's last stderr line. Bytecode is
    cached (beside the data dir) as an installed kubechat's is."""
    env = {**os.environ, "KUBECHAT_CONFIG": str(path), "KUBECHAT_DATA_DIR": str(data),
           KEY_ENV: "sk-bench-0123456789abcdef", "LITELLM_LOCAL_MODEL_COST_MAP": "True",
           "PYTHONPYCACHEPREFIX": str(data.parent / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    done = subprocess.run([*kubechat(), "--demo", "plan", REQUEST, "--planner", planner,
                           "--json"], capture_output=True, text=True, env=env, check=False,
                          timeout=120)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{path.name}: exit {done.returncode}: {done.stderr.strip()}")
    said = done.stderr.strip().splitlines()
    return wall, json.loads(done.stdout)["planner"], said[-1] if said else ""


def report(name: str, path: Path, data: Path, runs: int, planner: str = "llm") -> float:
    """Print one case; return its median wall time."""
    samples = [run_once(path, data, planner) for _ in range(runs)]
    walls = [wall for wall, _, _ in samples]
    _, answered, said = samples[-1]
    median = statistics.median(walls)
    print(f"{name:<44} median={median:6.2f} s  best={min(walls):6.2f} s  "
          f"planner={answered}" + (f"\n{'':<44} stderr: {said}" if said else ""))
    return median


def main() -> None:
    """Print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    instant, slow = LLMStub(), LLMStub()
    instant.start()
    slow.start()
    instant.script(*[Scripted(REPLY)] * (runs * 4 + 1))
    slow.script(*[Scripted(REPLY, delay=60)] * (runs * 4 + 1))
    nowhere = f"http://127.0.0.1:{free_port()}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder, data = Path(tmp), Path(tmp) / "data"
            for warm in ("ollama", "litellm"):  # data dir and bytecode, outside the numbers
                run_once(config(folder, "warm", warm, "openai/gpt-4o-mini",
                                instant.base_url + "/v1"), data, "llm")
            floor = report("rules only (--planner rules)", config(
                folder, "rules", "ollama", "llama3.1", instant.base_url, "rules"), data, runs,
                "rules")
            native = report("native Ollama, instant model", config(
                folder, "ollama", "ollama", "llama3.1", instant.base_url), data, runs)
            report("native OpenAI-compatible, instant model", config(
                folder, "openai", "openai", "gpt-4o-mini", instant.base_url + "/v1"), data,
                runs)
            report("litellm route (openai/), instant model", config(
                folder, "litellm", "litellm", "openai/gpt-4o-mini", instant.base_url + "/v1"),
                data, runs)
            report("native Ollama, model answering after 60 s", config(
                folder, "slow", "ollama", "llama3.1", slow.base_url), data, 1)
            report("litellm route, model answering after 60 s", config(
                folder, "slow-litellm", "litellm", "openai/gpt-4o-mini",
                slow.base_url + "/v1"), data, 1)
            report("native Ollama, nothing listening", config(
                folder, "down", "ollama", "llama3.1", nowhere), data, runs)
    finally:
        instant.stop()
        slow.stop()
    verdict = "met" if native <= GOAL_SECONDS else "NOT met"
    print(f"goal: instant model plans in <= {GOAL_SECONDS:g} s wall: {verdict} "
          f"({native:.2f} s; the rule planner alone takes {floor:.2f} s)")


if __name__ == "__main__":
    main()
