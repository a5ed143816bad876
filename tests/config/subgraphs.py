"""Real GraphQL services for SDL-fetching tests, served over HTTP with serve_asgi.

Federation subgraphs are strawberry federation schemas (they answer
``_service { sdl }`` themselves); the plain service is a strawberry schema
without federation, which only answers introspection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import strawberry
import strawberry.federation as fed
from strawberry.asgi import GraphQL

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]


@fed.type(keys=["upc"])
class Product:
    upc: strawberry.ID
    name: str | None


@strawberry.type
class ProductsQuery:
    @strawberry.field
    def top_products(self, first: int = 5) -> list[Product]:
        return [Product(upc=strawberry.ID(str(i)), name=f"p{i}") for i in range(first)]


@fed.type(keys=["upc"], name="Product")
class ProductV2:
    upc: strawberry.ID
    name: str | None
    price: int | None


@strawberry.type
class ProductsQueryV2:
    @strawberry.field
    def top_products(self, first: int = 5) -> list[ProductV2]:
        return []


@fed.type(keys=["upc"], name="Product")
class StockedProduct:
    upc: strawberry.ID
    in_stock: bool


@strawberry.type
class InventoryQuery:
    @strawberry.field
    def stock_count(self) -> int:
        return 3


@strawberry.type
class Licence:
    number: str
    holder: str | None = strawberry.field(deprecation_reason="use holderName")
    holder_name: str | None


@strawberry.type
class PlainQuery:
    @strawberry.field(description="Licences issued by the agency")
    def licences(self, state: str | None = None) -> list[Licence]:
        return [Licence(number="L1", holder="Ann", holder_name="Ann")]


def products_app() -> Asgi:
    return with_lifespan(GraphQL(fed.Schema(query=ProductsQuery)))


def products_v2_app() -> Asgi:
    return with_lifespan(GraphQL(fed.Schema(query=ProductsQueryV2)))


def inventory_app() -> Asgi:
    return with_lifespan(GraphQL(fed.Schema(query=InventoryQuery, types=[StockedProduct])))


def plain_app() -> Asgi:
    return with_lifespan(GraphQL(strawberry.Schema(query=PlainQuery)))


class Switch:
    """Serves whichever app is current, so one URL can change its schema mid-test."""

    def __init__(self, app: Asgi) -> None:
        self.app = app
        self.requests = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.requests += 1
        await self.app(scope, receive, send)


def with_lifespan(inner: Any) -> Asgi:
    """strawberry's ASGI app rejects uvicorn's lifespan scope; answer it here."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await inner(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    return app


def fixed_response(status: int, body: bytes, content_type: str = "application/json") -> Asgi:
    """A server that always answers the same bytes: broken or non-GraphQL backends."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", content_type.encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return with_lifespan(app)
