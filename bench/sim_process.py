"""The `scale` simulator in its own process (its CPU does not share the bench's GIL)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

START_TIMEOUT_S = 60.0


def start_sim(kubeconfig: Path, scenario: str = "scale") -> tuple[subprocess.Popen[str], float]:
    """`kubechat sim serve` writing `kubeconfig`; returns the process once it announced the
    kubeconfig (every cluster listening), and the seconds from launch to that."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubechat_tui", "sim", "serve", "--scenario", scenario,
         "--kubeconfig-out", str(kubeconfig)],
        stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    timer = threading.Timer(START_TIMEOUT_S, proc.kill)  # unblocks readline on a hang
    timer.start()
    try:
        for line in proc.stdout:
            if line.startswith("kubeconfig:"):
                threading.Thread(target=proc.stdout.read, daemon=True).start()  # drain
                return proc, time.perf_counter() - began
    finally:
        timer.cancel()
    proc.wait()
    raise SystemExit(f"simulator exited with {proc.returncode} before it was ready")


def stop_sim(proc: subprocess.Popen[str]) -> None:
    """Stop the simulator and wait for it."""
    proc.terminate()
    proc.wait(timeout=15)
