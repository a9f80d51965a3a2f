"""kubectl, unchanged, against the simulator through the written kubeconfig."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from kubechat_tui.sim import SimServer, versions
from tests.sim.wire import load

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")


def kubectl(kubeconfig: Path, *args: str, context: str = "prod-eu",
            check: bool = True) -> subprocess.CompletedProcess[str]:
    assert KUBECTL is not None
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(kubeconfig.parent)}
    result = subprocess.run([KUBECTL, "--context", context, *args], capture_output=True,
                            text=True, env=env, timeout=60, check=False)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_get_pods_all_namespaces(kubeconfig: Path) -> None:
    out = kubectl(kubeconfig, "get", "pods", "-A").stdout
    header = out.splitlines()[0].split()
    assert header == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert "CrashLoopBackOff" in out and "Pending" in out
    worker = kubectl(kubeconfig, "describe", "pods", "-n", "payments", "-l",
                     "app=payments-worker").stdout
    assert "Last State:     Terminated" in worker and "Reason:       OOMKilled" in worker
    canary = kubectl(kubeconfig, "get", "pods", "-A", context="canary").stdout
    assert "ImagePullBackOff" in canary


def test_get_nodes(kubeconfig: Path) -> None:
    out = kubectl(kubeconfig, "get", "nodes", context="prod-us").stdout
    assert "NotReady" in out and versions.git_version(versions.served_minor()) in out
    staging = kubectl(kubeconfig, "get", "nodes", "--no-headers", context="staging").stdout
    assert [line.split()[0] for line in staging.splitlines()] == [
        "ip-10-20-1-12", "ip-10-20-2-34", "ip-10-20-3-7"]
    wide = kubectl(kubeconfig, "get", "nodes", "-o", "wide").stdout
    assert "INTERNAL-IP" in wide and "10.0.3.7" in wide


def _crashing_pod(kubeconfig: Path) -> str:
    return kubectl(kubeconfig, "get", "pods", "-n", "payments", "-l", "app=payments-api",
                   "-o", "jsonpath={.items[0].metadata.name}").stdout


def test_describe_pod_and_logs(kubeconfig: Path) -> None:
    pod = _crashing_pod(kubeconfig)
    out = kubectl(kubeconfig, "describe", "pod", pod, "-n", "payments").stdout
    assert "CrashLoopBackOff" in out and "Back-off restarting failed container" in out
    logs = kubectl(kubeconfig, "logs", pod, "-n", "payments", "--tail=3")
    assert "LedgerUnavailable" in logs.stdout and "Defaulted container" in logs.stderr
    side = kubectl(kubeconfig, "logs", pod, "-n", "payments", "-c", "sidecar", "--tail=2",
                   "--timestamps").stdout
    assert len(side.splitlines()) == 2


def test_scale_dry_run_and_delete_dry_run(kubeconfig: Path) -> None:
    out = kubectl(kubeconfig, "scale", "deploy/payments-api", "-n", "payments",
                  "--replicas=5", "--dry-run=server").stdout
    assert out.strip() == "deployment.apps/payments-api scaled (server dry run)"
    pod = _crashing_pod(kubeconfig)
    out = kubectl(kubeconfig, "delete", "pod", pod, "-n", "payments", "--dry-run=server").stdout
    assert out.strip() == f'pod "{pod}" deleted (server dry run)'
    replicas = kubectl(kubeconfig, "get", "deploy", "payments-api", "-n", "payments", "-o",
                       "jsonpath={.spec.replicas}").stdout
    assert replicas == "3" and _crashing_pod(kubeconfig) == pod


def test_auth_can_i_and_whoami(kubeconfig: Path) -> None:
    assert kubectl(kubeconfig, "auth", "can-i", "delete", "pods", "-n", "payments"
                   ).stdout.strip() == "yes"
    denied = kubectl(kubeconfig, "auth", "can-i", "delete", "pods", "-n", "payments",
                     context="viewer@prod-eu", check=False)
    assert denied.stdout.strip() == "no" and denied.returncode == 1
    assert kubectl(kubeconfig, "auth", "can-i", "patch", "deployments", "-n", "checkout",
                   context="operator@prod-eu").stdout.strip() == "yes"
    who = kubectl(kubeconfig, "auth", "whoami", context="viewer@prod-eu").stdout
    assert "viewer" in who and "system:authenticated" in who


def test_viewer_forbidden_delete_matches_real_server(kubeconfig: Path) -> None:
    result = kubectl(kubeconfig, "delete", "deployment", "payments-api", "-n", "payments",
                     "--dry-run=server", context="viewer@prod-eu", check=False)
    real = load(18).json()["message"]
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error from server (Forbidden): {real}"


def test_rollout_history_and_undo(kubeconfig: Path) -> None:
    history = kubectl(kubeconfig, "rollout", "history", "deploy/payments-api", "-n", "payments")
    assert [ln.split()[0] for ln in history.stdout.splitlines()[2:] if ln.strip()] == [
        "1", "2", "3"]
    kubectl(kubeconfig, "rollout", "undo", "deploy/payments-api", "-n", "payments")
    deadline = time.monotonic() + 10
    status = ""
    while time.monotonic() < deadline:
        status = kubectl(kubeconfig, "get", "pods", "-n", "payments", "-l", "app=payments-api",
                         "--no-headers").stdout
        if status and "CrashLoopBackOff" not in status and "Terminating" not in status:
            break
        time.sleep(0.3)
    assert "Running" in status and "CrashLoopBackOff" not in status
    after = kubectl(kubeconfig, "rollout", "history", "deploy/payments-api", "-n", "payments")
    assert [ln.split()[0] for ln in after.stdout.splitlines()[2:] if ln.strip()] == [
        "1", "3", "4"]


def test_cordon_and_drain(kubeconfig: Path) -> None:
    out = kubectl(kubeconfig, "cordon", "ip-10-1-1-12", context="prod-us").stdout
    assert out.strip() == "node/ip-10-1-1-12 cordoned"
    nodes = kubectl(kubeconfig, "get", "nodes", context="prod-us").stdout
    assert "Ready,SchedulingDisabled" in nodes
    drained = kubectl(kubeconfig, "drain", "ip-10-1-1-12", "--ignore-daemonsets",
                      "--timeout=30s", context="prod-us")
    assert "node/ip-10-1-1-12 drained" in drained.stdout
    assert "ignoring DaemonSet-managed Pods: kube-system/kube-proxy-" in drained.stderr
    left = kubectl(kubeconfig, "get", "pods", "-A", "--field-selector",
                   "spec.nodeName=ip-10-1-1-12", "--no-headers", context="prod-us")
    assert [line.split()[1].startswith("kube-proxy-")
            for line in left.stdout.splitlines()] == [True]


def test_apply_client_and_server_side(kubeconfig: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "cm.yaml"
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  namespace: default\n"
            "data:\n  mode: '{}'\n")
    manifest.write_text(text.format("one"))
    assert kubectl(kubeconfig, "apply", "-f", str(manifest)).stdout.strip() == (
        "configmap/applied created")
    manifest.write_text(text.format("two"))
    assert kubectl(kubeconfig, "apply", "-f", str(manifest)).stdout.strip() == (
        "configmap/applied configured")
    manifest.write_text(text.format("three"))
    kubectl(kubeconfig, "apply", "--server-side", "-f", str(manifest))
    assert kubectl(kubeconfig, "get", "cm", "applied", "-n", "default", "-o",
                   "jsonpath={.data.mode}").stdout == "three"


def test_top_reads_the_metrics_api(kubeconfig: Path) -> None:
    nodes = kubectl(kubeconfig, "top", "nodes", context="prod-us").stdout
    rows = {line.split()[0]: line.split()[1:] for line in nodes.splitlines()[1:]}
    assert rows["ip-10-1-4-21"][0] == "<unknown>"
    assert rows["ip-10-1-1-12"][0].endswith("m")
    pods = kubectl(kubeconfig, "top", "pods", "-n", "orders", "-l", "app=orders-api",
                   context="prod-us").stdout
    assert len(pods.splitlines()) == 4 and "orders-api-" in pods
    missing = kubectl(kubeconfig, "top", "pods", "-n", "orders", check=False)
    assert missing.returncode == 1 and "Metrics API not available" in missing.stderr


def test_raw_paths_and_an_unreachable_cluster(kubeconfig: Path, server: SimServer) -> None:
    raw = kubectl(kubeconfig, "get", "--raw", "/api/v1/namespaces/payments/pods?limit=1").stdout
    assert json.loads(raw)["kind"] == "PodList"
    server.faults("canary").set(unreachable=True)
    try:
        down = kubectl(kubeconfig, "get", "pods", "--request-timeout=5s", context="canary",
                       check=False)
    finally:
        server.faults("canary").clear()
    port = server.cluster_port("canary")
    # kubectl may first log its discovery retries ("connect: connection refused"); the
    # message it ends with is the one a user sees for a refused connection
    assert "connect: connection refused" in down.stderr or down.stderr.count("\n") == 1
    assert down.returncode == 1 and down.stderr.strip().splitlines()[-1] == (
        f"The connection to the server 127.0.0.1:{port} was refused - did you specify the "
        "right host or port?")
    assert kubectl(kubeconfig, "get", "ns", context="canary").returncode == 0


def test_boolean_field_and_set_based_label_selectors(kubeconfig: Path) -> None:
    nodes = kubectl(kubeconfig, "get", "nodes", "--no-headers", context="staging").stdout
    schedulable = kubectl(kubeconfig, "get", "nodes", "--no-headers", "--field-selector",
                          "spec.unschedulable=false", context="staging").stdout
    assert schedulable == nodes and len(nodes.splitlines()) == 3
    kubectl(kubeconfig, "label", "ns", "orders", "tier=3", context="staging")
    found = kubectl(kubeconfig, "get", "ns", "-l", "tier>2", "-o", "name",
                    context="staging").stdout
    assert found.strip() == "namespace/orders"
    bad = kubectl(kubeconfig, "get", "pods", "-l", "app in (a", context="staging", check=False)
    assert bad.stderr.startswith("Error from server (BadRequest): ")
    assert bad.stderr.strip().endswith(": unable to parse requirement: found '', expected: "
                                       "',' or ')'")
