"""``aggregator demo``: four fictional agencies and the gateway in one process.

Starts the dmv and tax REST backends and the health federation subgraph on
free loopback ports, builds the in-process identity and connector subgraphs,
and serves the gateway (GraphiQL at /graphql) on the requested port. No
external service is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from aggregator.caching import CacheSetup, CacheStore
from aggregator.config.cache import CacheConfig
from aggregator.demo.agencies import SCHEMAS_DIR, connector_subgraph, cursor_key, identity_subgraph
from aggregator.demo.backends import dmv_app, tax_app
from aggregator.demo.serving import serve_aiohttp, serve_asgi_app
from aggregator.gateway import Gateway, GatewayOptions
from aggregator.server.app import ServerOptions, create_app

__all__ = [
    "EXAMPLE_QUERY",
    "GRAPHIQL_EXAMPLE",
    "DemoAgencies",
    "RunningDemo",
    "demo_agencies",
    "run_demo",
    "serve_demo",
]

EXAMPLE_QUERY = """\
# One query, four agencies: identity (in-process strawberry), dmv (REST connector,
# batched), tax (REST connector, cursor-paged) and health (federation subgraph over HTTP).
query CitizenOverview($id: ID!, $after: String) {
  citizen(id: $id) {
    fullName
    dateOfBirth
    address { line1 locality region postcode }
    vehicles { plate make model year registrationStatus }
    drivingLicence { number class expires demeritPoints }
    taxReturns(first: 3, after: $after) {
      totalCount
      edges { cursor node { financialYear taxableIncome refund status } }
      pageInfo { hasNextPage endCursor }
    }
    immunisations { vaccineName dateGiven provider }
  }
}
"""


# The GraphiQL tab runs as-is: the citizen id is written into the query.
GRAPHIQL_EXAMPLE = EXAMPLE_QUERY.replace(
    "query CitizenOverview($id: ID!, $after: String) {\n  citizen(id: $id) {",
    'query CitizenOverview($after: String) {\n  citizen(id: "C0001") {',
)


@dataclass
class DemoAgencies:
    """Everything the gateway needs: supergraph, remote URLs, in-process subgraphs."""

    supergraph: str
    subgraph_urls: dict[str, str]
    subgraphs: dict[str, Any]
    backend_urls: dict[str, str]
    backend_apps: dict[str, web.Application]


@contextlib.asynccontextmanager
async def demo_agencies() -> AsyncIterator[DemoAgencies]:
    """Start the agency backends; close every server and subgraph on exit."""
    import strawberry.asgi

    from resolvers.health import schema as health_schema

    key = cursor_key()
    async with contextlib.AsyncExitStack() as stack:
        apps = {"dmv": dmv_app(), "tax": tax_app()}
        dmv_url = await stack.enter_async_context(serve_aiohttp(apps["dmv"]))
        tax_url = await stack.enter_async_context(serve_aiohttp(apps["tax"]))
        health_url = await stack.enter_async_context(
            serve_asgi_app(strawberry.asgi.GraphQL(health_schema))
        )
        subgraphs: dict[str, Any] = {
            "identity": identity_subgraph(),
            "dmv": connector_subgraph("dmv", dmv_url, key),
            "tax": connector_subgraph("tax", tax_url, key),
        }
        for subgraph in subgraphs.values():
            stack.push_async_callback(subgraph.close)
        yield DemoAgencies(
            supergraph=(SCHEMAS_DIR / "demo" / "supergraph.graphql").read_text(),
            subgraph_urls={"health": f"{health_url}/graphql"},
            subgraphs=subgraphs,
            backend_urls={"dmv": dmv_url, "tax": tax_url, "health": f"{health_url}/graphql"},
            backend_apps=apps,
        )


def demo_cache() -> CacheSetup:
    """The resolver cache in memory: health's vaccines (public), citizens' records (private)."""
    config = CacheConfig(enabled=True, response_headers=True, max_bytes=16 * 1024 * 1024)
    return CacheSetup(CacheStore.from_config(config), config)


@dataclass
class RunningDemo:
    url: str
    agencies: DemoAgencies


@contextlib.asynccontextmanager
async def serve_demo(host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[RunningDemo]:
    """The whole demo, served; yields the gateway's base URL and the agencies."""
    async with demo_agencies() as agencies:
        gateway = Gateway.from_supergraph_sdl(
            agencies.supergraph,
            subgraph_urls=agencies.subgraph_urls,
            subgraphs=agencies.subgraphs,
            # connectors forward the caller's token to the agency backends
            options=GatewayOptions(propagate_headers=("authorization",), cache=demo_cache()),
        )
        options = ServerOptions(
            expose_query_plans=True,
            example_operations=[("Four agencies", GRAPHIQL_EXAMPLE)],
        )
        try:
            async with serve_asgi_app(create_app(gateway, options), host=host, port=port) as url:
                yield RunningDemo(url, agencies)
        finally:
            await gateway.close()


async def run_demo(host: str, port: int) -> None:
    async with serve_demo(host, port) as demo:
        print(f"GraphiQL: {demo.url}/graphql", flush=True)
        print('Try this query (variables: {"id": "C0001"}):\n', flush=True)
        print(EXAMPLE_QUERY, flush=True)
        await asyncio.Event().wait()
