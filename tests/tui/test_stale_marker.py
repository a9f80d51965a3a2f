"""The console says when a cluster's rows are not kept current: status bar and banner."""

from __future__ import annotations

from collections.abc import Callable

from kubechat_tui.kube.types import DataState, LoadProgress
from kubechat_tui.sim import SimServer
from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.widgets.context_banner import ContextBanner
from kubechat_tui.tui.widgets.status_bar import StatusBar, progress_text
from tests.tui.helpers import SIZE, loaded, rich_text, wait_for

Factory = Callable[..., KubechatApp]


async def test_a_failing_watch_is_marked_stale_until_it_recovers(
        make_console: Factory, sim_server: SimServer) -> None:
    app = make_console()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, loaded(pilot), what="rows")

            def bar() -> str:
                return rich_text(app.screen.query_one(StatusBar).render(), 300)

            def banner() -> str:
                return rich_text(app.screen.query_one(ContextBanner).render(), 300)

            await wait_for(pilot, lambda: "loaded 4/4 clusters" in bar(), what="all current")
            assert "STALE" not in banner()
            sim_server.faults("staging").set(error_rate=1.0, error_status=503,
                                             drop_watches=True)
            await wait_for(pilot, lambda: "HTTP 503" in bar(), timeout=15, what="stale mark")
            assert "loaded 3/4 clusters, 1 stale (staging: not updated for " in bar()
            await wait_for(pilot, lambda: "STALE" in banner(), what="banner badge")
            assert banner().count("STALE") == 1
            sim_server.faults("staging").clear()
            await wait_for(pilot, lambda: "loaded 4/4 clusters" in bar(), timeout=15,
                           what="recovery")
            assert "stale" not in bar()
            await wait_for(pilot, lambda: "STALE" not in banner(), what="badge cleared")
    finally:
        sim_server.faults("staging").clear()


def test_the_summary_counts_only_current_clusters_as_loaded() -> None:
    progress = {
        "prod-eu": LoadProgress("prod-eu", 20, True, state=DataState.CURRENT),
        "prod-us": LoadProgress("prod-us", 20, True, "HTTP 503: unavailable", state=DataState.STALE,
                                since=100.0),
        "staging": LoadProgress("staging", 7, True, state=DataState.RECONNECTING, since=140.0),
        "canary": LoadProgress("canary", 0, False, "unreachable: connection refused",
                               state=DataState.FAILED),
    }
    text = progress_text(progress, now=142.0).plain
    assert text == ("loaded 2/4 clusters, 1 stale (prod-us: not updated for 42s: "
                    "HTTP 503: unavailable) · canary: unreachable: connection refused")
