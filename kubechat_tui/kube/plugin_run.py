"""Run a credential plugin within bounds: wall time, bytes of output, and the terminal only
when it may be used.

Not interactive: standard input is /dev/null, standard error is captured (its tail is the
failure message) and the plugin runs in its own session, so a timeout kills everything
it started. Interactive: the plugin shares our terminal (standard input and error) to
prompt the user; a timeout kills the plugin itself.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kubechat_tui.kube.limits import MAX_PLUGIN_STDERR, MAX_PLUGIN_STDOUT, size_text

READ_CHUNK = 1 << 16


class PluginRunError(Exception):
    """The plugin could not run or did not finish within its bounds (message: one line)."""


@dataclass(frozen=True)
class PluginOutput:
    """A finished run: exit code, standard output, the tail of standard error."""

    code: int
    stdout: bytes
    stderr: bytes


def run_plugin(argv: Sequence[str], env: Mapping[str, str], *, interactive: bool,
               timeout: float) -> PluginOutput:
    """Run `argv` to completion within `timeout` seconds; PluginRunError otherwise."""
    try:
        process = subprocess.Popen(
            list(argv), env=dict(env), stdout=subprocess.PIPE,
            stdin=None if interactive else subprocess.DEVNULL,
            stderr=None if interactive else subprocess.PIPE,
            start_new_session=not interactive)
    except FileNotFoundError:
        raise PluginRunError("not found") from None
    except OSError as exc:
        raise PluginRunError(f"cannot run: {(exc.strerror or str(exc)).lower()}") from None
    deadline = time.monotonic() + timeout
    try:
        stdout, stderr = _collect(process, deadline, timeout)
        code = process.wait(max(0.0, deadline - time.monotonic()))
    except (PluginRunError, subprocess.TimeoutExpired) as exc:
        _kill(process, own_session=not interactive)
        raise PluginRunError(str(exc) if isinstance(exc, PluginRunError)
                             else _late(timeout)) from None
    finally:
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        process.wait()
    return PluginOutput(code, stdout, stderr)


def _collect(process: subprocess.Popen[bytes], deadline: float,
             timeout: float) -> tuple[bytes, bytes]:
    """Read standard output (bounded) and error (its tail) until both close."""
    out, err = bytearray(), bytearray()
    buffers = {stream.fileno(): buffer for stream, buffer in
               ((process.stdout, out), (process.stderr, err)) if stream is not None}
    with selectors.DefaultSelector() as selector:
        for fd in buffers:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                raise PluginRunError(_late(timeout))
            for key, _ in selector.select(left):
                chunk = os.read(key.fd, READ_CHUNK)
                if not chunk:
                    selector.unregister(key.fd)
                    continue
                buffers[key.fd] += chunk
                if len(out) > MAX_PLUGIN_STDOUT:
                    raise PluginRunError(f"printed more than {size_text(MAX_PLUGIN_STDOUT)}")
                del err[:-MAX_PLUGIN_STDERR]
    return bytes(out), bytes(err)


def _late(timeout: float) -> str:
    return f"did not finish within {timeout:g} s (kube.exec_timeout_seconds)"


def _kill(process: subprocess.Popen[bytes], own_session: bool) -> None:
    """Kill the run: its whole session when it has one (signalled before the plugin is
    reaped, so the group id cannot have been reused)."""
    try:
        if own_session:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass
