"""Where the guard settings come from, and whether the requester controls that source.

Guard settings decide what needs a second person: the policy file, production clusters,
cluster tags and sets, the approvals, storage and audit sections. When an administrator
installs a system config (`/etc/kubechat/config.yaml`, owned by root and writable by
nobody else), those keys come from it alone: a user config file, a `KUBECHAT_*` variable
or a flag that sets one is refused (`GuardOverrideError`, exit 2), never silently applied.
Without a system config the requester's own settings are used, and every decision record
says so (`GuardSource.describe`), naming where each guard key came from.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubechat_tui.config.errors import ConfigError

# Top-level keys (whole sections) that are guard settings.
GUARD_KEYS = frozenset({"policy_file", "policy_from_cluster", "production_clusters",
                        "clusters", "cluster_sets", "approvals", "storage", "audit"})
DEFAULT = "default"
ADMIN_UIDS = frozenset({0})  # who may own the system config and the files it names


class GuardOverrideError(ConfigError):
    """A user-level source sets a guard key that the system config owns."""

    def __init__(self, message: str, key: str, source: str, system: Path) -> None:
        super().__init__(message)
        self.key = key
        self.source = source
        self.system = system


def is_guard_key(key: tuple[str, ...]) -> bool:
    """True for a settings key (path) inside a guard setting."""
    return bool(key) and key[0] in GUARD_KEYS


def trusted_file_problem(path: Path) -> str | None:
    """Why a file cannot be trusted as set by an administrator (None: it can): it and its
    directory must be owned by root (`ADMIN_UIDS`) and writable by nobody else."""
    for item in (path, path.parent):
        try:
            info = item.stat()
        except OSError as exc:
            return f"cannot inspect {item} ({exc.strerror})"
        if info.st_uid not in ADMIN_UIDS:
            return f"{item} is not owned by root"
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return f"{item} is writable by others (mode {stat.S_IMODE(info.st_mode):o})"
    return None


@dataclass(frozen=True)
class GuardSource:
    """The guard settings' source: the system config (or None) and, per guard key, the
    layer that set it (`default` when nothing did)."""

    system: Path | None = None
    origins: Mapping[str, str] = field(default_factory=dict)

    @property
    def controlled_by_requester(self) -> bool:
        """True when no system config fixes the guard settings."""
        return self.system is None

    def describe(self) -> dict[str, Any]:
        """What a decision record says about where its guard settings came from."""
        source = (f"system config {self.system}" if self.system is not None
                  else "user settings: the requester controls them")
        return {"source": source, "origins": dict(sorted(self.origins.items()))}


def guard_origins(origins: Mapping[tuple[str, ...], str]) -> dict[str, str]:
    """Each guard key's source, from the loader's per-key origins (`default` when unset)."""
    found = {".".join(path): label for path, label in origins.items() if is_guard_key(path)}
    touched = {path[0] for path in origins if is_guard_key(path)}
    found.update({key: DEFAULT for key in GUARD_KEYS - touched})
    return found


def check_overrides(origins: Mapping[tuple[str, ...], str], system: Path,
                    system_label: str) -> None:
    """Refuse the first guard key a user-level layer sets over the system config."""
    for path, label in origins.items():
        if is_guard_key(path) and label != system_label:
            key = ".".join(path)
            raise GuardOverrideError(
                f"{label}: {key}: a guard setting, and the system config {system} sets the "
                "guard settings: user overrides are refused", key, label, system)
