"""The `:` command language: parse a line into a Command, or a one-line CommandError."""

from __future__ import annotations

from dataclasses import dataclass

KIND_ALIASES: dict[str, str] = {
    "pods": "pods", "pod": "pods", "po": "pods",
    "nodes": "nodes", "node": "nodes", "no": "nodes",
    "events": "events", "event": "events", "ev": "events",
    "deploy": "deployments", "deployments": "deployments", "deployment": "deployments",
}

COMMAND_HELP: dict[str, str] = {
    "pods | nodes | events | deploy": "show that resource kind",
    "ctx [NAME[,NAME]|SET]": "select clusters (no name: all)",
    "set NAME": "select a saved cluster set",
    "ns [NAME]": "namespace scope (no name: all namespaces)",
    "label [SELECTOR]": "server-side label selector (no selector: none)",
    "sort [COLUMN]": "sort by a column (again: reverse; none: unsorted)",
    "theme NAME": "switch theme",
    "approvals": "review approval requests (approve / reject with a comment)",
    "audit": "the audit log: live tail, filters, chain verification",
    "policy": "the active policy version and every version with its diff",
    "rollback [EXECUTION_ID]": "preview and run an execution's rollback (default: the last)",
    "recipe [NAME KEY=VALUE ...]": "plan a runbook recipe in the chat (no name: list them)",
    "feedback NAME RATING [COMMENT]": "rate a recipe run 1-5 (asked after one ran)",
    "help": "list every key",
    "q | quit": "leave kubechat",
}


class CommandError(ValueError):
    """An unknown or malformed command; its message is one line."""


@dataclass(frozen=True)
class Command:
    """A parsed command: a verb and its (possibly empty) argument."""

    verb: str  # kind ctx set ns label sort theme approvals audit policy rollback recipe
    # feedback help quit
    arg: str = ""


def parse_command(line: str) -> Command:
    """Parse `:`-mode input (leading colon optional)."""
    text = line.strip().removeprefix(":").strip()
    if not text:
        raise CommandError("empty command (try :pods, :ctx NAME, :ns NAME, :help)")
    word, _, rest = text.partition(" ")
    word, rest = word.lower(), rest.strip()
    if word in KIND_ALIASES:
        if rest:
            raise CommandError(f":{word} takes no argument")
        return Command("kind", KIND_ALIASES[word])
    if word in ("ctx", "context", "ns", "namespace", "label", "sort"):
        verb = {"context": "ctx", "namespace": "ns"}.get(word, word)
        if verb == "ns" and " " in rest:
            raise CommandError(f"bad namespace {rest!r}")
        return Command(verb, rest)
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
    if word in ("recipe", "recipes"):
        return Command("recipe", rest)
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
    raise CommandError(f"unknown command :{word} (try :pods, :ctx, :ns, :approvals, :audit, "
                       ":help)")
