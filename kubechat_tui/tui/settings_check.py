"""Console settings that only the console can judge: theme names and keymap binding ids."""

from __future__ import annotations

from textual.theme import BUILTIN_THEMES

from kubechat_tui.config.settings import Settings
from kubechat_tui.tui.bindings import unknown_keymap_ids
from kubechat_tui.tui.themes import load_themes


def console_setting_problems(settings: Settings) -> list[str]:
    """One line per problem: theme files that were skipped, an unknown theme, unknown keymap ids."""
    themes, problems = load_themes()
    known = {theme.name for theme in themes} | set(BUILTIN_THEMES)
    if settings.theme not in known:
        problems.append(f"config: theme: unknown theme {settings.theme!r} "
                        f"(have: {', '.join(sorted(known))})")
    problems.extend(f"config: keymap: unknown binding id {name!r}"
                    for name in unknown_keymap_ids(settings.keymap))
    return problems
