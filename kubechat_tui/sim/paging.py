"""limit/continue tokens in the apiserver's format (base64url JSON with a start key)."""

from __future__ import annotations

import base64
import json

from kubechat_tui.sim.status import ApiError, bad_request

API = "meta.k8s.io/v1"


def encode(rv: int, last_key: str) -> str:
    """The token that resumes a list after last_key."""
    raw = json.dumps({"v": API, "rv": rv, "start": last_key + "\x00"}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _invalid(detail: str) -> ApiError:
    return bad_request(f"invalid continue token: continue key is not valid: {detail}")


def _go_char(byte: int) -> str:
    if 0x20 <= byte < 0x7F:
        return "\\'" if byte == 0x27 else chr(byte)
    return f"\\u{byte:04x}"


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
    if not isinstance(data, dict) or data.get("v") != API:
        raise _invalid(f"incorrect encoded start resourceVersion (version {API})")
    start = data.get("start")
    if not isinstance(start, str) or not start:
        raise _invalid("encoded key is empty")
    rv = data.get("rv")
    if not isinstance(rv, int) or rv <= 0:
        raise _invalid(f"incorrect encoded start resourceVersion (version {API})")
    return rv, start.rstrip("\x00")
