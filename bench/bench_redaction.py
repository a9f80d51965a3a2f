"""Redaction benchmark: how long `domain.redaction` takes on prompt-sized and adversarial text.

Run: .venv/bin/python bench/bench_redaction.py [--runs 5]

Every rule runs only on text holding one of its keywords (as gitleaks does), and name rules
jump between secret-ish parts (`pass`, `token`, ...) instead of trying every position, so
the cost follows what the text holds. The adversarial rows (one 100 KB line of the same
key, a word made of `token` 20,000 times) show the scan stays linear. Goal: a 50 KB
prompt of cluster data in under 50 ms; no 100 KB input above 1 s. Printed: the best of
`--runs` wall-clock times per input.

Then the store's side (`store.record_redaction`, keyed markers): an execution record
holding snapshots of 20 Deployments (with literal env values) and a Secret, and its
rollback plan. Goal: under 20 ms per record, small beside the append's fsync.
"""

from __future__ import annotations

import argparse
import time

from kubechat_tui.domain.redaction import Redactor
from kubechat_tui.store.record_redaction import RecordRedaction

HEX64 = "ab" * 32


def inputs() -> dict[str, str]:
    """Named texts: realistic prompts first, then adversarial ones."""
    logs = "\n".join(f"2026-01-01T00:00:{i % 60:02d}Z level=info msg=\"GET /api/v1/pods/"
                     f"payments-api-{i}\" status=200 latency=12ms user=alice" for i in range(400))
    events = "\n".join(f"  Warning  BackOff  {i}m  kubelet  Back-off restarting failed "
                       f"container api\n    image: registry.example/api@sha256:{HEX64}\n"
                       "    secretKeyRef: {name: db, key: password}" for i in range(200))
    secrets = "\n".join(f"DB_PASSWORD=pw-{i} url=postgres://app:pg-{i}@db/app "
                        f"token: ghp_{'Zq3Lm9Tx0Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9'}"
                        for i in range(400))
    return {
        "logs (50 KB)": logs,
        "events + yaml (50 KB)": events,
        "secret-dense (50 KB)": secrets,
        "one line of `apikey: ` (100 KB)": "apikey: " * 12_000,
        "one word of `token` (100 KB)": "token" * 20_000,
        "one line of `a: ` (100 KB)": "a: " * 33_000,
        "base64 (100 KB)": "QUJD" * 25_000,
    }


def execution_payload(objects: int = 20) -> dict[str, object]:
    """What an execution record of `objects` Deployments and one Secret holds."""
    env = [{"name": "MODE", "value": "fast"}, {"name": "GH_TOKEN", "value": "ghp_" + "a1B2" * 9},
           {"name": "UPSTREAM", "value": "https://payments.internal:8443/v1"}]
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {
        "name": "api", "namespace": "payments", "labels": {"app": "api"},
        "annotations": {"deployment.kubernetes.io/revision": "4"}},
        "spec": {"replicas": 3, "template": {"spec": {"containers": [
            {"name": "api", "image": f"registry.example/api@sha256:{HEX64}", "env": env}]}}}}
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
              "data": {"password": "cGctcGFzcw==", "user": "YXBw"}}
    snapshots = [{"target": f"prod/payments/deployments/api-{i}", "object": deployment}
                 for i in range(objects)]
    return {"snapshots": [*snapshots, {"target": "prod/payments/secrets/db", "object": secret}],
            "rollback_plan": {"input": "rollback", "steps": [
                {"id": "rb1", "params": {"manifest": str(secret)}}]}}


def store_rows(runs: int) -> None:
    """The cost of redacting one record at the store boundary (keyed markers)."""
    redaction = RecordRedaction(b"k" * 32)
    print(f"\n{'store record':36} {'objects':>7} {'best ms':>9}")
    for objects in (1, 20, 100):
        payload = execution_payload(objects)
        best = float("inf")
        for _ in range(runs):
            started = time.perf_counter()
            redaction.payload(payload)
            best = min(best, time.perf_counter() - started)
        print(f"{'execution with snapshots':36} {objects:7} {best * 1000:9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    redactor = Redactor()
    print(f"{'input':36} {'KB':>5} {'best ms':>9}  rules fired")
    for name, text in inputs().items():
        best, fired = float("inf"), frozenset[str]()
        for _ in range(runs):
            started = time.perf_counter()
            fired = redactor.redact_text(text).rules
            best = min(best, time.perf_counter() - started)
        print(f"{name:36} {len(text) / 1000:5.0f} {best * 1000:9.1f}  "
              f"{', '.join(sorted(fired)) or '-'}")
    store_rows(runs)


if __name__ == "__main__":
    main()
