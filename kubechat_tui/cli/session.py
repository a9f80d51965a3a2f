"""Open a session from command-line flags: settings, fleet, scope, data dir (and the demo).

Every problem with the config file, the kubeconfig or the flags surfaces as a UsageError
(one line, exit code 2) before anything is written. `--demo` keeps all state under the
demo data dir (config `storage.path` is ignored, so demo approvals never reach a real
database) and uses one simulated fleet for every `--demo` command while one runs: it
attaches to the fleet another `--demo` process recorded once that fleet has proven to be
the recorded simulator, or starts the simulator in-process and records it until it stops
(`cli.demo_fleet`; trust model in `cli.demo_server`). A demo session never loads any
other kubeconfig, so only it may use the demo's approval rule (`Session.demo_rules`).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubechat_tui.cli.common import UsageError
from kubechat_tui.cli.demo_fleet import DemoFleet, start_demo
from kubechat_tui.config import paths
from kubechat_tui.config.guard_source import GuardOverrideError
from kubechat_tui.config.loader import ConfigError, load_settings
from kubechat_tui.config.settings import Settings, check_namespace
from kubechat_tui.kube.errors import KubeconfigError
from kubechat_tui.kube.fleet import Fleet

ALL_CLUSTERS = "all"
DEMO_CLUSTER_SETS = {
    "prod": ["prod-eu", "prod-us"],
    "staging": ["staging"],
    "canary": ["canary"],
}


@dataclass(frozen=True)
class SessionScope:
    """What the session looks at first: clusters (maybe a named set) and namespace."""

    clusters: tuple[str, ...]
    namespace: str | None = None
    cluster_set: str | None = None  # a saved set, "all", or None (chosen by --context)
    label_selector: str | None = None  # -l/--selector


@dataclass
class Session:
    """Everything a command needs; close() stops the fleet (and the demo simulator)."""

    settings: Settings
    fleet: Fleet
    scope: SessionScope
    data_dir: Path
    kubeconfig: str | None = None
    demo_fleet: DemoFleet | None = None  # --demo: the proven simulator the fleet talks to
    incident: str = ""  # the active incident's banner label when the console starts
    _closed: bool = field(default=False, repr=False)

    @property
    def demo_rules(self) -> bool:
        """Whether the demo's weaker approval rule may apply: only on a demo session,
        whose fleet is a simulator this process started or proved (never a kubeconfig)."""
        return self.demo_fleet is not None

    def close(self) -> None:
        """Stop health checks, close connections, stop the simulator we own and remove
        its record, or drop our copy of the attached one's kubeconfig (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.fleet.close()
        if self.demo_fleet is not None:
            self.demo_fleet.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_session(args: argparse.Namespace) -> Session:
    """A session for the shared fleet flags; raises UsageError (one line) on bad input."""
    demo = bool(getattr(args, "demo", False))
    kubeconfig = getattr(args, "kubeconfig", None)
    contexts = list(getattr(args, "context", None) or [])
    if demo and kubeconfig:
        raise UsageError("--demo runs its own simulated fleet: drop --kubeconfig")
    settings = session_settings(args, demo)
    demo_fleet = start_demo(settings) if demo else None
    if demo_fleet is not None:
        settings = demo_fleet.serve_integrations(settings)
        kubeconfig = str(demo_fleet.kubeconfig)
    try:
        fleet = Fleet.from_kubeconfig(settings, kubeconfig, contexts)
        if settings.ai_from_cluster:
            from kubechat_tui.planner.cluster_provider import ai_from_cluster

            settings = settings.model_copy(update={
                "ai": ai_from_cluster(fleet, settings.ai_from_cluster, settings.ai)})
        scope = choose_scope(fleet, settings, args, demo)
        if not demo and not contexts and scope.cluster_set is None:
            for cluster in scope.clusters:  # the current context: unusable is bad input,
                fleet.client(cluster)       # as for kubectl (a failing plugin: exit 2)
    except (KubeconfigError, UsageError, ConfigError) as exc:
        if demo_fleet is not None:
            demo_fleet.close()
        raise UsageError(str(exc)) from None
    return Session(settings, fleet, scope, paths.data_dir(demo=demo), kubeconfig, demo_fleet)


