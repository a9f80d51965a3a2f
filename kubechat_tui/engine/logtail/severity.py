"""How bad a log line says it is, its message template, and JSON lines level-first."""

from __future__ import annotations

import re
from typing import Literal

import orjson

Severity = Literal["fatal", "error", "warn"]
MAX_SCAN = 2000  # characters of a line looked at for its severity
MAX_TEMPLATE = 160

_LEVELS: dict[str, Severity] = {
    **dict.fromkeys(("fatal", "panic", "critical", "crit", "emerg", "sigsegv", "oomkilled"),
                    "fatal"),
    **dict.fromkeys(("error", "err", "exception", "traceback", "failed", "failure",
                     "unreachable"), "error"),
    **dict.fromkeys(("warn", "warning"), "warn"),
}
_WORD = re.compile(r"\b(" + "|".join(sorted(_LEVELS, key=len, reverse=True)) + r")\b"
                   r'|" (5)\d\d ')  # on lower-cased text: one pass, no IGNORECASE
_RANK = {"warn": 1, "error": 2, "fatal": 3}
_VARIABLE = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # uuid
    r"|\b\d{4}-\d\d-\d\dT[\d:.]+Z?"  # timestamp
    r"|\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?"  # ip[:port]
    r"|\b0x[0-9a-f]+|\b[0-9a-f]{12,}\b"  # hex ids
    r"|\d+(?:\.\d+)?(?:ms|s|m|h|b|kb|mb|%)?\b", re.I)  # numbers, durations, sizes
LEVEL_KEYS = ("level", "lvl", "severity", "log.level")
MESSAGE_KEYS = ("msg", "message", "log")


def severity(text: str) -> Severity | None:
    """fatal, error or warn when the line says so (level fields, keywords), else None."""
    worst: Severity | None = None
    for match in _WORD.finditer(text[:MAX_SCAN].lower()):
        found = _LEVELS.get(match.group(1) or "", "error")
        if found == "fatal":
            return found
        if worst is None or _RANK[found] > _RANK[worst]:
            worst = found
    return worst


def template(text: str) -> str:
    """The line's message with its variable parts (numbers, ids, addresses, times)
    replaced: lines of one kind share a template."""
    message = structured(text)
    base = message[1] if message else text
    return _VARIABLE.sub("#", base[:MAX_SCAN]).strip()[:MAX_TEMPLATE]


def structured(text: str) -> tuple[str, str, str] | None:
    """(level, message, the other fields as JSON) of a JSON object line, else None."""
    if not text.startswith("{"):
        return None
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict):
        return None
    level = next((str(doc.pop(k)) for k in LEVEL_KEYS if k in doc), "")
    message = next((str(doc.pop(k)) for k in MESSAGE_KEYS if k in doc), "")
    if not level and not message:
        return None
    return level, message, orjson.dumps(doc).decode() if doc else ""


def level_first(text: str) -> str:
    """A JSON line as `LEVEL message {rest}` (other lines unchanged)."""
    parts = structured(text)
    if parts is None:
        return text
    level, message, rest = parts
    return " ".join(p for p in (level.upper(), message, rest) if p)
