"""The `:` command language: parse a line into a Command, or a one-line CommandError."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from kubechat_tui.kube.kinds import KINDS

ALL_NAMESPACES = frozenset({"all", "-a", "*"})
# A word that may name a custom resource (checked against the cluster's discovery).
KIND_WORD = re.compile(r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?")

COMMAND_HELP: dict[str, str] = {
    "KIND": "show a kind: po no ev deploy svc sts ds rs job cj cm secret ing pvc ns hpa, "
            "or a custom resource (plural, singular or short name)",
    "ctx [NAME[,NAME]|SET]": "select clusters (no name: all)",
    "set NAME": "select a saved cluster set",
    "ns NAME | ns all": "namespace scope (all: every namespace; no name: list namespaces)",
    "health": "the fleet health card in the chat (failing pods, nodes, warnings)",
    "label [SELECTOR]": "server-side label selector (no selector: none)",
    "sort [COLUMN]": "sort by a column (again: reverse; none: unsorted)",
    "theme NAME": "switch theme",
    "approvals": "review approval requests (approve / reject with a comment)",
    "audit": "the audit log: live tail, filters, chain verification",
    "timeline [INCIDENT_ID]": "the incident timeline: alerts, deploys, actions, notes",
    "policy": "the active policy version and every version with its diff",
    "rollback [EXECUTION_ID]": "preview and run an execution's rollback (default: the last)",
    "exec [-c C] [--break-glass WHY] [-- CMD ...]": "a terminal (or one command) in the "
    "selected pod, guarded like a change and recorded",
    "recipe [NAME KEY=VALUE ...]": "plan a runbook recipe in the chat (no name: list them)",
    "logs [TARGET] [-c CONTAINER]": "live logs of TARGET (pod, deploy/NAME; default: the "
                                    "selected row) across the clusters in scope",
    "feedback NAME RATING [COMMENT]": "rate a recipe run 1-5 (asked after one ran)",
    "help": "list every key",
    "q | quit": "leave kubechat",
}


class CommandError(ValueError):
    """An unknown or malformed command; its message is one line."""


class UnknownWord(CommandError):
    """A word that is no command nor built-in kind: maybe a custom resource to discover."""

    def __init__(self, word: str) -> None:
        super().__init__(f"unknown command or kind :{word} (try :pods, :svc, :ctx, :ns, "
                         ":help)")
        self.word = word


@dataclass(frozen=True)
class Command:
    """A parsed command: a verb and its (possibly empty) argument."""

    verb: str  # kind ctx set ns label sort theme approvals audit timeline policy rollback
    #            recipe feedback exec health help quit
    arg: str = ""


@dataclass(frozen=True)
class ExecArgs:
    """`:exec` options: the container, a break-glass justification, the command (empty:
    an interactive shell)."""

    container: str | None = None
    break_glass: str = ""
    command: tuple[str, ...] = ()


def parse_exec_args(arg: str) -> ExecArgs:
    """`-c NAME`, `--break-glass "WHY"`, then `-- CMD ...` (shell-quoted words)."""
    try:
        words = shlex.split(arg)
    except ValueError as exc:
        raise CommandError(f":exec: {exc}") from None
    container, why = None, ""
    while words and words[0] != "--":
        flag = words.pop(0)
        if flag in ("-c", "--container", "--break-glass") and words and words[0] != "--":
            value = words.pop(0)
            container, why = (value, why) if flag != "--break-glass" else (container, value)
        else:
            raise CommandError(f":exec: unexpected {flag!r} (:exec [-c CONTAINER] "
                               "[--break-glass WHY] [-- CMD ...])")
    return ExecArgs(container, why, tuple(words[1:]))


def parse_command(line: str) -> Command:
    """Parse `:`-mode input (leading colon optional)."""
    text = line.strip().removeprefix(":").strip()
    if not text:
        raise CommandError("empty command (try :pods, :ctx NAME, :ns NAME, :help)")
    word, _, rest = text.partition(" ")
    word, rest = word.lower(), rest.strip()
    if word in ("ns", "namespace") and rest:
        if " " in rest:
            raise CommandError(f"bad namespace {rest!r}")
        return Command("ns", "" if rest.lower() in ALL_NAMESPACES else rest)
    if word in KINDS:
        if rest:
            raise CommandError(f":{word} takes no argument")
        return Command("kind", KINDS[word].name)
    if word in ("ctx", "context", "label", "sort"):
        return Command("ctx" if word == "context" else word, rest)
    if word in ("set", "theme"):
        if not rest:
            raise CommandError(f":{word} needs a name")
        return Command(word, rest)
    if word in ("approvals", "approval", "audit", "policy"):
        if rest:
            raise CommandError(f":{word} takes no argument")
        return Command("approvals" if word == "approval" else word)
    if word == "rollback":
        if " " in rest:
            raise CommandError(f"bad execution id {rest!r} (e.g. :rollback ex-1a2b3c4d5e)")
        return Command("rollback", rest)
    if word in ("timeline", "incident"):
        if " " in rest:
            raise CommandError(f"bad incident id {rest!r} (e.g. :timeline inc-3f2a9c01)")
        return Command("timeline", rest)
    if word in ("logs", "log", "tail"):
        return Command("logs", rest)
    if word in ("recipe", "recipes"):
        return Command("recipe", rest)
    if word == "exec":
        parse_exec_args(rest)  # a malformed line is refused before anything runs
        return Command("exec", rest)
    if word == "health":
        return Command("health")
    if word == "feedback":
        name, _, more = rest.partition(" ")
        rating, _, _ = more.strip().partition(" ")
        if not name or rating not in ("1", "2", "3", "4", "5"):
            raise CommandError(":feedback NAME RATING [COMMENT] (a rating from 1 to 5)")
        return Command("feedback", rest)
    if word in ("help", "h", "?"):
        return Command("help")
    if word in ("q", "quit", "exit"):
        return Command("quit")
    if not rest and KIND_WORD.fullmatch(word):
        raise UnknownWord(word)
    raise CommandError(f"unknown command :{word} (try :pods, :ctx, :ns, :approvals, :audit, "
                       ":help)")
