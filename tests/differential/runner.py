"""Random differential testing: our gateway against Apollo Gateway and Hive Gateway.

For each seed: a random Federation 2 subgraph set (world.py) is composed by
``@apollo/composition``, its subgraphs run on loopback with data that is a pure
function of entity and field, and random operations (operations.py) go to Apollo
Gateway, Hive Gateway (both in one node process, tests/oracle/differential.mjs) and
our gateway. Where Apollo and Hive agree, we must give the same answer; where they
disagree, the disagreement is recorded and neither is followed.

What is compared (after JavaScript number normalisation): ``data`` exactly (a missing
``data`` key is its own value), and the sorted list of error paths (messages and codes
are each gateway's own wording).

    tests/differential/run --seeds 0:5000 [--operations 8] [--report FILE] [--verbose]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aggregator.gateway import Gateway  # noqa: E402
from aggregator.supergraph import load  # noqa: E402
from tests.differential.operations import Operation, random_operation  # noqa: E402
from tests.differential.world import World, generate, resolvers, subgraph_sdl  # noqa: E402
from tests.federation.subgraph import SubgraphServer  # noqa: E402
from tests.support.servers import serve_asgi  # noqa: E402

ORACLE = ROOT / "tests" / "oracle" / "differential.mjs"


def _js_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_js_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _js_numbers(v) for k, v in value.items()}
    return value


def canonical(response: dict[str, Any]) -> str:
    """What the three gateways must agree on: data and error paths."""
    if "startError" in response:
        return json.dumps({"startError": True})
    errors = sorted(json.dumps(e.get("path")) for e in response.get("errors") or [])
    data = _js_numbers(response["data"]) if "data" in response else "<absent>"
    return json.dumps({"data": data, "errors": errors}, sort_keys=False)


@dataclass
class Finding:
    seed: int
    kind: str  # "mismatch" (we differ from agreeing oracles) or "oracles-disagree"
    query: str
    variables: dict[str, Any]
    ours: Any = None
    apollo: Any = None
    hive: Any = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class Summary:
    seeds: int = 0
    composed: int = 0
    rejected: int = 0  # subgraph sets @apollo/composition refused
    operations: int = 0
    agreed: int = 0  # operations where Apollo and Hive agree (compared with ours)
    findings: list[Finding] = field(default_factory=list)
    # seeds the oracle process could not answer (hung past the timeout, or crashed): the
    # node process is restarted and the run goes on
    skipped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def mismatches(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "mismatch"]

    def line(self) -> str:
        disagree = sum(1 for f in self.findings if f.kind == "oracles-disagree")
        return (
            f"{self.seeds} seeds, {self.composed} composed ({self.rejected} refused by "
            f"composition), {self.operations} operations, {self.agreed} where Apollo and "
            f"Hive agree, {len(self.mismatches)} where we differ, {disagree} where the "
            "oracles disagree"
            + (f", {len(self.skipped)} seeds skipped by the oracle" if self.skipped else "")
        )


class Oracle:
    """tests/oracle/differential.mjs as a child process speaking JSON lines."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    @contextlib.asynccontextmanager
    async def start(cls) -> AsyncIterator[Oracle]:
        proc = await asyncio.create_subprocess_exec(
            "node",
            str(ORACLE),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=64 * 1024 * 1024,
        )
        try:
            yield cls(proc)
        finally:
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                await asyncio.wait_for(proc.wait(), timeout=10)
            except TimeoutError:
                proc.kill()
                await proc.wait()

    async def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request).encode() + b"\n")
        await self.proc.stdin.drain()
        line = await self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the differential oracle (node) exited")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"differential oracle failed: {answer['error']}")
        return answer


class Subgraphs:
    """One loopback HTTP server for every subgraph of a run, routed by path
    (``/<seed>/<subgraph>``): starting a server per subgraph set would cost more than
    the subgraph set's whole test."""

    def __init__(self) -> None:
        self.routes: dict[str, SubgraphServer] = {}
        self.base = ""

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[Subgraphs]:
        # pooled connections from the gateways stay open across subgraph sets
        async with serve_asgi(self, timeout_keep_alive=600) as base:
            self.base = base
            yield self

    def add(self, seed: int, world: World) -> dict[str, str]:
        """Route ``world``'s subgraphs; returns their URLs."""
        urls: dict[str, str] = {}
        for graph in world.subgraphs:
            path = f"/{seed}/{graph}"
            self.routes[path] = SubgraphServer(
                graph, subgraph_sdl(world, graph), resolvers(world, graph)
            )
            urls[graph] = self.base + path
        return urls

    def drop(self, seed: int) -> None:
        for path in [p for p in self.routes if p.startswith(f"/{seed}/")]:
            del self.routes[path]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        server = self.routes.get(scope["path"])
        if server is None:
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b"no such subgraph"})
            return
        await server(scope, receive, send)


