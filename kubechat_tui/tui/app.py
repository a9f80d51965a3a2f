"""The Textual application: wires settings, fleet and scope into the main screen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App
from textual.binding import BindingType

from kubechat_tui.config.settings import Settings
from kubechat_tui.tui.ages import Clock, system_clock
from kubechat_tui.tui.backend import FleetLike, KubeBackend, PlannerLike, default_backend
from kubechat_tui.tui.bindings import APP_BINDINGS, unknown_keymap_ids
from kubechat_tui.tui.detail_fetch import one_line
from kubechat_tui.tui.engine_slot import EngineSlot
from kubechat_tui.tui.palette import ConsoleCommands
from kubechat_tui.tui.scope import ALL_CLUSTERS, ScopeNavigator, ViewScope
from kubechat_tui.tui.screens.main_screen import MainScreen
from kubechat_tui.tui.themes import load_themes

if TYPE_CHECKING:  # the engine is imported when it is first opened (keeps startup fast)
    from kubechat_tui.engine.wiring import EngineHandle
    from kubechat_tui.tui.log_tail_request import LogTailRequest
    from kubechat_tui.tui.screens.log_tail_screen import TailFactory

FALLBACK_THEME = "textual-dark"
# Imported with the engine, in its worker thread (together they take seconds).
ENGINE_SCREENS = ("kubechat_tui.tui.screens.preview_screen",
                  "kubechat_tui.tui.screens.approvals_screen",
                  "kubechat_tui.tui.screens.audit_screen",
                  "kubechat_tui.tui.screens.exec_screen",
                  "kubechat_tui.tui.screens.timeline_screen",
                  "kubechat_tui.tui.screens.policy_screen")


class KubechatApp(App[int]):
    """The console. Everything it reads comes in through the constructor."""

    CSS_PATH = "app.tcss"
    TITLE = "kubechat"
    BINDINGS: ClassVar[list[BindingType]] = list(APP_BINDINGS)
    COMMANDS = App.COMMANDS | {ConsoleCommands}

    def __init__(self, settings: Settings, fleet: FleetLike, scope: ViewScope, *,
                 backend: KubeBackend | None = None, clock: Clock = system_clock,
                 planner: PlannerLike | None = None, engine: EngineSlot | None = None,
                 theme_dirs: list[Path] | None = None, start_fleet: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.fleet = fleet
        self.initial_scope = scope
        self.backend = backend or default_backend()
        self.clock = clock
        self.planner = planner
        self.engine = engine
        self.last_execution: str | None = None  # the newest execution with a rollback
        self.incident_label = ""  # the active incident, shown in the context banner
        routes = getattr(fleet, "routes", None)
        self.navigator = ScopeNavigator(fleet.cluster_names(), settings.cluster_sets,
                                        routes() if callable(routes) else None)
        self.startup_warnings: list[str] = []
        self.kubechat_themes: list[str] = []
        self._theme_dirs = theme_dirs
        self._start_fleet = start_fleet
        self.crash: Exception | None = None  # the first unexpected exception; see run_app
        self.accepting_keys = False  # until the main screen is ready: see on_event
        self.keys_dropped = 0
        self.log_tail_factory: TailFactory | None = None  # tests and benches: fake streams

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected exception: Textual ends the app (return code 1); keep the error for
        `run_app` to raise, instead of Textual printing its traceback, which shows local
        values and untrusted text, on the terminal."""
        if self.crash is None:
            self.crash = error
        super()._handle_exception(error)
        self._exit_renderables.clear()  # Textual prints these after leaving app mode

    def on_mount(self) -> None:
        themes, problems = load_themes(self._theme_dirs)
        for theme in themes:
            self.register_theme(theme)
        self.kubechat_themes = [t.name for t in themes]
        self.startup_warnings.extend(problems)
        try:
            self.use_theme(self.settings.theme)
        except ValueError as exc:
            self.startup_warnings.append(str(exc))
            self.theme = FALLBACK_THEME
        unknown = unknown_keymap_ids(self.settings.keymap)
        if unknown:
            self.startup_warnings.append(f"config: keymap: unknown binding id {unknown[0]!r}")
        self.set_keymap(self.settings.keymap)
        self.push_screen(MainScreen(self.initial_scope))

    async def on_event(self, event: events.Event) -> None:
        """Keys (and pastes) that reach the app before the main screen is ready for them
        are dropped, never run as shortcuts of a half-built screen. The app sees input in
        the order it was typed, so this is decided here, before any routing."""
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded \
                and not self.accepting_keys:
            self.keys_dropped += 1
            return
        await super().on_event(event)

    def accept_keys(self) -> int:
        """From now on keys are routed (the main screen calls this, through the app's own
        queue, once its table has focus); returns how many were dropped before."""
        self.accepting_keys = True
        return self.keys_dropped

    def start_fleet(self) -> None:
        """Start the fleet's health checks once (the main screen calls this after first paint)."""
        if self._start_fleet:
            self._start_fleet = False
            self.fleet.start()

    def with_engine(self, use: Callable[[EngineHandle], object],
                    failed: Callable[[str], None]) -> None:
        """Call `use(handle)` on the UI thread once the engine is open (the first time it
        opens in a thread worker); `failed(line)` when there is none or it cannot open."""
        slot = self.engine
        if slot is None:
            failed("guarded execution is not available in this console (no engine)")
        elif slot.handle is not None:
            use(slot.handle)
        else:
            self.run_worker(lambda: self._open_engine(slot, use, failed), thread=True,
                            group="engine-open")

    def _open_engine(self, slot: EngineSlot, use: Callable[[EngineHandle], object],
                     failed: Callable[[str], None]) -> None:
        from kubechat_tui.guard.policy import PolicyError

        try:
            handle = slot.get()
            for name in ENGINE_SCREENS:
                import_module(name)
        except PolicyError as exc:  # fail closed: nothing may change without a policy
            self.call_from_thread(failed, "policy file does not load, every change is "
                                  f"refused: {str(exc).splitlines()[0]}")
            return
        except Exception as exc:  # store, signing key, unreachable cluster: one line
            self.call_from_thread(failed, f"cannot open the engine: {one_line(exc)}")
            return
        self.call_from_thread(use, handle)

    def open_log_tail(self, request: LogTailRequest) -> None:
        """Open the live log tail of a pod, workload or selector (`:logs`, row actions)."""
        from kubechat_tui.tui.screens.log_tail_screen import LogTailScreen, fleet_tail

        factory = self.log_tail_factory or fleet_tail(self.fleet)
        self.push_screen(LogTailScreen(request, self.settings.kube.log_ring_lines, factory))

    def use_theme(self, name: str) -> None:
        """Switch theme; raises ValueError with a one-line message for unknown names."""
        if name not in self.available_themes:
            have = ", ".join(self.kubechat_themes) or "none loaded"
            raise ValueError(f"unknown theme {name!r} (have: {have})")
        self.theme = name


