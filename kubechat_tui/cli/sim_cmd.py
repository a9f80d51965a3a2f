"""`kubechat sim serve`: run the simulated fleet in the foreground."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path
from typing import Any

from kubechat_tui.cli.common import UsageError
from kubechat_tui.config import paths

KUBECONFIG_NAME = "sim-kubeconfig.yaml"
SCENARIOS = ("incident", "scale", "insights")
SHOWN_CLUSTERS = 8
FAULTS_HELP = """\
faults (per cluster, at start with --fault, or at runtime over the control endpoint):
  --fault CLUSTER:KIND[=VALUE]   repeatable; CLUSTER may be '*' for every cluster
    latency=MS           answer every request MS milliseconds late
    error-rate=RATE      fail this share (0..1) of requests, with
    error-status=CODE      this HTTP status (default 500; 429 sends Retry-After)
    throttle[=SECONDS]   answer every request 429 Too Many Requests, Retry-After SECONDS
    unreachable          close the cluster's port: `connect: connection refused`
    timeout              blackhole the port: connections time out (requests on
                         connections opened before wait until the fault is cleared)
    flap-watches=SECONDS cut every watch SECONDS after it opens
    error-writes         error-rate fails only writes that change the cluster (a dry
                         run passes, the real write fails)
    hold-writes=MS       apply such a write, then hold its answer MS milliseconds
    refuse-upgrades      exec answers `Upgrade request required`, as behind a proxy that
                         drops WebSocket upgrades
    exec-v4-only         exec speaks only v4.channel.k8s.io (an older API server)
  control endpoint (loopback, plain HTTP; the address is printed at start):
    curl -s -X POST http://127.0.0.1:PORT/_sim/faults/prod-us -d '{"latency_ms": 200}'
    curl -s -X POST http://127.0.0.1:PORT/_sim/faults/prod-us -d '{"drop_watches": true}'
    curl -s -X POST http://127.0.0.1:PORT/_sim/faults/prod-us -d '{"unreachable": true}'
    curl -s -X DELETE http://127.0.0.1:PORT/_sim/faults/prod-us   (healthy again)
    curl -s http://127.0.0.1:PORT/_sim/faults                     (every cluster's faults)
    curl -s -X POST http://127.0.0.1:PORT/_sim/compact/prod-us    (old resourceVersions: 410)
  JSON keys: latency_ms, error_rate, error_status, throttle, retry_after, unreachable,
  blackhole, flap_watches, error_writes, hold_writes_ms, refuse_upgrades, exec_v4_only,
  and drop_watches (a one-shot: cuts the watches open right now).
"""


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Register `sim serve`."""
    sim = subparsers.add_parser("sim", help="simulated Kubernetes fleet (demo and tests)")
    actions = sim.add_subparsers(dest="sim_command", metavar="ACTION", required=True)
    serve = actions.add_parser(
        "serve", help="serve a simulated fleet until Ctrl-C",
        description="Serve a simulated fleet on 127.0.0.1, one HTTPS port per cluster, and "
                    "write a kubeconfig with a context per cluster and identity.",
        epilog=FAULTS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.add_argument("--scenario", default="incident", choices=SCENARIOS,
                       help="which fleet to simulate (default: incident)")
    serve.add_argument("--port", type=int, default=0,
                       help="port of the control endpoint on 127.0.0.1; the clusters take the "
                            "ports after it (default: free ports)")
    serve.add_argument("--kubeconfig-out", metavar="PATH",
                       help="where to write the kubeconfig (default: <demo data dir>/"
                            f"{KUBECONFIG_NAME})")
    serve.add_argument("--fault", action="append", default=[], metavar="CLUSTER:KIND[=VALUE]",
                       help="inject a fault from the start (repeatable; see below)")
    serve.set_defaults(func=run_serve)


def _faults(specs: list[str], clusters: list[str]) -> list[tuple[str, dict[str, object]]]:
    """The --fault flags as (cluster, settings), checked before anything starts."""
    from kubechat_tui.sim.faults import parse_flag

    out = []
    for spec in specs:
        try:
            cluster, settings = parse_flag(spec)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if cluster != "*" and cluster not in clusters:
            raise UsageError(f"--fault {spec!r}: unknown cluster {cluster!r} (clusters: "
                             f"{', '.join(clusters)})")
        out += [(name, settings) for name in (clusters if cluster == "*" else [cluster])]
    return out


def _where(server: Any) -> str:
    names = server.clusters
    shown = ", ".join(f"{name} {server.cluster_url(name)}" for name in names[:SHOWN_CLUSTERS])
    more = f", ... ({len(names) - SHOWN_CLUSTERS} more)" if len(names) > SHOWN_CLUSTERS else ""
    return f"{len(names)} clusters: {shown}{more}"


def run_serve(args: argparse.Namespace) -> int:
    """Start the server, print how to reach it, block until Ctrl-C/SIGTERM, stop cleanly."""
    from kubechat_tui.sim import SimServer

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {args.port}")
    try:
        server = SimServer(scenario=args.scenario, port=args.port)
    except ValueError as exc:
        raise UsageError(f"--port: {exc}") from None
    faults = _faults(args.fault, server.clusters)
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
    for cluster, settings in faults:
        server.faults(cluster).set(**settings)
    done = threading.Event()  # SIGTERM handled before the kubeconfig is announced
    previous = signal.signal(signal.SIGTERM, lambda *_: done.set())
    print(f"kubechat sim: scenario {args.scenario}, {_where(server)}", flush=True)
    print(f"kubeconfig: {path}  (try: KUBECONFIG={path} kubectl get pods -A)", flush=True)
    print(f"fault control: {server.control_url}/_sim/faults/<cluster>  "
          "(see: kubechat sim serve --help)", flush=True)
    for cluster, settings in faults:
        print(f"fault on {cluster}: {', '.join(f'{k}={v}' for k, v in settings.items())}",
              flush=True)
    print("press Ctrl-C to stop", flush=True)
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
