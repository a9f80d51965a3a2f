"""Secrets and configured patterns are masked before a prompt leaves the machine."""

from __future__ import annotations

import re

import pytest

from kubechat_tui.guard.redaction import MASK, Redactor

SECRETS = [
    "AKIAIOSFODNN7EXAMPLE",
    "sk-proj-abcdefghijklmnop1234567890",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "xoxb-123456789012-abcdefghij",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
    "Bearer abcdefghijklmnopqrstuvwxyz012345",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
    "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0",
]


@pytest.mark.parametrize("secret", SECRETS)
def test_builtin_shapes_are_masked(secret: str) -> None:
    out = Redactor().redact(f"log line: {secret} end")
    assert secret not in out and MASK in out and out.endswith("end")


def test_keyed_values_keep_their_key() -> None:
    out = Redactor().redact("db password=hunter2 api_key: 'abc' user=alice")
    assert out == f"db password={MASK} api_key: {MASK} user=alice"


def test_url_credentials_are_masked() -> None:
    out = Redactor().redact("postgres://admin:s3cr3t@db.payments:5432/ledger")
    assert "s3cr3t" not in out and "db.payments" in out


def test_configured_patterns_apply() -> None:
    out = Redactor([r"ACME-\d{6}"]).redact("ticket ACME-123456 for payments-api")
    assert out == f"ticket {MASK} for payments-api"


def test_bad_configured_pattern_fails_early() -> None:
    with pytest.raises(re.error):
        Redactor(["(unclosed"])


def test_ordinary_triage_text_is_untouched() -> None:
    text = "scale deployment payments-api in prod-eu to 5 (image registry.example/api:1.4.2)"
    assert Redactor().redact(text) == text
