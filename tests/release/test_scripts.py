"""The release scripts the workflows call, run here: checksums, a signature over them with
a test key, and a CycloneDX SBOM of the installed environment (no network)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


def run(*argv: str | Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)
    if ok:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def artifacts(folder: Path) -> Path:
    folder.mkdir()
    (folder / "kubechat-0.1.0-py3-none-any.whl").write_bytes(b"wheel bytes")
    (folder / "kubechat-linux-x86_64").write_bytes(b"\x7fELF binary")
    return folder


def test_checksums_verify_and_a_changed_artifact_fails(tmp_path: Path) -> None:
    dist = artifacts(tmp_path / "dist")
    run(SCRIPTS / "checksums.sh", dist)
    lines = (dist / "SHA256SUMS").read_text().splitlines()
    assert [line.split()[1] for line in lines] == [
        "kubechat-0.1.0-py3-none-any.whl", "kubechat-linux-x86_64"]
    run(SCRIPTS / "checksums.sh", dist, "--check")
    (dist / "kubechat-linux-x86_64").write_bytes(b"tampered")
    assert run(SCRIPTS / "checksums.sh", dist, "--check", ok=False).returncode != 0


def test_a_signature_over_the_checksums_verifies_with_the_test_key(tmp_path: Path) -> None:
    dist = artifacts(tmp_path / "dist")
    run(SCRIPTS / "checksums.sh", dist)
    private, public = tmp_path / "test.key", tmp_path / "test.pub"
    run(sys.executable, SCRIPTS / "sign.py", "keygen", private, public)
    sums = dist / "SHA256SUMS"
    run(sys.executable, SCRIPTS / "sign.py", "sign", private, sums)
    assert "verified" in run(sys.executable, SCRIPTS / "sign.py", "verify", public, sums).stdout
    other_private, other_public = tmp_path / "other.key", tmp_path / "other.pub"
    run(sys.executable, SCRIPTS / "sign.py", "keygen", other_private, other_public)
    wrong = run(sys.executable, SCRIPTS / "sign.py", "verify", other_public, sums, ok=False)
    assert wrong.returncode == 1 and "does not verify" in wrong.stderr
    sums.write_text(sums.read_text() + "0" * 64 + "  extra\n")
    assert run(sys.executable, SCRIPTS / "sign.py", "verify", public, sums,
               ok=False).returncode == 1


def test_the_sbom_lists_the_runtime_dependencies_and_is_valid(tmp_path: Path) -> None:
    out = tmp_path / "sbom.cdx.json"
    done = run(SCRIPTS / "sbom.sh", out, sys.executable)
    assert "valid CycloneDX 1.6 SBOM" in done.stdout
    names = {c["name"].lower() for c in json.loads(out.read_text())["components"]}
    assert {"textual", "kubernetes", "cryptography", "kubechat-tui"} <= names


def test_an_invalid_sbom_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": 3}')
    done = run(sys.executable, SCRIPTS / "sbom_validate.py", bad, ok=False)
    assert done.returncode == 1 and "not a valid CycloneDX" in done.stderr
