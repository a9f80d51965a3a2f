"""`kubechat logs TARGET`: stern-style logs of a pod, a workload or a selector, in every
cluster of the scope, each line prefixed with cluster/pod/container.

Lines go to stdout; notes (joined, left, reconnected, waiting) and anomaly cards to
stderr. Streams resume after a dropped connection without duplicates; the ring
(`kube.log_ring_lines`) bounds memory however long `-f` runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from kubechat_tui.cli.common import UsageError

EPILOG = """exit codes:
  0  logs shown (or -f ended with Ctrl-C)
  1  nothing read: a cluster refused or could not be reached (the reason is printed)
  2  bad usage: an invalid --grep/--exclude pattern, --since or TARGET; unknown cluster
     set; unreadable config or kubeconfig
  3  nothing to show: no pod matches TARGET, no such container, or the container has no
     logs (not started yet, no previous instance)
"""
POLL_SECONDS = 0.1
NOT_FOUND = (400, 404)


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Register `kubechat logs`."""
    p = subparsers.add_parser(
        "logs", parents=[parent], help="tail logs of pods across clusters (stern-style)",
        description="Print the logs of a pod (NAME, pod/NAME), a workload's pods "
        "(deploy/NAME, sts/, ds/, rs/, job/) or the pods of -l SELECTOR, in every cluster "
        "of the scope, each line prefixed with cluster/pod/container.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", metavar="TARGET", nargs="?",
                   help="NAME, pod/NAME or KIND/NAME (omit with -l)")
    p.add_argument("-f", "--follow", action="store_true",
                   help="keep following; pods that start matching join")
    p.add_argument("-c", "--container", metavar="CONTAINER",
                   help="only this container (default: every container)")
    p.add_argument("--grep", metavar="RE", default="",
                   help="only lines matching RE (RE2 syntax: linear time, no backreferences)")
    p.add_argument("--exclude", metavar="RE", default="", help="drop lines matching RE")
    p.add_argument("--since", metavar="DURATION",
                   help="only lines newer than this (30s, 10m, 2h)")
    p.add_argument("--tail", metavar="N", type=int, default=None,
                   help="the last N lines of each container to start with")
    p.add_argument("-p", "--previous", action="store_true",
                   help="the container instance before the last restart")
    p.add_argument("--timestamps", action="store_true", help="print each line's timestamp")
    p.set_defaults(func=run_logs)


def _options(args: argparse.Namespace) -> Any:
    from kubechat_tui.domain.ages import parse_duration
    from kubechat_tui.domain.log_records import TailOptions

    since = None
    if args.since:
        try:
            since = parse_duration(args.since)
        except ValueError as exc:
            raise UsageError(f"--since: {exc}") from None
    if args.tail is not None and args.tail < 0:
        raise UsageError("--tail: must be 0 or more")
    if args.previous and args.follow:
        raise UsageError("--previous shows a finished container: it cannot be followed (-f)")
    return TailOptions(follow=args.follow, container=args.container or None,
                       since_seconds=since, tail_lines=args.tail, previous=args.previous)


def run_logs(args: argparse.Namespace) -> int:
    """Handler of `kubechat logs`."""
    from kubechat_tui.cli.session import open_session
    from kubechat_tui.engine.logtail.buffer import TailBuffer
    from kubechat_tui.engine.logtail.patterns import LineFilter, PatternError
    from kubechat_tui.kube.log_tail import LogTail
    from kubechat_tui.kube.log_targets import parse_target

    options = _options(args)
    try:
        shown = LineFilter(include=args.grep, exclude=args.exclude).compiled(
            ("--grep", "--exclude"))
    except PatternError as exc:
        raise UsageError(str(exc)) from None
    session = open_session(args)
    try:
        try:
            target = parse_target(args.target, session.scope.label_selector,
                                  session.scope.namespace)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        buffer = TailBuffer(session.settings.kube.log_ring_lines)
        tail = LogTail(session.fleet, session.scope.clusters, target, options, buffer.add)
        printer = _Printer(buffer, shown, args.timestamps, options.follow)
        tail.start()
        try:
            while printer.drain() or options.follow or not tail.wait(POLL_SECONDS):
                _pause()
            printer.drain()
        except KeyboardInterrupt:
            return 0
        finally:
            tail.stop()
        return printer.exit_code()
    finally:
        session.close()


def _pause() -> None:
    time.sleep(POLL_SECONDS)


class _Printer:
    """Prints what the buffer gained since the last call, and remembers the outcome."""

    def __init__(self, buffer: Any, shown: Any, timestamps: bool, follow: bool) -> None:
        self.buffer = buffer
        self.follow = follow
        self.shown = shown
        self.timestamps = timestamps
        self.seq = 0
        self.cards = 0
        self.lines = 0
        self.errors: list[int] = []

    def drain(self) -> bool:
        """Print new entries and cards; True when there were any."""
        from kubechat_tui.cli.plan_cmd import write
        from kubechat_tui.domain.log_records import LogLine

        entries = self.buffer.since(self.seq)
        if entries and entries[0].seq > self.seq + 1:
            write(f"kubechat: note: {entries[0].seq - self.seq - 1} lines not shown "
                  "(the ring was full: kube.log_ring_lines)", sys.stderr)
        for entry in entries:
            event = entry.event
            if isinstance(event, LogLine):
                if not self.shown.matches(event.text, event.key.container):
                    continue
                stamp = f"{event.stamp} " if self.timestamps else ""
                write(f"{event.key.label()} {stamp}{event.text}", sys.stdout)
                self.lines += 1
            elif self.follow or event.kind != "joined":
                if event.kind == "error":
                    self.errors.append(event.status)
                write(f"kubechat: {event.line()}", sys.stderr)
        if entries:
            self.seq = entries[-1].seq
        cards = self.buffer.cards_since(self.cards)
        for card in cards:
            write(f"kubechat: anomaly: {card.line()}", sys.stderr)
        self.cards += len(cards)
        sys.stdout.flush()
        return bool(entries or cards)

    def exit_code(self) -> int:
        """0 shown, 3 nothing matched or no logs, 1 a cluster could not be read."""
        if self.lines or not self.errors:
            return 0
        return 3 if all(status in NOT_FOUND for status in self.errors) else 1
