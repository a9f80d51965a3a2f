"""Shared fixtures: one simulated fleet (incident scenario) for the whole test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kubechat_tui.sim import SimServer
from tests.planner.llm_stub import LLMStub


@pytest.fixture(scope="session")
def sim_server() -> Iterator[SimServer]:
    """The incident scenario served on a free port; started once per session."""
    server = SimServer(scenario="incident", port=0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sim_kubeconfig(sim_server: SimServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kubeconfig for sim_server (current context prod-eu, admin)."""
    return sim_server.write_kubeconfig(tmp_path_factory.mktemp("sim") / "kubeconfig")


@pytest.fixture
def stub() -> Iterator[LLMStub]:
    """The scripted model (Ollama and OpenAI APIs) on loopback, one per test."""
    server = LLMStub()
    server.start()
    yield server
    server.stop()
