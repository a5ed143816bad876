"""``aggregator demo``: four fictional agencies and the gateway in one process.

Starts the dmv and tax REST backends and the health federation subgraph on
free loopback ports, builds the in-process identity and connector subgraphs,
and serves the gateway (GraphiQL at /graphql) on the requested port. No
external service is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from aggregator.caching import CacheSetup, CacheStore
from aggregator.config.audit import AuditConfig
from aggregator.config.cache import CacheConfig
from aggregator.demo.agencies import SCHEMAS_DIR, connector_subgraph, cursor_key, identity_subgraph
from aggregator.demo.auth import demo_authenticator, dev_token
from aggregator.demo.backends import dmv_app, tax_app
from aggregator.demo.serving import serve_aiohttp, serve_asgi_app
from aggregator.gateway import Gateway, GatewayOptions
from aggregator.security.audit import DisclosureLog
from aggregator.security.authorization import AuthorizationOptions
from aggregator.security.disclosure_hook import disclosure_hook
from aggregator.server.app import ServerOptions, create_app
from aggregator.server.graceful import DrainSettings
from aggregator.server.stack import StackSettings, server_stack

__all__ = [
    "EXAMPLE_QUERY",
    "GRAPHIQL_EXAMPLE",
    "DemoAgencies",
    "RunningDemo",
    "demo_agencies",
    "run_demo",
    "serve_demo",
    "until_stopped",
]

EXAMPLE_QUERY = """\
# One query, four agencies: identity (in-process strawberry), dmv (REST connector,
# batched), tax (REST connector, cursor-paged) and health (federation subgraph over HTTP).
#
# Run it as is: you are anonymous, so tax and health data and the address are withheld
# (null, with an UNAUTHORIZED_FIELD_OR_TYPE error each) and the licence number is masked.
# Then open Headers below and paste a token the demo printed when it started, or mint one:
#   aggregator token --subject alice --scope tax:read --scope health:read
#   {"Authorization": "Bearer <token>"}
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
    gateway: Gateway


@contextlib.asynccontextmanager
async def serve_demo(
    host: str = "127.0.0.1",
    port: int = 0,
    disclosure_log: Path | None = None,
    drain: DrainSettings | None = None,
) -> AsyncIterator[RunningDemo]:
    """The whole demo, served; yields the gateway's base URL and the agencies.

    Callers are authenticated with tokens from ``aggregator token`` (the development key,
    never for production) or are anonymous; ``disclosure_log`` records every release of
    protected or sensitive fields in a hash-chained file (``aggregator audit verify``).
    On exit the gateway drains first (``drain``), then the agencies stop, so a request
    in flight still reaches its backends.
    """
    async with contextlib.AsyncExitStack() as stack:
        agencies = await stack.enter_async_context(demo_agencies())
        hook = None
        if disclosure_log is not None:
            log = await DisclosureLog.open(AuditConfig(enabled=True, path=disclosure_log))
            stack.push_async_callback(log.close)
            hook = disclosure_hook(log)
        gateway = Gateway.from_supergraph_sdl(
            agencies.supergraph,
            subgraph_urls=agencies.subgraph_urls,
            subgraphs=agencies.subgraphs,
            # connectors forward the caller's token to the agency backends
            options=GatewayOptions(
                propagate_headers=("authorization",),
                authorization=AuthorizationOptions(on_disclosure=hook),
                cache=demo_cache(),
            ),
        )
        authenticator = demo_authenticator()
        stack.push_async_callback(authenticator.close)
        options = ServerOptions(
            expose_query_plans=True,
            example_operations=[("Four agencies", GRAPHIQL_EXAMPLE)],
            authenticator=authenticator,
        )
        try:
            app = server_stack(create_app(gateway, options), StackSettings())
            async with serve_asgi_app(app, host=host, port=port, drain=drain) as url:
                yield RunningDemo(url, agencies, gateway)
        finally:
            await gateway.close()


def demo_tokens() -> list[tuple[str, str]]:
    """Development tokens the demo prints, one per walk-through step (valid for 8 hours)."""
    ttl = 8 * 3600
    return [
        (
            "sees everything, licence number unmasked",
            dev_token(
                "demo-caseworker",
                agency="dmv",
                scopes=["tax:read", "health:read", "dmv:licence:read"],
                ttl_s=ttl,
            ),
        ),
        (
            "health data only",
            dev_token("demo-nurse", agency="health", scopes=["health:read"], ttl_s=ttl),
        ),
    ]


async def run_demo(
    host: str,
    port: int,
    disclosure_log: Path | None = None,
    drain: DrainSettings | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT, then drain and return (exit status 0)."""
    async with serve_demo(host, port, disclosure_log, drain) as demo:
        print(f"GraphiQL: {demo.url}/graphql", flush=True)
        print('Try this query (variables: {"id": "C0001"}):\n', flush=True)
        print(EXAMPLE_QUERY, flush=True)
        print(
            "Anonymous callers get no tax or health data. Development tokens (put one in",
            flush=True,
        )
        print('GraphiQL\'s Headers editor as {"Authorization": "Bearer <token>"}):', flush=True)
        for what, token in demo_tokens():
            print(f"  {what}:\n    {token}", flush=True)
        if disclosure_log is not None:
            print(
                f"Disclosures are recorded in {disclosure_log} (aggregator audit verify)",
                flush=True,
            )
        await until_stopped()


async def until_stopped() -> None:
    """Wait for SIGTERM or SIGINT; a second Ctrl+C then interrupts the drain at once."""
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    try:
        await stopped.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
