"""The standard federation benchmark with the resolver cache warm: uncached, memory, Redis.

    .venv/bin/python -m bench.cache_bench [--duration 20] [--rounds 2] [--connections 50]

Each leg runs ``aggregator serve --config`` on the benchmark's supergraph and
subgraphs (the same query, checked byte for byte by wrk as in ``bench/run``).
The cached legs mark all four subgraphs cacheable with ``cache.subgraphs``
(the benchmark's SDL has no hints), warm the cache, then measure; ``memory``
and ``redis`` use every layer (a repeated query is one whole-response entry),
``memory-parts`` and ``redis-parts`` only the entity and root-fetch entries
(``responses: false``: execution and projection still run). Reported per
leg: req/s, latency, CPU ms per request of the gateway process (robust on a
busy machine), subgraph requests per request, and the hit ratio during the
measured load (from the admin stats endpoint). Target (issue 11): the memory
backend at least 3x the uncached req/s.

This is a benchmark, not a test: nothing here is timed by the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench.expected import request_body
from bench.gateways import REPO_DIR
from bench.load import LoadResult, run_wrk, validated_bodies, write_accept_file
from bench.processes import ManagedProcess, free_port, tree_cpu_seconds
from bench.scenarios import DEFAULT_SCENARIO
from bench.subgraph_process import SubgraphProcess

ADMIN_TOKEN = "bench-cache-admin-token-0123456789abcdef"
SUBGRAPHS = ("accounts", "inventory", "products", "reviews")


LEGS = ("uncached", "memory", "memory-parts", "redis", "redis-parts")


def cache_section(leg: str, redis_url: str | None, redis_timeout_ms: int = 1000) -> str:
    """``memory``/``redis``: every cache layer; ``-parts``: entity and root entries only."""
    backend, _, parts = leg.partition("-")
    lines = ["cache:", f"  admin_token: {ADMIN_TOKEN}", "  subgraphs:"]
    lines += [f"    {name}: {{ttl_s: 600}}" for name in SUBGRAPHS]
    if parts:
        lines.append("  responses: false")
    if backend == "redis":
        lines += [
            "  backend: redis",
            "  redis:",
            f"    url: {redis_url}",
            f"    timeout_ms: {redis_timeout_ms}",
        ]
    return "\n".join(lines) + "\n"


@dataclass
class LegResult:
    label: str
    rounds: list[dict[str, Any]] = field(default_factory=list)

    def mean(self, key: str) -> float:
        values = [r[key] for r in self.rounds if r.get(key) is not None]
        return sum(values) / len(values) if values else float("nan")


def stats(base: str) -> dict[str, Any]:
    request = urllib.request.Request(
        base + "/admin/cache/stats", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body: dict[str, Any] = orjson.loads(response.read())
        return body


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (scripts/setup installs it)")
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.3)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def run_leg(
    label: str,
    config_text: str,
    workdir: Path,
    subgraphs: SubgraphProcess,
    args: argparse.Namespace,
    cached: bool,
) -> dict[str, Any]:
    name = label.replace(" ", "-")
    config = workdir / f"{name}.yaml"
    config.write_text(config_text)
    port = free_port()
    process = ManagedProcess(
        name,
        [sys.executable, "-m", "aggregator", "serve", "--config", str(config), "--port", str(port)],
        workdir / f"{name}.log",
        cwd=REPO_DIR,
    )
    base = f"http://127.0.0.1:{port}"
    url = base + "/graphql"
    request_file = workdir / "request.json"
    request_file.write_bytes(request_body())
    try:
        process.wait_http(base + "/health")
        accept = workdir / f"{name}-accept.bin"
        write_accept_file(accept, validated_bodies(url, 20, DEFAULT_SCENARIO))
        run_wrk(
            url,
            request_file=request_file,
            accept_file=accept,
            duration_s=args.warmup,
            connections=args.connections,
            threads=1,
        )
        before = stats(base)["totals"] if cached else None
        subgraphs.reset()
        cpu = tree_cpu_seconds(process.pid)
        load: LoadResult = run_wrk(
            url,
            request_file=request_file,
            accept_file=accept,
            duration_s=args.duration,
            connections=args.connections,
            threads=1,
        )
        cpu = tree_cpu_seconds(process.pid) - cpu
        counts = subgraphs.counts()
        hit_ratio = None
        if before is not None:
            after = stats(base)["totals"]
            hits = after["hit"] - before["hit"]
            misses = after["miss"] - before["miss"]
            hit_ratio = hits / (hits + misses) if hits + misses else None
        process.check_alive()
        return {
            "rps": load.rps,
            "p50_ms": load.p50_us / 1000,
            "p99_ms": load.p99_us / 1000,
            "errors": load.errors,
            "cpu_ms_per_request": 1000 * cpu / load.requests if load.requests else None,
            "subgraph_requests_per_request": sum(counts.values()) / load.requests
            if load.requests
            else None,
            "hit_ratio": hit_ratio,
        }
    finally:
        process.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.cache_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="measured seconds per leg")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up seconds per leg")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--redis-timeout-ms",
        type=int,
        default=1000,
        help="cache.redis.timeout_ms of the Redis legs (default 1000: on a machine shared with"
        " other work, redis-server itself can stall past the production default of 50 ms, and"
        " a bypass then measures the stall, not the cache)",
    )
    parser.add_argument("--legs", default=",".join(LEGS), help="from: " + ", ".join(LEGS))
    args = parser.parse_args(argv)
    legs = [leg.strip() for leg in args.legs.split(",") if leg.strip()]
    unknown = set(legs) - set(LEGS)
    if unknown:
        parser.error("unknown legs: " + ", ".join(sorted(unknown)))
    workdir = Path(tempfile.mkdtemp(prefix="aggregator-cache-bench-"))
    subgraphs = SubgraphProcess(workdir / "subgraphs.log")
    supergraph = subgraphs.write_supergraph(workdir / "supergraph.graphql")
    head = f"supergraph_file: {supergraph}\n"
    results = {leg: LegResult(leg) for leg in legs}
    try:
        with redis_server(workdir) as redis_url:
            for round_no in range(1, args.rounds + 1):
                for leg in legs:
                    section = (
                        ""
                        if leg == "uncached"
                        else cache_section(leg, redis_url, args.redis_timeout_ms)
                    )
                    if leg.startswith("redis"):
                        # a cold Redis each round: the warm-up fills it
                        subprocess.run(
                            ["redis-cli", "-u", redis_url, "flushall"],
                            capture_output=True,
                            check=False,
                        )
                    print(f"round {round_no}: {leg} ...", file=sys.stderr, flush=True)
                    results[leg].rounds.append(
                        run_leg(
                            f"{leg} r{round_no}",
                            head + section,
                            workdir,
                            subgraphs,
                            args,
                            cached=leg != "uncached",
                        )
                    )
    finally:
        subgraphs.stop()
    baseline = results[legs[0]].mean("rps")
    print(
        "| leg | req/s (rounds) | vs uncached | p50 ms | p99 ms | CPU ms / request "
        "| subgraph req / request | hit ratio | errors |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for leg in legs:
        result = results[leg]
        rounds = ", ".join(f"{r['rps']:.0f}" for r in result.rounds)
        ratio = result.mean("hit_ratio")
        print(
            f"| {leg} | {result.mean('rps'):.0f} ({rounds}) | {result.mean('rps') / baseline:.2f}x"
            f" | {result.mean('p50_ms'):.1f} | {result.mean('p99_ms'):.1f}"
            f" | {result.mean('cpu_ms_per_request'):.3f}"
            f" | {result.mean('subgraph_requests_per_request'):.3f}"
            f" | {'-' if math.isnan(ratio) else f'{ratio:.3f}'}"
            f" | {sum(r['errors'] for r in result.rounds)} |"
        )
    if "memory" in results and "uncached" in results:
        factor = results["memory"].mean("rps") / results["uncached"].mean("rps")
        print(
            f"\nmemory backend: {factor:.2f}x uncached req/s "
            f"({'met' if factor >= 3 else 'MISSED'}: target >= 3x)"
        )
    (workdir / "results.json").write_bytes(
        orjson.dumps({leg: r.rounds for leg, r in results.items()}, option=orjson.OPT_INDENT_2)
    )
    print(f"results: {workdir / 'results.json'}", file=sys.stderr)
    return 1 if any(r["errors"] for res in results.values() for r in res.rounds) else 0


if __name__ == "__main__":
    raise SystemExit(main())
