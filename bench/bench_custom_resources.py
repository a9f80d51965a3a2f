"""Custom resources in the simulator: what admission costs per AuditPolicy, and what reading
the cluster policy costs per plan.

1. Validation (schema, pruning and the CEL rules) of the chart's example AuditPolicy, in
   process: microseconds per object.
2. `--policy-from-cluster`: one GET of the AuditPolicy over HTTPS from a simulator in this
   process plus its conversion to the policy model (what each plan's policy check adds):
   milliseconds per read, median and p95.

    .venv/bin/python bench/bench_custom_resources.py [--runs 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from kubechat_tui.config.settings import Settings
from kubechat_tui.guard.policy.cluster import cluster_policy_source
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.sim.server import SimServer
from kubechat_tui.sim.structural import validated

CHART = Path(__file__).resolve().parents[1] / "charts" / "kubechat"


def _validation(runs: int) -> float:
    crd = yaml.safe_load((CHART / "crds" / "auditpolicies.kubechat.io.yaml").read_text())
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    example = yaml.safe_load((CHART / "examples" / "auditpolicy.yaml").read_text())
    validated(schema, example, "AuditPolicy", "kubechat.io")  # compile the CEL once
    start = time.perf_counter()
    for _ in range(runs):
        validated(schema, example, "AuditPolicy", "kubechat.io")
    return (time.perf_counter() - start) / runs * 1e6


def _reads(runs: int) -> list[float]:
    with SimServer("incident") as sim, tempfile.TemporaryDirectory() as tmp:
        fleet = Fleet.from_kubeconfig(Settings(), str(sim.write_kubeconfig(Path(tmp) / "c")))
        try:
            crd = yaml.safe_load((CHART / "crds" / "auditpolicies.kubechat.io.yaml").read_text())
            fleet.request_json(
                "prod-eu",
                "POST",
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                body=crd,
            )
            example = yaml.safe_load((CHART / "examples" / "auditpolicy.yaml").read_text())
            fleet.request_json(
                "prod-eu",
                "POST",
                "/apis/kubechat.io/v1alpha1/namespaces/payments/auditpolicies",
                body=example,
            )
            read = cluster_policy_source(fleet, "prod-eu/payments/default")
            read()
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                read()
                times.append((time.perf_counter() - start) * 1000)
            return times
        finally:
            fleet.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    print(f"AuditPolicy admission (schema + CEL): {_validation(runs):.0f} us per object")
    times = sorted(_reads(runs))
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"cluster policy read + convert: median {statistics.median(times):.2f} ms, "
        f"p95 {p95:.2f} ms ({runs} reads)"
    )


if __name__ == "__main__":
    main()
