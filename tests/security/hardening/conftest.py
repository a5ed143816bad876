from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest

from aggregator.gateway import Gateway, GatewayOptions
from aggregator.server import ServerOptions, create_app
from tests.gateway.conftest import SUPERGRAPH
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi


@dataclass
class ShopSubgraphs:
    urls: dict[str, str]
    apps: dict[str, FederatedSubgraph]

    def counts(self) -> dict[str, int]:
        return {name: len(s.requests) for name, s in self.apps.items() if s.requests}

    def reset(self) -> None:
        for app in self.apps.values():
            app.requests.clear()


@pytest.fixture(scope="module")
async def shop_subgraphs() -> AsyncIterator[ShopSubgraphs]:
    apps = {name: FederatedSubgraph(name, SDLS[name], RESOLVERS[name]) for name in SDLS}
    async with contextlib.AsyncExitStack() as stack:
        urls = {}
        for name, app in apps.items():
            urls[name] = await stack.enter_async_context(serve_asgi(app)) + "/graphql"
        yield ShopSubgraphs(urls, apps)


@dataclass
class Served:
    url: str
    gateway: Gateway
    session: aiohttp.ClientSession

    async def post(
        self, body: object, headers: dict[str, str] | None = None
    ) -> tuple[int, dict, aiohttp.typedefs.LooseHeaders]:
        async with self.session.post(self.url, json=body, headers=headers) as response:
            return response.status, await response.json(content_type=None), response.headers


@contextlib.asynccontextmanager
async def serve_shop(
    subgraphs: ShopSubgraphs,
    options: GatewayOptions | None = None,
    server: ServerOptions | None = None,
) -> AsyncIterator[Served]:
    gateway = Gateway.from_supergraph_sdl(SUPERGRAPH, subgraph_urls=subgraphs.urls, options=options)
    async with contextlib.AsyncExitStack() as stack:
        base = await stack.enter_async_context(serve_asgi(create_app(gateway, server)))
        session = await stack.enter_async_context(aiohttp.ClientSession())
        yield Served(base + "/graphql", gateway, session)
