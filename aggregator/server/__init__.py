"""HTTP server: the ASGI app, how it is run, and the GraphiQL page it serves."""

from aggregator.gateway_holder import GatewayHolder
from aggregator.server.app import GatewayApp, ServerOptions, create_app
from aggregator.server.graceful import DrainSettings, GracefulServer, ListenError, listen_socket
from aggregator.server.graphiql import (
    ASSET_PREFIX,
    GraphiQLAssetsMissing,
    GraphiQLOptions,
    content_security_policy,
    examples_from_files,
    render_page,
    static_asset,
)

__all__ = [
    "ASSET_PREFIX",
    "DrainSettings",
    "GatewayApp",
    "GatewayHolder",
    "GracefulServer",
    "GraphiQLAssetsMissing",
    "GraphiQLOptions",
    "ListenError",
    "ServerOptions",
    "content_security_policy",
    "create_app",
    "examples_from_files",
    "listen_socket",
    "render_page",
    "static_asset",
]
