"""The log tail screen: stern-style lines from the real fleet, and (on scripted streams)
pause with a new-lines count, filters that do not restart streams, a bad pattern as one
line, wrap and JSON level-first, save to a file, anomaly cards, untrusted text shown
literally."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kubechat_tui.domain.log_records import LogEvent, LogLine, StreamKey, TailOptions
from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.log_tail_request import LogTailRequest
from kubechat_tui.tui.screens.log_tail_screen import LogTailScreen
from tests.tui.helpers import SIZE, screen_text, wait_for

EU = StreamKey("prod-eu", "payments", "payments-api-1", "api")
US = StreamKey("prod-us", "payments", "payments-api-2", "sidecar")
NS = 1_000_000_000
T0 = 1_800_000_000 * NS


class ScriptedTail:
    """Streams the test feeds by hand; counts how often streams were (re)started."""

    started = 0

    def __init__(self, sink: Callable[[LogEvent], None]) -> None:
        self.sink = sink

    def start(self) -> ScriptedTail:
        ScriptedTail.started += 1
        return self

    def stop(self) -> None:
        pass

    def lines(self, texts: list[str], key: StreamKey = EU, at: float = 0.0,
              step: float = 0.01) -> None:
        for i, text in enumerate(texts):
            self.sink(LogLine(key, T0 + int((at + i * step) * NS), "2027-01-15T08:00:00Z",
                              text))


def scripted(app: KubechatApp) -> list[ScriptedTail]:
    tails: list[ScriptedTail] = []

    def factory(_request: LogTailRequest, _options: TailOptions,
                sink: Callable[[LogEvent], None]) -> ScriptedTail:
        tails.append(ScriptedTail(sink))
        return tails[-1]

    app.log_tail_factory = factory
    ScriptedTail.started = 0
    return tails


def tail_screen(app: KubechatApp) -> LogTailScreen:
    screen = app.screen
    assert isinstance(screen, LogTailScreen)
    return screen


async def test_logs_command_tails_a_workload_across_clusters(
        make_console: Callable[..., KubechatApp]) -> None:
    app = make_console(clusters=["prod-eu", "prod-us"], namespace="payments")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon", *"logs deploy/payments-api -c sidecar", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LogTailScreen), what="screen")
        screen = tail_screen(app)

        def both() -> bool:
            labels = {e.key.cluster for e in screen.model.entries
                      if isinstance(e.event, LogLine)}
            return labels == {"prod-eu", "prod-us"}

        await wait_for(pilot, both, timeout=20, what="lines from both clusters")
        text = screen_text(app)
        assert "prod-eu/payments-api-" in text and "/sidecar " in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, LogTailScreen))


async def test_pause_filters_wrap_json_and_save(make_console: Callable[..., KubechatApp],
                                                tmp_path: Path) -> None:
    app = make_console(clusters=["prod-eu"])
    tails = scripted(app)
    async with app.run_test(size=SIZE) as pilot:
        app.open_log_tail(LogTailRequest(("prod-eu", "prod-us"), "deploy/payments-api"))
        await wait_for(pilot, lambda: bool(tails), what="streams")
        screen = tail_screen(app)
        tails[0].lines(["booting", '{"level":"error","msg":"ledger down","attempt":3}'])
        tails[0].lines(["GET /healthz 200"], US)
        await wait_for(pilot, lambda: len(screen.model.entries) == 3, what="lines")

        await pilot.press("p")
        tails[0].lines([f"while paused {i}" for i in range(5)], at=1)
        await wait_for(pilot, lambda: screen.model.new_lines == 5, what="new lines counted")
        assert "paused · 5 new lines" in str(screen.view.border_subtitle)
        await pilot.press("p")
        assert screen.model.following and screen.model.new_lines == 0

        await pilot.press("slash", *"(a+", "enter")  # not a pattern: one line, no change
        assert "invalid pattern" in screen_text(app) and len(screen.model.entries) == 8
        await pilot.press("ctrl+a", "ctrl+k", *"ledger|healthz", "enter")
        assert [e.text for e in screen.model.entries] == [
            '{"level":"error","msg":"ledger down","attempt":3}', "GET /healthz 200"]
        await pilot.press("c", *"sidecar", "enter")
        assert [e.text for e in screen.model.entries] == ["GET /healthz 200"]
        assert ScriptedTail.started == 1  # filters never restarted the streams
        await pilot.press("c", "ctrl+a", "ctrl+k", "enter", "slash", "ctrl+a", "ctrl+k",
                          "enter")
        assert len(screen.model.entries) == 8

        await pilot.press("J")
        error = next(e for e in screen.model.entries if e.severity == "error")
        assert screen.model.text_of(error) == 'ERROR ledger down {"attempt":3}'
        tails[0].lines(["x" * 500], at=2)
        await wait_for(pilot, lambda: len(screen.model.entries) == 9, what="long line")
        width = screen.view.scrollable_content_region.width
        await pilot.press("w")
        assert screen.model.row_count(width) > len(screen.model.entries)

        target = tmp_path / "saved.txt"
        await pilot.press("ctrl+s", "ctrl+a", "ctrl+k", *str(target), "enter")
        await wait_for(pilot, target.exists, what="saved file")
        saved = target.read_text().splitlines()
        assert saved[0] == "prod-eu/payments-api-1/api 2027-01-15T08:00:00Z booting"
        assert len(saved) == 9
        await pilot.press("ctrl+s", "ctrl+a", "ctrl+k", *str(target), "enter")
        await wait_for(pilot, lambda: "exists: choose another name" in screen_text(app))


async def test_an_error_burst_raises_a_card(make_console: Callable[..., KubechatApp]) -> None:
    app = make_console(clusters=["prod-eu"])
    tails = scripted(app)
    async with app.run_test(size=SIZE) as pilot:
        app.open_log_tail(LogTailRequest(("prod-eu",), "pod/payments-api-1", "payments"))
        await wait_for(pilot, lambda: bool(tails), what="streams")
        screen = tail_screen(app)
        tails[0].lines(["info: ok"] * 60, step=1.0)  # a minute of calm
        tails[0].lines(["error: ledger unreachable"] * 40, at=61, step=0.05)
        await wait_for(pilot, lambda: EU in screen.model.marked, what="marked stream")
        await wait_for(pilot, lambda: "⚑ prod-eu/payments-api-1/api" in screen_text(app),
                       what="the stream's mark on screen")
        assert "[prod-eu/payments-api-1/api] error rate" in screen_text(app)


async def test_untrusted_log_text_is_shown_literally(make_console: Callable[..., KubechatApp]
                                                     ) -> None:
    app = make_console(clusters=["prod-eu"])
    tails = scripted(app)
    nasty = "[bold]x[/] [@click=app.quit]q \x1b[2J\x1b]0;pwned\x07 done"
    async with app.run_test(size=SIZE) as pilot:
        app.open_log_tail(LogTailRequest(("prod-eu",), "pod/p"))
        await wait_for(pilot, lambda: bool(tails), what="streams")
        screen = tail_screen(app)
        tails[0].lines([nasty], StreamKey("prod-eu", "default", "p[red]", "c"))
        await wait_for(pilot, lambda: len(screen.model.entries) == 1, what="line")
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "[bold]x[/] [@click=app.quit]q \\u001b[2J" in text
        assert "prod-eu/p[red]/c" in text and "\x1b[2J" not in text
        assert app.is_running
