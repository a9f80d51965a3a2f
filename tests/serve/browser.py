"""Debian's Chromium driven by Playwright on a served console: loopback only, and the
screen read from the page's xterm.js terminal (it draws on a canvas, not in the DOM)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from playwright.sync_api import Page, Route, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# xterm.js's Terminal assigns `this._addonManager` in its constructor: a setter on
# Object.prototype catches that instance so the page can read its buffer (public API).
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "_addonManager", {
  configurable: true,
  set(value) {
    window.kubechatTerminal = this;
    Object.defineProperty(this, "_addonManager", {value, writable: true, configurable: true});
  },
});
"""
SCREEN_TEXT = """() => {
  const term = window.kubechatTerminal;
  if (!term) return "";
  const buffer = term.buffer.active, lines = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
}"""


@contextmanager
def browser_page() -> Iterator[Page]:
    """A headless Chromium page that reaches nothing beyond loopback (the page's web font
    from Google is aborted) and exposes the terminal to `screen`."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.route("**/*", _loopback_only)
            page.add_init_script(CATCH_TERMINAL)
            yield page
        finally:
            browser.close()


def screen(page: Page) -> str:
    """The terminal's visible lines, as text."""
    return str(page.evaluate(SCREEN_TEXT))


def _loopback_only(route: Route) -> None:
    if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


def wait_for_screen(page: Page, text: str, timeout_s: float = 60) -> str:
    """Wait until the terminal shows `text`; returns the screen then."""
    page.wait_for_function(
        f"(text) => ({SCREEN_TEXT})().includes(text)",
        arg=text,
        timeout=timeout_s * 1000,
        polling=50,
    )
    return screen(page)
