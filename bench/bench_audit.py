"""Audit chain benchmark: append cost per record and verify speed on 100k records.

Run: .venv/bin/python bench/bench_audit.py [--records 100000]

Durability choice: WAL + synchronous=FULL (the default of ``open_database``). An audit
record is written before the cluster change it describes; with FULL every commit is on
disk before the change proceeds, so a power loss cannot leave an executed action without
its record. NORMAL is shown for comparison: it stays consistent but may drop the last
commits on power loss (never on a process crash).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditEvent, AuditLinks, AuditScope, Operator
from kubechat_tui.store.database import Synchronous, open_database
from kubechat_tui.store.signing import Signer


def event(i: int) -> AuditEvent:
    """A typical execution record (~600 bytes canonical)."""
    return AuditEvent(
        action="execution.step",
        operator=Operator("alice", "admin"),
        payload={
            "kubectl": f"kubectl -n payments rollout restart deploy/api-{i % 50}",
            "api": {
                "method": "PATCH",
                "path": f"/apis/apps/v1/namespaces/payments/deployments/api-{i % 50}",
                "body": {"spec": {"template": {"metadata": {"annotations": {"at": str(i)}}}}},
            },
        },
        scope=AuditScope(("prod-eu",), ("payments",), (f"deployments/payments/api-{i % 50}",)),
        outcome="succeeded",
        justification="INC-4711 api pods stuck",
        links=AuditLinks(f"exec-{i // 10}", "a" * 64),
    )


def append_cost(directory: Path, synchronous: Synchronous, count: int) -> float:
    """Microseconds per append (checkpoint every 100 records included)."""
    db = open_database(directory / f"append-{synchronous}.db", synchronous=synchronous)
    log = AuditLog(db, Signer.generate(), checkpoint_every=100)
    started = time.perf_counter()
    for i in range(count):
        log.append(event(i))
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--append-sample", type=int, default=2_000)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (busy machines give noisy numbers)")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        modes: tuple[Synchronous, ...] = ("FULL", "NORMAL")
        for mode in modes:
            cost = append_cost(directory, mode, args.append_sample)
            chosen = " (default, chosen)" if mode == "FULL" else ""
            print(f"append  WAL synchronous={mode:6}: {cost:8.1f} µs/record{chosen}")

        db = open_database(directory / "verify.db", synchronous="NORMAL")
        log = AuditLog(db, Signer.generate(), checkpoint_every=100)
        started = time.perf_counter()
        for i in range(args.records):
            log.append(event(i))
        build = time.perf_counter() - started
        log.close()
        print(f"built   {args.records} records in {build:.1f} s "
              f"({build / args.records * 1e6:.1f} µs/record, synchronous=NORMAL)")
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            result = log.verify()
            best = min(best, time.perf_counter() - started)
            assert result.ok, result.problem
        print(f"verify  {result.records} records, {result.checkpoints} checkpoints: "
              f"{best * 1e3:.0f} ms = {result.records / best:,.0f} records/s (best of 3)")
        db.close()


if __name__ == "__main__":
    main()
