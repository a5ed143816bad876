"""Check large documents (parse, limits, validation) in a separate process.

A thread shares the interpreter lock with the event loop: while one parses a
hostile 35 KB document, every other request waits for the lock at each socket
read and write. A worker process does not: the hostile document's parsing costs
another process's CPU, and a refused document (the usual fate of a hostile one)
never creates an object in the gateway's own heap. Only a document the worker
found valid is parsed again here (without validation), because plans are built
from the gateway's own AST.

One pool per gateway (a hot reload gets a new one), started with ``spawn`` (no
fork of a process that runs threads); each worker loads the supergraph once.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from aggregator.operation import DocumentCache, DocumentPolicy
from aggregator.security.limits import DocumentMeasure

__all__ = ["DocumentWorkers"]

_cache: DocumentCache | None = None


def _exit_with(parent: int) -> None:
    """A worker outlives no gateway: not even one killed before it could shut us down."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _start(supergraph_sdl: str, policy: DocumentPolicy, parent: int) -> None:
    global _cache
    from aggregator.supergraph import load

    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    _cache = DocumentCache(load(supergraph_sdl).api_schema, policy)


def _check(query: str) -> tuple[list[dict[str, Any]], DocumentMeasure, bool]:
    assert _cache is not None
    parsed = _cache.compute(query)
    return parsed.errors, parsed.measure, parsed.document is not None


def _ready() -> bool:
    return _cache is not None


class DocumentWorkers:
    def __init__(self, supergraph_sdl: str, policy: DocumentPolicy, processes: int = 1) -> None:
        self._pool = ProcessPoolExecutor(
            processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(supergraph_sdl, policy, os.getpid()),
        )

    async def start(self) -> None:
        """Wait until a worker has loaded the supergraph (a first request need not)."""
        await asyncio.wrap_future(self._pool.submit(_ready))

    async def check(self, query: str) -> tuple[list[dict[str, Any]], DocumentMeasure, bool]:
        """The document's errors (limits, syntax, validation), its measure, and validity."""
        return await asyncio.wrap_future(self._pool.submit(_check, query))

    def pids(self) -> list[int]:
        """The worker processes' ids (for operators and tests)."""
        return [p.pid for p in getattr(self._pool, "_processes", {}).values() if p.pid]

    def close(self) -> None:
        processes = list(getattr(self._pool, "_processes", {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:  # a check still running must not keep it alive
            process.terminate()
