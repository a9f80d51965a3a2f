"""What obtaining credentials may cost: bytes read from files and plugins, and how often
a credential is fetched again. (A plugin's run time is `kube.exec_timeout_seconds`.)"""

from __future__ import annotations

import os

KIB = 1024
MAX_TOKEN_BYTES = 64 * KIB  # a token file (or /dev/zero) beyond this is refused
MAX_CREDENTIAL_FILE_BYTES = 1024 * KIB  # certificate, key and certificate-authority files
MAX_PLUGIN_STDOUT = 1024 * KIB  # an ExecCredential, certificates included, is a few KiB
MAX_PLUGIN_STDERR = 64 * KIB  # the tail is kept: the message is at the end
TOKEN_FILE_RECHECK = 60.0  # seconds: a token file is re-read at least this often
PLUGIN_RERUN_HOLD = 10.0  # seconds before a failed plugin runs again, or runs again for a 401


def size_text(limit: int) -> str:
    """`64 KiB`, `1024 KiB`: a limit as users read it."""
    return f"{limit // KIB} KiB"


def read_bounded(path: str, limit: int) -> bytes:
    """A file's content, reading at most `limit` + 1 bytes: ValueError when it holds more
    (a device such as /dev/zero included), OSError when it cannot be read. Opened
    non-blocking, so a FIFO without a writer cannot hang the caller."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        data = bytearray()
        while len(data) <= limit:
            chunk = os.read(fd, limit + 1 - len(data))
            if not chunk:
                return bytes(data)
            data += chunk
    finally:
        os.close(fd)
    raise ValueError(f"larger than {size_text(limit)}")
