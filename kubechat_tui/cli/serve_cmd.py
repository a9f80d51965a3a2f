"""`kubechat serve`: the console in a browser (textual-serve), behind a token.

Every browser connection runs its own console process (`kubechat` with the same fleet
flags) whose screen textual-serve streams over a WebSocket."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import secrets
import shlex
import signal
import sys
from importlib.util import find_spec
from typing import Any

from kubechat_tui.cli.common import UsageError

TOKEN_ENV = "KUBECHAT_SERVE_TOKEN"
MIN_TOKEN_LENGTH = 16
SHUTDOWN_TIMEOUT_S = 3.0  # open tabs at SIGTERM: then their consoles are told to quit
SERVE_EXTRA_HINT = "pip install 'kubechat-tui[serve]'"
FORWARDED = (  # the shared fleet flags a console process is started with
    ("--cluster-set", "cluster_set"),
    ("--namespace", "namespace"),
    ("--selector", "selector"),
    ("--kubeconfig", "kubeconfig"),
    ("--config", "config"),
    ("--policy-from-cluster", "policy_from_cluster"),
)
EPILOG = f"""\
token: --token, else ${TOKEN_ENV}, else a new random one per start (printed in the URL).
  Open the URL once: the token becomes an HttpOnly cookie. Scripts may send
  `Authorization: Bearer TOKEN`. GET /healthz answers 200 without a token.
  A host other than loopback needs a given token (--token or ${TOKEN_ENV}).
exit codes: 0 stopped (Ctrl-C, SIGTERM); 2 bad flags, a non-loopback host without a
  given token, the port cannot be bound, or the serve extra is not installed
"""


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Register `serve`."""
    serve = subparsers.add_parser(
        "serve",
        parents=[parent],
        help="serve the console in a browser, behind a token",
        description="Serve the console over HTTP with textual-serve; each browser tab runs "
        "its own console on the same fleet flags.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument(
        "--port",
        type=int,
        default=8000,
        help="port to listen on (default: 8000; 0 picks a free one)",
    )
    serve.add_argument("--token", help=f"the access token (default: ${TOKEN_ENV} or random)")
    serve.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Check the flags, start the server, print the URL, serve until Ctrl-C/SIGTERM."""
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {args.port}")
    given = args.token if args.token is not None else os.environ.pop(TOKEN_ENV, None)
    if given is None and not is_loopback(args.host):
        raise UsageError(
            f"--host {args.host} is not loopback: give a token with --token or "
            f"${TOKEN_ENV} (or use an auth proxy in front of 127.0.0.1)"
        )
    if given is not None and len(given) < MIN_TOKEN_LENGTH:
        raise UsageError(f"the token must have at least {MIN_TOKEN_LENGTH} characters")
    if find_spec("textual_serve") is None:
        raise UsageError(f"kubechat serve needs textual-serve: {SERVE_EXTRA_HINT}")
    token = given or secrets.token_urlsafe(24)
    shown = "<token>" if given else token
    asyncio.run(
        _serve(
            args,
            token,
            lambda url: print(
                f"kubechat serve: open {url}?token={shown}  (Ctrl-C stops)", flush=True
            ),
        )
    )
    return 0


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (names other than localhost are not)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def console_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs per connection: the console on these flags."""
    program = (
        [sys.executable]
        if getattr(sys, "frozen", False)
        else [sys.executable, "-m", "kubechat_tui"]
    )
    argv = ["--demo"] if args.demo else []
    for context in args.context or ():
        argv += ["--context", context]
    for flag, dest in FORWARDED:
        value = getattr(args, dest, None)
        if value:
            argv += [flag, value]
    return shlex.join([*program, *argv])


async def _serve(args: argparse.Namespace, token: str, announce: Any) -> None:
    from aiohttp import web

    from kubechat_tui.tui.web_server import console_server

    app = await console_server(console_command(args), token).make_app()
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT_S)
    await runner.setup()
    try:
        await web.TCPSite(runner, args.host, args.port).start()
    except OSError as exc:
        await runner.cleanup()
        raise UsageError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    host = f"[{host}]" if ":" in host else host
    announce(f"http://{host}:{runner.addresses[0][1]}/")
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
