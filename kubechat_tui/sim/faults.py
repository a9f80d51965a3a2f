"""Per-cluster faults injected on demand: latency, errors, throttling, outages, dropped watches.

Settings (also the JSON keys of the control endpoint and, dashed, of `--fault` flags):
latency_ms, error_rate (0..1) with error_status, throttle with retry_after, unreachable
(connections refused), blackhole (connections time out), flap_watches (seconds after which
every watch is cut), drop_watches: a one-shot that cuts the watches open right now, and
drop_logs: a one-shot that cuts the log follow streams open right now (no clean end).
Two settings aim at the writes that change the cluster (not dry runs, not access reviews):
error_writes (error_rate fails only those: the dry run passes, the real write fails) and
hold_writes_ms (such a write is applied and recorded, then its answer is held this long,
or until the setting is cleared: the change reached the cluster, the client does not know
yet).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from kubechat_tui.sim.status import ApiError, internal_error, too_many_requests

_REASONS = {500: "InternalError", 502: "", 503: "ServiceUnavailable", 504: "Timeout"}
DROP = "drop_watches"
DROP_LOGS = "drop_logs"
ONE_SHOTS = (DROP, DROP_LOGS)
# --fault KIND -> (setting, value when the flag has none, setting the value goes to)
FLAG_KINDS: dict[str, tuple[str, object, str]] = {
    "latency": ("latency_ms", None, "latency_ms"),
    "error-rate": ("error_rate", None, "error_rate"),
    "error-status": ("error_status", None, "error_status"),
    "throttle": ("throttle", True, "retry_after"),
    "unreachable": ("unreachable", True, ""),
    "timeout": ("blackhole", True, ""),
    "flap-watches": ("flap_watches", None, "flap_watches"),
    "error-writes": ("error_writes", True, ""),
    "hold-writes": ("hold_writes_ms", None, "hold_writes_ms"),
    "refuse-upgrades": ("refuse_upgrades", True, ""),
    "exec-v4-only": ("exec_v4_only", True, ""),
}


@dataclass(frozen=True)
class FaultState:
    """The fault settings in force for one cluster."""

    latency_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 500
    throttle: bool = False
    retry_after: int = 1
    unreachable: bool = False  # the port refuses connections (ECONNREFUSED)
    blackhole: bool = False  # connections time out; requests on open ones wait
    flap_watches: float = 0.0  # > 0: every watch is cut this many seconds after it opens
    error_writes: bool = False  # error_rate applies to committing writes only
    hold_writes_ms: int = 0  # a committing write's answer is held this long after it applied
    refuse_upgrades: bool = False  # exec answers as if a proxy dropped the WebSocket upgrade
    exec_v4_only: bool = False  # exec speaks only v4.channel.k8s.io (an older API server)

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready values."""
        return asdict(self)


_TYPES = {f.name: str(f.type) for f in fields(FaultState)}


def _checked(name: str, value: object) -> object:
    kind = _TYPES[name]
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"fault {name} must be true or false, not {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            kind == "int" and not float(value).is_integer()):
        raise ValueError(f"fault {name} must be a {'whole ' if kind == 'int' else ''}number, "
                         f"not {value!r}")
    number = int(value) if kind == "int" else float(value)
    if name == "error_rate" and not 0 <= number <= 1:
        raise ValueError(f"fault error_rate must be between 0 and 1, not {value!r}")
    if name == "error_status" and not 400 <= number <= 599:
        raise ValueError(f"fault error_status must be an HTTP error status (400-599), "
                         f"not {value!r}")
    if number < 0:
        raise ValueError(f"fault {name} must be 0 or more, not {value!r}")
    return number


def validate(settings: dict[str, object]) -> dict[str, object]:
    """Settings checked and coerced (TypeError for unknown names, ValueError for bad values)."""
    unknown = set(settings) - set(_TYPES) - set(ONE_SHOTS)
    if unknown:
        raise TypeError(f"unknown fault setting(s): {', '.join(sorted(unknown))} "
                        f"(known: {', '.join([*_TYPES, *ONE_SHOTS])})")
    out = {name: _checked(name, value) for name, value in settings.items()
           if name not in ONE_SHOTS}
    for shot in ONE_SHOTS:
        if shot in settings:
            if not isinstance(settings[shot], bool):
                raise ValueError(f"fault {shot} must be true or false, not {settings[shot]!r}")
            out[shot] = settings[shot]
    return out


