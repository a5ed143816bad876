"""CPU per request with and without response compression, on the standard benchmark query.

Starts the benchmark subgraphs and one ``aggregator serve`` process (one
worker, default settings: compression on), then sends the benchmark query
under the same closed-loop load with ``Accept-Encoding`` absent, ``gzip``,
``br`` and ``zstd`` in turn, for several interleaved rounds. The gateway's
user+system CPU over each leg divided by the requests served is the cost per
request; the body size is what travelled. Every answer is decoded and checked
against the scenario's expected answer (``--scenario``, default standard). A
second table times the codecs alone on that same body in this process.

    .venv/bin/python -m bench.compression [--requests 1500] [--rounds 3] [--scenario light]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import orjson

from aggregator.config.compression import CompressionConfig
from aggregator.server.compression import AVAILABLE, encoder
from bench.expected import expected_response, query_text
from bench.gateways import REPO_DIR
from bench.processes import ManagedProcess, free_port, tree_cpu_seconds
from bench.scenarios import DEFAULT_SCENARIO, SCENARIOS
from bench.subgraph_process import SubgraphProcess

DECODERS = {
    "identity": lambda body: body,
    "gzip": __import__("gzip").decompress,
    "br": __import__("brotli").decompress,
    "zstd": __import__("backports.zstd", fromlist=["decompress"]).decompress,
}


async def leg(
    url: str,
    query: str,
    coding: str,
    requests: int,
    connections: int,
    expected: object,
    gateway_pid: int,
) -> tuple[float, int]:
    """(gateway CPU ms per request, body bytes) for ``requests`` requests."""
    headers = {"content-type": "application/json"}
    if coding != "identity":
        headers["accept-encoding"] = coding
    body = orjson.dumps({"query": query})
    sizes: list[int] = []
    remaining = requests

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            async with session.post(url, data=body, headers=headers) as response:
                raw = await response.read()
                assert response.status == 200
                assert response.headers.get("content-encoding", "identity") == coding
                assert orjson.loads(DECODERS[coding](raw)) == expected
                sizes.append(len(raw))

    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(
        connector=connector, auto_decompress=False, skip_auto_headers=["accept-encoding"]
    ) as session:
        before = tree_cpu_seconds(gateway_pid)
        await asyncio.gather(*(worker(session) for _ in range(connections)))
        spent = tree_cpu_seconds(gateway_pid) - before
    return spent * 1000 / requests, sizes[0]


def codec_table(expected_bytes: bytes, repeat: int = 300) -> list[str]:
    settings = CompressionConfig()
    rows = [
        "| codec (default level) | µs to compress | bytes | ratio |",
        "| --- | --- | --- | --- |",
    ]
    for name in AVAILABLE:
        codec = encoder(name, settings)
        codec.compress(expected_bytes)
        started = time.process_time()
        for _ in range(repeat):
            out = codec.compress(expected_bytes)
        micros = (time.process_time() - started) / repeat * 1e6
        rows.append(
            f"| {name} | {micros:.0f} | {len(out)} | {len(expected_bytes) / len(out):.1f} |"
        )
    return rows


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500, help="per leg")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default=DEFAULT_SCENARIO)
    args = parser.parse_args(argv)
    expected = expected_response(args.scenario)
    query = query_text()
    codings = ["identity", *[c for c in ("gzip", "br", "zstd") if c in AVAILABLE]]
    with tempfile.TemporaryDirectory(prefix="aggregator-compression-") as folder:
        work = Path(folder)
        subgraphs = SubgraphProcess(work / "subgraphs.log", args.scenario)
        gateway: ManagedProcess | None = None
        try:
            supergraph = subgraphs.write_supergraph(work / "supergraph.graphql")
            port = free_port()
            gateway = ManagedProcess(
                "aggregator",
                [sys.executable, "-m", "aggregator", "serve", "--supergraph", str(supergraph),
                 "--host", "127.0.0.1", "--port", str(port)],
                work / "gateway.log", cwd=REPO_DIR,
                env={"AGGREGATOR_LOG_FORMAT": "json"},
            )  # fmt: skip
            url = f"http://127.0.0.1:{port}/graphql"
            gateway.wait_http(f"http://127.0.0.1:{port}/health")
            results: dict[str, list[float]] = {c: [] for c in codings}
            sizes: dict[str, int] = {}
            for coding in codings:  # warm-up: plans cached, connections open
                await leg(url, query, coding, 200, args.connections, expected, gateway.pid)
            for _ in range(args.rounds):
                for coding in codings:
                    cpu, size = await leg(url, query, coding, args.requests, args.connections,
                                          expected, gateway.pid)  # fmt: skip
                    results[coding].append(cpu)
                    sizes[coding] = size
        finally:
            if gateway is not None:
                gateway.stop()
            subgraphs.process.stop()
    base = statistics.mean(results["identity"])
    print(f"gateway CPU per request, {args.scenario} scenario, {args.rounds} rounds x "
          f"{args.requests} requests, {args.connections} connections, one worker\n")  # fmt: skip
    print("| Accept-Encoding | CPU ms / request | vs none | body bytes | smaller by |")
    print("| --- | --- | --- | --- | --- |")
    for coding in codings:
        cpu = statistics.mean(results[coding])
        print(f"| {coding if coding != 'identity' else '(none)'} | {cpu:.3f} | "
              f"{(cpu - base) / base * 100:+.1f}% | {sizes[coding]} | "
              f"{sizes['identity'] / sizes[coding]:.1f}x |")  # fmt: skip
    print()
    print("\n".join(codec_table(orjson.dumps(expected))))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(sys.argv[1:])))
