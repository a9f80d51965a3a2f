"""Where a context's credential comes from: a kubeconfig `token`, a `tokenFile` (re-read
when it changes, as client-go's file token source does), or an exec plugin
(`kube.exec_plugin`). Every source gives a `Credential` or raises CredentialError with
the one line users see.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from kubechat_tui.kube.errors import CredentialError
from kubechat_tui.kube.failures import one_line
from kubechat_tui.kube.limits import MAX_TOKEN_BYTES, TOKEN_FILE_RECHECK, read_bounded


@dataclass(frozen=True)
class Credential:
    """What a request carries: a bearer token and/or a client certificate (PEM)."""

    token: str = ""
    certificate: tuple[str, str] | None = None  # (certificate PEM, key PEM) from a plugin


class TokenSource(Protocol):
    """A credential that may change while kubechat runs."""

    advice: str  # what to do when the server rejects it (the 401 line's end)

    def current(self) -> Credential:
        """The credential to send now; CredentialError when it cannot be obtained."""
        ...

    def renew(self, rejected: str) -> bool:
        """After a 401 for token `rejected`: fetch again; True when a different one is
        now available (worth one retry)."""
        ...


def check_token(raw: str, where: str) -> str:
    """A token with surrounding whitespace trimmed (as kubectl does for token files);
    CredentialError when it is empty or holds spaces or control characters."""
    token = raw.strip()
    if not token:
        raise CredentialError(f"{where}: the token is empty")
    if any(not (32 < ord(c) < 127) for c in token):
        raise CredentialError(f"{where}: the token holds spaces or control characters")
    return token


class StaticToken:
    """The kubeconfig's `token`: fixed for the session."""

    def __init__(self, value: str, user: str) -> None:
        self._credential = Credential(check_token(value, f"user {user}: token"))
        self.advice = "the kubeconfig token was refused: get a new one"

    def current(self) -> Credential:
        """The token."""
        return self._credential

    def renew(self, rejected: str) -> bool:
        """A fixed token cannot be renewed."""
        return False


class FileToken:
    """The kubeconfig's `tokenFile`, read with a size bound and read again when the file
    changes (inode, size, times), at least every TOKEN_FILE_RECHECK seconds, and after a
    401, so a rotated token is used without restarting."""

    def __init__(self, path: str, user: str) -> None:
        self.path = path
        self.where = f"user {user}: token file {path}"
        self.advice = f"the token in {path} was refused: renew it"
        self._lock = threading.Lock()
        self._stamp: tuple[int, ...] | None = None
        self._read_at = 0.0
        self._credential = Credential()

    def current(self) -> Credential:
        """The file's token (re-read when it changed)."""
        with self._lock:
            return self._load(force=False)

    def renew(self, rejected: str) -> bool:
        """Read the file again: True when it now holds another token."""
        with self._lock:
            return self._load(force=True).token != rejected

    def _load(self, force: bool) -> Credential:
        try:
            info = os.stat(self.path)
        except OSError as exc:
            raise CredentialError(f"{self.where}: {_reason(exc)}") from None
        stamp = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        now = time.monotonic()
        if force or stamp != self._stamp or now - self._read_at >= TOKEN_FILE_RECHECK:
            self._credential = Credential(read_token_file(self.path, self.where))
            self._stamp, self._read_at = stamp, now
        return self._credential


def read_token_file(path: str, where: str) -> str:
    """The token in a file, trimmed; CredentialError (one line) when it cannot be used."""
    try:
        raw = read_bounded(path, MAX_TOKEN_BYTES)
    except ValueError as exc:
        raise CredentialError(f"{where}: {exc}") from None
    except OSError as exc:
        raise CredentialError(f"{where}: {_reason(exc)}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CredentialError(f"{where}: not text") from None
    return check_token(text, where)


def _reason(exc: OSError) -> str:
    return one_line((exc.strerror or type(exc).__name__).lower())
