"""`kubechat serve`'s flags in process: the console command each tab runs, loopback
detection, and a missing extra named in one line."""

from __future__ import annotations

import shlex
import sys

import pytest

from kubechat_tui.cli.main import build_parser, main
from kubechat_tui.cli.serve_cmd import console_command, is_loopback


def test_each_tab_runs_the_console_on_the_shared_flags() -> None:
    args = build_parser().parse_args(
        [
            "--context",
            "prod-eu",
            "serve",
            "--context",
            "staging",
            "-n",
            "pay ments",
            "-l",
            "app in (a,b)",
            "--kubeconfig",
            "/k/c fg",
            "--port",
            "0",
        ]
    )
    argv = shlex.split(console_command(args))
    assert argv == [
        sys.executable,
        "-m",
        "kubechat_tui",
        "--context",
        "prod-eu",
        "--context",
        "staging",
        "--namespace",
        "pay ments",
        "--selector",
        "app in (a,b)",
        "--kubeconfig",
        "/k/c fg",
    ]
    demo = build_parser().parse_args(["serve", "--demo"])
    assert shlex.split(console_command(demo))[3:] == ["--demo"]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.1", False),
        ("kubechat.internal", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_without_the_serve_extra_it_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("kubechat_tui.cli.serve_cmd.find_spec", lambda name: None)
    assert main(["serve", "--demo"]) == 2
    assert capsys.readouterr().err == (
        "kubechat: error: kubechat serve needs textual-serve: pip install 'kubechat-tui[serve]'\n"
    )
