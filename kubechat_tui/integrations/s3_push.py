"""Push an evidence package directory to S3-compatible object storage (AWS, MinIO, Ceph...).

API::

    keys = push_directory(Path("evidence/"), "s3://bucket/prefix", settings.audit)

Objects land at ``<prefix>/<directory name>/<file>``, the manifest last, so a reader that
sees the manifest sees the whole package. The endpoint and region come from
``settings.audit`` (``s3_endpoint``, ``s3_region``; boto3 also honours ``AWS_ENDPOINT_URL``).
Credentials: the env vars named by ``s3_access_key_env``/``s3_secret_key_env``, else the
keyring entries ``kubechat/s3-access-key`` and ``kubechat/s3-secret-key``, else boto3's own
chain (``AWS_ACCESS_KEY_ID``, profiles, instance roles). Failures raise ``S3PushError``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import keyring
import keyring.errors

from kubechat_tui.config.settings import AuditSettings

KEYRING_SERVICE = "kubechat"
MANIFEST = "manifest.json"
S3_EXTRA_HINT = "pip install 'kubechat-tui[s3]'"


class S3PushError(Exception):
    """The package could not be pushed; the message is one line."""


def parse_s3_url(url: str) -> tuple[str, str]:
    """``(bucket, prefix)`` from ``s3://bucket/prefix``; ValueError when malformed."""
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"bad S3 destination {url!r}: use s3://bucket/prefix")
    return parsed.netloc, parsed.path.strip("/")


def push_directory(directory: Path, url: str, audit: AuditSettings) -> list[str]:
    """Upload every file of ``directory``; returns the object keys written."""
    try:
        bucket, prefix = parse_s3_url(url)
    except ValueError as exc:
        raise S3PushError(str(exc)) from None
    files = sorted(
        (p for p in directory.iterdir() if p.is_file()), key=lambda p: (p.name == MANIFEST, p.name)
    )
    base = "/".join(part for part in (prefix, directory.name) if part)
    try:  # boto3 is the optional `s3` extra: imported only when a push is asked for
        import boto3
        from boto3.exceptions import Boto3Error
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        raise S3PushError(f"pushing to S3 needs boto3: {S3_EXTRA_HINT}") from None
    client = _client(boto3, Config, audit)
    keys: list[str] = []
    try:
        for path in files:
            key = f"{base}/{path.name}"
            client.upload_file(str(path), bucket, key)
            keys.append(key)
    except (Boto3Error, BotoCoreError, ClientError, OSError) as exc:
        raise S3PushError(f"push to {url} failed: {_one_line(exc)}") from exc
    return keys


def _client(boto3: Any, config: Any, audit: AuditSettings) -> Any:
    return boto3.session.Session().client(
        "s3",
        endpoint_url=audit.s3_endpoint,
        region_name=audit.s3_region,
        aws_access_key_id=_secret(audit.s3_access_key_env, "s3-access-key"),
        aws_secret_access_key=_secret(audit.s3_secret_key_env, "s3-secret-key"),
        config=config(connect_timeout=10, read_timeout=60, retries={"max_attempts": 3}),
    )


def _secret(env_name: str | None, keyring_user: str) -> str | None:
    if env_name and os.environ.get(env_name):
        return os.environ[env_name]
    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_user)
    except keyring.errors.KeyringError:
        return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
