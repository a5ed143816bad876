"""``Parallel`` plan nodes run their fetches at the same time.

Each subgraph server holds every request at a barrier until all the fetches of the
parallel wave have arrived: run one after the other, the first request would wait
for a second that is never sent and the barrier times out (the subgraph answers an
error and the test fails); run concurrently, all arrive and all are answered. The
proof is the arrival count at the real servers, not a stopwatch.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from aggregator.gateway import Gateway
from aggregator.planning import Flatten, Parallel, PlanNode, QueryPlan, Sequence
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi

SUPERGRAPH = (Path(__file__).parent / "supergraph.graphql").read_text()
BARRIER_TIMEOUT_S = 10.0


class Gate:
    """An ASGI wrapper that counts arrivals and holds each request at a shared barrier."""

    def __init__(self, app: FederatedSubgraph, barrier: asyncio.Barrier, log: list[str]) -> None:
        self.app = app
        self.barrier = barrier
        self.log = log

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.log.append(f"arrived {self.app.name}")
            try:
                await asyncio.wait_for(self.barrier.wait(), BARRIER_TIMEOUT_S)
            except TimeoutError:
                await send({"type": "http.response.start", "status": 503, "headers": []})
                await send({"type": "http.response.body", "body": b"barrier timed out"})
                return
            self.log.append(f"answered {self.app.name}")
        await self.app(scope, receive, send)


def widest_parallel(node: PlanNode | None) -> int:
    match node:
        case Parallel(nodes=nodes):
            return max(len(nodes), *(widest_parallel(n) for n in nodes))
        case Sequence(nodes=nodes):
            return max((widest_parallel(n) for n in nodes), default=0)
        case Flatten(node=inner):
            return widest_parallel(inner)
        case _:
            return 0


async def run_gated(
    query: str, subgraphs: list[str], parties: int
) -> tuple[dict[str, Any], list[str], QueryPlan]:
    barrier = asyncio.Barrier(parties)
    log: list[str] = []
    async with contextlib.AsyncExitStack() as stack:
        urls = {}
        for name in SDLS:
            app = FederatedSubgraph(name, SDLS[name], RESOLVERS[name])
            served = Gate(app, barrier, log) if name in subgraphs else app
            urls[name] = await stack.enter_async_context(serve_asgi(served)) + "/graphql"
        gateway = Gateway.from_supergraph_sdl(SUPERGRAPH, subgraph_urls=urls)
        try:
            plan = gateway.plan(query)
            result = await gateway.execute(query)
        finally:
            await gateway.close()
    return result, log, plan


async def test_parallel_root_fetches_are_in_flight_together() -> None:
    query = "{ me { id } topProducts { upc } reviews { id } }"
    result, log, plan = await run_gated(query, ["accounts", "products", "reviews"], parties=3)
    assert widest_parallel(plan.node) == 3
    assert "errors" not in result, result
    assert result["data"]["me"] == {"id": "1"}
    # all three requests reached their servers before any was answered
    assert [entry.split()[0] for entry in log[:3]] == ["arrived"] * 3
    assert sorted(log[:3]) == ["arrived accounts", "arrived products", "arrived reviews"]
    assert len(log) == 6


async def test_parallel_entity_fetches_of_one_wave_are_in_flight_together() -> None:
    query = "{ topProducts(first: 2) { upc inStock reviews { id } } }"
    result, log, plan = await run_gated(query, ["inventory", "reviews"], parties=2)
    assert widest_parallel(plan.node) == 2
    assert "errors" not in result, result
    assert [p["upc"] for p in result["data"]["topProducts"]] == ["1", "2"]
    assert sorted(log[:2]) == ["arrived inventory", "arrived reviews"]
    assert len(log) == 4
