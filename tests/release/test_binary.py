"""The single-file executable: built by scripts/build_binary.sh (PyInstaller, about a
minute of CPU), then run with no Python of ours on PATH: --version, a demo plan, a demo dry
run and the audit verify of what it recorded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kubechat_tui import __version__

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    env = {**os.environ, "PYTHON": sys.executable}
    built = subprocess.run([str(ROOT / "scripts" / "build_binary.sh"), str(out)], env=env,
                           capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert built.returncode == 0, built.stderr[-3000:]
    path = Path(built.stdout.strip().splitlines()[-1])
    assert path.is_file() and os.access(path, os.X_OK)
    return path


def run(binary: Path, home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    return subprocess.run([str(binary), *argv], env=env, cwd=home, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_binary_runs_the_demo_without_python(binary: Path, tmp_path: Path) -> None:
    version = run(binary, tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.strip() == f"kubechat {__version__}"
    plan = run(binary, tmp_path, "--demo", "plan", "restart payments-api in prod-eu",
               "--save", "plan.json")
    assert plan.returncode == 0, plan.stderr
    assert "rollout restart" in plan.stdout
    dry = run(binary, tmp_path, "--demo", "apply", "plan.json", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    verify = run(binary, tmp_path, "--demo", "audit", "verify")
    assert verify.returncode == 0, verify.stderr
    assert "OK: chain intact" in verify.stdout
