"""`kubechat audit verify|log|export|verify-export`: the audit chain from the command line.

- ``verify``: exit 0 when the chain is intact, 1 naming the first bad seq and what is wrong
  (a database that is gone while signed checkpoints name it: ``truncated``, records 1..N);
  an intact chain holding interrupted executions (intents, no outcome) adds one warning
  line each, and still exits 0; so does each record holding a credential shape (seq,
  action, rules; written before redaction existed): rotate what leaked
- ``log``: filtered records as a table or JSON lines
- ``export``: a signed evidence package (optionally pushed to S3-compatible storage); a
  broken chain is refused (exit 1, first bad seq named, nothing written, nothing signed)
- ``verify-export DIR``: check a package offline
- ``rotate-key``: a new signing key; the old one signs a hand-over checkpoint naming it
  (``verify`` follows the chain of keys; a key replaced without one is refused)

These commands never create a database: a missing one is one line and exit 1 (only the
console creates it). Filters: an ``--action`` outside the vocabulary (``ACTION_TYPES``,
plus any type this log holds) is a usage error, exit 2; a ``--cluster`` or
``--user`` that matches nothing is simply an empty result: ``log`` prints "no records match
the filters" on stderr, nothing on stdout (table or JSON), and exits 0, while ``export``
says so and exits 1 without writing a package (an empty package would prove nothing).
Store problems (corrupt or locked database, unreadable key) print one line and exit 1;
bad input raises UsageError (one line, exit 2). ``--demo`` uses the demo data dir.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kubechat_tui.cli.common import UsageError

if TYPE_CHECKING:  # the store, boto3 and friends load only when a command runs
    from kubechat_tui.config.settings import Settings
    from kubechat_tui.store.audit import AuditLog
    from kubechat_tui.store.audit_model import AuditFilter, AuditRecord
    from kubechat_tui.store.audit_verify import VerifyResult

NO_MATCH = "no records match the filters"


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add `kubechat audit ...`."""
    del parent  # only --demo and --config matter here; see _data_options
    audit = subparsers.add_parser("audit", help="verify, read and export the audit chain")
    commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)

    verify = commands.add_parser("verify", help="check the whole chain")
    _data_options(verify)
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    verify.set_defaults(func=_run(_verify))

    log = commands.add_parser("log", help="show records (filters combine)")
    _filter_options(log)
    _data_options(log)
    log.add_argument("--limit", type=int, metavar="N", help="only the newest N matching records")
    log.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    log.set_defaults(func=_run(_log))

    export = commands.add_parser("export", help="write an evidence package")
    _filter_options(export)
    _data_options(export)
    export.add_argument("--format", choices=("csv", "json"), default="json", dest="fmt")
    export.add_argument("--out", required=True, type=Path, metavar="DIR", help="new or empty dir")
    export.add_argument("--push", metavar="s3://BUCKET/PREFIX", help="also upload the package")
    export.set_defaults(func=_run(_export))

    rotate = commands.add_parser("rotate-key", help="replace the audit signing key (the old "
                                 "key signs a hand-over naming the new one)")
    _data_options(rotate)
    rotate.set_defaults(func=_run(_rotate_key))

    check = commands.add_parser(
        "verify-export", help="check an evidence package offline"
    )
    check.add_argument("directory", type=Path, metavar="DIR")
    check.add_argument("--expect-fingerprint", metavar="SHA256", help="the trusted key fingerprint")
    check.set_defaults(func=_run(_verify_export))


def _data_options(parser: argparse.ArgumentParser) -> None:
    """--demo and --config, also accepted after the subcommand without masking earlier ones."""
    parser.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                        help="use the demo data dir")
    parser.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                        help="kubechat config file (YAML)")


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cluster", action="extend", nargs="+", default=[], metavar="NAME")
    parser.add_argument("--user", action="extend", nargs="+", default=[], metavar="NAME",
                        help="OS user or Kubernetes identity")
    parser.add_argument("--action", "--actions", action="extend", nargs="+", default=[],
                        dest="actions", metavar="TYPE", help="action type, e.g. plan.submitted")
    parser.add_argument("--since", metavar="TIME", help="ISO 8601 (UTC if no zone) or 15m, 2h, 7d")
    parser.add_argument("--until", metavar="TIME", help="ISO 8601 (UTC if no zone) or 15m, 2h, 7d")


