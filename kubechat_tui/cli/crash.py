"""An unexpected exception in a command or the console: one line on stderr naming it and
the file that holds its traceback (in the data dir, readable by the user only), and exit
code 70 (EX_SOFTWARE in sysexits.h: an internal error). Never a traceback on the terminal
(it can hold local values and untrusted text), never exit 0.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from kubechat_tui.domain.visible_text import visible

EXIT_CRASH = 70


def report_crash(error: BaseException, folder: Path) -> int:
    """Save the traceback under `folder`, say so in one line on stderr; the exit code."""
    first = (str(error).splitlines() or [""])[0]
    line = f"kubechat: internal error: {type(error).__name__}: {first}"
    try:
        saved = save_traceback(error, folder)
    except OSError as exc:
        line += f" (traceback not saved: {exc.strerror or exc})"
    else:
        line += f"; traceback in {saved}"
    print(visible(line, lines=False), file=sys.stderr)
    return EXIT_CRASH


def save_traceback(error: BaseException, folder: Path) -> Path:
    """Write `crash-<UTC time>-<pid>.txt` (mode 0600) under `folder`; OSError when it cannot."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"crash-{stamp}-{os.getpid()}.txt"
    text = "".join(traceback.format_exception(error))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(visible(text))
    return path
