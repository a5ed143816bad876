"""Identical subgraph queries in flight at the same time share one HTTP exchange,
but only between callers whose forwarded headers (credentials) are the same."""

from __future__ import annotations

import asyncio
import contextlib

from aggregator.gateway import Gateway, GatewayOptions
from aggregator.transport.base import SubgraphRequest
from aggregator.transport.http import HttpSubgraph
from tests.gateway.conftest import SUPERGRAPH
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi

QUERY = "{ topProducts(first: 2) { name } }"


class _Gate:
    """Holds every request at the subgraph until released, so requests overlap for sure."""

    def __init__(self, app: FederatedSubgraph) -> None:
        self.app = app
        self.release = asyncio.Event()

    async def __call__(self, scope: dict, receive: object, send: object) -> None:
        if scope["type"] == "http":
            await asyncio.wait_for(self.release.wait(), 10)
        await self.app(scope, receive, send)


async def _run(headers: list[dict[str, str]]) -> tuple[list[dict], int]:
    app = FederatedSubgraph("products", SDLS["products"], RESOLVERS["products"])
    gate = _Gate(app)
    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(serve_asgi(gate)) + "/graphql"
        gateway = Gateway.from_supergraph_sdl(
            SUPERGRAPH,
            subgraph_urls={"products": url},
            options=GatewayOptions(propagate_headers=("authorization",)),
        )
        stack.push_async_callback(gateway.close)
        tasks = [asyncio.ensure_future(gateway.execute(QUERY, headers=h)) for h in headers]
        await asyncio.sleep(0.2)  # every request is now waiting at the gate
        gate.release.set()
        results = await asyncio.gather(*tasks)
    return results, len(app.requests)


async def test_identical_concurrent_queries_share_one_subgraph_request() -> None:
    results, requests = await _run([{"authorization": "Bearer a"}] * 5)
    expected = {"data": {"topProducts": [{"name": "Table"}, {"name": "Couch"}]}}
    assert results == [expected] * 5
    assert requests == 1


async def test_different_credentials_never_share_a_request() -> None:
    results, requests = await _run(
        [
            {"authorization": "Bearer a"},
            {"authorization": "Bearer b"},
            {"authorization": "Bearer a"},
        ]
    )
    assert all(r["data"]["topProducts"][0]["name"] == "Table" for r in results)
    assert requests == 2


async def test_shared_responses_are_not_shared_objects() -> None:
    results, _ = await _run([{}] * 2)
    results[0]["data"]["topProducts"][0]["name"] = "changed"
    assert results[1]["data"]["topProducts"][0]["name"] == "Table"


async def test_every_caller_of_a_shared_exchange_gets_its_own_objects() -> None:
    """The first caller parses the shared answer; the others load a copy of what it parsed
    (see ``transport.http._Exchange``): equal data, no dict or list in common."""
    app = FederatedSubgraph("products", SDLS["products"], RESOLVERS["products"])
    gate = _Gate(app)
    async with serve_asgi(gate) as base:
        subgraph = HttpSubgraph("products", base + "/graphql")
        request = SubgraphRequest("{ topProducts { upc name } }", deduplicate=True)
        try:
            tasks = [asyncio.ensure_future(subgraph.fetch(request)) for _ in range(4)]
            await asyncio.sleep(0.2)
            gate.release.set()
            responses = await asyncio.gather(*tasks)
        finally:
            await subgraph.close()
    assert len(app.requests) == 1
    datas = [r.data for r in responses]
    assert all(
        d
        == {
            "topProducts": [
                {"upc": "1", "name": "Table"},
                {"upc": "2", "name": "Couch"},
                {"upc": "3", "name": "Chair"},
            ]
        }
        for d in datas
    )
    containers = [id(c) for d in datas for c in (d, d["topProducts"], *d["topProducts"])]
    assert len(set(containers)) == len(containers)
    datas[0]["topProducts"][1]["name"] = "changed"
    assert all(d["topProducts"][1]["name"] == "Couch" for d in datas[1:])


async def test_copies_of_a_shared_answer_hold_each_repeated_string_once() -> None:
    app = FederatedSubgraph("products", SDLS["products"], RESOLVERS["products"])
    gate = _Gate(app)
    async with serve_asgi(gate) as base:
        subgraph = HttpSubgraph("products", base + "/graphql")
        request = SubgraphRequest(
            "{ topProducts { name } again: topProducts { name } }", deduplicate=True
        )
        try:
            tasks = [asyncio.ensure_future(subgraph.fetch(request)) for _ in range(4)]
            await asyncio.sleep(0.2)
            gate.release.set()
            responses = await asyncio.gather(*tasks)
        finally:
            await subgraph.close()
    for response in responses:
        data = response.data
        assert data is not None
        assert data["topProducts"] == data["again"]
        assert data["topProducts"][0]["name"] is data["again"][0]["name"]  # one "Table"
