"""``bench/profile``: the benchmark query through aggregator in-process, under pyinstrument.

Starts the benchmark subgraphs, builds ``Gateway.from_supergraph_sdl`` against
them, checks the answer, then profiles sequential requests (execute + the JSON
encoding the server would do) and writes an HTML and a text profile. Prints the
average split of one request between parse/validate, planning, subgraph I/O,
JSON decode, merging, projection and JSON encode (see ``bench.phases``).

The gateway hands large projections (and large documents) to a thread
(``aggregator.offload``); pyinstrument samples only the loop's thread, so here
that work runs inline on the loop instead (the same work, without the hop) and
shows under its own phase rather than as time awaited.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from pyinstrument import Profiler

from bench.expected import canonical_checksum, expected_checksum, query_text
from bench.phases import PHASES, split_frames
from bench.sampling import profile_under_load
from bench.scenarios import BENCH_DIR, DEFAULT_SCENARIO, SCENARIOS
from bench.subgraph_process import SubgraphProcess


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/profile", description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="profiled requests")
    parser.add_argument("--warmup", type=int, default=20, help="unprofiled requests first")
    parser.add_argument("--interval", type=float, default=0.001, help="sampling interval (s)")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results")
    parser.add_argument(
        "--scenario",
        choices=sorted(SCENARIOS),
        default=DEFAULT_SCENARIO,
        help="data set: standard (the reference subgraphs' data) or light",
    )
    parser.add_argument(
        "--under-load",
        action="store_true",
        help="sample the real server under wrk load with py-spy instead (see bench/sampling.py)",
    )
    parser.add_argument("--seconds", type=int, default=20, help="--under-load: sampled seconds")
    parser.add_argument("--warmup-seconds", type=int, default=5, help="--under-load: warm-up")
    parser.add_argument("--connections", type=int, default=50, help="--under-load: connections")
    parser.add_argument(
        "--top", type=int, default=25, help="--under-load: functions listed by own samples"
    )
    return parser.parse_args(argv)


async def _one(gateway: Any, query: str) -> bytes:
    result = await gateway.execute(query, variables=None, operation_name="TestQuery")
    return orjson.dumps(result)


async def _inline(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``aggregator.offload.offload`` without the thread, so the profiler sees the work."""
    return fn(*args, **kwargs)


async def profile(args: argparse.Namespace, supergraph: str, urls: dict[str, str]) -> int:
    gateway_module: Any = importlib.import_module("aggregator.gateway")
    if hasattr(gateway_module, "offload"):
        gateway_module.offload = _inline
    gateway_cls: Any = gateway_module.Gateway
    gateway = gateway_cls.from_supergraph_sdl(supergraph, subgraph_urls=urls)
    query = query_text()
    try:
        for _ in range(max(args.warmup, 1)):
            body = await _one(gateway, query)
        answer = orjson.loads(body)
        if "errors" in answer or canonical_checksum(answer) != expected_checksum(args.scenario):
            print(f"wrong answer from aggregator: {body[:500]!r}", file=sys.stderr)
            return 1
        started = time.perf_counter()
        for _ in range(args.requests):
            await _one(gateway, query)
        plain_ms = (time.perf_counter() - started) * 1000 / args.requests
        profiler = Profiler(interval=args.interval, async_mode="enabled")
        profiler.start()
        for _ in range(args.requests):
            await _one(gateway, query)
        profiler.stop()
    finally:
        await gateway.close()
    session = profiler.last_session
    assert session is not None
    split = split_frames(session.root_frame())
    total = sum(split.values()) or 1.0
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    args.out.mkdir(parents=True, exist_ok=True)
    html = args.out / f"profile-{stamp}.html"
    html.write_text(profiler.output_html())
    text = args.out / f"profile-{stamp}.txt"
    text.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    print(f"one request, unprofiled: {plain_ms:.2f} ms (sequential, {args.requests} requests)")
    print(f"one request, profiled:   {total * 1000 / args.requests:.2f} ms\n")
    print("| phase | ms per request | share |")
    print("| --- | ---: | ---: |")
    for phase in PHASES:
        ms = split[phase] * 1000 / args.requests
        print(f"| {phase} | {ms:.3f} | {split[phase] / total:.0%} |")
    print(f"\nprofile: {html}\n         {text}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.under_load:
        return profile_under_load(args)
    workdir = Path(tempfile.mkdtemp(prefix="profile-", dir=args.out))
    subgraphs = SubgraphProcess(workdir / "subgraphs.log", args.scenario)
    try:
        supergraph = subgraphs.write_supergraph(workdir / "supergraph.graphql").read_text()
        return asyncio.run(profile(args, supergraph, subgraphs.urls))
    finally:
        subgraphs.stop()


if __name__ == "__main__":
    sys.exit(main())
