"""Exec latency on the simulated fleet (real HTTPS and WebSocket, SQLite audit, the default
policy).

Run: .venv/bin/python bench/bench_exec.py [--runs 20]

Prints the median and p95 of the guard's checks (`exec.submitted`, the pod read, the RBAC
review, policy, approval gate), of a one-shot command from the confirmation to its exit
(audit record, transcript file, WebSocket open, output, seal, end record), and of one
interactive keystroke line: sent until its output is back.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.engine.exec_guard import ExecGuard
from kubechat_tui.engine.exec_plan import ExecRequest
from kubechat_tui.engine.exec_session import SessionEvents, start_session
from kubechat_tui.engine.wiring import open_engine
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.sim.server import SimServer
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.store.transcripts import transcript_dir


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    os.environ.setdefault("KUBECHAT_AUDIT_KEY_BACKEND", "file")  # a throwaway key in tmp
    with tempfile.TemporaryDirectory() as tmp, SimServer("incident").start() as sim:
        folder = Path(tmp)
        settings = Settings(ai=AISettings(enabled=False))
        fleet = Fleet.from_kubeconfig(settings, str(sim.write_kubeconfig(folder / "kc")),
                                      ["staging"])
        handle = open_engine(settings, fleet, folder, Operator("bench", "admin"))
        guard = ExecGuard(handle.pipeline)
        _, pods = fleet.request_json("staging", "GET", "/api/v1/namespaces/orders/pods")
        pod = pods["items"][0]["metadata"]["name"]
        transcripts = transcript_dir(handle.db.path)
        checks, one_shots, lines = [], [], []
        for _ in range(runs):
            begin = time.perf_counter()
            found = guard.prepare(ExecRequest("staging", "orders", pod, ("env",)))
            checks.append(time.perf_counter() - begin)
            begin = time.perf_counter()
            started = start_session(guard, found, confirmed=True,
                                    client=fleet.client("staging"), transcripts=transcripts)
            assert started.session is not None, started.message
            end = started.session.wait(10)
            assert end is not None and end.exit_code == 0
            one_shots.append(time.perf_counter() - begin)
        seen = threading.Event()
        found = guard.prepare(ExecRequest("staging", "orders", pod, ("sh",), interactive=True))
        started = start_session(guard, found, confirmed=True, client=fleet.client("staging"),
                                transcripts=transcripts,
                                events=SessionEvents(on_output=lambda s, t: seen.set()))
        session = started.session
        assert session is not None
        seen.wait(5)
        for _ in range(runs):
            seen.clear()
            begin = time.perf_counter()
            session.send("hostname\r")
            assert seen.wait(5)
            lines.append(time.perf_counter() - begin)
        session.finish("closed")
        print(f"exec guard checks (pod, RBAC, policy, approval; {runs} runs): {ms(checks)}")
        print(f"one-shot `env`, confirmation to exit:                {ms(one_shots)}")
        print(f"interactive line, sent to first output back:         {ms(lines)}")
        handle.close()
        fleet.close()


if __name__ == "__main__":
    main()
