"""What a redacted value is replaced with, and how a kept value is put back.

API::

    mask(rule_id, secret) -> "[REDACTED]"                    # the plain mask (prompts, webhooks)
    marker = HashMarker(key)                                 # for what is kept (store, diffs)
    marker(rule_id, secret) -> "[REDACTED:github-token:4f1c09ab72e3d5b8]"
    marker.originals                                         # {digest: secret} seen so far
    is_marker(text), MARKER.finditer(text)                   # a marker (either form)
    structured(text) -> Structured | None                    # a JSON/YAML manifest in a string
    restore(value, lookup) -> value                          # markers back to their values

A hash marker names the rule that fired and carries the HMAC-SHA256 (first 16 hex digits)
of the secret under a key that is not stored with the records: two records holding the
same value show the same digest, a changed value shows another, and the value itself
cannot be recovered (or brute-forced without the key). `restore` puts values back from
wherever they were kept (`store.kept_values`), parsing a manifest or patch held in a
string the way redaction parsed it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

MASK = "[REDACTED]"
DIGEST_CHARS = 16
MARKER = re.compile(r"\[REDACTED(?::(?P<rule>[\w.-]+))?(?::(?P<digest>[0-9a-f]{16}))?\]")
_RULE_CHARS = re.compile(r"[^\w.-]")
MAX_STRUCTURED = 1 << 20  # longer strings are scanned as text only

# (rule id, the secret) -> its replacement
Marker = Callable[[str, str], str]
# digest -> the kept value, or None when it is gone
Lookup = Callable[[str], str | None]


def mask(rule_id: str, secret: str) -> str:
    """The plain mask: no rule, no digest."""
    return MASK


def is_marker(text: str) -> bool:
    """True for a mask or a hash marker (nothing left to redact)."""
    return MARKER.fullmatch(text) is not None


class HashMarker:
    """Markers carrying a keyed digest of the secret; remembers what it replaced."""

    def __init__(self, key: bytes, *, remember: bool = True) -> None:
        self._key = key
        self._remember = remember
        self.originals: dict[str, str] = {}  # what was replaced (when remembering)

    def digest(self, secret: str) -> str:
        """The keyed digest of a value (16 hex digits)."""
        return hmac.new(self._key, secret.encode(), hashlib.sha256).hexdigest()[:DIGEST_CHARS]

    def __call__(self, rule_id: str, secret: str) -> str:
        digest = self.digest(secret)
        if self._remember:
            self.originals[digest] = secret
        return f"[REDACTED:{_RULE_CHARS.sub('', rule_id)}:{digest}]"


@dataclass(frozen=True)
class Structured:
    """A JSON object or Kubernetes YAML manifest held in a string, and how to write it back."""

    value: Any
    dump: Callable[[Any], str]


def structured(text: str) -> Structured | None:
    """The mapping a patch (JSON) or manifest (YAML with `kind:`) string holds, or None."""
    stripped = text.strip()
    if len(text) > MAX_STRUCTURED:
        return None
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            value = json.loads(stripped)
        except ValueError:
            return None
        return Structured(value, _json_dump) if isinstance(value, dict) else None
    if "\n" in stripped and re.search(r"^kind:", stripped, re.MULTILINE):
        try:
            value = yaml.safe_load(stripped)
        except yaml.YAMLError:
            return None
        return Structured(value, _yaml_dump) if isinstance(value, dict) else None
    return None


def _json_dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _yaml_dump(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=True)


class MissingValue(LookupError):
    """A marker whose value was not kept (or is deleted): `.digest`, `.rule`."""

    def __init__(self, rule: str, digest: str) -> None:
        super().__init__(f"{rule}:{digest}")
        self.rule = rule
        self.digest = digest


def restore(value: Any, lookup: Lookup) -> Any:
    """A copy of JSON-like data with every hash marker replaced by its kept value; raises
    MissingValue for the first marker whose value is gone (a plain mask has none)."""
    if isinstance(value, Mapping):
        return {key: restore(item, lookup) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [restore(item, lookup) for item in value]
    if not isinstance(value, str) or "[REDACTED" not in value:
        return value
    found = structured(value)
    if found is not None:
        return found.dump(restore(found.value, lookup))
    return MARKER.sub(lambda m: _kept(m, lookup), value)


def _kept(match: re.Match[str], lookup: Lookup) -> str:
    rule, digest = match.group("rule") or "", match.group("digest")
    kept = lookup(digest) if digest else None
    if kept is None:
        raise MissingValue(rule, digest or "")
    return kept
