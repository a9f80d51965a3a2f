"""The `cli` fixture: `kubechat` against a fresh simulated fleet, data dir and config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kubechat_tui.sim.server import SimServer
from tests.cli.apply_runner import Cli


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Iterator[Cli]:
    config = tmp_path / "config.yaml"
    config.write_text("ai:\n  enabled: false\n")
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    monkeypatch.setenv("KUBECHAT_CONFIG", str(config))
    sim = SimServer("incident").start()
    try:
        runner = Cli(sim, tmp_path, capsys)
        monkeypatch.setattr("kubechat_tui.engine.identity.real_os_user", lambda: runner.os_user)
        yield runner
    finally:
        sim.stop()