def _number(text: str, kind: str) -> object:
    try:
        return int(text) if kind == "int" else float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None


def parse_flag(text: str) -> tuple[str, dict[str, object]]:
    """`CLUSTER:KIND[=VALUE]` (`--fault prod-us:latency=200`) -> (cluster, settings)."""
    cluster, sep, spec = text.partition(":")
    kind, has_value, value = spec.partition("=")
    if not sep or not cluster or kind not in FLAG_KINDS:
        raise ValueError(f"--fault {text!r}: expected CLUSTER:KIND[=VALUE] with KIND one of "
                         f"{', '.join(FLAG_KINDS)}")
    setting, default, target = FLAG_KINDS[kind]
    settings: dict[str, object] = {}
    if default is not None:
        settings[setting] = default
    if has_value:
        if not target:
            raise ValueError(f"--fault {text!r}: {kind} takes no value")
        try:
            settings[target] = _number(value, _TYPES[target])
        except ValueError as exc:
            raise ValueError(f"--fault {text!r}: {exc}") from None
    elif default is None:
        raise ValueError(f"--fault {text!r}: {kind} needs a value ({kind}=N)")
    try:
        return cluster, validate(settings)
    except ValueError as exc:
        raise ValueError(f"--fault {text!r}: {exc}") from None


Apply = Callable[[FaultState, bool, bool], None]


class Faults:
    """Thread-safe fault switchboard for one cluster (set from tests, read by the server).

    `bind` connects it to the running server, which then opens, closes or blackholes the
    cluster's port and cuts open watches (or log streams) before `set` returns.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = FaultState()
        self._rng = random.Random(7)
        self._apply: Apply | None = None

    @property
    def state(self) -> FaultState:
        """The current settings."""
        with self._lock:
            return self._state

    def bind(self, apply: Apply) -> None:
        """Call apply(new_state, drop_watches_now, drop_logs_now) after every change."""
        self._apply = apply

    def set(self, **settings: object) -> None:
        """Change some settings (unknown names raise TypeError, bad values ValueError);
        the others keep their values. `drop_watches=True` cuts the open watches once,
        `drop_logs=True` the open log follow streams."""
        checked = validate(settings)
        drop = bool(checked.pop(DROP, False))
        drop_logs = bool(checked.pop(DROP_LOGS, False))
        with self._lock:
            self._state = replace(self._state, **checked)  # type: ignore[arg-type]
            state = self._state
        if self._apply is not None:
            self._apply(state, drop, drop_logs)

    def clear(self) -> None:
        """Back to a healthy cluster."""
        with self._lock:
            self._state = FaultState()
        if self._apply is not None:
            self._apply(self._state, False, False)

    def reseed(self, seed: int) -> None:
        """Restart the dice `error_rate` rolls (one per request) from `seed`: the same
        sequence of requests then fails the same way on every run."""
        with self._lock:
            self._rng.seed(seed)

    def injected_error(self, committing: bool = False) -> ApiError | None:
        """The error this request should fail with, if any (`committing`: a write that
        changes the cluster, see `error_writes`)."""
        state = self.state
        if state.throttle:
            return too_many_requests(state.retry_after)
        if state.error_writes and not committing:
            return None
        with self._lock:
            roll = self._rng.random()
        if state.error_rate and roll < state.error_rate:
            if state.error_status == 429:
                return too_many_requests(state.retry_after)
            if state.error_status == 500:
                return internal_error("etcdserver: request timed out")
            reason = _REASONS.get(state.error_status, "")
            return ApiError(state.error_status, reason,
                            "the server is currently unable to handle the request"
                            if state.error_status == 503 else
                            f"simulated failure (HTTP {state.error_status})", {})
        return None
