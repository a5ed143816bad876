"""The middleware around the gateway app, in one place for every way of serving it.

From the outside in: lifespan (flushes metrics at shutdown) -> observation
(metrics, access log: it sees the whole request) -> HSTS (only over TLS) ->
compression -> ``/metrics`` on the main port (when configured) -> the
gateway app. Each layer is a plain ASGI callable that passes through what
it does not handle, so the gateway app itself stays unaware of all of it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from aggregator.config.compression import CompressionConfig
from aggregator.config.observability import ObservabilityConfig
from aggregator.config.server_tls import ServerTlsConfig
from aggregator.observability.access_log import ObservedApp
from aggregator.observability.logs import configure_logging
from aggregator.observability.metrics import metrics
from aggregator.observability.setup import configure_metrics, configure_tracing_from_env
from aggregator.server.compression import CompressionMiddleware
from aggregator.server.tls import HstsMiddleware

__all__ = ["StackSettings", "prepare_process", "server_stack"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class StackSettings:
    observability: ObservabilityConfig = field(default_factory=ObservabilityConfig)
    compression: CompressionConfig = field(default_factory=CompressionConfig)
    tls: ServerTlsConfig | None = None
    graphql_path: str = "/graphql"


def prepare_process(observability: ObservabilityConfig) -> None:
    """Logging, tracing and metrics for this process, as configured (env applied on top)."""
    settings = observability.with_env(os.environ)
    configure_logging(settings.log_format)
    configure_tracing_from_env()
    configure_metrics(settings.metrics)


def server_stack(app: App, settings: StackSettings) -> App:
    observability = settings.observability.with_env(os.environ)
    inner = app
    routes = {settings.graphql_path, "/health", "/ready", "/plan"}
    quiet = {"/health", "/ready"}
    if observability.metrics.on_main_port:
        inner = MetricsRoute(inner, observability.metrics.path)
        routes.add(observability.metrics.path)
        quiet.add(observability.metrics.path)
    if settings.compression.enabled:
        inner = CompressionMiddleware(inner, settings.compression)
    if settings.tls is not None and settings.tls.hsts_max_age_s > 0:
        inner = HstsMiddleware(inner, settings.tls.hsts_max_age_s)
    inner = ObservedApp(
        inner,
        routes=frozenset(routes),
        quiet_paths=frozenset(quiet),
        access_log=observability.access_log,
    )
    return FlushOnShutdown(inner)


class MetricsRoute:
    """``GET <path>``: the Prometheus exposition, on the gateway's own port."""

    def __init__(self, app: App, path: str) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        from aggregator.observability.prometheus import CONTENT_TYPE, exposition

        body = exposition()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", CONTENT_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class FlushOnShutdown:
    """After the app's lifespan ends, push the last metrics (OTLP) and close the sinks."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            try:
                metrics.close()
            except Exception:  # a collector that is down must not fail the shutdown
                logging.getLogger("aggregator.metrics").exception("flushing metrics failed")
