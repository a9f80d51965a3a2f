"""Validate a CycloneDX JSON SBOM against its schema; exit 1 naming the first problem."""

from __future__ import annotations

import sys
from pathlib import Path

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator


def main(path: str) -> int:
    text = Path(path).read_text(encoding="utf-8")
    problem = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if problem is not None:
        print(f"{path}: not a valid CycloneDX 1.6 SBOM: {problem}", file=sys.stderr)
        return 1
    print(f"{path}: valid CycloneDX 1.6 SBOM")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
