"""A real federation subgraph for reload tests, and supergraphs composed from its SDL.

``ping`` answers at once (after a yield, so requests overlap swaps);
``slow`` waits until the test releases it, to hold a request in flight
across a swap. The ``without_slow`` supergraph routes to the same service
but no longer offers ``slow``: a request that still gets ``slow`` answered
after the swap provably ran on the old schema.
"""

from __future__ import annotations

import asyncio

import strawberry
import strawberry.federation as fed
from strawberry.asgi import GraphQL

from aggregator.registry import SubgraphSdl, compose_sdls
from tests.config.subgraphs import Asgi, with_lifespan

FED = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3")\n'
SDL_WITH_SLOW = FED + "type Query { ping: String! slow: String! }\n"
SDL_WITHOUT_SLOW = FED + "type Query { ping: String! }\n"


class Backend:
    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.slow_started = asyncio.Event()
        self.requests = 0
        backend = self

        @strawberry.type
        class Query:
            @strawberry.field
            async def ping(self) -> str:
                backend.requests += 1
                await asyncio.sleep(0)
                return "pong"

            @strawberry.field
            async def slow(self) -> str:
                backend.slow_started.set()
                await backend.release.wait()
                return "finally"

        self.app: Asgi = with_lifespan(GraphQL(fed.Schema(query=Query)))


def supergraph(url: str, sdl: str) -> str:
    return compose_sdls([SubgraphSdl("products", url, sdl)]).supergraph_sdl
