"""Load Textual themes from YAML files (the bundled themes and the user's config dir).

The bundled ones are the top-level `themes/` dir, installed as the package
`kubechat_tui.themes` and read through importlib.resources, so a wheel carries them.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml
from textual.theme import Theme

from kubechat_tui.config.paths import config_file

BUNDLED_THEMES: Traversable = resources.files("kubechat_tui.themes")
THEME_SUFFIXES = (".yaml", ".yml")
THEME_FIELDS = (
    "name", "primary", "secondary", "warning", "error", "success", "accent", "foreground",
    "background", "surface", "panel", "boost", "dark", "luminosity_spread", "text_alpha",
    "variables",
)


class ThemeFileError(ValueError):
    """A theme file that cannot be used; one line naming the file."""


def theme_from_mapping(data: Any, source: Traversable) -> Theme:
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


def theme_dirs() -> list[Traversable]:
    """Bundled themes first, then `<config dir>/themes` (user themes win by name)."""
    return [BUNDLED_THEMES, config_file().parent / "themes"]


def load_themes(dirs: Sequence[Traversable] | None = None) -> tuple[list[Theme], list[str]]:
    """All themes found, and one-line problems for files that were skipped."""
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for directory in dirs if dirs is not None else theme_dirs():
        if not directory.is_dir():
            continue
        try:
            paths = theme_files(directory)
        except OSError as exc:  # e.g. an unreadable user themes dir
            problems.append(f"{directory}: {type(exc).__name__}")
            continue
        for path in paths:
            try:
                theme = theme_from_mapping(yaml.safe_load(path.read_text("utf-8")), path)
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
                problems.append(f"{path}: {type(exc).__name__}")
                continue
            except ThemeFileError as exc:
                problems.append(str(exc))
                continue
            themes[theme.name] = theme
    return list(themes.values()), problems


def theme_files(directory: Traversable) -> list[Traversable]:
    """The YAML files of a theme dir (a plain dir or package resources), by name."""
    found = [p for p in directory.iterdir() if p.name.endswith(THEME_SUFFIXES) and p.is_file()]
    return sorted(found, key=lambda p: p.name)
