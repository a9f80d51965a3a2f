"""Browser console load time: `kubechat serve --demo` in a subprocess, Debian's Chromium
(Playwright, headless) opening the printed URL, once per run with a fresh page.

Prints per run and as median/min/max: the HTTP page (token exchange, redirect, HTML and
the static bundle: `load` event), the context banner on the terminal (a console process
started for the tab, the demo fleet up, the first frame streamed), every cluster's pods
in the table, and one filter keystroke until the table shows it.

    .venv/bin/python bench/bench_serve.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.serve.browser import browser_page, wait_for_screen
from tests.serve.conftest import running_serve

BANNER = "all (prod-eu, prod-us, staging, canary)"


def one_run(url: str) -> dict[str, float]:
    """Seconds from `goto` to each milestone, and for one filter keystroke."""
    with browser_page() as page:
        began = time.perf_counter()
        page.goto(url, wait_until="load")
        marks = {"page load": time.perf_counter() - began}
        wait_for_screen(page, BANNER)
        marks["banner"] = time.perf_counter() - began
        wait_for_screen(page, "loaded 4/4 clusters")
        marks["all rows"] = time.perf_counter() - began
        page.focus(".xterm-helper-textarea")
        page.keyboard.press("/")
        time.sleep(0.5)  # the filter input opens
        pressed = time.perf_counter()
        page.keyboard.type("w")
        wait_for_screen(page, "filter /w ")
        marks["filter key"] = time.perf_counter() - pressed
        return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home, running_serve(Path(home)) as served:
        runs = [one_run(served.url) for _ in range(args.runs)]
    for index, marks in enumerate(runs, 1):
        print(f"run {index}: " + "  ".join(f"{k} {v * 1000:.0f} ms" for k, v in marks.items()))
    for key in runs[0]:
        values = [run[key] * 1000 for run in runs]
        print(
            f"{key:>10}: median {statistics.median(values):.0f} ms  "
            f"min {min(values):.0f}  max {max(values):.0f}"
        )


if __name__ == "__main__":
    main()