def _run(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn store and push failures into one line on stderr and exit code 1."""

    def run(args: argparse.Namespace) -> int:
        from kubechat_tui.integrations.s3_push import S3PushError
        from kubechat_tui.store.errors import StoreError

        try:
            return handler(args)
        except (StoreError, S3PushError) as exc:
            print(f"kubechat: error: {exc}", file=sys.stderr)
            return 1

    return run


def _settings(args: argparse.Namespace) -> Settings:
    """Settings as every command reads them (--config, env; `--demo` keeps its own store)."""
    from kubechat_tui.cli.session import session_settings

    return session_settings(args, args.demo)


def _data_dir(args: argparse.Namespace) -> Path:
    from kubechat_tui.config.paths import data_dir

    return data_dir(demo=args.demo)


@contextmanager
def _open_log(args: argparse.Namespace, settings: Settings, *, signing: bool) -> Iterator[AuditLog]:
    """The audit log of this data dir, never created here; ``signing`` creates the key."""
    from kubechat_tui.store.audit_missing import missing_database
    from kubechat_tui.store.checkpoint_marker import CheckpointMarker
    from kubechat_tui.store.errors import MissingDatabaseError
    from kubechat_tui.store.opener import anchor_path, database_path, open_store
    from kubechat_tui.store.signing import load_signer

    directory = _data_dir(args)
    try:
        store = open_store(settings, directory, writer=signing, create=False)
    except MissingDatabaseError as exc:
        raise missing_database(exc, database_path(settings, directory),
                               anchor_path(settings, directory), CheckpointMarker(directory),
                               load_signer(directory, create=False)) from None
    try:
        yield store.audit
    finally:  # no session-end checkpoint: readers sign nothing, an export signs its own
        store.db.close()


def _filters(args: argparse.Namespace, log: AuditLog) -> AuditFilter:
    from kubechat_tui.store.audit_model import ACTION_TYPES, AuditFilter, parse_time

    try:
        since = parse_time(args.since) if args.since else None
        until = parse_time(args.until) if args.until else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if since and until and since > until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    vocabulary = ACTION_TYPES.union(log.actions())
    unknown = [a for a in args.actions if a not in vocabulary]
    if unknown:
        raise UsageError(f"unknown action type {unknown[0]!r} "
                         f"(action types: {', '.join(sorted(vocabulary))})")
    return AuditFilter(
        clusters=tuple(args.cluster), users=tuple(args.user), actions=tuple(args.actions),
        since=since, until=until,
    )


def _verify(args: argparse.Namespace) -> int:
    import orjson

    from kubechat_tui.engine.journal import verify_with_interrupted
    from kubechat_tui.store.audit_leaks import Leak, credential_leaks
    from kubechat_tui.store.audit_missing import LostDatabaseError
    from kubechat_tui.store.opener import database_path

    settings = _settings(args)
    leaks: list[Leak] = []
    try:
        with _open_log(args, settings, signing=False) as log:
            path, result = log.db.path, verify_with_interrupted(log)
            if result.ok:  # a broken chain's records are not read back
                leaks = list(credential_leaks(log.records()))
    except LostDatabaseError as exc:
        path, result = database_path(settings, _data_dir(args)), exc.result
    result = replace(result, warnings=(*result.warnings, *(leak.line() for leak in leaks)))
    if args.json:
        print(orjson.dumps({**_verify_json(path, result),
                            "credentials": [leak.to_json() for leak in leaks]}).decode())
    else:
        _print_verify(path, result)
    return 0 if result.ok else 1


def _rotate_key(args: argparse.Namespace) -> int:
    """A new signing key: the old key signs a hand-over checkpoint naming it, then it signs."""
    from kubechat_tui.engine.identity import real_os_user
    from kubechat_tui.store.audit_model import AuditEvent, Operator
    from kubechat_tui.store.errors import SigningKeyError
    from kubechat_tui.store.signing import promote_next_key, stage_next_key

    settings = _settings(args)
    if _finish_rotation(args, settings):
        return 0
    with _open_log(args, settings, signing=True) as log:
        old = log.signer
        if old is None:
            raise SigningKeyError("no audit signing key to rotate")
        new = stage_next_key(old)
        event = AuditEvent(action="audit.key_rotated", operator=Operator(real_os_user()),
                           outcome="handed_over", payload={
                               "old_fingerprint": old.fingerprint,
                               "new_fingerprint": new.fingerprint,
                               "new_public_key": new.trusted.public_key.hex(),
                               "key_source": old.source})
        handover, accepted = log.rotate_key(new, event, lambda: promote_next_key(old))
    print(f"audit key rotated: {old.fingerprint} -> {new.fingerprint}")
    print(f"hand-over checkpoint at seq {handover.seq} signed by the old key; the new key "
          f"signed seq {accepted.seq}")
    return 0


def _finish_rotation(args: argparse.Namespace, settings: Settings) -> bool:
    """A rotation interrupted after its hand-over (the staged key is the one in force, the
    old one still stored): promote the staged key and have it sign. False when there is
    none to finish."""
    from kubechat_tui.store.opener import signing_key_in_force
    from kubechat_tui.store.signing import load_signer, promote_next_key, staged_key

    directory = _data_dir(args)
    old = load_signer(directory, create=False)
    staged = staged_key(old) if old is not None else None
    if old is None or staged is None:
        return False
    if signing_key_in_force(settings, directory) != staged.fingerprint:
        return False  # the hand-over never happened: rotate with the staged key
    promote_next_key(old)
    with _open_log(args, settings, signing=True) as log:
        accepted = log.accept_handover(old.trusted)
    print(f"audit key rotation finished: {old.fingerprint} -> {staged.fingerprint} "
          f"(the new key signed seq {accepted.seq})")
    return True


def _print_verify(path: Path, result: VerifyResult) -> None:
    print(f"audit log:   {path}")
    print(f"signing key: {result.key_source} {result.key_fingerprint}".rstrip())
    print(f"records:     {result.records} (head seq {result.head_seq} {result.head_hash[:16]})")
    print(
        f"checkpoints: {result.checkpoints} (last signed seq {result.last_signed_seq}; "
        f"{result.unsigned_tail} record(s) after it)"
    )
    for warning in result.warnings:
        print(f"warning: {warning}")
    if result.problem is None:
        print("OK: chain intact")
    else:
        print(f"FAILED: {result.problem}")


def _verify_json(path: Path, result: VerifyResult) -> dict[str, object]:
    problem = result.problem
    return {
        "ok": result.ok,
        "database": str(path),
        "records": result.records,
        "head_seq": result.head_seq,
        "head_hash": result.head_hash,
        "checkpoints": result.checkpoints,
        "last_signed_seq": result.last_signed_seq,
        "key_source": result.key_source,
        "key_fingerprint": result.key_fingerprint,
        "problem": None if problem is None else
        {"seq": problem.seq, "kind": problem.kind, "detail": problem.detail},
        "warnings": list(result.warnings),
    }


def _log(args: argparse.Namespace) -> int:
    import orjson

    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    with _open_log(args, _settings(args), signing=False) as log:
        filters = _filters(args, log)
        records = iter(log.latest(filters, args.limit) if args.limit else log.records(filters))
        first = next(records, None)
        if first is None:  # the same for table and JSON: nothing on stdout, a note on stderr
            print(NO_MATCH, file=sys.stderr)
            return 0
        if args.json:
            for record in itertools.chain([first], records):
                sys.stdout.write(orjson.dumps(record.to_json()).decode() + "\n")
        else:
            _print_table(itertools.chain([first], records))
    return 0


def _print_table(records: Iterator[AuditRecord]) -> None:
    print(f"{'SEQ':>6}  {'TIME (UTC)':19}  {'USER':24}  {'ACTION':22}  {'CLUSTERS':18}  OUTCOME")
    for r in records:
        e = r.event
        kube = e.operator.kube_identity
        user = e.operator.os_user + (f" ({kube})" if kube else "")
        print(
            f"{r.seq:>6}  {r.ts.strftime('%Y-%m-%d %H:%M:%S')}  {_cut(user, 24):24}  "
            f"{_cut(e.action, 22):22}  {_cut(','.join(e.scope.clusters), 18):18}  {e.outcome}"
        )


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _export(args: argparse.Namespace) -> int:
    from kubechat_tui.integrations.s3_push import S3PushError, parse_s3_url, push_directory
    from kubechat_tui.store.evidence_export import export_evidence

    if args.push:
        try:
            parse_s3_url(args.push)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    settings = _settings(args)
    with _open_log(args, settings, signing=True) as log:
        manifest = export_evidence(log, args.out, _filters(args, log), args.fmt)
    span = manifest["chain_range"]
    print(
        f"exported {manifest['records']} record(s), chain seq {span['first']}..{span['last']}, "
        f"head {manifest['head_hash'][:16]}, key {manifest['public_key_fingerprint']} -> {args.out}"
    )
    if args.push:
        try:
            keys = push_directory(args.out, args.push, settings.audit)
        except S3PushError as exc:
            raise S3PushError(f"{exc} (the package is kept at {args.out})") from None
        print(f"pushed {len(keys)} file(s) to {args.push}")
    return 0


def _verify_export(args: argparse.Namespace) -> int:
    from kubechat_tui.store.evidence_verify import verify_evidence

    if not args.directory.is_dir():
        raise UsageError(f"{args.directory}: not a directory")
    check = verify_evidence(args.directory, args.expect_fingerprint)
    first, last = check.chain_range
    if check.ok:
        print(
            f"OK: {check.records} record(s), chain seq {first}..{last}, "
            f"head {check.head_hash[:16]}, signed by {check.fingerprint}"
        )
        return 0
    for problem in check.problems:
        print(f"FAILED: {problem}")
    return 1
