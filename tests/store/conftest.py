"""Store test fixtures: no test touches the real keyring or data dir."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backends import null

from kubechat_tui.store.signing import Signer


@pytest.fixture(autouse=True)
def no_real_keyring() -> Iterator[None]:
    """Every store test runs against the null keyring (like a headless bastion)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def signer() -> Signer:
    return Signer.generate()
