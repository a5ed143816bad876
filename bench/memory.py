"""Memory bounded by bytes: 200 unique large documents, then 300 large persisted queries.

    .venv/bin/python -m bench.memory [--documents-mib 32] [--apq-mib 8]
        [--variant memory|library] [--aggregator-path DIR]

Starts the benchmark subgraphs and the gateway (bench/hardening/gateway_process.py,
variant ``memory``: production with the given byte budgets, APQ on, operation limits
off so the documents are cached, not refused). Sends 200 unique ~27 KB documents
(700 aliased ``user`` fields, made unique by a comment), then registers 300 unique
~27 KB automatic persisted queries, and prints the gateway's RSS and what its caches
account after each phase. ``--variant library`` runs an older checkout's defaults
(entry-count caches) for comparison.

Target (issue 10): RSS stays within the configured budgets (start-up RSS + document
budget + persisted-query budget + the heap's own overhead).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import aiohttp

from bench.processes import ManagedProcess, free_port
from bench.subgraph_process import SubgraphProcess

REPO = Path(__file__).resolve().parent.parent
ALIASES = 700


def large_document() -> str:
    fields = " ".join(f'a{i}: user(id: "1") {{ id name }}' for i in range(ALIASES))
    return f"# {uuid.uuid4().hex}\nquery Large {{ {fields} }}"


async def stats(session: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    async with session.get(url) as response:
        result: dict[str, Any] = await response.json()
        return result


def line(label: str, s: dict[str, Any]) -> str:
    caches = ""
    if "documents_bytes" in s:
        caches = (
            f"; document cache {s['documents']} entries, "
            f"{s['documents_bytes'] / 2**20:.1f} MiB accounted"
        )
    if "apq_bytes" in s:
        caches += (
            f"; persisted queries {s['apq_entries']} entries, "
            f"{s['apq_bytes'] / 2**20:.1f} MiB accounted"
        )
    return f"{label}: RSS {s['rss_mib']:.0f} MiB{caches}"


async def drive(args: argparse.Namespace, url: str, stats_url: str) -> int:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        start = await stats(session, stats_url)
        print(line("start", start))
        for index in range(args.documents):
            async with session.post(url, json={"query": large_document()}) as response:
                body = await response.read()
                if response.status != 200 or b'"errors"' in body:
                    print(f"document {index}: {response.status} {body[:300]!r}")
                    return 1
        after_documents = await stats(session, stats_url)
        print(line(f"after {args.documents} documents", after_documents))
        for index in range(args.persisted):
            document = large_document()
            digest = hashlib.sha256(document.encode()).hexdigest()
            extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
            async with session.post(url, json={"query": document, "extensions": extensions}) as r:
                body = await r.read()
                if r.status != 200 or b'"errors"' in body:
                    print(f"persisted query {index}: {r.status} {body[:300]!r}")
                    return 1
        after_apq = await stats(session, stats_url)
        print(line(f"after {args.persisted} persisted queries", after_apq))
    budget = start["rss_mib"] + args.documents_mib + args.apq_mib + args.overhead_mib
    grown = after_apq["rss_mib"]
    print(
        f"target: RSS {grown:.0f} MiB <= start {start['rss_mib']:.0f} + documents "
        f"{args.documents_mib:g} + persisted {args.apq_mib:g} + heap overhead "
        f"{args.overhead_mib:g} = {budget:.0f} MiB: {'met' if grown <= budget else 'MISSED'}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", default="memory", choices=["memory", "library"])
    parser.add_argument("--aggregator-path")
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--persisted", type=int, default=300)
    parser.add_argument("--documents-mib", type=float, default=32)
    parser.add_argument("--apq-mib", type=float, default=8)
    parser.add_argument(
        "--overhead-mib",
        type=float,
        default=48,
        help="allowance for the allocator's own overhead and in-flight work",
    )
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="aggregator-memory-"))
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
            "--documents-mib",
            str(args.documents_mib),
            "--apq-mib",
            str(args.apq_mib),
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
