"""The scale scenario starts fast and lists 30,000 pods as a Table; `kubechat sim serve`."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import orjson
import pytest
import yaml

from kubechat_tui.sim import SimServer
from tests.sim.conftest import Api

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


def test_scale_scenario_starts_fast_and_lists_30k_pods_as_table() -> None:
    began = time.monotonic()
    with SimServer("scale") as server:
        assert time.monotonic() - began < 5
        assert len(server.clusters) == 50
        api = Api(server)
        pods = nodes = 0
        for cluster in server.clusters:
            resp = api.request("GET", "/api/v1/pods", cluster=cluster,
                               query={"includeObject": "None"}, headers={"Accept": TABLE})
            table = orjson.loads(resp.data)
            assert table["kind"] == "Table"
            pods += len(table["rows"])
        for cluster in server.clusters[:5]:
            nodes += len(api.json("GET", "/api/v1/nodes", cluster=cluster)[1]["items"])
        assert pods == 30_000 and nodes == 100
        uids = {api.json("GET", "/api/v1/namespaces/payments/pods", cluster=c,
                         query={"limit": "1"})[1]["items"][0]["metadata"]["uid"]
                for c in server.clusters[:3]}
        assert len(uids) == 3


def test_sim_serve_runs_until_interrupted(tmp_path: Path) -> None:
    out = tmp_path / "kc.yaml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubechat_tui", "sim", "serve", "--kubeconfig-out", str(out),
         "--fault", "canary:unreachable", "--fault", "*:latency=20"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    first = proc.stdout.readline()
    second = proc.stdout.readline()
    third = proc.stdout.readline()
    assert "4 clusters: prod-eu https://127.0.0.1:" in first and str(out) in second
    config = yaml.safe_load(out.read_text())
    assert {c["name"] for c in config["contexts"]} >= {"prod-eu", "viewer@prod-eu",
                                                       "operator@canary", "lead@staging"}
    servers = {c["name"]: c["cluster"]["server"] for c in config["clusters"]}
    assert len(set(servers.values())) == 4 and all(
        re.fullmatch(r"https://127\.0\.0\.1:\d+", url) for url in servers.values())
    control = re.search(r"(http://127\.0\.0\.1:\d+)/_sim/faults", third)
    assert control is not None
    with urllib.request.urlopen(control.group(1) + "/_sim/faults", timeout=5) as answer:
        faults = json.loads(answer.read())
    assert faults["canary"]["unreachable"] and faults["prod-eu"]["latency_ms"] == 20
    port = int(servers["canary"].rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=15)
    assert proc.returncode == 0, stderr
    assert "stopped" in stdout and "Traceback" not in stderr


@pytest.mark.parametrize(("args", "error"), [
    (["--port", "70000"], "kubechat: error: --port must be between"),
    (["--port", "65534"], "kubechat: error: --port: port 65534 leaves no room for 4 cluster"),
    (["--fault", "mars:unreachable"], "kubechat: error: --fault 'mars:unreachable': unknown "
                                      "cluster 'mars'"),
    (["--fault", "canary:latency"], "kubechat: error: --fault 'canary:latency': latency needs"),
])
def test_sim_serve_rejects_bad_arguments(args: list[str], error: str) -> None:
    result = subprocess.run([sys.executable, "-m", "kubechat_tui", "sim", "serve", *args],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(error)
    assert len(result.stderr.strip().splitlines()) == 1


def test_sim_serve_help_documents_faults() -> None:
    result = subprocess.run([sys.executable, "-m", "kubechat_tui", "sim", "serve", "--help"],
                            capture_output=True, text=True, timeout=30, check=True)
    for text in ("--fault CLUSTER:KIND[=VALUE]", "unreachable", "timeout", "flap-watches",
                 "/_sim/faults/prod-us", "drop_watches"):
        assert text in result.stdout


def test_busy_port_is_a_clear_error(server: SimServer) -> None:
    with pytest.raises(RuntimeError, match="simulator failed to start"):
        SimServer(port=server.port).start()
    taken = server.cluster_port("prod-eu")  # a cluster port of a fixed --port can be taken too
    with pytest.raises(RuntimeError, match=rf"cannot listen on 127\.0\.0\.1:({taken - 1}|"
                                           rf"{taken}): "):
        SimServer(port=taken - 1).start()
    result = subprocess.run([sys.executable, "-m", "kubechat_tui", "sim", "serve", "--port",
                             str(server.port)], capture_output=True, text=True, timeout=30,
                            check=False)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("kubechat: error: simulator failed to start")


def test_unknown_scenario_and_identity() -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        SimServer("nope")
    with SimServer() as sim, pytest.raises(ValueError, match="unknown identity"):
        sim.token("prod-eu", "root")


def test_default_kubeconfig_goes_to_the_demo_data_dir(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "kubechat_tui", "sim", "serve"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "KUBECHAT_DATA_DIR": str(tmp_path),
                                 "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    proc.stdout.readline()
    assert str(tmp_path / "demo" / "sim-kubeconfig.yaml") in proc.stdout.readline()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    assert (tmp_path / "demo" / "sim-kubeconfig.yaml").exists()


def test_unwritable_kubeconfig_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = subprocess.run([sys.executable, "-m", "kubechat_tui", "sim", "serve",
                             "--kubeconfig-out", str(blocker / "kc.yaml")], capture_output=True,
                            text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("kubechat: error: cannot write kubeconfig")
    assert len(result.stderr.strip().splitlines()) == 1
