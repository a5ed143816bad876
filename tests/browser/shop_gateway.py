"""The real gateway app over the four-subgraph shop, for GraphiQL tests.

Subgraphs, gateway and app all run on loopback, so the browser talks to the
same ASGI app, planner and executor that production uses.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from aggregator.gateway import Gateway
from aggregator.server import ServerOptions, create_app
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi

SUPERGRAPH = (Path(__file__).parents[1] / "gateway" / "supergraph.graphql").read_text()

TOP_PRODUCTS = """query TopProducts {
  topProducts {
    name
    price
    inStock
    reviews {
      body
      author {
        name
      }
    }
  }
}
"""
ME = "query Me {\n  me {\n    name\n    username\n  }\n}\n"
EXAMPLES = [
    ("Walk-through 1: products, stock and reviews from four subgraphs", TOP_PRODUCTS),
    ("Walk-through 2: the signed-in user", ME),
]


def shop_options(**overrides: object) -> ServerOptions:
    options = ServerOptions(expose_query_plans=True, example_operations=list(EXAMPLES))
    for name, value in overrides.items():
        setattr(options, name, value)
    return options


@contextlib.asynccontextmanager
async def serve_shop(options: ServerOptions | None = None) -> AsyncIterator[str]:
    """Serve the gateway app over the shop subgraphs; yields the gateway's base URL."""
    async with contextlib.AsyncExitStack() as stack:
        urls = {}
        for name in SDLS:
            subgraph = FederatedSubgraph(name, SDLS[name], RESOLVERS[name])
            urls[name] = await stack.enter_async_context(serve_asgi(subgraph)) + "/graphql"
        gateway = Gateway.from_supergraph_sdl(SUPERGRAPH, subgraph_urls=urls)
        app = create_app(gateway, options or shop_options())
        yield await stack.enter_async_context(serve_asgi(app))
