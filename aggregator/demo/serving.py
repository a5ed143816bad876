"""Serve aiohttp and ASGI apps on loopback free ports inside the running loop.

The demo runs every agency backend in one process; tests use the same
helpers so they exercise real HTTP on 127.0.0.1 without fixed ports.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import orjson
import uvicorn
from aiohttp import web

from aggregator.server.graceful import DrainSettings, GracefulServer, listen_socket

__all__ = ["serve_aiohttp", "serve_asgi_app", "subgraph_asgi_app"]


@contextlib.asynccontextmanager
async def serve_aiohttp(
    app: web.Application, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Serve ``app`` (on a free loopback port by default); yields ``http://HOST:PORT``."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    sock = listen_socket(host, port)
    try:
        await web.SockSite(runner, sock).start()
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        await runner.cleanup()
        sock.close()


@contextlib.asynccontextmanager
async def serve_asgi_app(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    log_level: str = "warning",
    drain: DrainSettings | None = None,
) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn in this loop; yields its base URL.

    Leaving the context drains the server (server/graceful.py): ``/ready``
    turns 503, the listener closes after ``drain.delay_s`` and requests in
    flight get ``drain.timeout_s`` to finish. The caller owns the signals.
    """
    drain = drain or DrainSettings()
    sock = listen_socket(host, port)
    config = uvicorn.Config(app, log_level=log_level, lifespan="off", access_log=False)
    server = GracefulServer(config, drain, handle_signals=False)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=drain.delay_s + drain.timeout_s + 10)
        sock.close()


def subgraph_asgi_app(subgraph: Any) -> Any:
    """Serve any transport ``Subgraph`` (in-process or connector) as GraphQL over HTTP POST.

    Lets an in-process agency be reached by another gateway (the Apollo oracle
    that records golden responses) exactly as the demo's own gateway sees it.
    """
    from aggregator.transport.base import SubgraphRequest

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        status, payload = 405, {"errors": [{"message": "POST a GraphQL request"}]}
        if scope["method"] == "POST":
            try:
                body = orjson.loads(b"".join(chunks))
                request = SubgraphRequest(
                    query=str(body["query"]),
                    variables=body.get("variables"),
                    operation_name=body.get("operationName"),
                    headers={k.decode(): v.decode() for k, v in scope["headers"]},
                )
            except (orjson.JSONDecodeError, KeyError, TypeError):
                status, payload = 400, {"errors": [{"message": "malformed GraphQL request"}]}
            else:
                response = await subgraph.fetch(request)
                status, payload = 200, {"data": response.data}
                if response.errors:
                    payload["errors"] = response.errors
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": orjson.dumps(payload)})

    return app
