"""Fuzzing kubeconfig loading: mutations of a working kubeconfig and random YAML are a
kubeconfig or one KubeconfigError line, and a command answers a bad one with exit 2, one
line and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from kubechat_tui.kube.errors import KubeconfigError
from kubechat_tui.kube.kubeconfig import load_kubeconfig
from tests.fuzzing import (
    FUZZ,
    FUZZ_CLI,
    YAML_DOCUMENTS,
    assert_refusal_is_one_line,
    mutate,
    mutations,
    run_cli,
    yaml_text,
)


@pytest.fixture(scope="module")
def working(sim_kubeconfig: Path) -> dict:
    return yaml.safe_load(sim_kubeconfig.read_text())


def _kubeconfigs(working: dict, loopback: bool = False) -> st.SearchStrategy[str]:
    """Mutated kubeconfigs; `loopback` points every server string that changed at a closed
    loopback port, so a command never looks up or dials a host beyond this machine."""
    def edited(edits: list) -> str:
        document = mutate(working, edits)
        if loopback:
            _on_loopback(document)
        return yaml_text(document)

    return st.one_of(mutations(working).map(edited), YAML_DOCUMENTS)


def _on_loopback(document: object) -> None:
    clusters = document.get("clusters") if isinstance(document, dict) else None
    for entry in clusters if isinstance(clusters, list) else []:
        cluster = entry.get("cluster") if isinstance(entry, dict) else None
        server = cluster.get("server") if isinstance(cluster, dict) else None
        if isinstance(server, str) and not server.startswith("https://127.0.0.1:"):
            cluster["server"] = "https://127.0.0.1:9"


@FUZZ
@given(data=st.data())
def test_any_kubeconfig_loads_or_is_one_kubeconfig_error(tmp_path: Path, working: dict,
                                                         data: st.DataObject) -> None:
    path = tmp_path / "kubeconfig"
    path.write_text(data.draw(_kubeconfigs(working)), encoding="utf-8")
    try:
        loaded = load_kubeconfig(str(path))
        for context in loaded.contexts:
            loaded.check_context(context)
    except KubeconfigError as exc:
        assert "\n" not in str(exc), str(exc)


@pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")
@FUZZ_CLI
@given(data=st.data())
def test_a_command_answers_a_bad_kubeconfig_with_exit_2_and_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, working: dict,
        data: st.DataObject) -> None:
    monkeypatch.setenv("KUBECHAT_CONFIG", str(tmp_path / "absent.yaml"))
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "kubeconfig"
    path.write_text(data.draw(_kubeconfigs(working, loopback=True)), encoding="utf-8")
    code, _, err = run_cli(["plan", "restart payments-api in prod-eu", "--planner", "rules",
                            "--kubeconfig", str(path)])
    assert_refusal_is_one_line(code, err, {0, 2, 3})
    assert not (tmp_path / "data").exists()
