"""The `cli` fixture: kubechat's CLI on a private simulated fleet and data dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kubechat_tui.sim.server import SimServer
from tests.cli.runner import Cli


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir (`data/`) and a config file with AI off under tmp_path; file-kept keys."""
    config = tmp_path / "config.yaml"
    config.write_text("ai:\n  enabled: false\n")
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    monkeypatch.setenv("KUBECHAT_CONFIG", str(config))
    return tmp_path


@pytest.fixture
def cli(cli_home: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Iterator[Cli]:
    """A private incident fleet, a data dir and a config with AI off; runs as OS user alice."""
    tmp_path = cli_home
    sim = SimServer("incident").start()
    try:
        runner = Cli(sim, tmp_path, capsys)
        monkeypatch.setattr("kubechat_tui.engine.identity.real_os_user", lambda: runner.os_user)
        yield runner
    finally:
        sim.stop()


@pytest.fixture
def demo_dir(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir and a config with AI off for `--demo` commands; returns the demo data dir."""
    monkeypatch.chdir(cli_home)
    return cli_home / "data" / "demo"
