from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from aggregator.gateway import Gateway
from aggregator.server import ServerOptions, create_app
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi

SUPERGRAPH = (Path(__file__).parent / "supergraph.graphql").read_text()


@dataclass
class Shop:
    url: str
    gateway: Gateway
    subgraphs: dict[str, FederatedSubgraph]
    session: aiohttp.ClientSession

    def reset_counts(self) -> None:
        for subgraph in self.subgraphs.values():
            subgraph.requests.clear()

    def counts(self) -> dict[str, int]:
        return {name: len(s.requests) for name, s in self.subgraphs.items() if s.requests}

    async def post(self, body: object, headers: dict[str, str] | None = None) -> tuple[int, dict]:
        async with self.session.post(self.url, json=body, headers=headers) as response:
            return response.status, await response.json(content_type=None)


@pytest.fixture(scope="module")
async def shop() -> AsyncIterator[Shop]:
    subgraphs = {name: FederatedSubgraph(name, SDLS[name], RESOLVERS[name]) for name in SDLS}
    async with contextlib.AsyncExitStack() as stack:
        urls = {}
        for name, app in subgraphs.items():
            urls[name] = await stack.enter_async_context(serve_asgi(app)) + "/graphql"
        gateway = Gateway.from_supergraph_sdl(SUPERGRAPH, subgraph_urls=urls)
        base = await stack.enter_async_context(
            serve_asgi(
                create_app(gateway, ServerOptions(expose_query_plans=True, max_body_bytes=4096))
            )
        )
        session = await stack.enter_async_context(aiohttp.ClientSession())
        yield Shop(base + "/graphql", gateway, subgraphs, session)
