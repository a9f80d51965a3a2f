"""The Kubernetes release the simulator speaks: v1.36 by default, or the minor named by
`KUBECHAT_SIM_KUBERNETES` (e.g. `1.33`) among the four it supports (N-3), so the suite can
prove the compatibility matrix in docs/compatibility.md. It shows in /version, /openapi and
the nodes' kubelet version."""

from __future__ import annotations

import os

ENV = "KUBECHAT_SIM_KUBERNETES"
PATCH = {33: 7, 34: 3, 35: 1, 36: 2}  # the patch release each minor is served as
SUPPORTED = tuple(f"1.{minor}" for minor in PATCH)
DEFAULT = "1.36"


class UnsupportedVersion(ValueError):
    """The requested release is not one the simulator speaks (the message is one line)."""


def served_minor() -> int:
    """The minor version served, from the environment (raises UnsupportedVersion)."""
    wanted = os.environ.get(ENV, "").strip() or DEFAULT
    if wanted.removeprefix("v") not in SUPPORTED:
        raise UnsupportedVersion(
            f"{ENV}={wanted!r}: the simulator speaks Kubernetes {', '.join(SUPPORTED)}")
    return int(wanted.removeprefix("v").split(".")[1])


def git_version(minor: int) -> str:
    """`v1.MINOR.PATCH` as /version and the kubelet report it."""
    return f"v1.{minor}.{PATCH[minor]}"


def version_document(minor: int) -> dict[str, str]:
    """GET /version for that release."""
    return {
        "major": "1", "minor": str(minor), "emulationMajor": "1", "emulationMinor": str(minor),
        "minCompatibilityMajor": "1", "minCompatibilityMinor": str(minor - 1),
        "gitVersion": git_version(minor),
        "gitCommit": "98b35193b2ac7a23a673325f5e9b830ecd5ba406", "gitTreeState": "clean",
        "buildDate": "2026-11-25T19:46:42Z", "goVersion": "go1.27.3-X:nojsonv2",
        "compiler": "gc", "platform": "linux/amd64",
    }
