"""Reading a pod log body: bounded lines, and the kubelet's timestamp prefix parsed.

`bounded_lines` splits a streamed body into lines without ever holding more than
`MAX_LINE_BYTES` of one line (the rest of a longer line is dropped and counted), so a
container that writes megabytes without a newline cannot exhaust memory.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

MAX_LINE_BYTES = 64 * 1024
NS = 1_000_000_000


def bounded_lines(chunks: Iterable[bytes], limit: int = MAX_LINE_BYTES) -> Iterator[str]:
    """Complete lines (decoded, lossy) of a chunked body; overlong ones cut at `limit`
    bytes with a `…[N bytes cut]` mark. A last line without newline is yielded too."""
    pending = bytearray()
    dropped = 0
    for chunk in chunks:
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            piece = chunk[start:] if end < 0 else chunk[start:end]
            room = limit - len(pending)
            if len(piece) > room:
                dropped += len(piece) - max(room, 0)
                piece = piece[:max(room, 0)]
            pending += piece
            if end < 0:
                break
            yield _text(pending, dropped)
            pending.clear()
            dropped = 0
            start = end + 1
    if pending or dropped:
        yield _text(pending, dropped)


def _text(raw: bytearray, dropped: int) -> str:
    text = raw.decode("utf-8", "replace").removesuffix("\r")
    return f"{text}…[{dropped} bytes cut]" if dropped else text


def split_stamp(line: str) -> tuple[int, str, str] | None:
    """(ns since the epoch, stamp, text) of a `timestamps=true` line; None without one."""
    stamp, sep, text = line.partition(" ")
    if not sep:
        stamp, text = line, ""
    ts = stamp_ns(stamp)
    return None if ts is None else (ts, stamp, text)


def stamp_ns(stamp: str) -> int | None:
    """Nanoseconds since the epoch of an RFC 3339 stamp (`...05.123456789Z`, fraction of
    any length, or an offset); None when it is not one."""
    if len(stamp) < 20 or stamp[10] != "T":
        return None
    base, dot, rest = stamp[:19], stamp[19:20], stamp[20:]
    fraction, zone = "", stamp[19:]
    if dot == ".":
        digits = len(rest) - len(rest.lstrip("0123456789"))
        fraction, zone = rest[:digits], rest[digits:]
    seconds = _seconds(base, zone)
    if seconds is None or len(fraction) > 9:
        return None
    return seconds * NS + int(fraction.ljust(9, "0") or 0)


@functools.lru_cache(maxsize=4096)
def _seconds(base: str, zone: str) -> int | None:
    try:
        moment = datetime.fromisoformat(base + ("+00:00" if zone == "Z" else zone))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def since_time(ts_ns: int) -> str:
    """The `sinceTime` to resume from: the second holding `ts_ns` (the API takes seconds,
    so lines of that second come again and are deduplicated)."""
    return datetime.fromtimestamp(ts_ns // NS, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
