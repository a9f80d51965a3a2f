"""The served console in a real browser: Debian's Chromium (Playwright) opens the printed
URL, sees the context banner and the fleet's pods, types a filter and the table changes."""

from __future__ import annotations

import os

import pytest

from tests.serve.browser import CHROMIUM, browser_page, screen, wait_for_screen
from tests.serve.conftest import Served

DEMO_CLUSTERS = ("prod-eu", "prod-us", "staging", "canary")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason="no chromium: apt-get install chromium (.ci/run does)",
    ),
]


def test_the_console_loads_and_filters_in_chromium(served: Served) -> None:
    with browser_page() as page:
        page.goto(served.url)
        shown = wait_for_screen(page, "all (prod-eu, prod-us, staging, canary)")
        assert "PRODUCTION" in shown.splitlines()[0]  # the context banner, first line
        wait_for_screen(page, "pods [53]")
        assert any("checkout-web-" in row for row in table_rows(screen(page)))
        page.focus(".xterm-helper-textarea")
        page.keyboard.press("/")
        page.keyboard.type("worker")
        filtered = wait_for_screen(page, "pods [4/53]")
        rows = table_rows(filtered)
        assert "filter /worker" in filtered and len(rows) == 4
        assert all(row.split()[2].startswith("payments-worker-") for row in rows)


def table_rows(shown: str) -> list[str]:
    """The table's row lines: boxed lines whose first cell is a demo cluster."""
    return [
        line[1:]
        for line in shown.splitlines()
        if line.startswith("│") and line[1:].split(" ", 1)[0] in DEMO_CLUSTERS
    ]
