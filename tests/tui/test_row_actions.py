"""Row actions and navigation on the simulated fleet (real HTTP): `:KIND` with k9s short names
and custom resources by discovery, an unknown kind as one line, drill-down and back, logs
of a chosen container, and the fleet health card jumping to its groups."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.screens.choice_screen import ChoiceScreen
from kubechat_tui.tui.screens.main_screen import MainScreen
from kubechat_tui.tui.widgets.health_card import HealthCard
from kubechat_tui.tui.widgets.log_panel import LogPanel
from kubechat_tui.tui.widgets.status_bar import StatusBar
from tests.tui.helpers import SIZE, loaded, main_screen, screen_text, wait_for

Factory = Callable[..., KubechatApp]


def names(screen: MainScreen) -> list[str]:
    kind = screen.current_kind()
    return [row[kind.key_columns[2]] for row in screen.table.model.view]


async def show(pilot: object, screen: MainScreen, command: str) -> None:
    await pilot.press("colon", *command, "enter")  # type: ignore[attr-defined]
    await wait_for(pilot, loaded(pilot), what=f":{command}")  # type: ignore[arg-type]


@pytest.mark.parametrize(("word", "kind", "name"), [
    ("svc", "services", "payments-api"), ("sts", "statefulsets", None),
    ("ds", "daemonsets", "kube-proxy"), ("rs", "replicasets", None),
    ("job", "jobs", None), ("cj", "cronjobs", "ledger-reconcile"),
    ("cm", "configmaps", "kube-root-ca.crt"), ("secret", "secrets", "stripe-api-key"),
    ("ing", "ingresses", "payments"), ("pvc", "persistentvolumeclaims", "ledger-data"),
    ("ns", "namespaces", "payments"), ("hpa", "horizontalpodautoscalers", "payments-api"),
])
async def test_short_names_show_each_kind(make_console: Factory, word: str, kind: str,
                                          name: str | None) -> None:
    app = make_console(clusters=["prod-eu"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        await pilot.press("colon", *word, "enter")
        await wait_for(pilot, lambda: screen.scope.kind == kind and
                       (name is None or name in names(screen)), what=f":{word}")


async def test_a_custom_resource_is_found_by_discovery(make_console: Factory) -> None:
    app = make_console(clusters=["prod-eu"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        await pilot.press("colon", *"cert", "enter")
        await wait_for(pilot, lambda: "payments-tls" in names(screen), what=":cert")
        assert screen.scope.kind == "certificates.cert-manager.io"
        assert screen.table.model.columns == ("CLUSTER", "NAMESPACE", "NAME", "READY",
                                              "SECRET", "AGE")
        assert screen.table.model.view[0][3] == "True"


async def test_an_unknown_kind_is_one_line_and_the_console_goes_on(
        make_console: Factory) -> None:
    app = make_console(clusters=["prod-eu"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        await pilot.press("colon", *"frobnicators", "enter")
        bar = screen.query_one(StatusBar)
        await wait_for(pilot, lambda: bar.has_class("-error"), what="the error line")
        assert bar.message.startswith("unknown command or kind :frobnicators")
        assert "\n" not in bar.message and screen.scope.kind == "pods"
        await show(pilot, screen, "svc")
        assert screen.scope.kind == "services"


async def test_enter_drills_from_a_deployment_to_its_pods_and_escape_comes_back(
        make_console: Factory) -> None:
    app = make_console(clusters=["prod-eu"], namespace="payments")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        await show(pilot, screen, "deploy")
        await pilot.press("slash", *"payments-api", "enter")
        await wait_for(pilot, lambda: screen.selected is not None and
                       screen.selected.name == "payments-api", what="the deployment")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.scope.kind == "pods" and loaded(pilot)(),
                       what="its pods")
        assert screen.scope.label_selector == "app=payments-api"
        assert set(names(screen)) and all(n.startswith("payments-api-") for n in names(screen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.scope.kind == "deployments", what="back")
        assert screen.table.model.filter_text == "payments-api"


async def test_enter_on_a_node_shows_its_pods(make_console: Factory) -> None:
    app = make_console(clusters=["prod-eu"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        await show(pilot, screen, "nodes")
        await wait_for(pilot, lambda: screen.selected is not None, what="a node")
        node = screen.selected.name if screen.selected else ""
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.scope.kind == "pods" and loaded(pilot)(),
                       what="its pods")
        assert screen.table.model.filter_text == f"node:{node}"
        assert screen.table.model.view and all(row[7] == node
                                               for row in screen.table.model.view)


async def test_logs_pick_a_container_and_its_previous_instance(make_console: Factory) -> None:
    app = make_console(clusters=["prod-eu"], namespace="payments")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        await pilot.press("slash", *"payments-api", "enter", "g")
        await wait_for(pilot, lambda: screen.selected is not None and
                       screen.selected.name.startswith("payments-api"), what="an api pod")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="picker")
        assert [value for value, _ in app.screen.choices] == ["api", "sidecar"]
        await pilot.press("enter")
        panel = screen.query_one(LogPanel)
        await wait_for(pilot, lambda: "(previous instance)" in str(panel.border_title),
                       what="the previous instance's log")
        assert "· api" in str(panel.border_title) and panel.line_count > 0
        assert panel.has_focus


async def test_the_health_card_jumps_to_a_group(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        await wait_for(pilot, lambda: screen.health_shown, what="the card on start")
        await pilot.press("colon", *"health", "enter")
        await wait_for(pilot, lambda: isinstance(screen.focused, HealthCard), what=":health")
        card = screen.focused
        assert isinstance(card, HealthCard)
        labels = [(g.cluster, g.label) for g in card.groups]
        # crash-looping pods pass through Error between back-offs: their count moves
        assert card.groups[0].cluster == "prod-eu"
        assert card.groups[0].label.endswith("pod(s) CrashLoopBackOff")
        assert ("prod-us", "1 of 4 node(s) not ready") in labels
        assert ("canary", "2 pod(s) ImagePullBackOff") in labels
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.scope.clusters == ("prod-eu",) and loaded(pilot)(),
                       what="the group in the table")
        assert screen.table.model.filter_text == "status:CrashLoopBackOff"
        assert screen.table.model.view and all(row[4] == "CrashLoopBackOff"
                                               for row in screen.table.model.view)
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(screen.scope.clusters) == 4, what="back")


async def test_secrets_list_without_their_values(make_console: Factory) -> None:
    app = make_console(clusters=["prod-eu"], namespace="payments")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        await pilot.press("colon", *"secret", "enter")
        await wait_for(pilot, lambda: "payments-db-credentials" in names(screen), what="secrets")
        assert screen.table.model.columns == ("CLUSTER", "NAMESPACE", "NAME", "TYPE", "DATA",
                                              "AGE")
        row = next(r for r in screen.table.model.view if r[2] == "payments-db-credentials")
        assert row[3:5] == ("Opaque", "2")
        assert not any("pR0d-Ledger" in cell or "payments_app" in cell
                       for r in screen.table.model.view for cell in r)


async def test_a_custom_resource_row_describes(make_console: Factory) -> None:
    app = make_console(clusters=["prod-eu"], namespace="payments")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        await pilot.press("colon", *"cert", "enter")
        await wait_for(pilot, lambda: "payments-tls" in names(screen), what=":cert")
        await wait_for(pilot, lambda: screen.selected is not None, what="the row")
        await pilot.press("d")
        await wait_for(pilot, lambda: screen.shown_detail == screen.selected, what="describe")
        assert "letsencrypt" in screen_text(app)
