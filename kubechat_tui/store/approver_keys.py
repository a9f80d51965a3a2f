"""Whose key is whose: every approver's public key, beside the shared database.

An approval counts only when it is signed by its approver's own key (kept in that OS user's
keyring, or a 0600 file in their data dir: the requester cannot read it). The public keys
live in `<database dir>/approvers/<os user>.pub`, which the approver writes on first use.
A key file is trusted only when the file system says the named person wrote it: owned by
that OS user (or root, for keys an administrator installs) and writable by nobody else. So
a requester who can write the database cannot plant a key for someone else: the file
they write is theirs. (The team-scale issue registers people's keys in the store instead.)

    keys = ApproverKeys(db_path.parent)
    keys.publish("bob", signer)          # raises KeyMismatchError for another key
    keys.trusted("bob")                  # TrustedKey, or None (absent, or not bob's)
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

from kubechat_tui.store.errors import StoreError
from kubechat_tui.store.signing import Signer, TrustedKey

DIRECTORY = "approvers"
MAX_KEY_FILE = 4096  # bytes: a public key file is 44 characters and a newline


class KeyMismatchError(StoreError):
    """The key registered for an OS user is not the key this process holds for them."""


class ApproverKeys:
    """The approvers' public keys of one store."""

    def __init__(self, store_dir: Path) -> None:
        self.directory = store_dir / DIRECTORY

    def path(self, os_user: str) -> Path:
        """Where the named OS user's public key lives."""
        if not os_user or "/" in os_user or os_user in (".", ".."):
            raise StoreError(f"{os_user!r} is not an OS user name")
        return self.directory / f"{os_user}.pub"

    def publish(self, os_user: str, signer: Signer) -> TrustedKey:
        """Register this process's approver key for `os_user` (once); the registered key
        must be ours (KeyMismatchError otherwise)."""
        path = self.path(os_user)
        found = self.trusted(os_user)
        if found is not None:
            if found.public_key != signer.trusted.public_key:
                raise KeyMismatchError(f"{path}: the approver key registered for {os_user} "
                                       f"({found.fingerprint}) is not the one this account "
                                       f"holds ({signer.fingerprint})")
            return found
        if path.exists():  # present but not trusted: never overwrite someone else's file
            raise KeyMismatchError(f"{path}: exists but is not {os_user}'s (owner or mode): "
                                   "remove it or ask an administrator")
        text = base64.b64encode(signer.trusted.public_key).decode() + "\n"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            staging.write_text(text)
            staging.chmod(0o644)
            staging.replace(path)
        except OSError as exc:
            raise StoreError(f"{path}: cannot register the approver key "
                             f"({exc.strerror or exc})") from None
        return TrustedKey(signer.trusted.public_key, f"file {path}")

    def trusted(self, os_user: str) -> TrustedKey | None:
        """The public key registered for `os_user`, when the file is provably theirs."""
        path = self.path(os_user)
        try:
            info = path.lstat()
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_KEY_FILE:
            return None
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) or info.st_uid not in (0, _uid(os_user)):
            return None
        try:
            raw = base64.b64decode(path.read_text().strip(), validate=True)
        except (OSError, ValueError):
            return None
        return TrustedKey(raw, f"file {path}") if len(raw) == 32 else None


def _uid(os_user: str) -> int | None:
    """The uid of an OS user name (None when there is no such user)."""
    try:
        import pwd

        return pwd.getpwnam(os_user).pw_uid
    except (ImportError, KeyError):
        return None
