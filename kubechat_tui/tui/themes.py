"""Load Textual themes from YAML files (the repo's themes/ dir and the user's config dir)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from textual.theme import Theme

from kubechat_tui.config.paths import config_file

BUNDLED_THEMES = Path(__file__).resolve().parents[2] / "themes"
THEME_FIELDS = (
    "name", "primary", "secondary", "warning", "error", "success", "accent", "foreground",
    "background", "surface", "panel", "boost", "dark", "luminosity_spread", "text_alpha",
    "variables",
)


class ThemeFileError(ValueError):
    """A theme file that cannot be used; one line naming the file."""


def theme_from_mapping(data: Any, source: Path) -> Theme:
    """Build a Theme from parsed YAML; raises ThemeFileError with file and key."""
    if not isinstance(data, dict):
        raise ThemeFileError(f"{source}: expected a mapping of theme fields")
    unknown = sorted(set(data) - set(THEME_FIELDS))
    if unknown:
        raise ThemeFileError(f"{source}: {unknown[0]}: unknown theme field")
    for required in ("name", "primary"):
        if not isinstance(data.get(required), str):
            raise ThemeFileError(f"{source}: {required}: required string")
    try:
        return Theme(**data)
    except (TypeError, ValueError) as exc:
        raise ThemeFileError(f"{source}: {exc}") from exc


def theme_dirs() -> list[Path]:
    """Bundled themes first, then `<config dir>/themes` (user themes win by name)."""
    return [BUNDLED_THEMES, config_file().parent / "themes"]


def load_themes(dirs: list[Path] | None = None) -> tuple[list[Theme], list[str]]:
    """All themes found, and one-line problems for files that were skipped."""
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for directory in dirs if dirs is not None else theme_dirs():
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.y*ml")):
            try:
                theme = theme_from_mapping(yaml.safe_load(path.read_text()), path)
            except (OSError, yaml.YAMLError) as exc:
                problems.append(f"{path}: {type(exc).__name__}")
                continue
            except ThemeFileError as exc:
                problems.append(str(exc))
                continue
            themes[theme.name] = theme
    return list(themes.values()), problems
