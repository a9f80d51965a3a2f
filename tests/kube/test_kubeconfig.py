"""Kubeconfig merging (as kubectl does) and its one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kubechat_tui.kube.errors import KubeconfigError
from kubechat_tui.kube.kubeconfig import load_kubeconfig


def write(path: Path, contexts: list[str], current: str | None = None,
          server: str = "https://one.example", ca: str | None = None) -> Path:
    cluster = {"server": server, **({"certificate-authority": ca} if ca else {})}
    doc = {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": c, "cluster": cluster} for c in contexts],
        "users": [{"name": c, "user": {"token": f"token-{c}"}} for c in contexts],
        "contexts": [{"name": c, "context": {"cluster": c, "user": c}} for c in contexts],
    }
    if current:
        doc["current-context"] = current
    path.write_text(yaml.safe_dump(doc))
    return path


def test_kubeconfig_env_merges_files_first_wins(tmp_path: Path) -> None:
    first = write(tmp_path / "a", ["alpha", "shared"], server="https://a.example")
    second = write(tmp_path / "b", ["shared", "beta"], current="beta",
                   server="https://b.example")
    merged = load_kubeconfig(environ={"KUBECONFIG": f"{first}:{tmp_path / 'missing'}:{second}"})
    assert merged.contexts == ("alpha", "shared", "beta")
    assert merged.current_context == "beta"  # the first file setting it
    servers = {c["name"]: c["cluster"]["server"] for c in merged.document["clusters"]}
    assert servers == {"alpha": "https://a.example", "shared": "https://a.example",
                       "beta": "https://b.example"}
    assert merged.sources == (first, second)


def test_relative_certificate_paths_resolve_against_their_file(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    path = write(folder / "config", ["alpha"], ca="certs/ca.pem")
    merged = load_kubeconfig(str(path))
    assert merged.document["clusters"][0]["cluster"]["certificate-authority"] == \
        str(folder / "certs" / "ca.pem")


def test_relative_exec_command_resolves_but_plain_names_stay(tmp_path: Path) -> None:
    path = write(tmp_path / "config", ["alpha", "beta"])
    doc = yaml.safe_load(path.read_text())
    doc["users"][0]["user"] = {"exec": {"command": "bin/get-token", "apiVersion": "v1"}}
    doc["users"][1]["user"] = {"exec": {"command": "aws", "apiVersion": "v1"}}
    path.write_text(yaml.safe_dump(doc))
    users = {u["name"]: u["user"] for u in load_kubeconfig(str(path)).document["users"]}
    assert users["alpha"]["exec"]["command"] == str(tmp_path / "bin" / "get-token")
    assert users["beta"]["exec"]["command"] == "aws"


def test_explicit_flag_takes_precedence_over_env(tmp_path: Path) -> None:
    env_file = write(tmp_path / "env", ["from-env"])
    flag_file = write(tmp_path / "flag", ["from-flag"])
    merged = load_kubeconfig(str(flag_file), environ={"KUBECONFIG": str(env_file)})
    assert merged.contexts == ("from-flag",)


@pytest.mark.parametrize(("content", "expected"), [
    (None, "kubeconfig file not found"),
    ("clusters: [\n", "line 2: not a valid kubeconfig"),
    ("- a\n- b\n", "not a valid kubeconfig: expected a mapping"),
    ("contexts: 3\n", "contexts: expected a list"),
    ("contexts:\n- context: {}\n", "contexts[0]: entry without a name"),
    ("apiVersion: v1\n", "no contexts defined"),
])
def test_bad_kubeconfig_is_one_line(tmp_path: Path, content: str | None, expected: str) -> None:
    path = tmp_path / "config"
    if content is not None:
        path.write_text(content)
    with pytest.raises(KubeconfigError) as caught:
        load_kubeconfig(str(path))
    message = str(caught.value)
    assert expected in message and str(path) in message
    assert "\n" not in message


def test_nothing_found_in_kubeconfig_env(tmp_path: Path) -> None:
    with pytest.raises(KubeconfigError, match="no kubeconfig file found"):
        load_kubeconfig(environ={"KUBECONFIG": str(tmp_path / "nope")})


def test_context_checks_name_cluster_user_and_server(tmp_path: Path) -> None:
    path = write(tmp_path / "config", ["alpha"])
    doc = yaml.safe_load(path.read_text())
    doc["contexts"].append({"name": "dangling", "context": {"cluster": "ghost", "user": "alpha"}})
    doc["contexts"].append({"name": "nouser", "context": {"cluster": "alpha", "user": "ghost"}})
    doc["clusters"].append({"name": "empty", "cluster": {}})
    doc["contexts"].append({"name": "noserver", "context": {"cluster": "empty"}})
    path.write_text(yaml.safe_dump(doc))
    merged = load_kubeconfig(str(path))
    merged.check_context("alpha")
    for name, expected in (("missing", "context 'missing' not found (contexts: alpha,"),
                           ("dangling", "cluster 'ghost' not found"),
                           ("nouser", "user 'ghost' not found"),
                           ("noserver", "no server URL")):
        with pytest.raises(KubeconfigError, match=expected.replace("(", r"\(")):
            merged.check_context(name)
