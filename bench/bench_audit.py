"""Audit chain benchmark: append cost per record and verify speed on 100k records.

Run: .venv/bin/python bench/bench_audit.py [--records 100000] [--runs 5]

Durability choice: WAL + synchronous=FULL (the default of ``open_database``). An audit
record is written before the cluster change it describes; with FULL every commit is on
disk before the change proceeds, so a power loss cannot leave an executed action without
its record. NORMAL is shown for comparison: it stays consistent but may drop the last
commits on power loss (never on a process crash).

Checkpoint cost: every ``checkpoint_every`` (100) appends, a checkpoint first checks the
chain incrementally (from the newest signed checkpoint: ~100 records, never the whole
chain), then signs, fsyncs the anchor line and updates the marker. The bench prints that
cost on the 100k chain next to a full verify, and the append cost with and without
periodic checkpoints.

Verify speed is the median wall-clock of ``--runs`` full verifications. From 60k records
the chain is recomputed on every core (``audit_links``: child processes take the later
segments); the one-process figure is measured in alternation with it, so both see the same
machine (a shared VM's speed drifts by up to 2x within seconds). Goal: >= 300k records/s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from kubechat_tui.store import audit_links
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditEvent, AuditLinks, AuditScope, Operator
from kubechat_tui.store.audit_seal import SealCheck
from kubechat_tui.store.checkpoint_marker import CheckpointMarker
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


def append_cost(directory: Path, synchronous: Synchronous, count: int, every: int) -> float:
    """Microseconds per append (a checkpoint every ``every`` records included)."""
    db = open_database(directory / f"append-{synchronous}-{every}.db", synchronous=synchronous)
    log = AuditLog(db, Signer.generate(), checkpoint_every=every,
                   marker=CheckpointMarker(directory))  # as with a key from a data dir
    started = time.perf_counter()
    for i in range(count):
        log.append(event(i))
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed / count * 1e6


def checkpoint_cost(log: AuditLog, every: int) -> tuple[float, float]:
    """Milliseconds for one periodic checkpoint on the big chain (``every`` new records):
    the pre-signing check alone (fresh signature cache), and the whole checkpoint."""
    assert log.signer is not None
    for i in range(every - 1):
        log.append(event(i))
    with log.db.snapshot() as conn:
        head = log.head()[0]
        row = conn.execute(
            "SELECT seq, payload, signature FROM audit_checkpoint ORDER BY id DESC LIMIT 1"
        ).fetchone()
        started = time.perf_counter()
        problem = SealCheck(log.signer.trusted).problem(
            conn, head, (int(row[0]), bytes(row[1]), bytes(row[2])), log.anchor.tail(8),
            log.marker.last(log.db.path) if log.marker else None)
        check = time.perf_counter() - started
        assert problem is None, problem
    started = time.perf_counter()
    log.checkpoint("interval")
    return check * 1e3, (time.perf_counter() - started) * 1e3


def verify_rates(log: AuditLog, runs: int) -> tuple[int, dict[int, list[float]]]:
    """Records verified, and per run the wall-clock seconds of a verify on every core
    (``audit_links.MAX_SEGMENTS``) and on one, interleaved so both see the same machine."""
    walls: dict[int, list[float]] = {audit_links.MAX_SEGMENTS: [], 1: []}
    records = 0
    try:
        for _ in range(runs):
            for segments, samples in walls.items():
                audit_links.MAX_SEGMENTS = segments
                wall = time.perf_counter()
                result = log.verify()
                samples.append(time.perf_counter() - wall)
                assert result.ok, result.problem
                records = result.records
    finally:
        audit_links.MAX_SEGMENTS = max(walls)
    return records, walls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--append-sample", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=9, help="full verifications (median)")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
          "(busy machines give noisy wall-clock numbers)")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        cases: tuple[tuple[Synchronous, int], ...] = (
            ("FULL", 100), ("NORMAL", 100), ("NORMAL", 10**9))
        for mode, every in cases:
            cost = append_cost(directory, mode, args.append_sample, every)
            what = "checkpoint every 100" if every == 100 else "no periodic checkpoint"
            chosen = " (default, chosen)" if mode == "FULL" else ""
            print(f"append  WAL synchronous={mode:6} {what:22}: {cost:8.1f} µs/record{chosen}")

        db = open_database(directory / "verify.db", synchronous="NORMAL")
        log = AuditLog(db, Signer.generate(), checkpoint_every=100,
                       marker=CheckpointMarker(directory))
        started = time.perf_counter()
        for i in range(args.records):
            log.append(event(i))
        build = time.perf_counter() - started
        log.close()
        print(f"built   {args.records} records in {build:.1f} s "
              f"({build / args.records * 1e6:.1f} µs/record, synchronous=NORMAL)")
        records, walls = verify_rates(log, args.runs)
        cores = min(os.cpu_count() or 1, audit_links.MAX_SEGMENTS)
        for segments, samples in walls.items():
            what = f"on {cores} cores" if segments > 1 else "in one process"
            wall = statistics.median(samples)
            print(f"verify  {records} records {what:15}, median of {args.runs}: "
                  f"{wall * 1e3:4.0f} ms = {records / wall:,.0f} records/s "
                  f"(range {records / max(samples):,.0f}..{records / min(samples):,.0f})"
                  + (" (default)" if segments > 1 else ""))
        wall = statistics.median(walls[max(walls)])
        check, whole = checkpoint_cost(log, 100)
        print(f"checkpoint on the {records}-record chain: pre-signing check of the last 100 "
              f"records {check:.2f} ms; whole checkpoint (check, sign, anchor fsync, marker) "
              f"{whole:.2f} ms; a full verify {wall * 1e3:.0f} ms")
        db.close()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
