"""The audit signing key: Ed25519, kept in the OS keyring, or a 0600 file when there is none.

API::

    signer = load_signer(data_dir)            # creates the key on first use
    signer.sign(payload) -> bytes             # raw 64-byte Ed25519 signature
    signer.trusted                            # TrustedKey: public key, fingerprint, source
    signer.source                             # "keyring (<backend>)" or "file <path> (0600...)"
    signer.home                               # the data dir (its checkpoint marker lives there)
    signer.derived_key("kept-values")         # 32 bytes for another purpose, from the same key
    load_signer(data_dir, create=False)       # None when no key exists yet (read-only commands)
    staged = stage_next_key(signer)           # key rotation: a new key beside the current one
    staged_key(signer)                        # ... left by an interrupted rotation, or None
    promote_next_key(signer)                  # ... which then replaces it (same backend)

The backend is chosen by ``$KUBECHAT_AUDIT_KEY_BACKEND`` (``auto`` default, ``keyring``,
``file``): ``auto`` uses the keyring when a real backend exists (priority > 0) and falls
back to ``<data dir>/audit-signing.key`` (mode 0600) on headless bastions. The choice is
reported in ``source`` so ``kubechat audit verify`` can show it.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kubechat_tui.store.errors import SigningKeyError

KEY_BACKEND_ENV = "KUBECHAT_AUDIT_KEY_BACKEND"
KEYRING_SERVICE = "kubechat"
AUDIT_PURPOSE = "audit-signing"  # the key file is <purpose>.key
APPROVER_PURPOSE = "approver-signing"
KEY_FILE_NAME = f"{AUDIT_PURPOSE}.key"
NEXT_PURPOSE = f"{AUDIT_PURPOSE}.next"  # a rotated key until it replaces the current one
_LOCK_FILE_NAME = "audit-signing.lock"


def fingerprint_of(public_key: bytes) -> str:
    """The key's fingerprint: ``sha256:`` and the hex digest of the raw 32-byte public key."""
    return "sha256:" + hashlib.sha256(public_key).hexdigest()


