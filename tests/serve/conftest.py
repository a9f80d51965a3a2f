"""`kubechat serve --demo` as a real process on a free loopback port, private data dir."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Served:
    """A running `kubechat serve`: the URL it printed (with the token) and its parts."""

    url: str  # http://127.0.0.1:PORT/?token=TOKEN
    base: str  # http://127.0.0.1:PORT
    token: str


def serve_env(home: Path) -> dict[str, str]:
    """The environment of a served console: AI off, file-kept keys, data under `home`."""
    config = home / "config.yaml"
    config.write_text("ai:\n  enabled: false\n")
    env = {k: v for k, v in os.environ.items() if k != "KUBECHAT_SERVE_TOKEN"}
    env.update(
        KUBECHAT_DATA_DIR=str(home / "data"),
        KUBECHAT_AUDIT_KEY_BACKEND="file",
        KUBECHAT_CONFIG=str(config),
    )
    return env


@contextmanager
def running_serve(home: Path, *flags: str, token: str | None = None) -> Iterator[Served]:
    """`kubechat serve --demo --port 0 FLAGS` (token in $KUBECHAT_SERVE_TOKEN if given),
    stopped with SIGTERM on exit, which must end it with code 0."""
    env = serve_env(home)
    if token is not None:
        env["KUBECHAT_SERVE_TOKEN"] = token
    process = subprocess.Popen(
        [sys.executable, "-m", "kubechat_tui", "serve", "--demo", "--port", "0", *flags],
        cwd=home,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("kubechat serve: open http://127.0.0.1:"), line
        url = line.split()[3]
        base, _, shown = url.partition("/?token=")
        yield Served(url=url, base=base, token=token or shown)
    finally:
        process.terminate()
        assert process.wait(timeout=20) == 0


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`kubechat serve --demo` with a generated token, for the whole module."""
    with running_serve(tmp_path_factory.mktemp("serve")) as running:
        yield running
