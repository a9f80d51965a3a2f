"""`kubechat sim serve`: run the simulated fleet in the foreground."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from kubechat_tui.cli.common import UsageError
from kubechat_tui.config import paths

KUBECONFIG_NAME = "sim-kubeconfig.yaml"


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Register `sim serve`."""
    sim = subparsers.add_parser("sim", help="simulated Kubernetes fleet (demo and tests)")
    actions = sim.add_subparsers(dest="sim_command", metavar="ACTION", required=True)
    serve = actions.add_parser("serve", help="serve a simulated fleet until Ctrl-C")
    serve.add_argument("--scenario", default="incident", choices=("incident", "scale"),
                       help="which fleet to simulate (default: incident)")
    serve.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    serve.add_argument("--kubeconfig-out", metavar="PATH",
                       help="where to write the kubeconfig (default: <demo data dir>/"
                            f"{KUBECONFIG_NAME})")
    serve.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Start the server, print how to reach it, block until Ctrl-C/SIGTERM, stop cleanly."""
    from kubechat_tui.sim import SimServer

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {args.port}")
    server = SimServer(scenario=args.scenario, port=args.port)
    try:
        server.start()
    except RuntimeError as exc:
        raise UsageError(str(exc)) from None
    target = Path(args.kubeconfig_out).expanduser() if args.kubeconfig_out else (
        paths.data_dir(demo=True) / KUBECONFIG_NAME)
    try:
        path = server.write_kubeconfig(target)
    except OSError as exc:
        server.stop()
        raise UsageError(f"cannot write kubeconfig {target}: {exc.strerror or exc}") from None
    print(f"kubechat sim: scenario {args.scenario}, {len(server.clusters)} clusters at "
          f"{server.base_url}/clusters/<name>", flush=True)
    print(f"kubeconfig: {path}  (try: KUBECONFIG={path} kubectl get pods -A)", flush=True)
    print("press Ctrl-C to stop", flush=True)
    done = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
    print("kubechat sim: stopped", flush=True)
    return 0
