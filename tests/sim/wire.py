"""Read the captured kube-apiserver exchanges (tests/sim/wire_samples: a copy of the
workplace's shared/k8s-wire-samples, kept in the repo so a clean checkout tests against them)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SAMPLES = Path(__file__).resolve().parent / "wire_samples"


@dataclass
class Exchange:
    """One captured request and response."""

    method: str
    path: str
    request_headers: dict[str, str]
    request_body: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    def json(self) -> Any:
        """The response body as JSON."""
        return json.loads(self.body)

    def events(self) -> list[dict[str, Any]]:
        """Watch events (one JSON object per line)."""
        return [json.loads(line) for line in self.body.splitlines() if line.strip()]


def _headers(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        name, _, value = line.partition(":")
        out[name.strip().lower()] = value.strip()
    return out


def load(number: int) -> Exchange:
    """Parse sample NN-*.txt."""
    path = next(SAMPLES.glob(f"{number:02d}-*.txt"))
    text = path.read_text()
    request, response = text.split("\nRESPONSE:\n", 1)
    req_lines = request.splitlines()
    method, target = _request_line(req_lines[0].removeprefix("REQUEST:").strip())
    head, _, body = "\n".join(req_lines[1:]).partition("\n\n")
    status_line, _, rest = response.partition("\n")
    resp_head, _, resp_body = rest.partition("\n\n")
    return Exchange(method, target, _headers([h for h in head.splitlines() if h]), body.strip(),
                    int(status_line.split()[1]), _headers(resp_head.splitlines()), resp_body)


def _request_line(text: str) -> tuple[str, str]:
    """(method, path): `GET /path`, or a bare URL (a GET, as sample 32 records it)."""
    first, _, rest = text.partition(" ")
    if first.startswith("https://"):
        return "GET", urlsplit(first).path
    return first, rest


def shape(value: Any) -> Any:
    """A value's structure: dict keys, list element shape, scalar type names."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__
