#!/usr/bin/env bash
# Write DIR/SHA256SUMS for every file in DIR (sha256sum's format), or with --check verify
# them. Usage: scripts/checksums.sh DIR [--check]
set -euo pipefail
dir="${1:?usage: checksums.sh DIR [--check]}"
cd "$dir"
if [ "${2:-}" = "--check" ]; then
    sha256sum --check --strict SHA256SUMS
else
    find . -maxdepth 1 -type f ! -name SHA256SUMS ! -name 'SHA256SUMS.*' -printf '%P\n' \
        | LC_ALL=C sort | xargs -r -d '\n' sha256sum > SHA256SUMS
    cat SHA256SUMS
fi
