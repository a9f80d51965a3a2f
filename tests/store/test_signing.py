"""The signing key: keyring when there is one, a 0600 file when not, the choice visible."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from kubechat_tui.store.errors import SigningKeyError
from kubechat_tui.store.signing import KEY_FILE_NAME, load_signer


class MemoryKeyring(KeyringBackend):
    """A working keyring backend that lives in this process."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


def test_headless_falls_back_to_a_0600_file(tmp_path: Path) -> None:
    signer = load_signer(tmp_path)
    assert signer is not None and signer.source.startswith("file ")
    assert "no keyring backend" in signer.source
    assert (tmp_path / KEY_FILE_NAME).stat().st_mode & 0o777 == 0o600
    again = load_signer(tmp_path)
    assert again is not None and again.fingerprint == signer.fingerprint


def test_keyring_is_used_when_available(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    signer = load_signer(tmp_path)
    assert signer is not None and signer.source.startswith("keyring (")
    assert not (tmp_path / KEY_FILE_NAME).exists()
    assert len(backend.entries) == 1
    again = load_signer(tmp_path, create=False)
    assert again is not None and again.fingerprint == signer.fingerprint


def test_missing_key_is_not_created_for_readers(tmp_path: Path) -> None:
    assert load_signer(tmp_path, create=False) is None
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    load_signer(tmp_path, backend="file")
    (tmp_path / KEY_FILE_NAME).chmod(0o644)
    with pytest.raises(SigningKeyError, match="chmod 600"):
        load_signer(tmp_path, backend="file")


def test_forcing_the_keyring_without_one_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyError, match="keyring unavailable"):
        load_signer(tmp_path, backend="keyring")


def test_unknown_backend_choice_is_an_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "vault")
    with pytest.raises(SigningKeyError, match="use auto, keyring or file"):
        load_signer(tmp_path)


def test_signatures_verify_only_with_the_right_key(tmp_path: Path) -> None:
    signer = load_signer(tmp_path)
    other = load_signer(tmp_path / "other")
    assert signer is not None and other is not None
    signature = signer.sign(b"payload")
    assert signer.trusted.verify(b"payload", signature)
    assert not other.trusted.verify(b"payload", signature)
    assert not signer.trusted.verify(b"payloae", signature)


def test_a_different_key_for_an_existing_log_is_refused(tmp_path: Path) -> None:
    from kubechat_tui.store.audit import AuditLog
    from kubechat_tui.store.database import open_database
    from kubechat_tui.store.signing import Signer

    db = open_database(tmp_path / "k.db")
    AuditLog(db, Signer.generate())
    with pytest.raises(SigningKeyError, match="restore the original key"):
        AuditLog(db, Signer.generate())
    db.close()
