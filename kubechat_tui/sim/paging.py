"""limit/continue tokens in the apiserver's format (base64url JSON with a start key)."""

from __future__ import annotations

import base64
import json
import posixpath

from kubechat_tui.sim.status import ApiError, bad_request, go_json_type

API = "meta.k8s.io/v1"
LATEST = -1  # a token's rv after compaction: continue at the latest resourceVersion


def encode(rv: int, last_key: str) -> str:
    """The token that resumes a list after last_key (rv -1: at the latest version)."""
    raw = json.dumps({"v": API, "rv": rv, "start": last_key + "\x00"}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _invalid(detail: str) -> ApiError:
    return bad_request(f"invalid continue token: continue key is not valid: {detail}")


def _go_char(byte: int) -> str:
    if 0x20 <= byte < 0x7F:
        return "\\'" if byte == 0x27 else chr(byte)
    return f"\\u{byte:04x}"



def _clean(key: str) -> str:
    """Go's path.Clean for an absolute path."""
    cleaned = posixpath.normpath(key)
    return "/" + cleaned.lstrip("/")


def decode(token: str) -> tuple[int, str]:
    """The resourceVersion and key to start after; 400 for malformed tokens."""
    text = token.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise _invalid(f"illegal base64 data at input byte {len(text.rstrip('='))}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        first = next((b for b in raw if b not in b" \t\r\n"), None)
        if first is None:
            raise _invalid("unexpected end of JSON input") from None
        raise _invalid(f"invalid character '{_go_char(first)}' looking for beginning of value"
                       ) from None
    if not isinstance(data, dict):
        raise _invalid(f"json: cannot unmarshal {go_json_type(data)} into Go value of type "
                       "storage.continueToken")
    rv, start = data.get("rv", 0), data.get("start", "")
    for field, value, kind in (("rv", rv, int), ("start", start, str)):
        if not isinstance(value, kind) or isinstance(value, bool):
            raise _invalid(f"json: cannot unmarshal {go_json_type(value)} into Go struct field "
                           f"continueToken.{field} of type {'int64' if kind is int else 'string'}")
    if data.get("v") != API:
        raise _invalid(f"server does not recognize this encoded version {data.get('v') or ''}")
    if rv == 0:
        raise _invalid(f"incorrect encoded start resourceVersion (version {API})")
    if not start:
        raise _invalid(f"encoded start key empty (version {API})")
    key = start if start.startswith("/") else "/" + start
    if _clean(key) != key:
        raise _invalid(start)
    return rv, start.rstrip("\x00")
