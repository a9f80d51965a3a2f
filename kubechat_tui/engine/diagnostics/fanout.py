"""Run read tasks concurrently, each cluster within its deadline; hand results over as
they arrive, in the caller's thread.

A task that has not finished at the deadline (a blackholed cluster, a hung connection) is
answered by `late(task)` and left to end on its own (its requests time out too): a slow
cluster never holds up the others, nor the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

MAX_WORKERS = 64
GRACE = 0.5  # seconds past the deadline before a task is declared late
T = TypeVar("T")
R = TypeVar("R")


def fan_out(tasks: Sequence[T], work: Callable[[T], R], deadline: float,
            done: Callable[[R], None], late: Callable[[T], R]) -> None:
    """`work(task)` for every task in a pool; `done(result)` in this thread as each one
    finishes, `done(late(task))` for those still running past `deadline` (monotonic)."""
    if not tasks:
        return
    pool = ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(tasks)),
                              thread_name_prefix="kubechat-read")
    try:
        pending: dict[Future[R], T] = {pool.submit(work, task): task for task in tasks}
        while pending:
            remaining = deadline + GRACE - time.monotonic()
            if remaining <= 0:
                break
            finished, _ = wait(pending, timeout=remaining, return_when=FIRST_COMPLETED)
            for future in finished:
                pending.pop(future)
                done(future.result())
        for future, task in list(pending.items()):
            future.cancel()
            done(late(task))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
