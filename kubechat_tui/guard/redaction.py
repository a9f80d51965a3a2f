"""Redact secrets and configured patterns from text before it goes to a non-local model."""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[REDACTED]"
_BUILTIN = (
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----",
    r"\bAKIA[0-9A-Z]{16}\b",  # AWS access key id
    r"\b(?:sk|rk|pk)-[A-Za-z0-9_\-]{16,}\b",  # OpenAI/Stripe style keys
    r"\bgh[pousr]_[A-Za-z0-9]{30,}\b",  # GitHub tokens
    r"\bxox[abprs]-[A-Za-z0-9\-]{10,}\b",  # Slack tokens
    r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\b",  # JWT
    r"(?i)\bbearer\s+[A-Za-z0-9._\-~+/]{12,}=*",
    r"(?<=://)[^/\s:@]+:[^/\s@]+(?=@)",  # user:password@ in URLs
    r"\b[A-Za-z0-9+/]{48,}={0,2}(?![A-Za-z0-9+/])",  # long base64 blobs
)
# key=value / key: value pairs whose key says secret; the value is masked, the key kept.
_KEYED = re.compile(r"(?i)\b((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key"
                    r"|private[_-]?key|client[_-]?secret|auth)[\w-]*\s*[=:]\s*)"
                    r"(\"[^\"]*\"|'[^']*'|\S+)")


class Redactor:
    """Built-in secret shapes plus the user's extra regexes (settings.ai.redact_patterns)."""

    def __init__(self, extra_patterns: Iterable[str] = ()) -> None:
        patterns = [*_BUILTIN]
        for pattern in extra_patterns:
            re.compile(pattern)  # raise re.error early on a bad configured pattern
            patterns.append(pattern)
        self._patterns = [re.compile(p) for p in patterns]

    def redact(self, text: str) -> str:
        """The text with every match replaced by [REDACTED]."""
        text = _KEYED.sub(lambda m: m.group(1) + MASK, text)
        for pattern in self._patterns:
            text = pattern.sub(MASK, text)
        return text
