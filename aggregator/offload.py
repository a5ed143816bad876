"""Run CPU-heavy steps of one request (parse, validate, plan of a large document) off the loop.

The gateway serves every client from one event loop: 100 ms of parsing for one
client is 100 ms of latency for all the others. Large documents (cache misses
longer than ``DocumentPolicy.offload_chars``) are therefore handled by a small
thread pool. graphql-core is pure Python, so the thread shares the GIL with the
loop; what it buys is that the loop thread gets the interpreter back every
switch interval instead of after the whole document, so other requests keep
moving (measured in bench/hostile.py; why threads and not processes:
docs/decisions/0012-linear-validation-and-off-loop-documents.md).

One pool per process, shared by every gateway a hot reload builds. The tracing
context of the request travels with the work (spans keep their parent).
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

__all__ = ["SWITCH_INTERVAL_S", "WORKERS", "offload"]

P = ParamSpec("P")
T = TypeVar("T")

# two threads: one long document does not queue every other large cache miss behind it
WORKERS = 2
# while a worker runs, the loop thread waits at most this long for the GIL after each
# system call (CPython's default is 5 ms; every socket read and write releases the GIL)
SWITCH_INTERVAL_S = 0.001

_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(WORKERS, thread_name_prefix="aggregator-cpu")
            if sys.getswitchinterval() > SWITCH_INTERVAL_S:
                sys.setswitchinterval(SWITCH_INTERVAL_S)
        return _executor


async def offload(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)`` on a worker thread, with the caller's context variables."""
    context = contextvars.copy_context()
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool(), lambda: context.run(fn, *args, **kwargs))
