"""Supergraphs from other composers and older specs load unchanged and answer the same.

The fed1 file is in the shape federation 1 composition (rover / @apollo/federation 0.x)
wrote: ``@core`` instead of ``@link``, join v0.1 with ``@join__owner`` and no
``@join__field`` on fields that live in their owner.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from graphql import print_schema

from aggregator.gateway import Gateway
from aggregator.supergraph import load
from tests.gateway.conftest import SUPERGRAPH
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi

FED1 = (Path(__file__).parent / "supergraph_fed1.graphql").read_text()

QUERIES = [
    "{ topProducts { name shippingEstimate inStock reviews { body author { name username } } } }",
    "{ me { name reviews { body product { name inStock reviews { author { username } } } } } }",
    "{ reviews { author { username } } }",
    'mutation { renameProduct(upc: "2", name: "Sofa") { name inStock } }',
]


async def test_fed1_core_join_v01_supergraph_answers_like_the_fed2_one() -> None:
    async with contextlib.AsyncExitStack() as stack:
        urls = {}
        for name in SDLS:
            app = FederatedSubgraph(name, SDLS[name], RESOLVERS[name])
            urls[name] = await stack.enter_async_context(serve_asgi(app)) + "/graphql"
        fed1 = Gateway.from_supergraph_sdl(FED1, subgraph_urls=urls)
        fed2 = Gateway.from_supergraph_sdl(SUPERGRAPH, subgraph_urls=urls)
        stack.push_async_callback(fed1.close)
        stack.push_async_callback(fed2.close)
        for query in QUERIES:
            old, new = await fed1.execute(query), await fed2.execute(query)
            assert "errors" not in old, (query, old)
            assert old == new, query


def test_fed1_plan_uses_provides_and_requires() -> None:
    plan = str(Gateway.from_supergraph_sdl(FED1).plan("{ reviews { author { username } } }"))
    assert plan.count("Fetch(") == 1
    plan = str(Gateway.from_supergraph_sdl(FED1).plan("{ topProducts { shippingEstimate } }"))
    assert "... on Product { __typename upc price weight }" in plan


def test_api_schema_hides_join_and_core_machinery() -> None:
    sdl = print_schema(load(FED1).api_schema)
    assert "join__" not in sdl
    assert "@core" not in sdl
    assert "type Product {" in sdl