def initial_scope(fleet: FleetLike, settings: Settings, clusters: Sequence[str] = (),
                  namespace: str | None = None, cluster_set: str | None = None,
                  label_selector: str | None = None) -> ViewScope:
    """The first scope: given clusters (or a set, or all), namespace (or the default),
    label selector (-l)."""
    chosen = tuple(clusters) or tuple(fleet.cluster_names())
    if cluster_set is None and not clusters:
        cluster_set = ALL_CLUSTERS
    return ViewScope(
        clusters=chosen,
        namespace=namespace or settings.default_namespace,
        cluster_set=cluster_set,
        label_selector=label_selector,
    )


def session_planner(session: Any) -> PlannerLike:
    """The planner for a session: rules or LLM per settings, live counts through the fleet."""
    from kubechat_tui.kube.lookup import FleetView
    from kubechat_tui.planner.service import PlannerService

    return PlannerService(session.settings, FleetView(session.fleet),
                          contexts=session.fleet.routes(),
                          data_dir=getattr(session, "data_dir", None))


def build_app(session: Any, *, clock: Clock = system_clock,
              engine: EngineSlot | None = None) -> KubechatApp:
    """The console for an open session (its settings, fleet, scope, a planner and the
    engine slot, which the caller closes after the app exits)."""
    scope = session.scope
    return KubechatApp(
        session.settings,
        session.fleet,
        initial_scope(
            session.fleet, session.settings,
            clusters=getattr(scope, "clusters", ()) or (),
            namespace=getattr(scope, "namespace", None),
            cluster_set=getattr(scope, "cluster_set", None),
            label_selector=getattr(scope, "label_selector", None),
        ),
        clock=clock,
        planner=session_planner(session),
        engine=engine,
    )


def run_app(session: Any, engine: EngineSlot | None = None) -> int:
    """Run the console on an open session; returns the exit code, or raises the exception
    that ended it (the CLI reports it: one line, a saved traceback, exit code 70)."""
    app = build_app(session, engine=engine)
    app.incident_label = getattr(session, "incident", "")
    result = app.run()
    if app.crash is not None:
        raise app.crash
    return int(result or 0)
