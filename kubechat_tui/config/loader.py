"""Load Settings from the YAML file < KUBECHAT_* environment < flags, with one-line errors.

Environment keys nest with `__`: `KUBECHAT_AI__MODEL=openai/gpt-4o` sets `ai.model`.
Only variables whose first segment names a Settings field are read, so unrelated
`KUBECHAT_*` variables (KUBECHAT_CONFIG, KUBECHAT_DATA_DIR, ...) are left alone.
Values that look like YAML lists or mappings (`[a, b]`, `{prod: [a]}`) are parsed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kubechat_tui.config import paths
from kubechat_tui.config.errors import ConfigError
from kubechat_tui.config.guard_source import (
    GuardSource,
    check_overrides,
    guard_origins,
    trusted_file_problem,
)
from kubechat_tui.config.paths import config_file
from kubechat_tui.config.settings import Settings

__all__ = ["ConfigError", "env_entries", "load_settings", "read_yaml"]

ENV_PREFIX = "KUBECHAT_"
NEST = "__"


def load_settings(path: Path | None = None, overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None,
                  system: Path | None = None) -> Settings:
    """Settings from the system config (`system`, default `paths.SYSTEM_CONFIG`), `path`
    (default: the XDG config file), env, then `overrides` (flags).

    `overrides` maps dotted keys (`default_namespace`, `ai.model`) to values.
    A missing default file means defaults; a missing explicit file is an error. With a
    system config, a user-level layer setting a guard key raises GuardOverrideError; an
    untrusted system config (not root's, or writable by others) is refused.
    """
    explicit = path is not None
    source = path if path is not None else config_file()
    merged: dict[str, Any] = {}
    origins: dict[tuple[str, ...], str] = {}
    admin = paths.SYSTEM_CONFIG if system is None else system
    admin_label = f"system config {admin}"
    admin_doc = read_system_config(admin)
    if admin_doc is not None:
        _merge(merged, origins, admin_doc, admin_label)
    _merge(merged, origins, read_yaml(source, required=explicit), str(source))
    env = os.environ if environ is None else environ
    for key, value, label in env_entries(env):
        _merge(merged, origins, _nest(key, value), label)
    for dotted, value in (overrides or {}).items():
        _merge(merged, origins, _nest(tuple(dotted.split(".")), value), "flags")
    if admin_doc is not None:
        check_overrides(origins, admin, admin_label)
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(_first_error(exc, origins, str(source))) from None
    return settings.with_guard(GuardSource(admin if admin_doc is not None else None,
                                           guard_origins(origins)))


def read_system_config(path: Path) -> dict[str, Any] | None:
    """The administrator's config, or None when there is none; ConfigError when it exists
    but could have been written by someone else than root."""
    if not path.exists():
        return None
    problem = trusted_file_problem(path)
    if problem is not None:
        raise ConfigError(f"{path}: refusing the system config: {problem} (its guard "
                          "settings must come from a file only an administrator can change)")
    return read_yaml(path, required=True)


def read_yaml(path: Path, required: bool) -> dict[str, Any]:
    """The mapping in a YAML config file ({} when absent and not required)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise ConfigError(f"{path}: file not found") from None
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {_reason(exc)}") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(document)"
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}: {where}: {problem}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: (top level): expected a mapping of settings, "
                          f"got {type(document).__name__}")
    return document


def env_entries(environ: Mapping[str, str]) -> list[tuple[tuple[str, ...], Any, str]]:
    """(key path, value, source label) for each KUBECHAT_* variable naming a setting."""
    fields = set(Settings.model_fields)
    entries = []
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX):
            continue
        parts = tuple(p.lower() for p in name[len(ENV_PREFIX):].split(NEST))
        if not parts or parts[0] not in fields:
            continue
        entries.append((parts, _env_value(environ[name]), f"env {name}"))
    return entries


def _env_value(text: str) -> Any:
    stripped = text.strip()
    if stripped[:1] in ("[", "{"):
        try:
            return yaml.safe_load(stripped)
        except yaml.YAMLError:
            return text
    return text


def _nest(parts: tuple[str, ...], value: Any) -> dict[str, Any]:
    nested: Any = value
    for part in reversed(parts):
        nested = {part: nested}
    return dict(nested)


def _merge(target: dict[str, Any], origins: dict[tuple[str, ...], str],
           layer: Mapping[str, Any], label: str, prefix: tuple[str, ...] = ()) -> None:
    """Deep-merge `layer` into `target`, remembering which source set each key."""
    for key, value in layer.items():
        where = (*prefix, str(key))
        current = target.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict) and _is_section(where):
            _merge(current, origins, value, label, where)
            continue
        target[key] = dict(value) if isinstance(value, Mapping) else value
        origins[where] = label


def _is_section(where: tuple[str, ...]) -> bool:
    """True for nested settings sections (merged key by key), not for free-form maps."""
    field = Settings.model_fields.get(where[0])
    annotation = getattr(field, "annotation", None) if field else None
    return len(where) == 1 and isinstance(annotation, type) and hasattr(annotation, "model_fields")


def _first_error(exc: ValidationError, origins: dict[tuple[str, ...], str],
                 default_source: str) -> str:
    error = exc.errors()[0]
    loc = tuple(str(p) for p in error["loc"])
    source = default_source
    for size in range(len(loc), 0, -1):
        if loc[:size] in origins:
            source = origins[loc[:size]]
            break
    key = ".".join(loc) or "(top level)"
    problem = ("unknown key" if error["type"] == "extra_forbidden"
               else error["msg"].removeprefix("Value error, "))
    return f"{source}: {key}: {problem}"


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc).splitlines()[0]
