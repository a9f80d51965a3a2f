"""Input hygiene and the small lexical helpers the planners share."""

from __future__ import annotations

import json
import re
import unicodedata

from kubechat_tui.config.settings import NAMESPACE_NAME

MAX_INPUT_CHARS = 2000
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
_LABEL_KEY = (r"(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?/)?"
              r"[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?")
_LABEL_VALUE = r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?"
# One requirement of a label selector: `key`, `!key`, `key=v`, `key==v`, `key!=v`,
# `key in (a,b)`, `key notin (a,b)` (k8s.io/apimachinery/pkg/labels).
_REQUIREMENT = re.compile(
    rf"\s*(?:!\s*{_LABEL_KEY}|{_LABEL_KEY}(?:\s*(?:==?|!=)\s*{_LABEL_VALUE}"
    rf"|\s+(?:in|notin)\s*\(\s*{_LABEL_VALUE}(?:\s*,\s*{_LABEL_VALUE})*\s*\))?)\s*")
_REQUIREMENTS = re.compile(r"(?:[^,(]|\([^)]*\))+")  # split at commas outside parentheses
MAX_SELECTOR_CHARS = 500
_IMAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/:@]{0,254}$")
REPLACEMENT = "\ufffd"  # what an undecodable byte becomes
_SENTENCE_END = ".,;:!?"
_SHELL = re.compile(r"(;|&&|\|\||\||`|\$\(|\$\{|>>|<\()")


class InputError(ValueError):
    """The request text cannot be planned (empty, too long, binary, shell syntax)."""


def clean_request(text: str) -> str:
    """The request trimmed and validated; raises InputError with a one-line reason.

    A line break ends a sentence (". "): the lines of a request stay separate clauses
    instead of running into each other ("logs of web\ndelete it").
    """
    if "\x00" in text or _control_ratio(text) > 0.1:
        raise InputError("the request contains binary data; type a sentence such as "
                         "'show crashlooping pods in prod'")
    lines = [" ".join(line.split()) for line in printable(text).splitlines()]
    lines = [line for line in lines if line]
    collapsed = " ".join(line if line[-1] in _SENTENCE_END or i == len(lines) - 1
                         else line + "." for i, line in enumerate(lines))
    if not collapsed:
        raise InputError("the request is empty; say what you want to see or change")
    if len(collapsed) > MAX_INPUT_CHARS:
        raise InputError(f"the request is {len(collapsed)} characters long; keep it under "
                         f"{MAX_INPUT_CHARS} (one intent at a time)")
    return collapsed


def printable(text: str) -> str:
    """The text without control characters (no terminal escapes echoed back) and with
    lone surrogates (undecodable argv bytes) as U+FFFD, so it always encodes as UTF-8."""
    return "".join(_printable_char(ch) for ch in text)


def _printable_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Cs":
        return REPLACEMENT
    return " " if category in ("Cc", "Cf") and ch not in "\t\n" else ch


def scrub(text: str) -> str:
    """`text` with undecodable bytes (surrogate escapes, lone surrogates) as U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate surrogateescape does not map back to a byte
        return "".join(REPLACEMENT if unicodedata.category(ch) == "Cs" else ch for ch in text)


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:4096]
    bad = sum(1 for ch in sample
              if (unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") or ch == REPLACEMENT)
              and ch not in "\t\n\r")
    return bad / len(sample)


def shell_syntax(text: str) -> str | None:
    """The first shell operator in the text (`;`, `|`, `$(`...), else None."""
    match = _SHELL.search(text)
    return match.group(0) if match else None


def is_name(word: str | None) -> bool:
    """True for a valid Kubernetes object/namespace/cluster name (DNS-1123 subdomain)."""
    return bool(word) and bool(_NAME.match(word or ""))


def is_label(word: str | None) -> bool:
    """True for an RFC 1123 DNS label: a namespace or container name (63 characters, no
    dots), so never a value that could read as a kubectl option (`-x`, `--all=...`)."""
    return bool(word) and bool(NAMESPACE_NAME.match(word or ""))


def is_selector(text: str | None) -> bool:
    """True for a label selector in the Kubernetes grammar (`app=web,tier!=db`,
    `env in (a,b)`, `!canary`): never a value that could read as a kubectl option."""
    if not text or len(text) > MAX_SELECTOR_CHARS or text.strip() != text:
        return False
    parts = _REQUIREMENTS.findall(text)
    return ",".join(parts) == text and all(_REQUIREMENT.fullmatch(p) for p in parts)


def is_image(text: str | None) -> bool:
    """True for a plausible container image reference (`repo/name:tag`, `@sha256:...`)."""
    return bool(text) and bool(_IMAGE.match(text or ""))


def quoted(text: str) -> list[str]:
    """Strings the user put in quotes: deployment 'web-app' -> ['web-app']."""
    return [a or b for a, b in re.findall(r"'([^']+)'|\"([^\"]+)\"", text)]


UNTRUSTED_TAG = "untrusted-cluster-data"


def quote_untrusted(data: object) -> str:
    """Cluster data for a model, quoted: JSON inside <untrusted-cluster-data> tags, with
    `<` and `>` escaped so the data cannot close the tag."""
    quoted = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e")
    return f"<{UNTRUSTED_TAG}>\n{quoted}\n</{UNTRUSTED_TAG}>"
