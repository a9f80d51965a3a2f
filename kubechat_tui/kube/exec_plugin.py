"""Exec credential plugins (client.authentication.k8s.io/v1 and v1beta1), as client-go runs them.

The plugin gets `KUBERNETES_EXEC_INFO` (an ExecCredential whose spec says whether it is
interactive, and the cluster when `provideClusterInfo` is set), the kubeconfig's `args`
and `env`, and the terminal only as `interactiveMode` allows: Never (standard input is
/dev/null), IfAvailable (the terminal when one is attached and not in use by the console),
Always (a terminal or an error). Its credential is cached until `expirationTimestamp`;
after a 401 the plugin runs again once. Runs are bounded in time and output
(`plugin_run`), and a failure is one line: the plugin's own last message line.
"""

from __future__ import annotations

import datetime
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from kubechat_tui.kube.errors import CredentialError, KubeconfigError
from kubechat_tui.kube.failures import one_line
from kubechat_tui.kube.limits import PLUGIN_RERUN_HOLD
from kubechat_tui.kube.plugin_run import PluginRunError, run_plugin
from kubechat_tui.kube.token_sources import Credential, check_token

API_VERSIONS = ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1")
MODES = ("Never", "IfAvailable", "Always")
EXEC_INFO = "KUBERNETES_EXEC_INFO"

_TERMINAL_RESERVED = threading.Event()


def reserve_terminal() -> None:
    """The console owns the terminal from now on: no plugin may prompt on it (kubectl's
    "standard input is unavailable")."""
    _TERMINAL_RESERVED.set()


@dataclass(frozen=True)
class ExecConfig:
    """A user's `exec` section."""

    command: str
    args: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    api_version: str
    interactive_mode: str
    provide_cluster_info: bool
    install_hint: str

    @property
    def name(self) -> str:
        """The command's file name, for messages."""
        return os.path.basename(self.command) or self.command


def parse_exec(raw: object, where: str) -> ExecConfig:
    """The `exec` section; KubeconfigError (one line) when it is malformed."""
    if not isinstance(raw, Mapping):
        raise KubeconfigError(f"{where}: exec: expected a mapping")
    command, version = raw.get("command"), raw.get("apiVersion")
    if not isinstance(command, str) or not command:
        raise KubeconfigError(f"{where}: exec: command is required")
    if version not in API_VERSIONS:
        raise KubeconfigError(f"{where}: exec: apiVersion {version!r} is not supported "
                              f"(use {' or '.join(API_VERSIONS)})")
    mode = raw.get("interactiveMode") or ("" if version == API_VERSIONS[0] else "IfAvailable")
    if mode not in MODES:
        raise KubeconfigError(f"{where}: exec: interactiveMode must be one of "
                              f"{', '.join(MODES)}" + (f" (got {mode!r})" if mode else ""))
    args, env = raw.get("args") or [], raw.get("env") or []
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise KubeconfigError(f"{where}: exec: args must be a list of strings")
    if not isinstance(env, list) or not all(
            isinstance(e, Mapping) and isinstance(e.get("name"), str)
            and isinstance(e.get("value"), str) for e in env):
        raise KubeconfigError(f"{where}: exec: env must be a list of {{name, value}} strings")
    return ExecConfig(command, tuple(args), tuple((e["name"], e["value"]) for e in env),
                      str(version), str(mode), bool(raw.get("provideClusterInfo")),
                      str(raw.get("installHint") or ""))


