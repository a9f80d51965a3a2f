"""Markers that prove a change without the value, redaction of patches and manifests held
in strings, credential-looking env values, and values put back from where they were kept."""

from __future__ import annotations

import json

import pytest
import yaml

from kubechat_tui.domain.redaction import CREDENTIAL_VALUE_RULE, Redactor, credential_like
from kubechat_tui.domain.redaction_markers import (
    MARKER,
    HashMarker,
    MissingValue,
    is_marker,
    restore,
)

A36 = "Zq3Lm9Tx0Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9"
TOKEN = f"ghp_{A36}"
REDACTOR = Redactor()


def test_a_marker_names_the_rule_and_a_keyed_hash_of_the_value() -> None:
    marker = HashMarker(b"k1")
    text = REDACTOR.redact(f"push with {TOKEN}", marker)
    assert TOKEN not in text and text.startswith("push with [REDACTED:github-token:")
    digest = marker.digest(TOKEN)
    assert text.endswith(f":{digest}]") and marker.originals == {digest: TOKEN}
    assert HashMarker(b"k1").digest(TOKEN) == digest  # provable: same key, same value
    assert HashMarker(b"k2").digest(TOKEN) != digest  # not guessable without the key
    assert marker.digest(TOKEN + "x") != digest  # a changed value shows as changed


def test_redacting_twice_changes_nothing() -> None:
    marker = HashMarker(b"k")
    once = REDACTOR.redact(f"leaked AKIAZ7Q2VYKX4MN3PL5T, password=hunter22 {TOKEN}", marker)
    assert REDACTOR.redact(once, marker) == once
    assert REDACTOR.redact_text(once).rules == frozenset()
    assert [m.group("rule") for m in MARKER.finditer(once)] == [
        "aws-access-key-id", "secret-key-name", "github-token"]


def test_a_patch_in_a_string_is_redacted_as_data_and_put_back_whole() -> None:
    patch = json.dumps({"spec": {"template": {"spec": {"containers": [{"name": "api", "env": [
        {"name": "GH_TOKEN", "value": TOKEN}, {"name": "MODE", "value": "fast"}]}]}}}})
    marker = HashMarker(b"k")
    masked = REDACTOR.redact_data({"patch": patch}, marker)
    assert TOKEN not in masked.value["patch"] and "fast" in masked.value["patch"]
    assert restore(masked.value, marker.originals.get) == {"patch": json.dumps(
        json.loads(patch), sort_keys=True)}


def test_a_secret_manifest_in_a_string_keeps_its_keys_not_its_values() -> None:
    manifest = yaml.safe_dump({"apiVersion": "v1", "kind": "Secret",
                               "metadata": {"name": "creds"},
                               "data": {"token": "Z2hwX3NlY3JldA==", "user": "YWRtaW4="}})
    marker = HashMarker(b"k")
    masked = REDACTOR.redact_data(manifest, marker)
    doc = yaml.safe_load(masked.value)
    assert masked.rules == {"kubernetes-secret"}
    assert set(doc["data"]) == {"token", "user"} and all(map(is_marker, doc["data"].values()))
    assert yaml.safe_load(restore(masked.value, marker.originals.get)) == yaml.safe_load(
        manifest)


def test_a_value_no_longer_kept_cannot_be_put_back() -> None:
    marker = HashMarker(b"k")
    masked = REDACTOR.redact(f"token {TOKEN}", marker)
    with pytest.raises(MissingValue) as gone:
        restore(masked, lambda digest: None)
    assert gone.value.rule == "github-token" and gone.value.digest == marker.digest(TOKEN)


@pytest.mark.parametrize("value", ["q8Vx2LmT0pR7sK4nW9bZ3cY6", "Zk3-9fQ_x7Lp2Rm8Tv4Wn6Bs1"])
def test_a_credential_looking_literal_env_value_is_masked(value: str) -> None:
    env = {"env": [{"name": "UPSTREAM", "value": value}]}
    masked = REDACTOR.redact_data(env)
    assert masked.value["env"][0]["value"] != value
    assert masked.rules == {CREDENTIAL_VALUE_RULE}


@pytest.mark.parametrize("value", [
    "registry.example/payments-api:1.5.0", "https://payments.example.com/v1/callback",
    "3f1c0b8e9d2a4c6f8e1b3d5a7c9e0f2a4b6d8c0e", "0c8f2a7e-5b1d-4c3a-9e6f-7d2b8a1c4e5f",
    "/var/run/secrets/kubernetes.io/serviceaccount", "production", "info,debug,trace,warn",
    "sha256:3f1c0b8e9d2a4c6f8e1b3d5a7c9e0f2a4b6d8c0e1f3a5b7c9d0e2f4a6b8c0d1e"])
def test_ordinary_env_values_survive(value: str) -> None:
    assert not credential_like(value)
    assert REDACTOR.redact_data({"name": "SETTING", "value": value}).value["value"] == value
