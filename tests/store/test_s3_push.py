"""S3 push against moto's server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from kubechat_tui.config.settings import AuditSettings
from kubechat_tui.integrations.s3_push import S3PushError, parse_s3_url, push_directory


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KC_S3_ACCESS", "testing")
    monkeypatch.setenv("KC_S3_SECRET", "testing")
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)


def _settings(endpoint: str) -> AuditSettings:
    return AuditSettings(s3_endpoint=endpoint, s3_region="us-east-1",
                         s3_access_key_env="KC_S3_ACCESS", s3_secret_key_env="KC_S3_SECRET")


def test_push_uploads_every_file_under_the_prefix(
    s3_endpoint: str, creds: None, tmp_path: Path
) -> None:
    package = tmp_path / "evidence-1"
    package.mkdir()
    for name in ("records.csv", "chain.jsonl", "manifest.json"):
        (package / name).write_text(f"content of {name}")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket="audit")
    keys = push_directory(package, "s3://audit/kubechat/2026", _settings(s3_endpoint))
    assert keys[-1] == "kubechat/2026/evidence-1/manifest.json"  # manifest last
    listed = client.list_objects_v2(Bucket="audit")["Contents"]
    assert sorted(o["Key"] for o in listed) == sorted(keys)
    body = client.get_object(Bucket="audit", Key="kubechat/2026/evidence-1/records.csv")["Body"]
    assert body.read() == b"content of records.csv"


def test_missing_bucket_is_one_line(s3_endpoint: str, creds: None, tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(S3PushError, match="NoSuchBucket") as caught:
        push_directory(tmp_path, "s3://no-such-bucket", _settings(s3_endpoint))
    assert "\n" not in str(caught.value)


def test_bad_destination_url() -> None:
    with pytest.raises(ValueError, match="use s3://bucket/prefix"):
        parse_s3_url("https://example.com/x")
    assert parse_s3_url("s3://b") == ("b", "")


def test_without_the_s3_extra_a_push_names_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)  # as on an install without [s3]
    (tmp_path / "manifest.json").write_text("{}")
    with pytest.raises(S3PushError, match=r"needs boto3: pip install 'kubechat-tui\[s3\]'"):
        push_directory(tmp_path, "s3://bucket/prefix", AuditSettings())