@dataclass(frozen=True)
class TrustedKey:
    """A public key that checkpoints are checked against, and where it came from."""

    public_key: bytes
    source: str

    @property
    def fingerprint(self) -> str:
        """``sha256:<hex>`` of the raw public key."""
        return fingerprint_of(self.public_key)

    def verify(self, payload: bytes, signature: bytes) -> bool:
        """True when ``signature`` is this key's Ed25519 signature of ``payload``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, payload)
        except (InvalidSignature, ValueError):
            return False
        return True


class Signer:
    """Signs checkpoints with the private key; exposes the matching TrustedKey.

    ``home`` is the data dir the key belongs to (None for an in-memory key); the
    checkpoint marker is kept there.
    """

    def __init__(
        self, private_key: Ed25519PrivateKey, source: str, home: Path | None = None
    ) -> None:
        self._key = private_key
        self.home = home
        raw = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.trusted = TrustedKey(raw, source)

    @property
    def source(self) -> str:
        """Where the key is kept (keyring backend name or file path)."""
        return self.trusted.source

    @property
    def fingerprint(self) -> str:
        """The public key fingerprint."""
        return self.trusted.fingerprint

    def sign(self, payload: bytes) -> bytes:
        """The Ed25519 signature of ``payload``."""
        return self._key.sign(payload)

    def derived_key(self, purpose: str) -> bytes:
        """A 32-byte key for ``purpose`` derived from the private key (HKDF-SHA256): kept
        wherever the signing key is (keyring or 0600 file), never in the database."""
        raw = self._key.private_bytes(serialization.Encoding.Raw,
                                      serialization.PrivateFormat.Raw,
                                      serialization.NoEncryption())
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=f"kubechat {purpose}".encode()).derive(raw)

    @classmethod
    def generate(cls, source: str = "memory (not persisted)") -> Signer:
        """A fresh key that lives only in this process (tests, benchmarks)."""
        return cls(Ed25519PrivateKey.generate(), source)


def load_signer(
    data_dir: Path, *, backend: str | None = None, create: bool = True,
    purpose: str = AUDIT_PURPOSE,
) -> Signer | None:
    """The signing key for ``data_dir`` and ``purpose`` (the audit's checkpoints, or this
    user's approvals: ``APPROVER_PURPOSE``); created on first use unless ``create`` is False."""
    choice = (backend or os.environ.get(KEY_BACKEND_ENV) or "auto").lower()
    if choice not in ("auto", "keyring", "file"):
        raise SigningKeyError(f"{KEY_BACKEND_ENV}={choice!r}: use auto, keyring or file")
    usable = _keyring_usable()
    if choice == "keyring" and not usable:
        raise SigningKeyError(
            f"keyring unavailable for the audit signing key: no usable backend "
            f"({type(keyring.get_keyring()).__module__}); use {KEY_BACKEND_ENV}=file"
        )
    if choice == "file" or not usable:
        return _file_signer(data_dir, create, purpose)
    try:
        return _keyring_signer(data_dir, create, purpose)
    except keyring.errors.KeyringError as exc:
        if choice == "keyring":
            raise SigningKeyError(f"keyring unavailable for the audit signing key: {exc}") from exc
        return _file_signer(data_dir, create, purpose)


def stage_next_key(current: Signer) -> Signer:
    """A new audit key kept in the same backend as ``current`` (a keyring entry or a 0600
    file beside it) until ``promote_next_key``; a staged key left by an interrupted rotation
    is reused."""
    if current.home is None:
        raise SigningKeyError("an in-memory audit key cannot be rotated")
    if current.source.startswith("keyring"):
        staged = _keyring_signer(current.home, True, NEXT_PURPOSE)
    else:
        staged = _file_signer(current.home, True, NEXT_PURPOSE)
    assert staged is not None
    return staged


def staged_key(current: Signer) -> Signer | None:
    """The key an interrupted rotation staged beside ``current`` (None: there is none)."""
    if current.home is None:
        return None
    if current.source.startswith("keyring"):
        return _keyring_signer(current.home, False, NEXT_PURPOSE)
    return _file_signer(current.home, False, NEXT_PURPOSE)


def promote_next_key(current: Signer) -> None:
    """Make the staged key the audit key (the old private key is gone afterwards)."""
    home = current.home
    if home is None:
        raise SigningKeyError("an in-memory audit key cannot be rotated")
    if current.source.startswith("keyring"):
        staged = keyring.get_password(KEYRING_SERVICE, _keyring_user(home, NEXT_PURPOSE))
        if staged is None:
            raise SigningKeyError("no staged audit key in the keyring to promote")
        keyring.set_password(KEYRING_SERVICE, _keyring_user(home, AUDIT_PURPOSE), staged)
        keyring.delete_password(KEYRING_SERVICE, _keyring_user(home, NEXT_PURPOSE))
        return
    try:
        os.replace(home / f"{NEXT_PURPOSE}.key", home / KEY_FILE_NAME)
    except OSError as exc:
        raise SigningKeyError(f"{home / KEY_FILE_NAME}: cannot replace the audit key "
                              f"({exc.strerror})") from exc


def _keyring_usable() -> bool:
    try:
        return float(getattr(keyring.get_keyring(), "priority", 0)) > 0
    except Exception:  # a broken keyring configuration means: no keyring
        return False


def _keyring_user(data_dir: Path, purpose: str) -> str:
    return f"{purpose}-key:{data_dir.expanduser().resolve()}"


def _keyring_signer(data_dir: Path, create: bool, purpose: str) -> Signer | None:
    backend = keyring.get_keyring()
    source = f"keyring ({backend.name})"
    user = _keyring_user(data_dir, purpose)
    stored = keyring.get_password(KEYRING_SERVICE, user)
    if stored is None and create:
        with _creation_lock(data_dir):
            stored = keyring.get_password(KEYRING_SERVICE, user)
            if stored is None:
                raw = Ed25519PrivateKey.generate().private_bytes(
                    serialization.Encoding.Raw,
                    serialization.PrivateFormat.Raw,
                    serialization.NoEncryption(),
                )
                keyring.set_password(KEYRING_SERVICE, user, base64.b64encode(raw).decode())
                stored = keyring.get_password(KEYRING_SERVICE, user)
                if stored is None:
                    raise SigningKeyError(f"keyring ({backend.name}) did not keep the signing key")
    if stored is None:
        return None
    try:
        key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(stored, validate=True))
    except ValueError as exc:
        raise SigningKeyError(
            f"keyring entry {KEYRING_SERVICE}/{user} is not an Ed25519 key"
        ) from exc
    return Signer(key, source, data_dir)


def _file_signer(data_dir: Path, create: bool, purpose: str) -> Signer | None:
    path = data_dir / f"{purpose}.key"
    source = f"file {path} (0600; no keyring backend in use)"
    if not path.exists():
        if not create:
            return None
        _create_key_file(path)
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise SigningKeyError(
                f"{path}: signing key is readable by others (mode {mode:o}); run chmod 600 {path}"
            )
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise SigningKeyError(f"{path}: cannot read signing key ({exc.strerror})") from exc
    except ValueError as exc:
        raise SigningKeyError(f"{path}: not a PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path}: signing key is not Ed25519")
    return Signer(key, source, data_dir)


def _create_key_file(path: Path) -> None:
    """Write a new key beside ``path`` and link it into place: readers never see half a key."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(staging, path)
    except FileExistsError:
        pass  # another process created it first; use theirs
    except OSError as exc:
        raise SigningKeyError(f"{path}: cannot create signing key ({exc.strerror})") from exc
    finally:
        staging.unlink(missing_ok=True)


@contextmanager
def _creation_lock(data_dir: Path) -> Iterator[None]:
    """Serialize first-use key creation between processes sharing a data dir."""
    try:
        import fcntl
    except ImportError:  # not POSIX: creation races are left to the keyring
        yield
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / _LOCK_FILE_NAME, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
