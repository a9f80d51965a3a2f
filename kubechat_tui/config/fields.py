"""Setting value types that are usable as well as well-typed: a path with no NUL byte and a
home that exists, a timeout a socket accepts, an http(s) base URL. Each failure is a
one-line ValueError naming the value, so `kubechat config validate` says it (exit 2)
instead of a traceback once the value is used."""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field

MAX_TIMEOUT_SECONDS = 3600.0  # an hour; longer values overflow some socket and clock APIs


def usable_path(value: Path) -> Path:
    """The path with `~` expanded; ValueError when it is empty, holds a NUL byte or names
    an unknown user's home."""
    text = str(value)
    if not text or text == ".":
        raise ValueError("an empty path")
    if "\x00" in text:
        raise ValueError(f"{text!r}: a path cannot contain a NUL byte")
    try:
        return value.expanduser()
    except RuntimeError:
        raise ValueError(f"{text!r}: cannot expand '~' (no such user or home)") from None


def http_url(value: str) -> str:
    """An http(s) URL with a host and no spaces or control characters (or "": not set);
    ValueError otherwise."""
    if not value:
        return value
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname
            or not value.isprintable() or " " in value):
        raise ValueError(f"{value[:80]!r} is not an http(s) URL")
    return value


UsablePath = Annotated[Path, AfterValidator(usable_path)]
HttpUrl = Annotated[str, AfterValidator(http_url)]
TimeoutSeconds = Annotated[float, Field(gt=0, le=MAX_TIMEOUT_SECONDS)]
