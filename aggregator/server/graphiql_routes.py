"""Glue between the ASGI app and the GraphiQL page module.

The app owns routing and its options; ``aggregator.server.graphiql`` owns the
page, its headers and the built assets. This module translates one into the
other and writes the ASGI messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aggregator.server.graphiql import ASSET_PREFIX, GraphiQLOptions, render_page, static_asset

if TYPE_CHECKING:
    from aggregator.server.app import Send, ServerOptions

PLAN_PATH = "/plan"


def graphiql_options(options: ServerOptions) -> GraphiQLOptions:
    """The page's settings: the plan panel only when the server exposes plans."""
    return GraphiQLOptions(
        endpoint=options.graphql_path,
        plan_endpoint=PLAN_PATH if options.expose_query_plans else None,
        example_operations=list(options.example_operations),
    )


async def _send(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def serve_page(options: ServerOptions, send: Send) -> None:
    body, headers = render_page(graphiql_options(options))
    await _send(send, 200, body, headers)


async def serve_asset(path: str, send: Send, accept_encoding: str = "") -> bool:
    """Answer ``/graphiql/*`` requests for built assets; False when not ours."""
    if not path.startswith(ASSET_PREFIX):
        return False
    asset = static_asset(path, accept_encoding)
    if asset is None:
        return False
    await _send(send, 200, *asset)
    return True
