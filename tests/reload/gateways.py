"""A small real gateway and HTTP app for reload tests, until the lead's Gateway lands.

``SchemaGateway`` executes operations with graphql-core against the API
schema of the supergraph it was built from; its root answers name the
supergraph version (the number in its ``v<N>`` field), so a response says
which schema served it. ``close()`` records a violation if any request is
still running on it: that is exactly what hot reload must never do.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import orjson
from graphql import graphql

from aggregator.registry import GatewayHolder
from aggregator.schema_check import api_schema
from tests.config.subgraphs import Asgi, Receive, Scope, Send, with_lifespan


def versioned_supergraph(version: int) -> str:
    return f"type Query {{ ping: String slow: String v{version}: Int }}\n"


class SchemaGateway:
    def __init__(self, sdl: str) -> None:
        self.schema = api_schema(sdl)  # raises GraphQLError on SDL that does not build
        query = self.schema.query_type
        assert query is not None
        names = [n for n in query.fields if re.fullmatch(r"v\d+", n)]
        self.version = int(names[0][1:])
        self.running = 0
        self.closed = False
        self.closed_while_running = False
        self.release = asyncio.Event()  # `slow` waits for it
        self.release.set()

    async def execute(self, query: str) -> dict[str, Any]:
        if self.closed:
            raise RuntimeError(f"gateway v{self.version} used after close")
        self.running += 1
        try:
            root = {"ping": self._ping, "slow": self._slow}
            result = await graphql(self.schema, query, root_value=root)
            return result.formatted
        finally:
            self.running -= 1

    async def _ping(self, _info: Any) -> str:
        await asyncio.sleep(0.002)  # keep requests in flight across swaps
        return f"v{self.version}"

    async def _slow(self, _info: Any) -> str:
        await self.release.wait()
        return f"v{self.version}"

    async def close(self) -> None:
        if self.running:
            self.closed_while_running = True
        self.closed = True


def gateway_app(holder: GatewayHolder[SchemaGateway]) -> Asgi:
    """POST {"query"} -> the current gateway, held for the whole request."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        query = orjson.loads(body)["query"]
        try:
            async with holder.use() as gateway:
                status, result = 200, await gateway.execute(query)
        except Exception as exc:  # a request failing because of a swap shows up as a 500
            status, result = 500, {"errors": [{"message": str(exc)}]}
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": orjson.dumps(result)})

    return with_lifespan(app)
