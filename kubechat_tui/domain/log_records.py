"""What a log tail delivers: lines of one container stream, and notes about the streams
(joined, left, reconnected, waiting, refused). Text here is untrusted container output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

NoteKind = Literal["joined", "left", "reconnected", "waiting", "error", "info"]


class StreamKey(NamedTuple):
    """One container's log stream in one cluster (a tuple: hashed in C, it keys every
    per-stream table of a flood)."""

    cluster: str
    namespace: str
    pod: str
    container: str

    def label(self) -> str:
        """`cluster/pod/container`, the stern-style prefix of each line."""
        return f"{self.cluster}/{self.pod}/{self.container}"

    def ids(self) -> dict[str, str]:
        """The stream's identity as JSON (timeline pins, `--json` output)."""
        return {"cluster": self.cluster, "namespace": self.namespace, "pod": self.pod,
                "container": self.container}


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line as the kubelet stamped it (`stamp` RFC 3339, `ts_ns` the same instant)."""

    key: StreamKey
    ts_ns: int
    stamp: str
    text: str


@dataclass(frozen=True, slots=True)
class LogNote:
    """Something about a stream (or the whole tail when `key` is None) worth one line."""

    key: StreamKey | None
    kind: NoteKind
    text: str
    status: int = 0  # the HTTP status of a refusal (404: nothing matched), else 0

    def line(self) -> str:
        """The note as shown: `[prod-eu/pod/app] reconnected: ...`."""
        where = f"[{self.key.label()}] " if self.key else ""
        return f"{where}{self.kind}: {self.text}"


LogEvent = LogLine | LogNote


@dataclass(frozen=True)
class TailOptions:
    """What each container stream asks the API for (`kubectl logs` flags)."""

    follow: bool = True
    container: str | None = None  # None: every container of each pod
    since_seconds: int | None = None
    since_time: str | None = None  # RFC 3339
    tail_lines: int | None = None
    previous: bool = False  # the instance before the last restart (never followed)