async def run_seed(
    oracle: Oracle, subgraphs: Subgraphs, seed: int, operations: int, summary: Summary
) -> None:
    summary.seeds += 1
    world = generate(seed)
    sdls = {graph: subgraph_sdl(world, graph) for graph in world.subgraphs}
    urls = subgraphs.add(seed, world)
    try:
        composed = await oracle.ask(
            {
                "cmd": "compose",
                "subgraphs": [{"name": g, "url": urls[g], "sdl": sdls[g]} for g in world.subgraphs],
            }
        )
        if not composed["ok"]:
            summary.rejected += 1
            return
        summary.composed += 1
        supergraph: str = composed["supergraph"]
        ops = _operations(supergraph, seed, operations)
        gateway = Gateway.from_supergraph_sdl(supergraph)
        try:
            answers, *ours = await asyncio.gather(
                oracle.ask(
                    {
                        "cmd": "run",
                        "supergraph": supergraph,
                        "operations": [{"query": o.query, "variables": o.variables} for o in ops],
                    }
                ),
                *(gateway.execute(op.query, op.variables) for op in ops),
            )
        finally:
            await gateway.close()
        for index, op in enumerate(ops):
            _compare(
                seed, op, ours[index], answers["apollo"][index], answers["hive"][index], summary
            )
    finally:
        subgraphs.drop(seed)


def _operations(supergraph: str, seed: int, count: int) -> list[Operation]:
    schema = load(supergraph).api_schema
    rng = random.Random(seed * 7919 + 1)
    ops = []
    for _ in range(count):
        op = random_operation(schema, rng)
        if op is not None:
            ops.append(op)
    return ops


def _compare(
    seed: int,
    op: Operation,
    ours: dict[str, Any],
    apollo: dict[str, Any],
    hive: dict[str, Any],
    summary: Summary,
) -> None:
    summary.operations += 1
    reference = canonical(apollo)
    if reference != canonical(hive):
        summary.findings.append(
            Finding(seed, "oracles-disagree", op.query, op.variables, ours, apollo, hive)
        )
        return
    summary.agreed += 1
    if canonical(ours) != reference:
        summary.findings.append(
            Finding(seed, "mismatch", op.query, op.variables, ours, apollo, hive)
        )


async def run(
    seeds: range, operations: int, progress: bool = False, seed_timeout_s: float = 120.0
) -> Summary:
    """Every seed of ``seeds``; a seed the node oracle hangs on (some operations never
    finish in Apollo's or Hive's executor) or crashes on is skipped and counted, and the
    oracle restarted, so a long run is not lost to one seed."""
    summary = Summary()
    async with Subgraphs().serving() as subgraphs, contextlib.AsyncExitStack() as stack:
        oracle = await stack.enter_async_context(Oracle.start())
        for seed in seeds:
            try:
                await asyncio.wait_for(
                    run_seed(oracle, subgraphs, seed, operations, summary), seed_timeout_s
                )
            except (TimeoutError, RuntimeError) as exc:
                summary.skipped.append((seed, str(exc) or f"no answer in {seed_timeout_s:.0f}s"))
                print(f"seed {seed} skipped: {summary.skipped[-1][1]}", file=sys.stderr)
                await stack.aclose()
                oracle = await stack.enter_async_context(Oracle.start())
            if progress and summary.seeds % 100 == 0:
                print(summary.line(), file=sys.stderr, flush=True)
    return summary


def world_text(world: World) -> str:
    return "\n".join(f"# --- {g}\n{subgraph_sdl(world, g)}" for g in world.subgraphs)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", default="0:50", help="START:END (END excluded)")
    parser.add_argument("--operations", type=int, default=8, help="operations per subgraph set")
    parser.add_argument("--report", type=Path, help="write every finding as JSON here")
    parser.add_argument("--verbose", action="store_true", help="print each mismatch")
    parser.add_argument("--show", type=int, help="print the subgraph SDLs of one seed and exit")
    parser.add_argument(
        "--seed-timeout", type=float, default=120.0, help="seconds before a seed is skipped"
    )
    args = parser.parse_args(argv)
    if args.show is not None:
        print(world_text(generate(args.show)))
        return 0
    start, _, end = args.seeds.partition(":")
    began = time.monotonic()
    summary = asyncio.run(
        run(range(int(start), int(end)), args.operations, True, args.seed_timeout)
    )
    print(f"{summary.line()} in {time.monotonic() - began:.0f}s")
    if args.verbose:
        for finding in summary.mismatches:
            print(json.dumps(finding.to_json(), indent=1)[:3000])
    if args.report:
        args.report.write_text(json.dumps([f.to_json() for f in summary.findings], indent=1) + "\n")
    return 1 if summary.mismatches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
