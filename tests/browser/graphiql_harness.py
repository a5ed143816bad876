"""A small ASGI app that serves GraphiQL the way the gateway app does.

It routes ``GET /graphql`` from browsers to ``render_page`` (or the production
404), ``/graphiql/*`` to ``static_asset``, ``POST /plan`` to a plan answer,
and every other ``/graphql`` request to a real strawberry GraphQL endpoint,
so a browser test runs a real operation over real HTTP. It stands in for
``aggregator.server.app.create_app`` until the gateway app is merged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import strawberry
from graphql import GraphQLError, parse, validate
from strawberry.asgi import GraphQL
from strawberry.types import Info

from aggregator.server.graphiql import (
    ASSET_PREFIX,
    GraphiQLOptions,
    disabled_notice,
    prefers_html,
    render_page,
    static_asset,
)
from aggregator.server.graphiql_plan import plan_response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PLAN_PATH = "/plan"
AGENCIES = ["Tax Office", "Transport Agency", "Health Service", "Registry of Births"]


@strawberry.type
class Agency:
    name: str
    code: str


@strawberry.type
class Query:
    @strawberry.field
    def agencies(self) -> list[Agency]:
        return [Agency(name=name, code=name[:3].upper()) for name in AGENCIES]

    @strawberry.field
    def whoami(self, info: Info) -> str:
        request = info.context["request"]
        return str(request.headers.get("authorization", "anonymous"))


SCHEMA = strawberry.Schema(query=Query)

EXAMPLE_QUERY = "query Agencies {\n  agencies {\n    name\n    code\n  }\n  whoami\n}\n"
EXAMPLES = [
    ("Walk-through 1: agencies", EXAMPLE_QUERY),
    ("Walk-through 2: who am I", "query WhoAmI {\n  whoami\n}\n"),
]


def printed_plan(query: str, operation_name: str | None) -> str:
    """A plan text shaped like the gateway's printer, for one in-process service.

    The operation is parsed and validated for real, so the panel's error
    paths (syntax and validation errors) are the gateway's.
    """
    document = parse(query)
    errors = validate(SCHEMA._schema, document)
    if errors:
        raise GraphQLError("; ".join(error.message for error in errors))
    name = operation_name or "anonymous"
    fetch = f'Fetch(service: "agencies", operation: "{name}")'
    return f"QueryPlan {{\n  {fetch} {{\n    {query.strip()}\n  }}\n}}"


async def _send(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


def make_app(
    options: GraphiQLOptions | None = None, *, production: bool = False
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    options = options or GraphiQLOptions(
        plan_endpoint=PLAN_PATH,
        example_operations=EXAMPLES,
        default_headers='{"Authorization": "Bearer demo-token"}',
    )
    graphql_app = GraphQL(SCHEMA, graphql_ide=None)

    async def plan(receive: Receive, send: Send) -> None:
        status, body, headers = await plan_response(await _read_body(receive), printed_plan)
        await _send(send, status, body, headers)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path, method = scope.get("path", ""), scope.get("method", "GET")
        if path.startswith(ASSET_PREFIX) and not production:
            asset = static_asset(path, _header(scope, b"accept-encoding"))
            if asset is None:
                await _send(send, 404, b"not found\n", {"content-type": "text/plain"})
            else:
                await _send(send, 200, *asset)
            return
        if path == PLAN_PATH and method == "POST" and not production:
            await plan(receive, send)
            return
        if path == "/graphql" and method == "GET" and prefers_html(_header(scope, b"accept")):
            if production:
                await _send(send, 404, *disabled_notice())
            else:
                await _send(send, 200, *render_page(options))
            return
        if path == "/graphql":
            await graphql_app(scope, receive, send)
            return
        await _send(send, 404, b"not found\n", {"content-type": "text/plain"})

    return app
