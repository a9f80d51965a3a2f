"""Exec session transcripts: secrets redacted before a byte is written, sha256 for the audit.

API::

    writer = TranscriptWriter.create(transcript_dir(db_path), session_id, session_redactor)
    writer.command("printenv DB_PASSWORD")           # a one-shot command (as a note)
    writer.add("stdin", "echo $DB_PASSWORD\\r")     # stdin, stdout, stderr or note
    artifact = writer.finish()                       # .path, .sha256, .entries, .size
    read_transcript(path) -> list[TranscriptEntry]
    check_transcript(path, sha256) -> str | None     # why it does not match, or None
    evidence_files(records, directory)               # the transcripts an export includes

A transcript is a file of JSON lines (`{"at", "stream", "text"}`) beside the database
(`<database dir>/transcripts/<session id>.jsonl`, owner-only, created exclusively). Text
is held per stream until a line ends (or 8 KiB gathered, or the session ends) and only
then redacted (`domain.redaction.SessionRedactor`) and written, so a secret split across
network frames or typed key by key is still seen whole by the redactor. After a command
that reads a secret variable (a one-shot command, or a line typed on stdin) its output is
not written at all, only a note naming the variables, until the next line is typed.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import orjson

from kubechat_tui.domain.redaction import MASK, SessionRedactor
from kubechat_tui.store.audit_model import AuditRecord

Stream = Literal["stdin", "stdout", "stderr", "note"]
DIRECTORY = "transcripts"
SESSION_PREFIX = "xs-"  # exec session ids (the execution id of their audit records)
ENDED = "exec.ended"  # the audit action naming a finished transcript and its sha256
MAX_PENDING = 8192  # characters held per stream before they are written without a line end
_LINE_END = re.compile(r"[\r\n]+")
_SESSION_ID = re.compile(r"^[a-z]{2}-[0-9a-f]{6,32}$")


def transcript_dir(db_path: Path) -> Path:
    """Where transcripts of the database at `db_path` live."""
    return db_path.parent / DIRECTORY


def transcript_path(directory: Path, session_id: str) -> Path:
    """The file of one session (ValueError for an id that is not one kubechat makes)."""
    if not _SESSION_ID.match(session_id):
        raise ValueError(f"not an exec session id: {session_id[:40]!r}")
    return directory / f"{session_id}.jsonl"


@dataclass(frozen=True)
class TranscriptEntry:
    """One written piece: when, which stream, the redacted text."""

    at: str
    stream: Stream
    text: str


@dataclass(frozen=True)
class TranscriptArtifact:
    """A finished transcript: where it is, its sha256, how many entries and bytes."""

    path: Path
    sha256: str
    entries: int
    size: int
    redacted: tuple[str, ...] = ()  # ids of the redaction rules that masked something

    def to_json(self) -> dict[str, object]:
        """The audit payload form."""
        return {"file": self.path.name, "sha256": self.sha256, "entries": self.entries,
                "bytes": self.size, "redaction_rules": list(self.redacted)}


@dataclass
class TranscriptWriter:
    """Appends redacted entries to one transcript file."""

    path: Path
    redactor: SessionRedactor
    _fd: int
    _hash: hashlib._Hash = field(default_factory=hashlib.sha256)
    _pending: dict[Stream, str] = field(default_factory=dict)
    _entries: int = 0
    _size: int = 0
    _rules: set[str] = field(default_factory=set)
    _artifact: TranscriptArtifact | None = None
    _hiding: tuple[str, ...] = ()  # secret variables the running command reads
    _learning: bool = False  # its output is the bare values (a one-shot command)

    @classmethod
    def create(cls, directory: Path, session_id: str,
               redactor: SessionRedactor) -> TranscriptWriter:
        """A new, empty transcript file (OSError when it cannot be created)."""
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = transcript_path(directory, session_id)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        return cls(path, redactor, fd)

    def command(self, line: str) -> None:
        """Record a one-shot command (as a note) and what its output reads."""
        self._hiding = tuple(self.redactor.command(line))
        self._learning = bool(self._hiding)
        self._write("note", f"$ {line}\n", None)

    def add(self, stream: Stream, text: str, at: datetime | None = None) -> None:
        """Take text of one stream; whole lines are redacted and written now."""
        if self._artifact is not None or not text:
            return
        pending = self._pending.get(stream, "") + text
        cut = max((m.end() for m in _LINE_END.finditer(pending)), default=0)
        if cut:
            self._write(stream, pending[:cut], at)
            pending = pending[cut:]
        if len(pending) >= MAX_PENDING:
            self._write(stream, pending, at)
            pending = ""
        self._pending[stream] = pending

    def finish(self) -> TranscriptArtifact:
        """Write what is still held, close the file and return the artifact (idempotent)."""
        if self._artifact is None:
            for stream, text in list(self._pending.items()):
                if text:
                    self._write(stream, text, None)
            self._pending.clear()
            os.close(self._fd)
            self._artifact = TranscriptArtifact(self.path, self._hash.hexdigest(),
                                                self._entries, self._size,
                                                tuple(sorted(self._rules)))
        return self._artifact

    def _write(self, stream: Stream, text: str, at: datetime | None) -> None:
        if stream == "stdin":
            for line in _LINE_END.split(text):
                if line.strip():
                    self._hiding, self._learning = tuple(self.redactor.command(line)), False
        elif stream in ("stdout", "stderr") and self._hiding:
            for line in _LINE_END.split(text) if self._learning else ():
                self.redactor.learn(line)  # `printenv X` prints X's value bare
            text = f"{MASK} (output of a command reading {', '.join(self._hiding)})\n"
            self._rules.add("secret-read-output")
        found = self.redactor.redact_text(text)
        self._rules |= found.rules
        moment = (at or datetime.now(UTC)).astimezone(UTC)
        line = orjson.dumps({"at": moment.isoformat(timespec="milliseconds"),
                             "stream": stream, "text": found.text}) + b"\n"
        os.write(self._fd, line)
        self._hash.update(line)
        self._entries += 1
        self._size += len(line)


def read_transcript(path: Path) -> list[TranscriptEntry]:
    """The entries of a transcript file (OSError / ValueError when unreadable)."""
    entries = []
    for raw in path.read_bytes().splitlines():
        doc = orjson.loads(raw)
        entries.append(TranscriptEntry(str(doc["at"]), doc["stream"], str(doc["text"])))
    return entries


def check_transcript(path: Path, sha256: str) -> str | None:
    """None when the file is there and hashes to `sha256`, else why not (one line)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"{path.name}: cannot read transcript ({exc.strerror or exc})"
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        return f"{path.name}: transcript changed (sha256 {actual[:12]}…, audit says {sha256[:12]}…)"
    return None


def evidence_files(records: Iterable[AuditRecord], directory: Path
                   ) -> tuple[dict[str, bytes], list[str]]:
    """The transcripts the `exec.ended` records among `records` name, for an evidence
    package (`transcript-<session id>.jsonl` -> bytes), and one line per transcript that
    is missing or no longer hashes to what its record says (left out)."""
    files: dict[str, bytes] = {}
    problems: list[str] = []
    for record in records:
        named = record.event.payload.get("transcript") if record.event.action == ENDED else None
        if not isinstance(named, dict) or not named.get("sha256"):
            continue
        path = directory / str(named.get("file", ""))
        if path.parent != directory:
            problems.append(f"record {record.seq}: transcript name {named.get('file')!r}")
            continue
        problem = check_transcript(path, str(named["sha256"]))
        if problem is not None:
            problems.append(f"record {record.seq}: {problem}")
        else:
            files[f"transcript-{path.name}"] = path.read_bytes()
    return files, problems
