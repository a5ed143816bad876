"""HTTP server: the ASGI app, how it is run, and the GraphiQL page it serves."""

from aggregator.gateway_holder import GatewayHolder
from aggregator.server.app import GatewayApp, ServerOptions, create_app
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
    "GatewayApp",
    "GatewayHolder",
    "GraphiQLAssetsMissing",
    "GraphiQLOptions",
    "ServerOptions",
    "content_security_policy",
    "create_app",
    "examples_from_files",
    "render_page",
    "static_asset",
]
