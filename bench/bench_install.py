"""Install benchmark: a fresh venv, `pip install` of this checkout, then `kubechat --demo`.

Prints the install time, the venv's size and package count, `kubechat --version` and a
`--demo plan` wall time, and the console's first frame: `kubechat --demo` started in a
pseudo-terminal, timed until the context banner (a demo cluster's name) is on the screen.

`--extras providers,s3,bench` installs what the default install carried before those moved
to extras (litellm, boto3, psutil), for the before/after comparison. pip's cache makes
repeated runs faster than a first install on a new machine; `--no-cache` measures that.

    .venv/bin/python bench/bench_install.py [--extras LIST] [--no-cache]
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BANNER = b"prod-eu"  # the first demo cluster, in the context banner of the first frame


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extras", default="", help="extras to install, e.g. providers,s3")
    parser.add_argument("--no-cache", action="store_true", help="pip without its cache")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        venv, home = Path(tmp) / "venv", Path(tmp) / "home"
        home.mkdir()
        target = f"{ROOT}[{args.extras}]" if args.extras else str(ROOT)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q", target]
        subprocess.run(pip + (["--no-cache-dir"] if args.no_cache else []), check=True,
                       stderr=subprocess.DEVNULL)
        installed = time.perf_counter() - started
        size = sum(p.stat().st_size for p in venv.rglob("*") if p.is_file() and
                   not p.is_symlink()) / 1e6
        listed = subprocess.run([str(venv / "bin" / "pip"), "list", "--format=freeze"],
                                capture_output=True, text=True, check=True).stdout
        kubechat = str(venv / "bin" / "kubechat")
        env = {**os.environ, "HOME": str(home), "TERM": "xterm-256color"}
        version = _timed([kubechat, "--version"], env)
        plan = _timed([kubechat, "--demo", "plan", "restart payments-api in prod-eu"], env)
        frame = _first_frame(kubechat, env)
        print(f"extras:          {args.extras or '(none)'}")
        cache = "no cache" if args.no_cache else "pip cache"
        print(f"install:         {installed:.1f} s ({cache})")
        print(f"venv size:       {size:.0f} MB, {len(listed.splitlines())} packages")
        print(f"--version:       {version:.2f} s")
        print(f"--demo plan:     {plan:.2f} s")
        print(f"first frame:     {frame:.2f} s (kubechat --demo in a pseudo-terminal)")
        shutil.rmtree(home, ignore_errors=True)
    return 0


def _timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, capture_output=True, check=False, timeout=120)
    return time.perf_counter() - started


def _first_frame(kubechat: str, env: dict[str, str], timeout: float = 60.0) -> float:
    """Seconds from starting the console until the banner shows (inf if it never did)."""
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the console, in a 120x40 terminal
        os.environ.update(env | {"COLUMNS": "120", "LINES": "40"})
        os.execv(kubechat, [kubechat, "--demo"])
    seen = b""
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    seen = (seen + os.read(fd, 65536))[-200_000:]
                except OSError:
                    break
                if BANNER in seen:
                    return time.perf_counter() - started
        return float("inf")
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)


if __name__ == "__main__":
    raise SystemExit(main())
