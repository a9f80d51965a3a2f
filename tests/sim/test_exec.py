"""pods/exec over WebSocket: the Python client's stream() and kubectl exec."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from kubernetes import client, config
from kubernetes.stream import stream

from kubechat_tui.sim import SimServer
from tests.sim.conftest import Api
from tests.sim.test_kubectl import KUBECTL, kubectl


@pytest.fixture(scope="module")
def core(kubeconfig: Path) -> client.CoreV1Api:
    return client.CoreV1Api(config.new_client_from_config(config_file=str(kubeconfig)))


def first_pod(core: client.CoreV1Api, namespace: str, app: str) -> str:
    return str(core.list_namespaced_pod(namespace, label_selector=f"app={app}")
               .items[0].metadata.name)


def test_python_client_exec(core: client.CoreV1Api) -> None:
    pod = first_pod(core, "orders", "orders-api")
    out = stream(core.connect_get_namespaced_pod_exec, pod, "orders",
                 command=["sh", "-c", "hostname; echo $HOSTNAME | wc -l"],
                 stderr=True, stdin=False, stdout=True, tty=False)
    assert out.splitlines()[0] == pod
    resp = stream(core.connect_get_namespaced_pod_exec, pod, "orders",
                  command=["sh", "-c", "nope"], stderr=True, stdin=False, stdout=True,
                  tty=False, _preload_content=False)
    resp.run_forever(timeout=5)
    assert resp.returncode == 127
    assert "sh: nope: not found" in resp.read_stderr()


def test_exec_into_a_crash_looping_pod(core: client.CoreV1Api) -> None:
    pod = first_pod(core, "payments", "payments-api")
    with pytest.raises(client.ApiException) as err:
        stream(core.connect_get_namespaced_pod_exec, pod, "payments", container="api",
               command=["env"], stderr=True, stdin=False, stdout=True, tty=False)
    assert "400" in str(err.value)
    env = stream(core.connect_get_namespaced_pod_exec, pod, "payments", container="sidecar",
                 command=["env"], stderr=True, stdin=False, stdout=True, tty=False)
    assert f"HOSTNAME={pod}" in env
    probe = stream(core.connect_get_namespaced_pod_exec, pod, "payments", container="sidecar",
                   command=["curl", "-s", "http://localhost:8080/healthz"], stderr=True,
                   stdin=False, stdout=True, tty=False)
    assert "Couldn't connect to server" in probe


def test_interactive_stdin(core: client.CoreV1Api) -> None:
    pod = first_pod(core, "checkout", "checkout-web")
    resp = stream(core.connect_get_namespaced_pod_exec, pod, "checkout", command=["sh"],
                  stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
    resp.write_stdin("echo first\n")
    resp.write_stdin("cat /etc/hostname\nexit\n")
    resp.run_forever(timeout=5)
    assert resp.read_stdout() == f"first\n{pod}\n"
    assert resp.returncode == 0


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")
def test_kubectl_exec(kubeconfig: Path, core: client.CoreV1Api) -> None:
    pod = first_pod(core, "orders", "orders-api")
    out = kubectl(kubeconfig, "exec", "-n", "orders", pod, "--", "sh", "-c",
                  "cat /etc/os-release | head -1")
    assert out.stdout == 'NAME="Alpine Linux"\n'
    failed = kubectl(kubeconfig, "exec", "-n", "orders", pod, "--", "false", check=False)
    assert failed.returncode == 1 and "command terminated with exit code 1" in failed.stderr
    denied = kubectl(kubeconfig, "exec", "-n", "orders", pod, "--", "ls",
                     context="viewer@prod-eu", check=False)
    assert 'cannot create resource "pods/exec"' in denied.stderr


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")
def test_kubectl_exec_interactive_stdin_config_and_secrets(kubeconfig: Path, api: Api) -> None:
    status, _ = api.json("POST", "/api/v1/namespaces/payments/configmaps", cluster="prod-us",
                         body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
                             "name": "payments-api-config", "namespace": "payments"},
                             "data": {"LOG_LEVEL": "debug"}})
    assert status == 201
    pods = kubectl(kubeconfig, "get", "pods", "-n", "payments", "-l", "app=payments-api",
                   "-o", "name", context="prod-us").stdout.split()
    pod = pods[0].removeprefix("pod/")
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(kubeconfig.parent)}
    assert KUBECTL is not None
    shell = subprocess.run(
        [KUBECTL, "--context", "prod-us", "exec", "-i", "-n", "payments", pod, "-c", "api",
         "--", "sh"], input="cat /app/config.yaml | grep LOG_LEVEL\nprintenv DB_PASSWORD\n"
        "exit 4\n", capture_output=True, text=True, env=env, timeout=60, check=False)
    assert shell.stdout == "LOG_LEVEL: debug\npR0d-US-ledger-5512\n", shell.stderr
    assert shell.returncode == 4


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")
def test_a_cluster_refusing_websocket_upgrades(server: SimServer, kubeconfig: Path,
                                               core: client.CoreV1Api) -> None:
    pod = first_pod(core, "orders", "orders-api")
    server.faults("prod-eu").set(refuse_upgrades=True)
    try:
        refused = kubectl(kubeconfig, "exec", "-n", "orders", pod, "--", "ls", check=False)
    finally:
        server.faults("prod-eu").clear()
    assert refused.returncode == 1 and "Upgrade request required" in refused.stderr
