"""Incident test fixtures: a store on a temp dir (null keyring), a desk acting as "ana"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import null

from kubechat_tui.config.settings import Settings
from kubechat_tui.engine.incident_desk import IncidentDesk
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.store.opener import Store, open_store


@pytest.fixture(autouse=True)
def no_real_keyring() -> Iterator[None]:
    """No test touches the real keyring."""
    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(Settings(), tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def desk(store: Store) -> IncidentDesk:
    return IncidentDesk.on(store, Operator("ana", "ana@example.com"))


@pytest.fixture
def sim_fleet(sim_kubeconfig: Path) -> Iterator[Fleet]:
    """The real client fleet on the session's simulated fleet."""
    fleet = Fleet.from_kubeconfig(Settings(), str(sim_kubeconfig))
    yield fleet
    fleet.close()
