"""Where kubechat keeps its config and data (XDG via platformdirs), demo kept apart."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP = "kubechat"
CONFIG_ENV = "KUBECHAT_CONFIG"
DATA_ENV = "KUBECHAT_DATA_DIR"
# The administrator's config: its guard settings win and cannot be overridden. A fixed path
# (no variable moves it: the requester would control that variable).
SYSTEM_CONFIG = Path("/etc/kubechat/config.yaml")


def config_file() -> Path:
    """The YAML config file: $KUBECHAT_CONFIG or <XDG config>/kubechat/config.yaml."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return user_config_path(APP) / "config.yaml"


def data_dir(demo: bool = False) -> Path:
    """The data dir ($KUBECHAT_DATA_DIR or XDG); the demo uses a separate `demo/` subdir."""
    override = os.environ.get(DATA_ENV)
    base = Path(override).expanduser() if override else user_data_path(APP)
    return base / "demo" if demo else base
