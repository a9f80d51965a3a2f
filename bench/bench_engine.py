"""Guarded-execution pipeline latency on the simulated fleet (real HTTP, SQLite audit).

Run: .venv/bin/python bench/bench_engine.py [--runs 20]

Prints the median and p95 of `prepare` (plan audit, RBAC reviews, policy, target reads,
server-side dry run) and `execute` (snapshot, mutation, read back, audit, timeline,
template summary) for a one-step scale in a non-production cluster, and for a
two-cluster plan.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import Plan, Scope, Verb
from kubechat_tui.engine.approvals import ApprovalWorkflow
from kubechat_tui.engine.pipeline import Pipeline
from kubechat_tui.engine.run_state import RunOptions
from kubechat_tui.guard.policy import load_policy
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.planner.render import build_step
from kubechat_tui.sim.server import SimServer
from kubechat_tui.store.approvals import ApprovalStore
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.store.database import open_database
from kubechat_tui.store.signing import Signer
from kubechat_tui.store.timeline import Timeline

POLICY = "version: 1\nrules:\n  - id: SYS-001\n    kind: protected_namespaces\n" \
         "    namespaces: [kube-system]\n"


def scale_plan(clusters: tuple[str, ...], replicas: int) -> Plan:
    """payments/payments-api scaled in each cluster."""
    steps = tuple(build_step(f"s{i}", Verb.SCALE, "deployments", namespace="payments",
                             name="payments-api", clusters=(c,), params={"replicas": replicas})
                  for i, c in enumerate(clusters, start=1))
    return Plan(input="bench", planner="rules", scope=Scope(clusters=clusters), steps=steps)


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp, SimServer("incident").start() as sim:
        folder = Path(tmp)
        settings = Settings(ai=AISettings(enabled=False))
        fleet = Fleet.from_kubeconfig(settings, str(sim.write_kubeconfig(folder / "kc")))
        (folder / "policy.yaml").write_text(POLICY)
        db = open_database(folder / "kubechat.db")
        audit = AuditLog(db, Signer.generate())
        pipeline = Pipeline(
            fleet=fleet, settings=settings,
            audit=audit, policy=load_policy(folder / "policy.yaml"),
            approvals=ApprovalWorkflow(ApprovalStore(db), audit), timeline=Timeline(db),
            operator=Operator("bench", "admin"))
        for clusters in (("staging",), ("staging", "prod-us")):
            prepare, execute = [], []
            for i in range(runs):
                plan = scale_plan(clusters, 2 + i % 2)
                t0 = time.perf_counter()
                prep = pipeline.prepare(plan, RunOptions(confirmed=True))
                t1 = time.perf_counter()
                result = pipeline.execute(prep, True)
                t2 = time.perf_counter()
                assert result.status == "done", result.message
                prepare.append(t1 - t0)
                execute.append(t2 - t1)
            print(f"{len(clusters)} cluster(s) prepare: {ms(prepare)}")
            print(f"{len(clusters)} cluster(s) execute: {ms(execute)}")
        print(f"audit records written: {audit.head()[0]}  verify ok: {audit.verify().ok}")
        fleet.close()
        db.close()


if __name__ == "__main__":
    main()
