"""``aggregator demo-agency NAME``: one demo agency as a process of its own.

``aggregator demo`` runs the agencies inside the gateway's process; a
deployment (compose, Kubernetes) runs them as separate services and the
gateway from an ``aggregator.yaml`` that points at them, exactly as it would
point at real agencies. dmv and tax are the REST backends the gateway's
connectors call; health is a federation subgraph the gateway calls over
HTTP; identity stays in-process in the gateway (a Python module). Each one
answers ``GET /health`` for container health checks and drains on SIGTERM.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from aiohttp import web

from aggregator.demo.app import until_stopped
from aggregator.demo.backends import dmv_app, tax_app
from aggregator.demo.serving import serve_aiohttp, serve_asgi_app

__all__ = ["AGENCIES", "DEFAULT_PORTS", "run_agency"]

AGENCIES = ("dmv", "tax", "health")
DEFAULT_PORTS = {"dmv": 4001, "tax": 4002, "health": 4003}
_HEALTHY = orjson.dumps({"status": "ok"})


async def _health(_request: web.Request) -> web.Response:
    return web.Response(body=_HEALTHY, content_type="application/json")


def _rest_backend(name: str) -> web.Application:
    factories: dict[str, Callable[[], web.Application]] = {"dmv": dmv_app, "tax": tax_app}
    app = factories[name]()
    app.router.add_get("/health", _health)
    return app


def _with_health(app: Any) -> Any:
    """An ASGI app that answers ``GET /health`` itself and passes everything else on."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("path") == "/health":
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": _HEALTHY})
            return
        await app(scope, receive, send)

    return wrapped


async def run_agency(name: str, host: str, port: int) -> None:
    """Serve one agency until SIGTERM or SIGINT."""
    if name == "health":
        import strawberry.asgi

        from resolvers.health import schema

        app = _with_health(strawberry.asgi.GraphQL(schema))
        async with serve_asgi_app(app, host=host, port=port) as url:
            print(f"demo agency health: {url}/graphql", flush=True)
            await until_stopped()
        return
    async with serve_aiohttp(_rest_backend(name), host=host, port=port) as url:
        print(f"demo agency {name}: {url}", flush=True)
        await until_stopped()