def session_settings(args: argparse.Namespace, demo: bool) -> Settings:
    """Settings from --config (or the default file) and env, with flag overrides."""
    config = getattr(args, "config", None)
    overrides: dict[str, Any] = {}
    if getattr(args, "policy_from_cluster", None):
        overrides["policy_from_cluster"] = args.policy_from_cluster
    if getattr(args, "namespace", None):
        try:
            overrides["default_namespace"] = check_namespace(args.namespace)
        except ValueError as exc:
            raise UsageError(f"-n/--namespace: {exc}") from None
    try:
        settings = load_settings(Path(config).expanduser() if config else None, overrides)
    except GuardOverrideError as exc:
        from kubechat_tui.cli.guard_refusal import record_refused_override

        unaudited = record_refused_override(exc, paths.data_dir(demo=demo))
        raise UsageError(str(exc) + (f" ({unaudited})" if unaudited else "")) from None
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if demo and not settings.cluster_sets:
        settings = settings.model_copy(update={"cluster_sets": dict(DEMO_CLUSTER_SETS)})
    if demo and settings.storage.path is not None:  # the demo's state stays in its dir
        settings = settings.model_copy(update={
            "storage": settings.storage.model_copy(update={"path": None})})
    return settings


def choose_scope(fleet: Fleet, settings: Settings, args: argparse.Namespace,
                 demo: bool) -> SessionScope:
    """Clusters: --context's, else --cluster-set, else (demo: all) the current context's
    cluster, else all. Namespace: -n, else the namespace every chosen cluster's context
    sets (as kubectl), else `default_namespace`. Label selector: -l."""
    known = fleet.cluster_names()
    set_name = getattr(args, "cluster_set", None)
    selector = label_selector(args)
    if getattr(args, "context", None):
        if set_name:
            raise UsageError("--context and --cluster-set choose clusters both: use one")
        clusters, chosen_set = tuple(known), None
    elif set_name:
        if set_name not in settings.cluster_sets:
            have = ", ".join(settings.cluster_sets) or "none configured"
            raise UsageError(f"--cluster-set: unknown cluster set {set_name!r} "
                             f"(cluster sets: {have})")
        clusters = tuple(c for c in settings.cluster_sets[set_name] if c in known)
        if not clusters:
            raise UsageError(f"--cluster-set: set {set_name!r} has no cluster in the kubeconfig")
        chosen_set = set_name
    elif not demo and fleet.current_cluster is not None:
        clusters, chosen_set = (fleet.current_cluster,), None
    else:
        clusters, chosen_set = tuple(known), ALL_CLUSTERS
    return SessionScope(clusters, session_namespace(fleet, settings, args, clusters),
                        chosen_set, selector)


def session_namespace(fleet: Fleet, settings: Settings, args: argparse.Namespace,
                      clusters: tuple[str, ...]) -> str | None:
    """-n, else the one namespace the clusters' contexts agree on, else the config's."""
    if getattr(args, "namespace", None):
        return str(args.namespace)
    from_contexts = {fleet.namespace_of(c) for c in clusters}
    if len(from_contexts) == 1 and None not in from_contexts:
        return from_contexts.pop()
    return settings.default_namespace


def label_selector(args: argparse.Namespace) -> str | None:
    """-l/--selector, checked like a selector a request states (UsageError when not one)."""
    from kubechat_tui.planner.text import is_selector

    selector = getattr(args, "selector", None)
    if selector is None:
        return None
    if not is_selector(selector):
        raise UsageError(f"-l/--selector: {selector!r} is not a label selector "
                         "(e.g. app=payments-api,tier in (web,api))")
    return str(selector)
