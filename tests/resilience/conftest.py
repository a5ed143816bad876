from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from aggregator.config import parse_config
from aggregator.gateway import Gateway
from aggregator.registry.composer import SubgraphSdl, compose_sdls
from aggregator.registry.gateway_factory import gateway_from_config, server_options
from aggregator.server import create_app
from tests.support.faults import FaultySubgraph, serve_faulty
from tests.support.servers import serve_asgi

SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { licence(id: ID!): Licence }
type Mutation { renewLicence(id: ID!): Licence }
type Licence @key(fields: "id") { id: ID! holder: String }
"""
LICENCE = {"id": "L1", "holder": "Ada"}
QUERY = '{ licence(id: "L1") { id holder } }'
MUTATION = 'mutation { renewLicence(id: "L1") { id } }'


class Served:
    def __init__(
        self, url: str, gateway: Gateway, subgraph: FaultySubgraph, session: aiohttp.ClientSession
    ) -> None:
        self.url = url
        self.gateway = gateway
        self.subgraph = subgraph
        self.session = session

    async def post(
        self, query: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any], Any]:
        async with self.session.post(self.url, json={"query": query}, headers=headers) as r:
            return r.status, await r.json(content_type=None), r.headers


@contextlib.asynccontextmanager
async def dmv_gateway(tmp_path: Path, config: str = "") -> AsyncIterator[Served]:
    """A gateway over one faulty subgraph, configured by ``config`` (YAML, production)."""
    subgraph = FaultySubgraph({"licence": LICENCE, "renewLicence": {"id": "L1"}})
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(serve_faulty(subgraph))
        sdl = compose_sdls([SubgraphSdl("dmv", subgraph.url, SDL)]).supergraph_sdl
        supergraph = tmp_path / "supergraph.graphql"
        supergraph.write_text(sdl)
        if "server:" not in config:  # no worker process: these tests send small documents
            config += "\nserver: {document_workers: 0}\n"
        parsed = parse_config(f"supergraph_file: {supergraph}\n{config}")
        gateway = gateway_from_config(parsed, sdl)
        base = await stack.enter_async_context(
            serve_asgi(create_app(gateway, server_options(parsed)))
        )
        session = await stack.enter_async_context(aiohttp.ClientSession())
        yield Served(base + "/graphql", gateway, subgraph, session)
