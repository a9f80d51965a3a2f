"""The configured official `ApiClient` of one kubeconfig context, credentials handled as
kubectl handles them.

The bearer credential comes from `token`, else `tokenFile`, else an `exec` plugin (used
only without a client certificate, as client-go does); see `token_sources` and
`exec_plugin`. The first credential is obtained while the client is built, so a context
that cannot authenticate is one line (exit code 2 when asked for by name); later ones on
each request (a rotated token file, an expired plugin token). Server, CA, TLS name, proxy,
client certificates and the legacy `auth-provider`/basic auth still come from the official
loader, which never sees `token`, `tokenFile` or `exec` (it would read a token file
without bounds and run a plugin without a timeout). Certificate and CA files are checked
for size first.
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Mapping
from typing import Any

import urllib3
from kubernetes.client import ApiClient, Configuration
from kubernetes.config.kube_config import load_kube_config_from_dict

from kubechat_tui.config.settings import KubeSettings
from kubechat_tui.kube import failures
from kubechat_tui.kube.errors import KubeconfigError
from kubechat_tui.kube.exec_plugin import ExecPlugin, parse_exec
from kubechat_tui.kube.kubeconfig import Kubeconfig
from kubechat_tui.kube.limits import MAX_CREDENTIAL_FILE_BYTES, read_bounded
from kubechat_tui.kube.token_sources import Credential, FileToken, StaticToken, TokenSource

BEARER_FIELDS = ("token", "tokenFile", "exec")  # ours; never handed to the official loader
LEGACY_FIELDS = ("username", "password", "auth-provider")
CERT_FIELDS = ("client-certificate", "client-certificate-data", "client-key", "client-key-data")
CHECKED_FILES = {"cluster": ("certificate-authority",),
                 "user": ("client-certificate", "client-key")}
EXEC_EXTENSION = "client.authentication.k8s.io/exec"


class Credentials:
    """Who a context authenticates as, and how: the credential for each request, one
    renewal after a 401, and the line that says the server rejected it."""

    def __init__(self, user: str | None, source: TokenSource | None, advice: str) -> None:
        self.user = user
        self.source = source
        self.advice = source.advice if source is not None else advice

    def current(self) -> Credential:
        """The credential to send now (CredentialError: the one line to show)."""
        return self.source.current() if self.source is not None else Credential()

    def renew(self, sent: str | None) -> bool:
        """After a 401 for the Authorization header `sent`: True when a fresh credential
        differs from it (the request is worth sending once more)."""
        if self.source is None:
            return False
        return self.source.renew((sent or "").removeprefix("Bearer "))

    def rejected_line(self) -> str:
        """The 401 line: credentials rejected, for whom, what to do."""
        return failures.rejected(self.user, self.advice)


class AuthenticatedApiClient(ApiClient):
    """An ApiClient whose every request (raw or typed) carries the context's current
    credential: the Authorization header, and a plugin's client certificate."""

    def __init__(self, configuration: Configuration, credentials: Credentials) -> None:
        super().__init__(configuration)
        self.credentials = credentials
        self._certificate = PluginCertificate()

    def update_params_for_auth(self, headers: Any, queries: Any, auth_settings: Any,
                               resource_path: Any, method: Any, body: Any,
                               request_auth: Any = None) -> None:
        """The official auth (legacy providers), then ours (CredentialError when the
        credential cannot be obtained)."""
        super().update_params_for_auth(headers, queries, auth_settings, resource_path, method,
                                       body, request_auth)
        credential = self.credentials.current()
        if credential.certificate is not None:
            self._certificate.install(credential.certificate, self.rest_client.pool_manager)
        if credential.token:
            headers["authorization"] = f"Bearer {credential.token}"


