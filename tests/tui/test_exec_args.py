"""`:exec` arguments: container, break-glass justification, the command after `--`."""

from __future__ import annotations

import pytest

from kubechat_tui.tui.commands import (
    Command,
    CommandError,
    ExecArgs,
    parse_command,
    parse_exec_args,
)


@pytest.mark.parametrize(("arg", "expected"), [
    ("", ExecArgs()),
    ("-c sidecar", ExecArgs("sidecar")),
    ("-c api -- sh -c 'ls /app | wc -l'", ExecArgs("api", "", ("sh", "-c", "ls /app | wc -l"))),
    ('--break-glass "INC-7 db down" -- env', ExecArgs(None, "INC-7 db down", ("env",))),
])
def test_exec_arguments(arg: str, expected: ExecArgs) -> None:
    assert parse_exec_args(arg) == expected
    assert parse_command(f":exec {arg}") == Command("exec", arg)


@pytest.mark.parametrize("arg", ["-c", "--bogus -- ls", "ls", "-- 'unclosed"])
def test_bad_exec_arguments_are_one_line_errors(arg: str) -> None:
    with pytest.raises(CommandError) as err:
        parse_command(f":exec {arg}")
    assert str(err.value).startswith(":exec") and "\n" not in str(err.value)
