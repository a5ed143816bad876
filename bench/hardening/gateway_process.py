"""The gateway under test for bench/hostile.py and bench/memory.py, in its own process.

``python -m bench.hardening.gateway_process --supergraph F --port P --variant V``
serves the supergraph with uvicorn and, beside it, measures how late the event loop
runs a 5 ms ticker (the longest time any request held the loop) and the process's
RSS. ``GET /__bench/stats`` answers both as JSON (``?reset=1`` starts a new window).

Variants:
- ``production``: ``aggregator serve --config`` defaults (limits enforced).
- ``warn``: every operation limit in warn-only mode, so hostile documents are parsed,
  validated, planned and executed in full.
- ``library``: ``Gateway.from_supergraph_sdl`` + ``create_app`` with no options, the
  only variant older checkouts have (use ``--aggregator-path`` to point at one).
- ``memory``: production, with the byte budgets given by ``--documents-mib`` and
  ``--apq-mib`` and APQ on.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

TICK_S = 0.005


class LoopLag:
    def __init__(self) -> None:
        self.reset()
        self._gc_start = 0.0
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            pause = time.perf_counter() - self._gc_start
            self.gc_max = max(self.gc_max, pause)
            self.gc_total += pause

    def reset(self) -> None:
        self.lags: list[float] = []
        self.started = time.monotonic()
        self.gc_max = 0.0
        self.gc_total = 0.0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(TICK_S)
            self.lags.append(max(0.0, loop.time() - before - TICK_S))

    def stats(self) -> dict[str, float]:
        lags = sorted(self.lags) or [0.0]
        return {
            "seconds": round(time.monotonic() - self.started, 1),
            "max_ms": round(lags[-1] * 1000, 1),
            "p99_ms": round(lags[int(len(lags) * 0.99)] * 1000, 1),
            "over_20ms": sum(1 for lag in lags if lag > 0.020),
            "gc_max_ms": round(self.gc_max * 1000, 1),
            "gc_total_ms": round(self.gc_total * 1000, 1),
        }


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cache_bytes(app: Any) -> dict[str, int]:
    """What the caches account (newer checkouts only)."""
    out: dict[str, int] = {}
    gateway = getattr(getattr(app, "holder", None), "current", None)
    documents = getattr(gateway, "documents", None)
    if documents is not None and hasattr(documents, "bytes"):
        out["documents_bytes"] = documents.bytes
        out["documents"] = len(documents)
    store = getattr(getattr(app, "options", None), "persisted_queries", None)
    if store is not None and hasattr(store, "bytes"):
        out["apq_bytes"] = store.bytes
        out["apq_entries"] = len(store)
    return out


def build_app(args: argparse.Namespace) -> Any:
    sdl = Path(args.supergraph).read_text()
    if args.variant == "library":
        from aggregator.gateway import Gateway
        from aggregator.server.app import create_app

        return create_app(Gateway.from_supergraph_sdl(sdl))
    from aggregator.config import parse_config
    from aggregator.registry.gateway_factory import gateway_from_config, server_options

    text = f"supergraph_file: {args.supergraph}\n"
    if args.variant == "warn":
        text += "limits: {warn_only: true, max_tokens: null}\n"
    if args.variant == "memory":
        mib = 1024 * 1024
        text += (
            "server: {apq: true}\n"
            f"memory: {{documents_bytes: {int(args.documents_mib * mib)}, "
            f"document_max_bytes: {int(args.documents_mib * mib / 8)}, "
            f"persisted_queries_bytes: {int(args.apq_mib * mib)}, "
            f"persisted_query_max_bytes: {int(args.apq_mib * mib / 8)}}}\n"
            "limits: {max_root_fields: null, max_aliases: null, max_fields: null,"
            " max_tokens: null}\n"
        )
    config = parse_config(text)
    from aggregator.server.app import create_app

    return create_app(gateway_from_config(config, sdl), server_options(config))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--supergraph", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--variant", default="production", choices=["production", "warn", "library", "memory"]
    )
    parser.add_argument("--aggregator-path", help="import aggregator from this checkout")
    parser.add_argument("--documents-mib", type=float, default=64)
    parser.add_argument("--apq-mib", type=float, default=16)
    args = parser.parse_args()
    if args.aggregator_path:
        sys.path.insert(0, args.aggregator_path)
    import uvicorn

    app = build_app(args)
    lag = LoopLag()

    async def with_stats(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/__bench/stats":
            stats = {**lag.stats(), "rss_mib": round(rss_mib(), 1), **cache_bytes(app)}
            if b"reset=1" in scope.get("query_string", b""):
                lag.reset()
            body = json.dumps(stats).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "lifespan":
            asyncio.get_running_loop().create_task(lag.run())
        await app(scope, receive, send)

    uvicorn.run(
        with_stats,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )


if __name__ == "__main__":
    main()
