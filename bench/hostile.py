"""Hostile documents against one gateway: do other clients keep their latency?

    .venv/bin/python -m bench.hostile [--variant production|warn|library] [--rounds 30]
        [--aggregator-path DIR] [--normal-clients 2]

Starts the benchmark subgraphs and the gateway (bench/hardening/gateway_process.py)
in their own processes. Two "normal" clients send the standard benchmark query in
a closed loop for the whole run; after a baseline window, four hostile clients send
``--rounds`` documents each, all at once: two send 1,600 duplicate
``user(id: "1") { id }`` fields, two send 1,500 aliased ``topProducts`` list fields,
every document made unique by a comment (so no cache helps). Prints, for the
baseline and the hostile window: the normal query's p50/p99/max latency, the
gateway's longest event-loop stall (a 5 ms ticker inside the gateway process) and
how long each hostile document took to be answered (and with what).

Targets (issue 10): normal worst latency < 150 ms and every hostile document
answered within 1 s while they run. ``--variant warn`` turns every operation limit
to warn-only, so the hostile documents are validated, planned and executed in full
instead of being refused after parsing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

from bench.expected import QUERY_FILE
from bench.processes import ManagedProcess, free_port
from bench.subgraph_process import SubgraphProcess

REPO = Path(__file__).resolve().parent.parent


def duplicate_fields(n: int = 1600) -> str:
    tag = uuid.uuid4().hex  # one comment makes the document new: no cache helps
    return f"# {tag}\nquery Dup {{\n" + 'user(id: "1") { id }\n' * n + "}"


def aliased_lists(n: int = 1500) -> str:
    tag = uuid.uuid4().hex
    return (
        f"# {tag}\nquery Alias {{ "
        + " ".join(f"a{i}: topProducts {{ upc }}" for i in range(n))
        + " }"
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


class Run:
    def __init__(self, url: str, stats_url: str, normal_query: str) -> None:
        self.url = url
        self.stats_url = stats_url
        self.normal_query = normal_query
        self.latencies: list[tuple[float, float]] = []  # (start, seconds)
        self.failures = 0
        self.stop = False

    async def normal_client(self, session: aiohttp.ClientSession) -> None:
        body = {"query": self.normal_query}
        while not self.stop:
            start = time.monotonic()
            async with session.post(self.url, json=body) as response:
                payload = await response.read()
                ok = response.status == 200 and b'"errors"' not in payload
            self.latencies.append((start, time.monotonic() - start))
            if not ok:
                self.failures += 1

    def window(self, since: float, until: float) -> list[float]:
        return [s for start, s in self.latencies if since <= start < until]

    async def stats(self, session: aiohttp.ClientSession, reset: bool = True) -> dict[str, Any]:
        async with session.get(self.stats_url + ("?reset=1" if reset else "")) as response:
            stats: dict[str, Any] = await response.json()
            return stats


async def hostile_client(
    session: aiohttp.ClientSession, url: str, make: Any, rounds: int, out: list[dict[str, Any]]
) -> None:
    for _ in range(rounds):
        document = make()
        start = time.monotonic()
        async with session.post(url, json={"query": document}) as response:
            payload = await response.json(content_type=None)
        seconds = time.monotonic() - start
        errors = payload.get("errors") or []
        codes = sorted({e.get("extensions", {}).get("code", "?") for e in errors})
        out.append(
            {
                "kind": make.__name__,
                "seconds": seconds,
                "status": response.status,
                "answer": ",".join(codes) if codes else "data",
                "chars": len(document),
            }
        )


def describe(label: str, latencies: list[float], stats: dict[str, Any]) -> str:
    if not latencies:
        return f"{label}: no requests"
    ms = [x * 1000 for x in latencies]
    return (
        f"{label}: {len(ms)} normal requests, p50 {statistics.median(ms):.0f} ms, "
        f"p99 {percentile(ms, 0.99):.0f} ms, max {max(ms):.0f} ms; gateway loop: longest stall "
        f"{stats['max_ms']:.0f} ms, p99 tick lag {stats['p99_ms']:.0f} ms, "
        f"{stats['over_20ms']} stalls > 20 ms; garbage collector: longest pause "
        f"{stats['gc_max_ms']:.0f} ms, {stats['gc_total_ms']:.0f} ms in all; "
        f"RSS {stats['rss_mib']:.0f} MiB"
    )


async def drive(args: argparse.Namespace, url: str, stats_url: str) -> int:
    run = Run(url, stats_url, QUERY_FILE.read_text())
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        normals = [
            asyncio.create_task(run.normal_client(session)) for _ in range(args.normal_clients)
        ]
        await asyncio.sleep(args.warmup)
        await run.stats(session)
        base_start = time.monotonic()
        await asyncio.sleep(args.baseline)
        base_stats = await run.stats(session)
        hostile_start = time.monotonic()
        answers: list[dict[str, Any]] = []
        makers = [duplicate_fields, duplicate_fields, aliased_lists, aliased_lists]
        await asyncio.gather(
            *(hostile_client(session, url, make, args.rounds, answers) for make in makers)
        )
        hostile_end = time.monotonic()
        hostile_stats = await run.stats(session)
        run.stop = True
        await asyncio.gather(*normals)
    print(
        f"variant {args.variant}, {args.normal_clients} normal clients, 4 hostile clients x "
        f"{args.rounds} documents"
    )
    print(describe("baseline   ", run.window(base_start, hostile_start), base_stats))
    print(describe("under attack", run.window(hostile_start, hostile_end), hostile_stats))
    for kind in ("duplicate_fields", "aliased_lists"):
        rows = [a for a in answers if a["kind"] == kind]
        times = [a["seconds"] * 1000 for a in rows]
        print(
            f"  {kind} ({rows[0]['chars']} chars): answered in {min(times):.0f}-{max(times):.0f} "
            f"ms (mean {statistics.mean(times):.0f}); status {rows[0]['status']}, "
            f"{rows[0]['answer']}"
        )
    worst = max((s for s in run.window(hostile_start, hostile_end)), default=0.0)
    slowest = max(a["seconds"] for a in answers)
    print(
        f"targets: normal worst {worst * 1000:.0f} ms (< 150: "
        f"{'met' if worst < 0.150 else 'MISSED'}), slowest hostile {slowest * 1000:.0f} ms "
        f"(< 1000: {'met' if slowest < 1.0 else 'MISSED'}); normal failures {run.failures}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--variant", default="production", choices=["production", "warn", "library"]
    )
    parser.add_argument("--aggregator-path", help="checkout to import aggregator from")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--normal-clients", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--baseline", type=float, default=5.0)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="aggregator-hostile-"))
    subgraphs = SubgraphProcess(workdir / "subgraphs.log")
    gateway = None
    try:
        supergraph = subgraphs.write_supergraph(workdir / "supergraph.graphql")
        port = free_port()
        argv_ = [
            sys.executable,
            "-m",
            "bench.hardening.gateway_process",
            "--supergraph",
            str(supergraph),
            "--port",
            str(port),
            "--variant",
            args.variant,
        ]
        if args.aggregator_path:
            argv_ += ["--aggregator-path", args.aggregator_path]
        gateway = ManagedProcess("gateway", argv_, workdir / "gateway.log", cwd=REPO)
        gateway.wait_http(f"http://127.0.0.1:{port}/__bench/stats")
        return asyncio.run(
            drive(
                args, f"http://127.0.0.1:{port}/graphql", f"http://127.0.0.1:{port}/__bench/stats"
            )
        )
    finally:
        if gateway is not None:
            gateway.stop()
        subgraphs.stop()


if __name__ == "__main__":
    raise SystemExit(main())
