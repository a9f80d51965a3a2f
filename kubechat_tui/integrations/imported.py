"""What an import brings in: an event from outside (an alert, a deploy) with a stable key,
so importing it again finds it stored already; and the one-line errors of an import.

API::

    get_json(url, token, timeout, source="alertmanager")   # parsed JSON; ImportError_ (one line)
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from kubechat_tui.integrations.bearer import auth_headers

MAX_ANSWER_BYTES = 32 * 1024 * 1024  # a larger answer is refused, not read into memory


class SourceError(Exception):
    """An import source failed: unreachable, refused, or answered nonsense. One line."""


@dataclass(frozen=True)
class ImportedEvent:
    """One event from an import source, ready for the timeline."""

    kind: str  # "alert" or "deploy"
    key: str  # stable identity: the same event imported twice has the same key
    ts: datetime
    cluster: str | None
    author: str
    title: str
    body: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


def get_json(url: str, token: str | None, timeout: float, source: str) -> Any:
    """GET `url` (bearer `token` if any) and parse the JSON answer."""
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   **auth_headers(token)})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise SourceError(f"{source}: HTTP {exc.code}: authentication refused "
                              "(check the bearer token)") from None
        raise SourceError(f"{source}: HTTP {exc.code} from {_where(url)}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise SourceError(f"{source}: no answer within {timeout:g} s") from None
        raise SourceError(f"{source}: unreachable at {_where(url)} "
                          f"({' '.join(str(reason).split())})") from None
    if len(data) > MAX_ANSWER_BYTES:
        raise SourceError(f"{source}: answer larger than {MAX_ANSWER_BYTES >> 20} MiB")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        raise SourceError(f"{source}: the answer is not JSON (is {_where(url)} the "
                          f"{source} API?)") from None


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 time as the APIs send it, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _where(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
