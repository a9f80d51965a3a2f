"""The investigation's wall time: `kubechat --demo ask "..." --json` as a user runs it (a
fresh process each time), the model a loopback stub that answers at once: it plans, calls
two read-only tools (logs, and a change that is refused), then answers. Against the same
question with the rule planner alone (no model, no investigation) as the floor.

Run: .venv/bin/python bench/bench_investigation.py [--runs 3]
Printed: median and best wall seconds per case, the calls the model made and whether it
answered. No goal of the issue's bench list; the bounds (8 calls, 60 s) are tested.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.planner.llm_stub import LLMStub, Scripted

QUESTION = "why are the payments-api pods crashing?"
PLAN = Scripted(json.dumps({"steps": [
    {"verb": "get", "resource": "pods", "params": {"status_filter": "CrashLoopBackOff"}}]}))
CALLS = Scripted(tool_calls=[
    ("logs", {"resource": "deployments", "name": "payments-api", "params": {"previous": True}}),
    ("delete", {"resource": "pods", "selector": "app=payments-api"})])
ANSWER = Scripted(tool_calls=[("answer", {"answer": "1.5.0 exits at start.",
                                          "citations": ["c1"]})])


def kubechat() -> list[str]:
    """The installed `kubechat` script beside this Python, else the package's entry."""
    script = Path(sys.executable).with_name("kubechat")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kubechat_tui"]


def run_once(config: Path, data: Path, planner: str) -> tuple[float, dict[str, object]]:
    """Wall seconds and the `ask --json` document."""
    env = {**os.environ, "KUBECHAT_CONFIG": str(config), "KUBECHAT_DATA_DIR": str(data),
           "KUBECHAT_AUDIT_KEY_BACKEND": "file",
           "PYTHONPYCACHEPREFIX": str(data.parent / "pycache")}
    started = time.perf_counter()
    done = subprocess.run([*kubechat(), "--demo", "ask", QUESTION, "-n", "payments",
                           "--context", "prod-eu", "--planner", planner, "--json"],
                          capture_output=True, text=True, env=env, check=False, timeout=120)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"exit {done.returncode}: {done.stderr.strip()[-2000:]}")
    doc: dict[str, object] = json.loads(done.stdout)
    return wall, doc


def main() -> None:
    """Print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    stub = LLMStub()
    stub.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder, data = Path(tmp), Path(tmp) / "data"
            config = folder / "config.yaml"
            config.write_text(f"ai:\n  enabled: true\n  provider: ollama\n  model: llama3.1\n"
                              f"  api_base: {stub.base_url}\n")
            stub.script(PLAN, CALLS, ANSWER)
            run_once(config, data, "llm")  # data dir and bytecode, outside the numbers
            cases: dict[str, list[float]] = {"rules only, no investigation": [],
                                             "instant model: plan, 2 calls, answer": []}
            said = ""
            for _ in range(runs):
                cases["rules only, no investigation"].append(run_once(config, data,
                                                                      "rules")[0])
                stub.script(PLAN, CALLS, ANSWER)
                wall, doc = run_once(config, data, "llm")
                cases["instant model: plan, 2 calls, answer"].append(wall)
                found = doc["investigation"]
                assert isinstance(found, dict)
                said = (f"calls: {[(c['id'], c['status']) for c in found['calls']]}, "
                        f"answer: {found['answer']!r}")
    finally:
        stub.stop()
    for name, walls in cases.items():
        print(f"{name:<40} median={statistics.median(walls):6.2f} s  "
              f"best={min(walls):6.2f} s")
    print(f"{'':<40} {said}")


if __name__ == "__main__":
    main()
