"""A reader that goes away (`kubechat ... | head`) ends the command quietly with 141."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from kubechat_tui.cli.main import main


class ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_broken_pipe_is_exit_141_without_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECHAT_CONFIG", str(tmp_path / "config.yaml"))
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["config", "path"]) == 141


def test_broken_pipe_in_a_real_pipeline(tmp_path: Path) -> None:
    code = ("import sys; from kubechat_tui.cli.main import main; "
            "sys.exit(main(['config', 'path']))")
    env = {"KUBECHAT_CONFIG": str(tmp_path / "config.yaml"), "PATH": "/usr/bin:/bin"}
    writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env)
    assert writer.stdout is not None and writer.stderr is not None
    writer.stdout.close()  # the reader leaves before anything is written
    stderr = writer.stderr.read().decode()
    assert writer.wait(timeout=60) == 141
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr
