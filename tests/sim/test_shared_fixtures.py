"""The session fixtures in tests/conftest.py give other areas a working fleet."""

from __future__ import annotations

from pathlib import Path

import yaml
from kubernetes import client, config

from kubechat_tui.sim import SimServer, versions


def test_session_fixtures(sim_server: SimServer, sim_kubeconfig: Path) -> None:
    assert sim_server.clusters == ["prod-eu", "prod-us", "staging", "canary"]
    assert sim_server.is_production("prod-eu") and not sim_server.is_production("staging")
    document = yaml.safe_load(sim_kubeconfig.read_text())
    assert document["current-context"] == "prod-eu"
    api = config.new_client_from_config(config_file=str(sim_kubeconfig), context="staging")
    served = versions.git_version(versions.served_minor())
    assert client.VersionApi(api).get_code().git_version == served
