"""Release notes for TAG from the repository's own documents: the CHANGELOG's
"Unreleased" section, the compatibility matrix and the upgrade guide.

    python scripts/release_notes.py v0.2.0 > notes.md
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def section(markdown: str, heading: str) -> str:
    """The body under `## heading` (up to the next `## `), stripped."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    if match is None:
        raise SystemExit(f"release notes: no '## {heading}' section")
    return match.group(1).strip()


def notes(tag: str) -> str:
    changes = section((ROOT / "CHANGELOG.md").read_text(), "Unreleased")
    matrix = (ROOT / "docs" / "compatibility.md").read_text()
    table = "\n".join(line for line in matrix.splitlines() if line.startswith("|"))
    upgrade = (ROOT / "docs" / "upgrading.md").read_text().split("\n", 1)[1].strip()
    return "\n\n".join([
        f"# kubechat {tag}", "## Changes", changes,
        "## Kubernetes compatibility", table,
        "## Upgrading", upgrade,
        "## Verifying this release",
        "`sha256sum --check SHA256SUMS` after `cosign verify-blob SHA256SUMS --signature "
        "SHA256SUMS.sig --certificate SHA256SUMS.pem ...` (see "
        "docs/operations/signing-keys.md).",
    ]) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sys.stdout.write(notes(sys.argv[1]))
