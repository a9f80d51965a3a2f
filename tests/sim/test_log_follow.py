"""`kubectl logs -f`, unchanged, against the simulator: the independent check that log
follow is a chunked stream with timestamps that kubectl reads as it arrives."""

from __future__ import annotations

import os
import selectors
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from kubechat_tui.sim import SimServer

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")


def _read_until(proc: subprocess.Popen[bytes], wanted: bytes, timeout: float) -> bytes:
    assert proc.stdout is not None
    seen = b""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while wanted not in seen and time.monotonic() < deadline:
            if sel.select(0.2):
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                seen += chunk
    return seen


def test_kubectl_logs_follow_streams_written_lines(tmp_path: Path) -> None:
    with SimServer("incident") as server:
        kubeconfig = server.write_kubeconfig(tmp_path / "kubeconfig")
        env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)}
        pod = subprocess.run(
            [str(KUBECTL), "get", "pods", "-n", "orders", "-l", "app=orders-api", "-o",
             "jsonpath={.items[0].metadata.name}"], capture_output=True, text=True, env=env,
            timeout=60, check=True).stdout
        proc = subprocess.Popen([str(KUBECTL), "logs", "-f", "--timestamps", "--tail=1",
                                 "-n", "orders", pod], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env)
        try:
            first = _read_until(proc, b"\n", 30)
            assert first.count(b"\n") >= 1 and first[:4].isdigit()  # the stamp comes first
            server.write_log("prod-eu", "orders", pod, "api", ["followed line one"])
            out = _read_until(proc, b"followed line one", 30)
            assert b"Z followed line one\n" in out
            server.write_log("prod-eu", "orders", pod, "api", ["followed line two"])
            assert b"followed line two" in _read_until(proc, b"followed line two", 30)
            server.faults("prod-eu").set(drop_logs=True)
            proc.wait(30)  # a dropped stream ends kubectl's follow
        finally:
            proc.kill()
            proc.wait()