class ExecPlugin:
    """A TokenSource that runs a credential plugin; thread-safe, one run at a time."""

    def __init__(self, config: ExecConfig, user: str, cluster: dict[str, Any] | None,
                 timeout: float) -> None:
        self.config = config
        self.cluster = cluster  # given to the plugin when provideClusterInfo is set
        self.timeout = timeout
        self.where = f"credential plugin {config.name} failed for user {user}"
        self.advice = f"log in again (the token {config.name} gave was refused)"
        self._lock = threading.Lock()
        self._cached: Credential | None = None
        self._expires: datetime.datetime | None = None
        self._failed_at = -PLUGIN_RERUN_HOLD
        self._renewed_at = -PLUGIN_RERUN_HOLD
        self._failure = ""  # the last run's failure line ("" after a success)

    def current(self) -> Credential:
        """The cached credential until it expires, else a new one."""
        with self._lock:
            if self._cached is not None and not self._expired():
                return self._cached
            if self._failure and _within_hold(self._failed_at):
                raise CredentialError(self._failure)
            return self._run()

    def renew(self, rejected: str) -> bool:
        """After a 401: run the plugin again, unless another request already renewed the
        token or a 401 did so within PLUGIN_RERUN_HOLD seconds."""
        with self._lock:
            previous = self._cached
            if previous is not None and previous.token != rejected:
                return True
            if _within_hold(self._renewed_at):
                return False
            self._renewed_at = time.monotonic()
            return self._run() != previous

    def _expired(self) -> bool:
        return self._expires is not None and datetime.datetime.now(datetime.UTC) >= self._expires

    def _run(self) -> Credential:
        try:
            credential, expires = self._fetch()
        except CredentialError as exc:
            self._cached, self._failure = None, str(exc)
            self._failed_at = time.monotonic()
            raise
        self._cached, self._expires, self._failure = credential, expires, ""
        return credential

    def _fetch(self) -> tuple[Credential, datetime.datetime | None]:
        try:
            interactive = _interactive(self.config.interactive_mode)
            output = run_plugin([self.config.command, *self.config.args], self._environment(
                interactive), interactive=interactive, timeout=self.timeout)
        except PluginRunError as exc:
            hint = f" ({one_line(self.config.install_hint, 160)})" if (
                str(exc) == "not found" and self.config.install_hint) else ""
            raise CredentialError(f"{self.where}: {exc}{hint}") from None
        if output.code != 0:
            said = [line for line in output.stderr.decode("utf-8", "replace").splitlines()
                    if line.strip()]
            detail = one_line(said[-1]) if said else f"exited with status {output.code}"
            raise CredentialError(f"{self.where}: {detail}")
        return self._parse(output.stdout)

    def _environment(self, interactive: bool) -> dict[str, str]:
        spec: dict[str, Any] = {"interactive": interactive}
        if self.config.provide_cluster_info and self.cluster is not None:
            spec["cluster"] = self.cluster
        info = {"apiVersion": self.config.api_version, "kind": "ExecCredential", "spec": spec}
        return {**os.environ, **dict(self.config.env), EXEC_INFO: orjson.dumps(info).decode()}

    def _parse(self, stdout: bytes) -> tuple[Credential, datetime.datetime | None]:
        try:
            doc = orjson.loads(stdout)
        except orjson.JSONDecodeError:
            raise CredentialError(f"{self.where}: its output is not JSON") from None
        if not isinstance(doc, dict) or doc.get("kind") != "ExecCredential":
            raise CredentialError(f"{self.where}: its output is not an ExecCredential")
        if doc.get("apiVersion") != self.config.api_version:
            raise CredentialError(f"{self.where}: it answered apiVersion "
                                  f"{one_line(str(doc.get('apiVersion')), 80)!r}, the "
                                  f"kubeconfig asks for {self.config.api_version}")
        status = doc.get("status")
        if not isinstance(status, dict):
            raise CredentialError(f"{self.where}: its ExecCredential has no status")
        token = status.get("token") or ""
        cert, key = status.get("clientCertificateData"), status.get("clientKeyData")
        if bool(cert) != bool(key):
            raise CredentialError(f"{self.where}: it gave a client certificate or key, "
                                  "not both")
        if not token and not cert:
            raise CredentialError(f"{self.where}: it gave neither a token nor a client "
                                  "certificate")
        pair = (str(cert), str(key)) if cert and key else None
        credential = Credential(check_token(str(token), self.where) if token else "", pair)
        return credential, self._expiry(status.get("expirationTimestamp"))

    def _expiry(self, value: object) -> datetime.datetime | None:
        if value in (None, ""):
            return None
        try:
            moment = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            raise CredentialError(f"{self.where}: expirationTimestamp "
                                  f"{one_line(str(value), 60)!r} is not RFC 3339") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _within_hold(moment: float) -> bool:
    return time.monotonic() - moment < PLUGIN_RERUN_HOLD


def _interactive(mode: str) -> bool:
    """Whether this run may use the terminal; PluginRunError when Always cannot."""
    if mode == "Never":
        return False
    try:
        attached = os.isatty(0)
    except OSError:
        attached = False
    available = attached and not _TERMINAL_RESERVED.is_set()
    if mode == "Always" and not available:
        raise PluginRunError("interactiveMode Always needs the terminal, and "
                             + ("the console is using it: log in from a shell first"
                                if attached else "standard input is not a terminal"))
    return available