class PluginCertificate:
    """The client certificate a plugin gave, in 0600 files of a private directory (removed
    with the client); the pool reconnects with it whenever it changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._installed: tuple[str, str] | None = None
        self._directory: str | None = None

    def install(self, pair: tuple[str, str], pool: urllib3.PoolManager) -> None:
        """Use `pair` (certificate PEM, key PEM) for new connections."""
        with self._lock:
            if pair == self._installed:
                return
            if self._directory is None:
                self._directory = tempfile.mkdtemp(prefix="kubechat-cert-")
                weakref.finalize(self, shutil.rmtree, self._directory, True)
            files = [_write_private(self._directory, name, text)
                     for name, text in zip(("tls.crt", "tls.key"), pair, strict=True)]
            pool.connection_pool_kw.update(cert_file=files[0], key_file=files[1])
            pool.clear()
            self._installed = pair


def credentials_of(api: ApiClient) -> Credentials | None:
    """The credentials of a client built here (None for any other ApiClient)."""
    return api.credentials if isinstance(api, AuthenticatedApiClient) else None


def build_api_client(kubeconfig: Kubeconfig, context: str,
                     settings: KubeSettings) -> AuthenticatedApiClient:
    """The client of `context` (checked by `Kubeconfig.check_context` first).

    Raises KubeconfigError for a malformed user or an unusable file, CredentialError (a
    KubeconfigError) when the first credential cannot be obtained.
    """
    document, sources = kubeconfig.document, kubeconfig.describe_sources()
    chosen = _entry(document, "contexts", "context", context)
    cluster_name, user_name = str(chosen.get("cluster")), chosen.get("user") or None
    cluster = _entry(document, "clusters", "cluster", cluster_name)
    user = _entry(document, "users", "user", user_name) if user_name else {}
    _check_files(cluster, "cluster", f"{sources}: cluster {cluster_name!r}")
    _check_files(user, "user", f"{sources}: user {user_name!r}")
    source = _bearer_source(user, str(user_name), cluster, settings.exec_timeout_seconds,
                            f"{sources}: user {user_name!r}")
    credentials = Credentials(user_name, source, _advice(user, user_name))
    credentials.current()
    configuration = type.__call__(Configuration)
    configuration.retries = 0  # retries and backoff are ours
    skipped = BEARER_FIELDS + (LEGACY_FIELDS if source is not None else ())
    loader_user = {k: v for k, v in user.items() if k not in skipped}
    load_kube_config_from_dict(_with_user(document, user_name, loader_user), context=context,
                               client_configuration=configuration, persist_config=False)
    return AuthenticatedApiClient(configuration, credentials)


def _bearer_source(user: Mapping[str, Any], name: str, cluster: Mapping[str, Any],
                   timeout: float, where: str) -> TokenSource | None:
    if user.get("token"):
        return StaticToken(str(user["token"]), name)
    if user.get("tokenFile"):
        return FileToken(str(user["tokenFile"]), name)
    if user.get("exec") and not any(user.get(f) for f in CERT_FIELDS):
        config = parse_exec(user["exec"], where)
        info = cluster_info(cluster, where) if config.provide_cluster_info else None
        return ExecPlugin(config, name, info, timeout)
    return None


def _advice(user: Mapping[str, Any], name: str | None) -> str:
    if any(user.get(f) for f in CERT_FIELDS):
        return "the client certificate was refused: renew it"
    if any(user.get(f) for f in LEGACY_FIELDS):
        return "log in again"
    if name is None:
        return "the context names no user: add one with a token, certificate or exec plugin"
    return "the user has no token, client certificate or exec plugin"


def cluster_info(cluster: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The ExecCredential `spec.cluster` of a kubeconfig cluster (provideClusterInfo)."""
    info: dict[str, Any] = {"server": cluster.get("server")}
    for key in ("tls-server-name", "proxy-url", "insecure-skip-tls-verify",
                "disable-compression"):
        if cluster.get(key):
            info[key] = cluster[key]
    ca = cluster.get("certificate-authority-data")
    if not ca and cluster.get("certificate-authority"):
        ca = base64.b64encode(_read_file(str(cluster["certificate-authority"]),
                                         f"{where}: certificate-authority")).decode()
    if ca:
        info["certificate-authority-data"] = ca
    for extension in cluster.get("extensions") or []:
        if isinstance(extension, Mapping) and extension.get("name") == EXEC_EXTENSION:
            info["config"] = extension.get("extension")
    return info


def _check_files(section: Mapping[str, Any], item: str, where: str) -> None:
    for field in CHECKED_FILES[item]:
        if section.get(field) and not section.get(f"{field}-data"):
            _read_file(str(section[field]), f"{where}: {field}")


def _read_file(path: str, where: str) -> bytes:
    try:
        return read_bounded(path, MAX_CREDENTIAL_FILE_BYTES)
    except ValueError as exc:
        raise KubeconfigError(f"{where} {path}: {exc}") from None
    except OSError as exc:
        reason = failures.one_line((exc.strerror or type(exc).__name__).lower())
        raise KubeconfigError(f"{where} {path}: {reason}") from None


def _write_private(directory: str, name: str, text: str) -> str:
    path = os.path.join(directory, name)
    staged = f"{path}.new"
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(staged, path)
    return path


def _entry(document: Mapping[str, Any], section: str, item: str, name: str) -> dict[str, Any]:
    for entry in document.get(section) or []:
        if entry.get("name") == name:
            return dict(entry.get(item) or {})
    return {}


def _with_user(document: Mapping[str, Any], name: str | None,
               user: dict[str, Any]) -> dict[str, Any]:
    """The document with user `name` replaced (what the official loader reads)."""
    users = [{"name": name, "user": user} if entry.get("name") == name else entry
             for entry in document.get("users") or []]
    return {**document, "users": users}
