"""Command palette entries that depend on what the console shows right now.

Entry titles hold cluster and namespace names, so they are shown as text, never markup
(Textual parses a str hit and `Matcher.highlight`'s argument as markup), with their
controls as escapes."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from kubechat_tui.domain.visible_text import visible

MAX_NAMESPACES = 30


class ConsoleCommands(Provider):
    """Kinds, clusters, cluster sets, namespaces, sort columns, detail mode, themes,
    approvals, audit and rollback."""

    def _entries(self) -> list[tuple[str, str, Callable[[], None]]]:
        from kubechat_tui.tui.screens.main_screen import MainScreen

        screen = self.screen
        if not isinstance(screen, MainScreen):
            return []
        app = screen.kubechat
        scope = screen.scope

        def run(text: str) -> Callable[[], None]:
            return lambda: screen.run_command(text)

        entries: list[tuple[str, str, Callable[[], None]]] = []

        def add(title: str, help_text: str, callback: Callable[[], None]) -> None:
            entries.append((visible(title, lines=False), help_text, callback))

        for kind in sorted({k.name for k in app.backend.kinds.values()}):
            if kind != scope.kind and kind in app.backend.kinds:
                add(f"Show {kind}", f"switch the table to {kind}", run(kind))
        for name in app.navigator.set_names():
            if name != scope.cluster_set:
                add(f"Cluster set: {name}", "select a saved cluster set", run(f"ctx {name}"))
        for cluster in app.navigator.known:
            add(f"Only cluster: {cluster}", "select one cluster", run(f"ctx {cluster}"))
        if scope.namespace:
            add("All namespaces", "drop the namespace scope", run("ns all"))
        for namespace in screen.known_namespaces()[:MAX_NAMESPACES]:
            if namespace != scope.namespace:
                add(f"Namespace: {namespace}", "scope to a namespace", run(f"ns {namespace}"))
        for column in screen.table.model.columns:
            add(f"Sort by {column}", "again to reverse", run(f"sort {column}"))
        other = "describe" if screen.detail_mode == "yaml" else "YAML"
        add(f"Detail: show {other}", "toggle the detail pane", screen.action_toggle_yaml)
        for theme in app.kubechat_themes:
            if theme != app.theme:
                add(f"Theme: {theme}", "switch theme", run(f"theme {theme}"))
        add("Approvals", "review approval requests", screen.action_approvals)
        add("Audit log", "live tail, filters, chain verification", screen.action_audit)
        if app.last_execution:
            add(f"Rollback {app.last_execution}", "preview the undo of the last execution",
                run(f"rollback {app.last_execution}"))
        add("Help: keys", "list every key", screen.action_help)
        return entries

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries():
            yield DiscoveryHit(Content(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, highlighted(matcher, title), callback, text=title,
                          help=help_text)


def highlighted(matcher: Matcher, title: str) -> Content:
    """`title` with the letters the query matched highlighted, as `Matcher.highlight` does
    but without parsing `title` as markup."""
    content = Content(title)
    _, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
