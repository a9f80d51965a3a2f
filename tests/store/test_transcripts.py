"""Transcripts are redacted before a byte is written, however the secret arrives."""

from __future__ import annotations

from pathlib import Path

from kubechat_tui.domain.redaction import Redactor, SessionRedactor
from kubechat_tui.store.transcripts import (
    TranscriptWriter,
    check_transcript,
    read_transcript,
)

TOKEN = "ghp_" + "C4n4ry" * 6  # a GitHub token shape
PASSWORD = "hunter2-Canary-77"


def writer(tmp_path: Path, secret_env: tuple[str, ...] = ()) -> TranscriptWriter:
    return TranscriptWriter.create(tmp_path / "transcripts", "xs-0123456789",
                                   SessionRedactor(Redactor(), secret_env))


def test_a_secret_split_across_frames_or_typed_key_by_key_is_masked(tmp_path: Path) -> None:
    w = writer(tmp_path)
    w.add("stdout", f"token: {TOKEN[:10]}")
    w.add("stdout", f"{TOKEN[10:]}\nnext line\n")
    for key in f"export API_TOKEN={TOKEN}\r":
        w.add("stdin", key)
    artifact = w.finish()
    text = artifact.path.read_text()
    assert TOKEN not in text and TOKEN[:10] not in text
    assert [e.text for e in read_transcript(artifact.path)] == [
        "token: [REDACTED]\nnext line\n", "export API_TOKEN=[REDACTED]\r"]
    assert check_transcript(artifact.path, artifact.sha256) is None
    assert artifact.path.stat().st_mode & 0o777 == 0o600


def test_values_seen_under_a_secret_name_are_masked_wherever_they_show_again(
        tmp_path: Path) -> None:
    w = writer(tmp_path, secret_env=("LEDGER_DSN",))
    w.add("stdout", f"DB_PASSWORD={PASSWORD}\nLEDGER_DSN=postgres-internal-7\n")
    w.add("stdout", f"later: {PASSWORD} and postgres-internal-7\n")
    text = w.finish().path.read_text()
    assert PASSWORD not in text and "postgres-internal-7" not in text


def test_output_of_a_command_reading_a_secret_is_not_written(tmp_path: Path) -> None:
    w = writer(tmp_path, secret_env=("STRIPE",))
    w.command("printenv STRIPE")
    w.add("stdout", "plain-looking-value\n")
    w.add("stdin", "echo plain-looking-value\r")  # learned: masked from now on
    w.add("stdout", "plain-looking-value\n")
    entries = read_transcript(w.finish().path)
    assert [e.text for e in entries] == [
        "$ printenv STRIPE\n", "[REDACTED] (output of a command reading STRIPE)\n",
        "echo [REDACTED]\r", "[REDACTED]\n"]


def test_a_changed_transcript_no_longer_matches_its_hash(tmp_path: Path) -> None:
    w = writer(tmp_path)
    w.add("stdout", "hello\n")
    artifact = w.finish()
    artifact.path.write_text(artifact.path.read_text().replace("hello", "HELLO"))
    problem = check_transcript(artifact.path, artifact.sha256)
    assert problem is not None and "transcript changed" in problem
