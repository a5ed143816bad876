"""Glue between the ASGI app and the GraphiQL page module.

Until the self-hosted GraphiQL bundle lands, the page is a minimal notice
that loads nothing from other origins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aggregator.server.app import Send, ServerOptions

_PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>aggregator</title></head>
<body><h1>aggregator GraphQL gateway</h1><p>POST GraphQL requests to this URL.</p></body></html>"""


async def serve_page(options: ServerOptions, send: Send) -> None:
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-security-policy", b"default-src 'none'"),
        (b"x-content-type-options", b"nosniff"),
    ]
    message: dict[str, Any] = {"type": "http.response.start", "status": 200, "headers": headers}
    await send(message)
    await send({"type": "http.response.body", "body": _PAGE})


async def serve_asset(path: str, send: Send) -> bool:
    return False
