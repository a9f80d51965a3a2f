"""A tiny simulated container shell for pods/exec: common diagnostics commands, nothing real."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from kubechat_tui.sim.clock import now, rfc3339


@dataclass
class Result:
    """What one command printed and its exit code."""

    stdout: str = ""
    stderr: str = ""
    code: int = 0


@dataclass
class Container:
    """What the shell knows about the container it runs in."""

    hostname: str
    image: str
    env: dict[str, str] = field(default_factory=dict)
    healthy: bool = True
    port: int | None = None
    config: dict[str, str] = field(default_factory=dict)  # the mounted ConfigMap's data

    def files(self) -> dict[str, str]:
        """Readable files by path."""
        return {
            "/etc/hostname": f"{self.hostname}\n",
            "/etc/os-release": 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\n'
                               'PRETTY_NAME="Alpine Linux v3.20"\n',
            "/etc/resolv.conf": "search payments.svc.cluster.local svc.cluster.local "
                                "cluster.local\nnameserver 172.20.0.10\noptions ndots:5\n",
            "/var/run/secrets/kubernetes.io/serviceaccount/namespace":
                self.env.get("POD_NAMESPACE", "default"),
            "/app/config.yaml": "".join(f"{k}: {v}\n" for k, v in sorted(self.config.items())),
        }


def _ls(box: Container, args: list[str]) -> Result:
    paths = [a for a in args if not a.startswith("-")] or ["/"]
    listing = {"/": "app\nbin\ndev\netc\nhome\nproc\nroot\nsys\ntmp\nusr\nvar\n",
               "/app": "config.yaml\nserver\n", "/tmp": "",
               "/etc": "hostname\nhosts\nos-release\nresolv.conf\n"}
    out = []
    for path in paths:
        norm = path.rstrip("/") or "/"
        if norm in listing:
            out.append(listing[norm])
        elif norm in box.files():
            out.append(f"{norm}\n")
        else:
            return Result("".join(out), f"ls: {path}: No such file or directory\n", 1)
    return Result("".join(out))


def _cat(box: Container, args: list[str]) -> Result:
    out: list[str] = []
    files = box.files()
    for path in args:
        if path not in files:
            return Result("".join(out), f"cat: can't open '{path}': No such file or directory\n",
                          1)
        out.append(files[path])
    return Result("".join(out))


def _curl(box: Container, args: list[str]) -> Result:
    url = next((a for a in args if not a.startswith("-")), "")
    if not url:
        return Result("", "curl: no URL specified!\n", 2)
    local = any(h in url for h in ("localhost", "127.0.0.1"))
    if local and not box.healthy:
        return Result("", f"curl: (7) Failed to connect to {url.split('/')[2]} after 0 ms: "
                          "Couldn't connect to server\n", 7)
    if local:
        return Result('{"status":"ok"}\n')
    host = url.split("/")[2] if "//" in url else url
    return Result("", f"curl: (6) Could not resolve host: {host}\n", 6)


def _filter(prog: str, args: list[str], text: str) -> Result | None:
    """head, tail, grep and wc over piped input (None when prog is not a filter)."""
    lines = text.splitlines(keepends=True)
    if prog in ("head", "tail"):
        count = 10
        for i, arg in enumerate(args):
            if arg == "-n" and i + 1 < len(args) and args[i + 1].isdigit():
                count = int(args[i + 1])
            elif arg.startswith("-") and arg[1:].isdigit():
                count = int(arg[1:])
        return Result("".join(lines[:count] if prog == "head" else lines[-count:] if count
                              else []))
    if prog == "grep":
        pattern = next((a for a in args if not a.startswith("-")), "")
        invert = "-v" in args
        kept = [ln for ln in lines if (pattern in ln) != invert]
        return Result("".join(kept), code=0 if kept else 1)
    if prog == "wc":
        return Result(f"{len(lines)}\n")
    return None


_VARIABLE = re.compile(r"\$\{?([A-Za-z_]\w*)\}?")


def _expand(box: Container, arg: str) -> str:
    """`$NAME` and `${NAME}` from the container's environment (unset: empty)."""
    return _VARIABLE.sub(lambda m: box.env.get(m.group(1), ""), arg)


def run(box: Container, argv: list[str], piped: str | None = None) -> Result:
    """Run one command line (argv[0] is the program); piped is the previous stage's stdout."""
    if not argv:
        return Result()
    prog, args = argv[0].rsplit("/", 1)[-1], argv[1:]
    if prog in ("sh", "bash", "ash") and args[:1] == ["-c"] and len(args) > 1:
        return run_script(box, args[1])  # its words are expanded as they run
    args = [_expand(box, arg) for arg in args]
    if piped is not None:
        filtered = _filter(prog, args, piped)
        if filtered is not None:
            return filtered
    simple = {
        "true": Result(), "false": Result(code=1),
        "hostname": Result(f"{box.hostname}\n"),
        "whoami": Result("app\n"), "id": Result("uid=1000(app) gid=1000(app) groups=1000(app)\n"),
        "pwd": Result("/app\n"),
        "date": Result(rfc3339(now()).replace("T", " ").replace("Z", " UTC") + "\n"),
        "uptime": Result(" 21:07:31 up 41 days,  3:12,  0 users,  load average: 0.31, 0.28, "
                         "0.25\n"),
        "ps": Result("PID   USER     TIME  COMMAND\n    1 app       0:42 /app/server\n"
                     "   27 app       0:00 ps\n"),
        "df": Result("Filesystem           Size      Used Available Use% Mounted on\n"
                     "overlay             80.0G     31.2G     48.8G  39% /\n"),
    }
    if prog in simple:
        return simple[prog]
    if prog == "echo":
        return Result(" ".join(args) + "\n")
    if prog in ("env", "printenv"):
        if args:
            value = box.env.get(args[0])
            return Result(f"{value}\n" if value is not None else "", code=0 if value else 1)
        return Result("".join(f"{k}={v}\n" for k, v in sorted(box.env.items())))
    if prog == "ls":
        return _ls(box, args)
    if prog == "cat":
        return _cat(box, args)
    if prog in ("curl", "wget"):
        return _curl(box, args)
    if prog == "exit":
        return Result(code=int(args[0]) if args and args[0].isdigit() else 0)
    return Result("", f"sh: {prog}: not found\n", 127)


def run_script(box: Container, script: str) -> Result:
    """`a; b && c || d` with the usual short-circuit rules."""
    try:
        lexer = shlex.shlex(script, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError as exc:
        return Result("", f"sh: syntax error: {exc}\n", 2)
    out, err, code = [], [], 0
    pipeline: list[list[str]] = [[]]
    skip = False
    for token in [*tokens, ";"]:
        if token == "|":
            pipeline.append([])
        elif token in (";", "&&", "||"):
            if pipeline[0] and not skip:
                res = _pipeline(box, pipeline)
                out.append(res.stdout)
                err.append(res.stderr)
                code = res.code
            skip = (token == "&&" and code != 0) or (token == "||" and code == 0)
            pipeline = [[]]
        else:
            pipeline[-1].append(token)
    return Result("".join(out), "".join(err), code)


def _pipeline(box: Container, stages: list[list[str]]) -> Result:
    result = run(box, stages[0])
    errors = result.stderr
    for stage in stages[1:]:
        result = run(box, stage, result.stdout)
        errors += result.stderr
    return Result(result.stdout, errors, result.code)
